"""Deterministic 1–5 scores from the readings of a transcript, with documented anchors.

Every listening threshold is a published anchor (see PRODUCT.md), with "fair" at 3 and "good"
at 5: top B2B reps talk about 43% of a call and average reps 65–75%; MITI 3.1.1 rates 50% open
questions fair and 70% good; MITI 4.2.1 rates a reflection-to-question ratio of 1:1 fair and
2:1 good, and 40% complex reflections fair and 50% good. MITI 3.1.1 wants 90% (fair) to 100%
(good) of a listener's advice-like moves to be MI-adherent; we read that over turns, so telling
the other side what to do in one turn in ten is fair, in none good. Between anchors scores are
interpolated linearly. Only faithful reflections (simple, complex) count; a distorted one
(claiming the client said what they did not) costs half a point each, and parroting counts
for nothing. A rep who neither asks nor reflects in most turns is not listening, however
little they talk ("inquiry": share of turns with a question or a faithful reflection, 30% fair,
60% good).

Calibration anchors (checked by tests): an expert rep (all five facts, listening, calm, a dated
next step accepted) scores ≥ 80 and passes; a rep who pressures or threatens and uncovers
nothing scores ≤ 40. These scores also cap any judge (see `rubric.bounds`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from bot.domain.metrics import Metrics
from bot.domain.scenario import Dimension

Anchors = Sequence[tuple[float, float]]

TALK_SHARE = ((0.43, 5.0), (0.55, 4.0), (0.65, 3.0), (0.75, 2.0), (0.85, 1.0))
OPEN_SHARE = ((0.0, 1.0), (0.5, 3.0), (0.7, 5.0))
REFLECTION_RATIO = ((0.0, 1.0), (0.5, 2.0), (1.0, 3.0), (2.0, 5.0))
COMPLEX_SHARE = ((0.0, 1.0), (0.4, 3.0), (0.5, 5.0))
DIRECTIVE_RATE = ((0.0, 5.0), (0.05, 4.0), (0.10, 3.0), (0.20, 2.0), (0.30, 1.0))
INQUIRY = ((0.0, 1.0), (0.3, 3.0), (0.6, 5.0))
DISTORTION_COST = 0.5


def interpolate(value: float, anchors: Anchors) -> float:
    """Piecewise-linear score between anchors, flat beyond the ends."""
    if value <= anchors[0][0]:
        return anchors[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(anchors):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return anchors[-1][1]


def clamp(score: float) -> float:
    """A score forced onto 1–5, two decimals."""
    return round(max(1.0, min(5.0, score)), 2)


def listening_parts(m: Metrics) -> dict[str, float]:
    """The sub-scores behind listening, each 1–5 on its anchors (a share only where defined)."""
    turns = max(1, m.rep_turns)
    inquiring = sum(1 for n in m.notes if n.cues.question or n.cues.reflection)
    parts = {
        "talk_share": interpolate(m.talk_share, TALK_SHARE),
        "reflection": interpolate(m.reflection_ratio, REFLECTION_RATIO),
        "directive": interpolate(m.advice / turns, DIRECTIVE_RATE),
        "inquiry": interpolate(inquiring / turns, INQUIRY),
    }
    if m.questions:
        parts["open"] = interpolate(m.open_share, OPEN_SHARE)
    if m.reflections:
        parts["complex"] = interpolate(m.complex_share, COMPLEX_SHARE)
    return parts


def listening_score(m: Metrics) -> float:
    """倾听力, 1–5: the plain mean of the sub-scores, minus distorted reflections."""
    parts = listening_parts(m)
    return clamp(sum(parts.values()) / len(parts) - DISTORTION_COST * m.distorted)


def _harsh(m: Metrics) -> int:
    """Turns that pressed, mocked or threatened (a named or hinted sanction)."""
    return m.pressure


def persuasion_score(m: Metrics) -> float:
    """说服力, 1–5: value framing, rules cited calmly, empathy, a commitment; minus pressure."""
    polite_rules = m.regulation if not (m.threats or m.veiled_threats) else 0
    score = 2.0 + 0.6 * min(m.value, 3) + 0.5 * min(polite_rules, 2) + 0.4 * min(m.empathy, 2)
    score += 0.3 * min(m.apologies, 1) + (1.0 if m.commitment else 0.0)
    return clamp(score - 0.75 * _harsh(m) - 0.75 * (m.threats + m.veiled_threats) - m.injections)


def preparation_score(m: Metrics) -> float:
    """准备, 1–5: the five questions answered specifically, asked about, and planned."""
    specific = sum(v == "specific" for v in m.checklist.values())
    vague = sum(v == "vague" for v in m.checklist.values())
    plan = 0.1 * (m.plan_coverage or 0)
    return clamp(1.0 + 0.75 * specific + 0.2 * vague + plan)


def composure_score(m: Metrics) -> float:
    """心态, 1–5: calm under stalling; pressure or sarcasm costs 1 a turn, a threat 2, a hint 1.5"""
    calm_bonus = 0.5 if m.rep_turns >= 3 and not m.pressure else 0.0
    score = 4.0 + (0.5 if m.empathy else 0.0) + calm_bonus
    plain = m.pressure - m.threats - m.veiled_threats
    return clamp(score - plain - 2.0 * m.threats - 1.5 * m.veiled_threats - m.injections)


def next_step_score(m: Metrics) -> float:
    """推进, 1–5: a concrete next step (date + person + action) that the client accepted."""
    if m.commitment:
        return 5.0
    steps = [n.cues.next_step for n in m.notes]
    if any(s.complete for s in steps):
        return 3.0
    if any(s.date and s.action for s in steps):
        return 2.0
    return 1.0


SCORERS: dict[Dimension, Callable[[Metrics], float]] = {
    "listening": listening_score,
    "persuasion": persuasion_score,
    "preparation": preparation_score,
    "composure": composure_score,
    "next_step": next_step_score,
}


def deterministic(m: Metrics) -> dict[Dimension, float]:
    """Every dimension as the readings alone support it."""
    return {dim: scorer(m) for dim, scorer in SCORERS.items()}
