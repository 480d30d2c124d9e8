"""The rubric: dimensions, how they combine into 0–100, and the deterministic bounds.

The bounds are why a judge (LLM or not) cannot hand out a score the transcript does not
support: every dimension is capped at what the readings alone support plus `JUDGE_MARGIN`
(a judge may see nuance, not invent a skill); preparation cannot be high when the facts were
never uncovered, composure cannot be top after a threat, next step cannot be high without a
proposal. Text addressed to the grader (prompt injection) is evidence against the rep: with
it every dimension is held at the floor, so whatever the judge was talked into, the attempt
raises no dimension and can only fail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import get_args

from bot.domain.metrics import Metrics
from bot.domain.scenario import Dimension
from bot.domain.scoring import deterministic

DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)
SCORE_MIN, SCORE_MAX = 1.0, 5.0
# Preparation cap by number of the five facts answered specifically.
PREPARATION_CAP = {0: 2.0, 1: 2.5, 2: 3.0, 3: 3.5, 4: 4.5, 5: 5.0}
FEW_TURNS = 3  # fewer rep turns than this cannot show good listening
JUDGE_MARGIN = 1.0  # how far above the deterministic score a judge may go
INJECTED_CAP = SCORE_MIN  # an attempt to talk to the grader earns the floor everywhere


@dataclass(frozen=True)
class Bound:
    """The range a dimension's score must stay in, and the rule that set it."""

    low: float = SCORE_MIN
    high: float = SCORE_MAX
    rule: str | None = None

    def clamp(self, score: float) -> float:
        """The score forced into this range."""
        return max(self.low, min(self.high, score))


def bounds(m: Metrics) -> dict[Dimension, Bound]:
    """Deterministic limits for each dimension, from the metrics alone."""
    result = _rule_bounds(m)
    supported = deterministic(m)
    for dim in DIMENSIONS:
        bound = result[dim]
        if m.injections:
            result[dim] = Bound(low=SCORE_MIN, high=INJECTED_CAP, rule="injection")
        elif supported[dim] + JUDGE_MARGIN < bound.high:
            high = max(bound.low, supported[dim] + JUDGE_MARGIN)
            result[dim] = Bound(low=bound.low, high=high, rule=bound.rule or "reading")
    return result


def _rule_bounds(m: Metrics) -> dict[Dimension, Bound]:
    result: dict[Dimension, Bound] = {d: Bound() for d in DIMENSIONS}
    facts = len(m.facts_uncovered)
    result["preparation"] = Bound(high=PREPARATION_CAP[facts], rule=f"facts_uncovered={facts}")
    if m.threats or m.veiled_threats:
        result["composure"] = Bound(high=2.0, rule="threat")
        result["persuasion"] = Bound(high=3.0, rule="threat")
    elif m.pressure >= 2:
        result["composure"] = Bound(high=3.0, rule="pressure")
    if m.questions == 0 and m.reflections == 0:
        result["listening"] = Bound(high=2.0, rule="no_questions_or_reflections")
    elif m.threats or m.veiled_threats:
        result["listening"] = Bound(high=2.5, rule="threat")
    elif m.talk_share > 0.8:
        result["listening"] = Bound(high=2.5, rule="talk_share")
    elif m.rep_turns < FEW_TURNS:
        # Two lines are too little to show listening: the score cannot claim more than "fair".
        result["listening"] = Bound(high=3.0, rule=f"few_turns={m.rep_turns}")
    if m.commitment:
        result["next_step"] = Bound(low=3.0, rule="commitment")
    elif not any(n.cues.proposes_next_step for n in m.notes):
        result["next_step"] = Bound(high=2.0, rule="no_proposal")
    else:
        result["next_step"] = Bound(high=3.5, rule="no_commitment")
    return result


def overall(scores: dict[Dimension, float], weights: dict[Dimension, float]) -> int:
    """Weighted 1–5 scores mapped onto 0–100."""
    total = sum(weights[d] for d in scores) or 1.0
    mean = sum(scores[d] * weights[d] for d in scores) / total
    percent = (mean - SCORE_MIN) / (SCORE_MAX - SCORE_MIN) * 100
    # Half up, with a little slack for float error (a mean of 3.3 is 57.5 → 58, not 57).
    return math.floor(percent + 0.5 + 1e-9)
