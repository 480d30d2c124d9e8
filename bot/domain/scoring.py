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

At a payment meeting (a scenario, or a rep who names the matter; `Metrics.case`) listening is
attention to the client's situation in this case, so three things are added that counselling
data (AnnoMI, where every question is about the client) cannot test: only questions about the
case count (small talk, greetings and asking for someone at the door do not); a turn of small
talk, pressure or a monologue counts with advice as not listening; "uptake" (share of turns
that answer what the client said: a faithful reflection, empathy, owning a fault, or a
question building on the client's words; 30% fair, 60% good) is a sub-score; and the
restraint sub-scores (talk share, advice) cannot lift listening more than half a point above
the mean of the active ones, because leaving room is not the same as using it. A wh-question
on the case (「最后是哪位领导签字？」「对您影响最大的是哪一块？」) counts as open there: the
reader calls one-fact questions closed, but at a payment meeting they are discovery.
A rep who asks well but never plays the client back is at most fair there (3: MITI's fair
is one reflection per question). Anywhere, closed questions alone with nothing played back
cap listening at 2.5.

Calibration anchors (checked by tests, reasons in `bot.offline.judge`): an expert rep (all
five facts, listening, calm, a dated next step accepted) scores ≥ 80 and passes; a rep who
pressures or threatens and uncovers nothing scores ≤ 40. These scores also cap any judge
(see `rubric.bounds`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from bot.domain.metrics import Metrics
from bot.domain.scenario import Dimension
from bot.reading import Reading
from bot.reading.types import Proposal

Anchors = Sequence[tuple[float, float]]

TALK_SHARE = ((0.43, 5.0), (0.55, 4.0), (0.65, 3.0), (0.75, 2.0), (0.85, 1.0))
OPEN_SHARE = ((0.0, 1.0), (0.5, 3.0), (0.7, 5.0))
REFLECTION_RATIO = ((0.0, 1.0), (0.5, 2.0), (1.0, 3.0), (2.0, 5.0))
COMPLEX_SHARE = ((0.0, 1.0), (0.4, 3.0), (0.5, 5.0))
DIRECTIVE_RATE = ((0.0, 5.0), (0.05, 4.0), (0.10, 3.0), (0.20, 2.0), (0.30, 1.0))
INQUIRY = ((0.0, 1.0), (0.3, 3.0), (0.6, 5.0))
UPTAKE = ((0.0, 1.0), (0.3, 3.0), (0.6, 5.0))
ACTIVE = ("reflection", "inquiry", "uptake", "open", "complex")
DISTORTION_COST = 0.5
RESTRAINT_LIFT = 0.5
ENGAGED = ((0.3, 0.0), (0.7, 1.0))  # share of turns on the matter → up to one point
MONOLOGUE_UNITS = {"zh": 80, "en": 50}  # characters / words: about 20 seconds of speech
CLOSED_ONLY_CAP = 2.5
UNREFLECTED_CAP = 3.0


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


def _takes_up(r: Reading) -> bool:
    """A turn that answers what the client said: a faithful reflection, empathy, owning a
    fault, or a question on the case that builds on the client's words."""
    return (
        r.reflection or r.empathy or r.apology or (r.question and not r.small_talk and r.takes_up)
    )


def _monologue(r: Reading) -> bool:
    """A long turn that neither plays the client back nor lays out a concrete step: talking at
    the client (rambling), not listening, however it ends (「…您看呢？」)."""
    return r.units >= MONOLOGUE_UNITS[r.lang] and not (r.reflection or r.next_step.complete)


def listening_parts(m: Metrics) -> dict[str, float]:
    """The sub-scores behind listening, each 1–5 on its anchors (a share only where defined).

    At a payment meeting (`m.case`) a question counts only when it is about the case, a turn
    of small talk or pressure counts with advice as not listening, and "uptake" (turns that
    answer what the client just said) is a sub-score of its own.
    """
    turns = max(1, m.rep_turns)
    case = m.case
    inquiring = sum(
        1
        for n in m.notes
        if (n.cues.question and not (case and n.cues.small_talk)) or n.cues.reflection
    )
    asked = m.case_questions
    ratio = m.reflections / asked if asked else float(m.reflections)
    telling = sum(
        1
        for n in m.notes
        if n.cues.advice or (case and (n.cues.pressure or n.cues.small_talk or _monologue(n.cues)))
    )
    parts = {
        "talk_share": interpolate(m.talk_share, TALK_SHARE),
        "reflection": interpolate(ratio, REFLECTION_RATIO),
        "directive": interpolate(telling / turns, DIRECTIVE_RATE),
        "inquiry": interpolate(inquiring / turns, INQUIRY),
    }
    if case:
        answering = [n for n in m.notes if n.prev_client.strip()]
        taken_up = sum(1 for n in answering if _takes_up(n.cues))
        parts["uptake"] = interpolate(taken_up / max(1, len(answering)), UPTAKE)
    if asked:
        parts["open"] = interpolate(m.case_open / asked, OPEN_SHARE)
    if m.reflections:
        parts["complex"] = interpolate(m.complex_share, COMPLEX_SHARE)
    return parts


def listening_score(m: Metrics) -> float:
    """倾听力, 1–5: the plain mean of the sub-scores, minus distorted reflections."""
    parts = listening_parts(m)
    score = sum(parts.values()) / len(parts)
    active = [v for k, v in parts.items() if k in ACTIVE]
    # Restraint (little talk, no advice) leaves room; only what the rep did with it lifts
    # listening: the score stays within half a point of the active sub-scores' mean.
    if m.case:
        score = min(score, sum(active) / len(active) + RESTRAINT_LIFT)
    if not m.reflections and not m.case_open:
        score = min(score, CLOSED_ONLY_CAP)  # closed questions alone, nothing played back
    elif not m.reflections and m.case:
        score = min(score, UNREFLECTED_CAP)  # asking well is not yet being heard
    return clamp(score - DISTORTION_COST * m.distorted)


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


def _on_case(r: Reading) -> bool:
    """A turn that deals with the matter: asks about it, plays the client back, owns a fault,
    raises the payment or a step, or cites the rules (small talk and monologues do not)."""
    if r.small_talk or _monologue(r):
        return False
    return bool(
        r.asks_about
        or r.payment_ask
        or r.next_step.any
        or r.reflection
        or r.empathy
        or r.apology
        or r.cites_rule
        or r.question
    )


def composure_score(m: Metrics) -> float:
    """心态, 1–5: facing the stalling calmly and staying on the matter.

    Anchors: 3 is calm but shows nothing else; up to +1 for staying on the case (0 at 30% of
    turns, 1 at 70%: small talk and monologues avoid the hard conversation instead of facing
    it), +0.5 for acknowledging the client's side on the matter (empathy, a faithful
    reflection, owning a fault), +0.5 for staying calm over at least three turns while on the
    case in half of them. Each pressing or sarcastic turn costs 1, a threat 2, a hinted one
    1.5, a line to the grader 1, a monologue 0.5 (at most 1.5).
    """
    turns = max(1, m.rep_turns)
    engaged = sum(1 for n in m.notes if not n.cues.pressure and _on_case(n.cues)) / turns
    acknowledged = any(
        (n.cues.reflection or n.cues.empathy or n.cues.apology) and not n.cues.small_talk
        for n in m.notes
    )
    rambling = min(1.5, 0.5 * sum(1 for n in m.notes if _monologue(n.cues)))
    score = 3.0 + interpolate(engaged, ENGAGED) + (0.5 if acknowledged else 0.0)
    steady = m.rep_turns >= 3 and not m.pressure and engaged >= 0.5
    score += 0.5 if steady else 0.0
    plain = m.pressure - m.threats - m.veiled_threats
    harsh = plain + 2.0 * m.threats + 1.5 * m.veiled_threats + m.injections
    return clamp(score - rambling - harsh)


def proposals(m: Metrics) -> list[Proposal]:
    """Next steps the rep put on the table calmly: a demand or an ultimatum proposes nothing
    the client can agree to, and a step off the payment path (being let in) is not one."""
    return [n.cues.next_step for n in m.notes if not n.cues.pressure and n.cues.next_step.payment]


def next_step_score(m: Metrics) -> float:
    """推进, 1–5: a concrete next step (date + person + action) that the client accepted.

    Anchors: 5 accepted; 3.5 a complete step proposed calmly but not (yet) accepted; 2.5 a step
    with an action and a date or a person; 1 nothing proposed (an action with neither a date
    nor a person is a statement, and demands, threats and steps off the payment path count as
    nothing).
    """
    if m.commitment:
        return 5.0
    steps = proposals(m)
    if any(s.complete for s in steps):
        return 3.5
    if any(s.action and (s.date or s.person) for s in steps):
        return 2.5
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
