"""What speech shows that text cannot, computed from the rep's spoken turns alone.

Only turns that were voice notes count (they carry `seconds`); a session with none has no
speech metrics, and the card shows none.

- **Speaking rate**: Chinese characters per minute (`zh`), or words per minute (`en`), over the
  spoken turns' total length. The length is the voice note's, pauses included, so the figure
  is a little below the articulation rate. Anchors: conversational Mandarin runs about
  180–260 characters a minute (news readers ~280–300); conversational English 140–170 words a
  minute (below ~110 reads as hesitant, above ~190 as rushed). `RATE_BANDS` holds them.
- **Filler words**: 嗯、呃、额 anywhere; 啊 standing alone (between pauses, not the
  sentence-final particle of 「好啊」); 那个 when a pause or another 那个 follows (「那个，」
  「那个那个」, not the demonstrative of 「那个项目」); 就是说 when a pause follows or at the start
  of a clause (not 「也就是说」 running on); um, uh, er, erm, hmm anywhere; `like` only when a
  pause follows it ("it was, like, late", "like, we…"), not "I like it" or "like this". Counted
  per 100 units (CJK characters or Latin words):
  spontaneous speech has about 1–3 fillers per 100 words (Bortfeld et al. 2001 found ~6
  disfluencies per 100 words, fillers the largest share); more than ~5 per 100 is heavy.
  Many transcription models tidy fillers away (whisper-1 and gpt-4o-transcribe often do), so
  the count is a lower bound that depends on the provider.
- **Longest unbroken stretch**: the longest single voice note, in seconds: a voice note is
  speech the client could not interrupt. Over 60 s is flagged (our threshold, not a published
  figure: a minute of monologue is long for a meeting where the rep should be listening).

They are shown, not scored: composure and listening are graded from the words alone, as for
a typed session, because the figures depend on the transcription provider (fillers) and on
how long the rep held the microphone before and after speaking (rate), and a spoken session
must not be graded on a different scale from a typed one.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from bot.domain.lang import Lang, cjk_count, latin_words, units
from bot.domain.transcript import Transcript

RATE_BANDS: dict[Lang, tuple[int, int]] = {"zh": (180, 260), "en": (140, 170)}
LONG_STRETCH_SECONDS = 60.0
HEAVY_FILLERS_PER_100 = 5.0

_PAUSE = r"[，,。.！!？?、；;：:…\s—-]"
_ZH_FILLERS = re.compile(
    r"[嗯呃额]"
    rf"|(?:^|(?<={_PAUSE}))啊(?={_PAUSE}|$)"
    rf"|那个(?={_PAUSE}|那个)"
    rf"|(?<!也)就是说(?={_PAUSE})"
    rf"|(?:^|(?<={_PAUSE}))就是说"
)
_EN_FILLERS = re.compile(r"\b(?:u+m+|u+h+|e+r+m*|h+m+)\b", re.IGNORECASE)
_EN_LIKE = re.compile(r"\blike(?=\s*,)", re.IGNORECASE)


@dataclass(frozen=True)
class SpeechMetrics:
    """Figures from the rep's voice notes."""

    spoken_turns: int
    seconds: float
    rate: float  # characters (zh) or words (en) per minute
    rate_unit: str  # "chars" or "words"
    fillers: int
    fillers_per_100: float
    longest_seconds: float
    longest_turn: int  # the turn number of the longest stretch

    @property
    def pace(self) -> str:
        """slow, steady or fast against the language's conversational band."""
        low, high = RATE_BANDS["zh" if self.rate_unit == "chars" else "en"]
        return "slow" if self.rate < low else "fast" if self.rate > high else "steady"

    def as_dict(self) -> dict[str, Any]:
        """Plain form for the metrics JSON."""
        data = asdict(self)
        data.update(
            seconds=round(self.seconds, 1),
            rate=round(self.rate),
            fillers_per_100=round(self.fillers_per_100, 1),
            longest_seconds=round(self.longest_seconds, 1),
            pace=self.pace,
        )
        return data


def fillers(text: str, lang: Lang) -> int:
    """Filler words in one spoken turn (the rules are in the module docstring)."""
    if lang == "zh":
        return len(_ZH_FILLERS.findall(text)) + len(_EN_FILLERS.findall(text))
    return len(_EN_FILLERS.findall(text)) + len(_EN_LIKE.findall(text))


def speech_metrics(transcript: Transcript, lang: Lang) -> SpeechMetrics | None:
    """The speech figures of a transcript's spoken rep turns, or None when none was spoken."""
    spoken = [t for t in transcript.rep_turns() if t.seconds]
    if not spoken:
        return None
    seconds = sum(t.seconds or 0.0 for t in spoken)
    text = "\n".join(t.text for t in spoken)
    said = cjk_count(text) if lang == "zh" else len(latin_words(text))
    found = sum(fillers(t.text, lang) for t in spoken)
    longest = max(spoken, key=lambda t: t.seconds or 0.0)
    size = units(text)
    return SpeechMetrics(
        spoken_turns=len(spoken),
        seconds=seconds,
        rate=said / (seconds / 60) if seconds else 0.0,
        rate_unit="chars" if lang == "zh" else "words",
        fillers=found,
        fillers_per_100=100 * found / size if size else 0.0,
        longest_seconds=longest.seconds or 0.0,
        longest_turn=longest.number,
    )
