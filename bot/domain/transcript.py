"""The conversation as numbered turns, and the reader for written transcripts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bot.errors import TranscriptInvalid

Speaker = Literal["rep", "client"]

_LABEL = re.compile(
    r"^\s*(?P<label>rep|sales|销售|client|customer|客户)\s*[:：]\s?(?P<text>.*)$", re.IGNORECASE
)
_REP_LABELS = {"rep", "sales", "销售"}


@dataclass(frozen=True)
class Turn:
    """One turn of the conversation; numbers count from 1 over both speakers."""

    number: int
    speaker: Speaker
    text: str
    stage: str | None = None
    seconds: float | None = None  # how long the rep spoke, when the turn was a voice note


@dataclass(frozen=True)
class Transcript:
    """An ordered, immutable list of turns."""

    turns: tuple[Turn, ...] = ()

    def __iter__(self) -> Iterator[Turn]:
        return iter(self.turns)

    def __len__(self) -> int:
        return len(self.turns)

    def add(
        self, speaker: Speaker, text: str, stage: str | None = None, seconds: float | None = None
    ) -> Transcript:
        """A new transcript with one more turn at the end (`seconds`: it was spoken)."""
        turn = Turn(len(self.turns) + 1, speaker, text, stage, seconds)
        return Transcript((*self.turns, turn))

    @property
    def spoken(self) -> bool:
        """Whether any of the rep's turns was a voice note."""
        return any(t.seconds for t in self.turns if t.speaker == "rep")

    def rep_turns(self) -> list[Turn]:
        """The rep's turns in order."""
        return [t for t in self.turns if t.speaker == "rep"]

    def client_turns(self) -> list[Turn]:
        """The client's turns in order."""
        return [t for t in self.turns if t.speaker == "client"]

    def rep_ordinal(self, number: int) -> int | None:
        """Which of the rep's turns turn `number` is (1 for the rep's first), the number a rep
        reads; None when it is not a rep turn."""
        ordinals = {t.number: i for i, t in enumerate(self.rep_turns(), start=1)}
        return ordinals.get(number)

    def rep_turn(self, ordinal: int) -> Turn | None:
        """The rep's `ordinal`-th turn (1 for the first), if there is one."""
        reps = self.rep_turns()
        return reps[ordinal - 1] if 1 <= ordinal <= len(reps) else None

    def client_before(self, number: int) -> str:
        """The client's last words before turn `number` ("" when none)."""
        for turn in reversed(self.turns[: number - 1]):
            if turn.speaker == "client":
                return turn.text
        return ""

    def locate(self, quote: str) -> int | None:
        """The number of the turn containing `quote` (whitespace-insensitive), if any."""
        needle = _squash(quote)
        if not needle:
            return None
        for turn in self.turns:
            if needle in _squash(turn.text):
                return turn.number
        return None

    def render(self) -> str:
        """The transcript in the written format `parse_transcript` reads."""
        return "\n".join(f"{t.speaker}: {t.text}" for t in self.turns)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def parse_transcript(text: str) -> Transcript:
    """Read turns labelled `rep:`/`销售:` or `client:`/`客户:`; other lines continue a turn."""
    if "\x00" in text:
        raise TranscriptInvalid("error.transcript_binary")
    turns: list[tuple[Speaker, list[str], int]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        match = _LABEL.match(line)
        if match:
            speaker: Speaker = "rep" if match["label"].lower() in _REP_LABELS else "client"
            turns.append((speaker, [match["text"].strip()], lineno))
        elif line.strip():
            if not turns:
                raise TranscriptInvalid("error.transcript_unlabelled", line=lineno)
            turns[-1][1].append(line.strip())
    if not turns:
        raise TranscriptInvalid("error.transcript_empty")
    transcript = Transcript()
    for speaker, lines, lineno in turns:
        body = "\n".join(part for part in lines if part)
        if not body:
            raise TranscriptInvalid("error.transcript_empty_turn", line=lineno)
        transcript = transcript.add(speaker, body)
    if not transcript.rep_turns():
        raise TranscriptInvalid("error.transcript_no_rep")
    return transcript
