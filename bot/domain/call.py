"""A recorded call turned into a two-speaker transcript.

Where the transcription endpoint labels speakers (diarized segments, e.g. OpenAI's
`gpt-4o-transcribe-diarize`), those labels are used: the first voice heard is the rep's (the rep
makes the call and speaks first), the second the client's, and any third voice joins the
client's side. Otherwise this **two-speaker heuristic** is used, and it is only a heuristic:

- with timestamped segments (`verbose_json`, e.g. whisper-1), each segment is first cut at its
  sentence ends (its time shared out by length); the rep speaks first; then, piece by piece:
  a statement after a question is the other side's answer; a question after the client's
  statement is the rep's (in a collection call the rep asks); two questions in a row are one
  side asking twice; otherwise a pause of `TURN_PAUSE` seconds or more passes the word;
- with plain text only, the same rules on its sentences, without the pauses.

Alternation is wrong whenever one side speaks twice in a row across a pause; a trainer who needs
exact speakers writes the transcript (`rep:` / `client:`) and grades that instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.transcript import Speaker, Transcript

TURN_PAUSE = 0.8  # seconds of silence between segments that hand the word over
_QUESTION_END = re.compile(r"[？?]\s*$")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+|[^。！？!?]+$")


@dataclass(frozen=True)
class Segment:
    """A stretch of the recording as the endpoint returned it."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


def _labelled(segments: list[Segment]) -> list[tuple[Speaker, Segment]]:
    order: list[str] = []
    for s in segments:
        if s.speaker is not None and s.speaker not in order:
            order.append(s.speaker)
    return [("rep" if s.speaker == order[0] else "client", s) for s in segments]


def _alternating(segments: list[Segment]) -> list[tuple[Speaker, Segment]]:
    speaker: Speaker = "rep"
    found: list[tuple[Speaker, Segment]] = []
    for i, s in enumerate(segments):
        if i > 0:
            before = segments[i - 1]
            asks, asked = _is_question(s), _is_question(before)
            paused = (
                s.start is not None
                and before.end is not None
                and s.start - before.end >= TURN_PAUSE
            )
            if asked and not asks:
                speaker = "client" if speaker == "rep" else "rep"  # the question's answer
            elif asks and not asked and speaker == "client":
                speaker = "rep"  # the rep asks the questions in a collection call
            elif paused and not (asks and speaker == "rep"):
                speaker = "client" if speaker == "rep" else "rep"
        found.append((speaker, s))
    return found


def _is_question(segment: Segment) -> bool:
    return bool(_QUESTION_END.search(segment.text))


def sentences(text: str) -> list[Segment]:
    """Plain text cut into sentences (segments without times)."""
    return [Segment(m.group().strip()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def _split(segment: Segment) -> list[Segment]:
    """A segment cut at its sentence ends, its time shared out by length (a long segment may
    hold a question and its answer)."""
    parts = sentences(segment.text)
    if len(parts) < 2 or segment.start is None or segment.end is None:
        return [segment]
    total = sum(len(p.text) for p in parts)
    found, at = [], segment.start
    for p in parts:
        length = (segment.end - segment.start) * len(p.text) / total
        found.append(Segment(p.text, at, at + length, segment.speaker))
        at += length
    return found


def call_transcript(segments: list[Segment]) -> Transcript:
    """The recording as alternating rep/client turns (see the module docstring); the rep's
    turns carry their seconds when the segments are timed, so speech metrics apply."""
    segments = [part for s in segments if s.text.strip() for part in _split(s)]
    who = _labelled(segments) if any(s.speaker for s in segments) else _alternating(segments)
    transcript = Transcript()
    merged: list[tuple[Speaker, str, float]] = []
    for speaker, s in who:
        seconds = (s.end - s.start) if s.start is not None and s.end is not None else 0.0
        if merged and merged[-1][0] == speaker:
            last = merged[-1]
            merged[-1] = (
                speaker,
                f"{last[1]}{_joiner(last[1])}{s.text.strip()}",
                last[2] + seconds,
            )
        else:
            merged.append((speaker, s.text.strip(), seconds))
    for speaker, text, seconds in merged:
        spoken = seconds if speaker == "rep" and seconds > 0 else None
        transcript = transcript.add(speaker, text, seconds=spoken)
    return transcript


def _joiner(text: str) -> str:
    """No space between Chinese sentences, one between English ones."""
    return (
        ""
        if (text and "\u4e00" <= text[-1] <= "\u9fff") or text.endswith(("。", "，", "？", "！"))
        else " "
    )
