"""Per-utterance agreement of the cue detectors with expert utterance codes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.domain.cues import Cues


@dataclass(frozen=True)
class RepLabel:
    """The expert codes of one therapist (rep) utterance."""

    question: bool = False
    open_question: bool = False
    reflection: bool = False
    complex_reflection: bool = False
    therapist_input: bool = False
    input_subtype: str | None = None

    @classmethod
    def from_annomi(cls, turn: dict[str, object]) -> RepLabel:
        """Read the consolidated labels of an AnnoMI therapist turn."""
        subtype = turn.get("therapist_input_subtype")
        return cls(
            question=bool(turn.get("has_question")),
            open_question=turn.get("question_subtype") == "open",
            reflection=bool(turn.get("has_reflection")),
            complex_reflection=turn.get("reflection_subtype") == "complex",
            therapist_input=bool(turn.get("has_therapist_input")),
            input_subtype=str(subtype) if subtype else None,
        )


@dataclass(frozen=True)
class Agreement:
    """How one detector's calls compare with the expert codes, utterance by utterance."""

    name: str
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        """Share of the detector's calls the experts agree with."""
        called = self.true_pos + self.false_pos
        return self.true_pos / called if called else 0.0

    @property
    def recall(self) -> float:
        """Share of the experts' codes the detector finds."""
        coded = self.true_pos + self.false_neg
        return self.true_pos / coded if coded else 0.0


L = TypeVar("L")
# (name, what the detector says, what the experts coded)
Detector = tuple[str, Callable[[Cues], bool], Callable[[L], bool]]
DETECTORS: tuple[Detector[RepLabel], ...] = (
    ("question", lambda c: c.question, lambda g: g.question),
    ("open question", lambda c: c.open_question, lambda g: g.open_question),
    ("reflection", lambda c: c.reflection, lambda g: g.reflection),
    ("complex reflection", lambda c: c.complex_reflection, lambda g: g.complex_reflection),
    ("advice vs any therapist input", lambda c: c.advice, lambda g: g.therapist_input),
    ("advice vs input: advice", lambda c: c.advice, lambda g: g.input_subtype == "advice"),
    (
        "advice vs input: information",
        lambda c: c.advice,
        lambda g: g.input_subtype == "information",
    ),
)


def agreement(pairs: Sequence[tuple[Cues, L]], detectors: Sequence[Detector[L]]) -> list[Agreement]:
    """Precision and recall of every detector over (cues, expert label) pairs."""
    results = []
    for name, says, coded in detectors:
        tp = sum(1 for c, g in pairs if says(c) and coded(g))
        fp = sum(1 for c, g in pairs if says(c) and not coded(g))
        fn = sum(1 for c, g in pairs if coded(g) and not says(c))
        results.append(Agreement(name, tp, fp, fn))
    return results
