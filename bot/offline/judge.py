"""The offline judge: maps the deterministic metrics onto 1–5 scores with documented thresholds.

Every listening threshold is a published anchor (see PRODUCT.md), with "fair" at 3 and "good"
at 5: top B2B reps talk about 43% of a call and average reps 65–75%; MITI 3.1.1 rates 50% open
questions fair and 70% good; MITI 4.2.1 rates a reflection-to-question ratio of 1:1 fair and
2:1 good, and 40% complex reflections fair and 50% good. MITI 3.1.1 wants 90% (fair) to 100%
(good) of a listener's advice-like moves to be MI-adherent; we read that over turns, so telling
the other side what to do (the "righting reflex": unsolicited advice, warnings, arguing,
pressure) in one turn in ten is fair, in none good, and each further tenth costs a point.
Between anchors scores are interpolated linearly, so the scale is fractional and can rank
transcripts. The listening score is the plain mean of its sub-scores: nothing here was fitted
to a data set (`trainer eval annomi` checks it against expert labels).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from bot.domain.cues import Cues, analyze, sentences
from bot.domain.lang import Lang
from bot.domain.lexicon import lexicon
from bot.domain.metrics import Metrics, RepTurnNote
from bot.domain.ports import Judgement, JudgeRequest
from bot.domain.scenario import Dimension
from bot.domain.scorecard import DimensionScore, Evidence, Rewording
from bot.i18n import Catalog

Anchors = Sequence[tuple[float, float]]

# Listening: (metric value, score) anchors. Shares are ratios, so they hold for Chinese
# (characters) and English (words) alike.
TALK_SHARE = ((0.43, 5.0), (0.55, 4.0), (0.65, 3.0), (0.75, 2.0), (0.85, 1.0))
OPEN_SHARE = ((0.0, 1.0), (0.5, 3.0), (0.7, 5.0))
REFLECTION_RATIO = ((0.0, 1.0), (0.5, 2.0), (1.0, 3.0), (2.0, 5.0))
COMPLEX_SHARE = ((0.0, 1.0), (0.4, 3.0), (0.5, 5.0))
DIRECTIVE_RATE = ((0.0, 5.0), (0.05, 4.0), (0.10, 3.0), (0.20, 2.0), (0.30, 1.0))
QUOTE_CHARS = 120


def interpolate(value: float, anchors: Anchors) -> float:
    """Piecewise-linear score between anchors, flat beyond the ends."""
    if value <= anchors[0][0]:
        return anchors[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(anchors):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return anchors[-1][1]


def _clamp(score: float) -> float:
    return round(max(1.0, min(5.0, score)), 2)


def listening_parts(m: Metrics) -> dict[str, float]:
    """The sub-scores behind listening, each 1–5 on its anchors.

    A share is scored only when it is defined (open questions need a question, complex
    reflections a reflection) and only for a language whose detector can see it: Chinese has
    no complex-reflection reader yet, and guessing would punish every Chinese rep.
    """
    parts = {
        "talk_share": interpolate(m.talk_share, TALK_SHARE),
        "reflection": interpolate(m.reflection_ratio, REFLECTION_RATIO),
        "directive": interpolate(m.advice / max(1, m.rep_turns), DIRECTIVE_RATE),
    }
    if m.questions:
        parts["open"] = interpolate(m.open_share, OPEN_SHARE)
    if m.reflections and lexicon(m.language).complex_markers:
        parts["complex"] = interpolate(m.complex_share, COMPLEX_SHARE)
    return parts


def listening_score(m: Metrics) -> float:
    """倾听力, 1–5: the plain mean of the listening sub-scores (no weights fitted to data)."""
    parts = listening_parts(m)
    return _clamp(sum(parts.values()) / len(parts))


def persuasion_score(m: Metrics) -> float:
    """说服力, 1–5: value framing, rules cited calmly, empathy, a commitment; minus pressure."""
    polite_rules = m.regulation if not m.threats else 0
    score = 2.0 + 0.6 * min(m.value, 3) + 0.5 * min(polite_rules, 2) + 0.4 * min(m.empathy, 2)
    score += 1.0 if m.commitment else 0.0
    return _clamp(score - 0.75 * m.pressure - 0.75 * m.threats)


def preparation_score(m: Metrics) -> float:
    """准备, 1–5: the five questions answered specifically, touched, and planned."""
    specific = sum(v == "specific" for v in m.checklist.values())
    vague = sum(v == "vague" for v in m.checklist.values())
    plan = 0.1 * (m.plan_coverage or 0)
    return _clamp(1.0 + 0.75 * specific + 0.2 * vague + plan)


def composure_score(m: Metrics) -> float:
    """心态, 1–5: calm under stalling; each pressure turn costs 1, each threat 2."""
    score = (
        4.0 + (0.5 if m.empathy else 0.0) + (0.5 if m.rep_turns >= 3 and not m.pressure else 0.0)
    )
    return _clamp(score - 1.0 * (m.pressure - m.threats) - 2.0 * m.threats)


def next_step_score(m: Metrics) -> float:
    """推进, 1–5: a concrete next step (date + person + action) that the client accepted."""
    if m.commitment:
        return 5.0
    cues = [n.cues for n in m.notes]
    if any(c.proposes_next_step for c in cues):
        return 3.0
    if any(c.has_date and c.has_action for c in cues):
        return 2.0
    return 1.0


SCORERS: dict[Dimension, Callable[[Metrics], float]] = {
    "listening": listening_score,
    "persuasion": persuasion_score,
    "preparation": preparation_score,
    "composure": composure_score,
    "next_step": next_step_score,
}


# Which sentence of a turn to quote for each dimension: the one that shows the behaviour.
SHOWS: dict[Dimension, Callable[[Cues], bool]] = {
    "listening": lambda c: c.reflection or c.open_question or c.question,
    "persuasion": lambda c: c.pressure or c.value or c.regulation,
    "preparation": lambda c: bool(c.topics) or c.question,
    "composure": lambda c: c.pressure or c.empathy,
    "next_step": lambda c: c.proposes_next_step or c.has_date,
}


def clip(text: str) -> str:
    """A quote of at most QUOTE_CHARS, cut after a clause or a word, never inside one."""
    text = text.strip()
    if len(text) <= QUOTE_CHARS:
        return text
    cut = text[:QUOTE_CHARS]
    # A quote must stay a piece of the turn (grading checks it), so cut, never add "…".
    for marks, floor in (("，,；;、", QUOTE_CHARS * 2 // 3), (" ", QUOTE_CHARS // 2)):
        end = max(cut.rfind(mark) for mark in marks)
        if end > floor:
            return cut[:end].rstrip()
    return cut


def _quote(note: RepTurnNote, dim: Dimension, lang: Lang) -> Evidence:
    """The sentence of the turn that shows the behaviour (the turn's start if none does)."""
    for sentence in sentences(note.text, lang):
        if SHOWS[dim](analyze(sentence, note.prev_client, lang)):
            return Evidence(note.number, clip(sentence))
    return Evidence(note.number, clip(note.text))


def _evidence(dim: Dimension, m: Metrics) -> tuple[Evidence, ...]:
    notes = list(m.notes)
    pick: dict[Dimension, list[RepTurnNote]] = {
        "listening": [n for n in notes if n.cues.advice]
        + [n for n in notes if n.cues.reflection and not n.cues.advice]
        + [n for n in notes if n.cues.open_question and not (n.cues.reflection or n.cues.advice)],
        "persuasion": [n for n in notes if n.cues.pressure]
        + [n for n in notes if (n.cues.value or n.cues.regulation) and not n.cues.pressure],
        "preparation": [n for n in notes if n.cues.topics],
        "composure": [n for n in notes if n.cues.pressure] + [n for n in notes if n.cues.empathy],
        "next_step": [n for n in notes if n.cues.proposes_next_step]
        + [n for n in notes if n.cues.has_date and not n.cues.proposes_next_step],
    }
    chosen = pick[dim]
    if not chosen and dim == "listening" and notes:
        chosen = [max(notes, key=lambda n: n.cues.units)]
    return tuple(_quote(n, dim, m.language) for n in chosen[:3])


def _tip(dim: Dimension, m: Metrics, catalog: Catalog, lang: Lang) -> str:
    t = catalog.t
    if dim == "listening":
        parts = listening_parts(m)
        weakest = min(parts, key=lambda k: parts[k])
        if parts[weakest] >= 4.5:
            return t(lang, "tip.good")
        if weakest == "reflection" and not m.questions:
            # "Reflect as often as you ask" means nothing to a rep who asked nothing.
            return t(lang, "tip.listening.ask")
        return t(
            lang,
            f"tip.listening.{weakest}",
            share=f"{m.talk_share:.0%}",
            questions=m.questions,
            reflections=m.reflections,
            open=m.open_questions,
            advice=m.advice,
        )
    if dim == "persuasion":
        if m.threats or m.pressure:
            return t(lang, "tip.persuasion.pressure")
        return t(lang, "tip.persuasion.value" if m.value < 2 else "tip.persuasion.regulation")
    if dim == "preparation":
        missing = [t(lang, f"fact.{k}") for k, v in m.checklist.items() if v != "specific"]
        if missing:
            return t(
                lang,
                "tip.preparation.missing",
                # Mid-sentence in English: "Still unclear: who accepts the project, …".
                items="、".join(missing)
                if lang == "zh"
                else ", ".join(m[:1].lower() + m[1:] for m in missing),
            )
        return t(lang, "tip.preparation.plan" if m.plan_coverage is None else "tip.good")
    if dim == "composure":
        if m.threats:
            return t(lang, "tip.composure.threat")
        return t(lang, "tip.composure.pressure" if m.pressure else "tip.composure.keep")
    if m.commitment:
        return t(lang, "tip.next_step.confirm")
    return t(lang, "tip.next_step.propose")


def weakest_turn(m: Metrics) -> tuple[RepTurnNote, str] | None:
    """The rep turn most worth rewording, and why (a catalog suffix).

    Pressure first, then vague talk, then a monologue (twice the rep's mean length, no
    question), then a closed question.
    """
    long_turn = 2 * max(1.0, m.mean_rep_turn)
    for note in m.notes:
        if note.cues.pressure:
            return note, "pressure"
    for note in m.notes:
        if note.cues.vague:
            return note, "vague"
    for note in m.notes:
        if not note.cues.question and note.cues.units >= long_turn:
            return note, "monologue"
    for note in m.notes:
        if note.cues.question and not note.cues.open_question:
            return note, "closed"
    return None


def _rewrite_key(reason: str, m: Metrics) -> str:
    """Which better wording to offer: calm down a pressing turn; otherwise ask for the first of
    the five answers still missing, or, with all five known, play the client's words back."""
    if reason == "pressure":
        return "rewrite.pressure"
    missing = next((k for k, v in m.checklist.items() if v != "specific"), None)
    if missing is not None:
        return f"rewrite.ask.{missing}"
    return "rewrite.reflect" if reason in ("closed", "monologue") else f"rewrite.{reason}"


class OfflineJudge:
    """A `Judge` that needs no model: metrics in, anchored scores out."""

    label = "offline"

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    async def judge(self, request: JudgeRequest) -> Judgement:
        """Score every dimension from the metrics, with quotes and a tip."""
        m, lang = request.metrics, request.lang
        dims = {
            dim: DimensionScore(
                score=scorer(m), evidence=_evidence(dim, m), tip=_tip(dim, m, self._catalog, lang)
            )
            for dim, scorer in SCORERS.items()
        }
        weak = weakest_turn(m)
        rewording = None
        if weak is not None:
            note, reason = weak
            suggestion = self._catalog.t(m.language, _rewrite_key(reason, m))
            rewording = Rewording(note.number, note.text, suggestion)
        return Judgement(label=self.label, dimensions=dims, rewording=rewording)
