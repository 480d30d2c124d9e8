"""The scorecard a rep receives, and its stable JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain.facts import FactKey
from bot.domain.metrics import Status
from bot.domain.scenario import Dimension


@dataclass(frozen=True)
class Evidence:
    """A quote from the transcript and the turn it came from (on a scorecard: the rep's own
    turn, 1 for the rep's first message)."""

    turn: int
    quote: str


@dataclass(frozen=True)
class DimensionScore:
    """One dimension: a 1–5 score, the quotes behind it and one concrete tip."""

    score: float
    evidence: tuple[Evidence, ...] = ()
    tip: str = ""
    rule: str | None = None


@dataclass(frozen=True)
class Rewording:
    """A better way to say the turn that cost the most: which dimension it fixes and why."""

    turn: int
    original: str
    suggestion: str
    dimension: str = ""
    why: str = ""


@dataclass(frozen=True)
class Scorecard:
    """The graded result of one conversation."""

    overall: int
    passed: bool
    grader: str
    dimensions: dict[Dimension, DimensionScore]
    checklist: dict[FactKey, Status]
    metrics: dict[str, Any]
    pass_mark: int = 60
    language: str = "zh"
    rewording: Rewording | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def weakest(self) -> Dimension:
        """The dimension with the lowest score."""
        return min(self.dimensions, key=lambda d: self.dimensions[d].score)

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """The `trainer grade --json` contract; `full` adds what storage needs."""
        data: dict[str, Any] = {
            "overall": self.overall,
            "passed": self.passed,
            "grader": self.grader,
            "dimensions": {
                name: {
                    "score": round(d.score, 2),
                    "evidence": [{"turn": e.turn, "quote": e.quote} for e in d.evidence],
                    "tip": d.tip,
                }
                for name, d in self.dimensions.items()
            },
            "checklist": dict(self.checklist),
            "metrics": self.metrics,
        }
        if full:
            # Evidence and rewording turns count the rep's messages only (cards stored before
            # this mark counted every turn).
            data["turns"] = "rep"
            data["pass_mark"] = self.pass_mark
            data["language"] = self.language
            data["rules"] = {n: d.rule for n, d in self.dimensions.items() if d.rule}
            data["rewording"] = (
                {
                    "turn": self.rewording.turn,
                    "original": self.rewording.original,
                    "suggestion": self.rewording.suggestion,
                    "dimension": self.rewording.dimension,
                    "why": self.rewording.why,
                }
                if self.rewording
                else None
            )
            data["overrides"] = self.overrides
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scorecard:
        """Rebuild from `to_json(full=True)`."""
        rules = data.get("rules", {})
        dims = {
            name: DimensionScore(
                score=float(d["score"]),
                evidence=tuple(Evidence(int(e["turn"]), str(e["quote"])) for e in d["evidence"]),
                tip=str(d.get("tip", "")),
                rule=rules.get(name),
            )
            for name, d in data["dimensions"].items()
        }
        rw = data.get("rewording")
        return cls(
            overall=int(data["overall"]),
            passed=bool(data["passed"]),
            grader=str(data["grader"]),
            dimensions=dims,
            checklist=dict(data["checklist"]),
            metrics=dict(data["metrics"]),
            pass_mark=int(data.get("pass_mark", 60)),
            language=str(data.get("language", "zh")),
            rewording=Rewording(
                int(rw["turn"]),
                rw["original"],
                rw["suggestion"],
                str(rw.get("dimension", "")),
                str(rw.get("why", "")),
            )
            if rw
            else None,
            overrides=dict(data.get("overrides", {})),
        )
