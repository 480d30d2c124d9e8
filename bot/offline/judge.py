"""The offline judge: the deterministic scores (`bot.domain.scoring`), quotes and tips.

Scores and anchors are documented in `bot.domain.scoring`. Quotes are the rep's own sentences,
each chosen because its reading shows the behaviour its dimension is about; a distorted or
parroted reflection is never quoted as good listening; small talk is never quoted as
listening or composure; a demand is never quoted as a next step; a dimension at 4.5 or above
gets the "keep it up" tip, never advice that contradicts the score, and a rep who proposed a
complete step that the client has not accepted is told to win the agreement, not to propose.

Calibration anchors (each checked by tests/test_judge_meaning.py and the walkthroughs):

- An expert rep (all five facts told by the client, listening, calm, a dated next step the
  client accepted) scores ≥ 80 and passes. Why: preparation 4.75 (five facts specific),
  next step 5 (accepted), composure 5 (calm, on the case, acknowledging the client), and
  persuasion ≥ 4 (empathy, owning a fault, the commitment) outweigh a listening score that
  the lexical reader holds near 3.5 (it finds about half of the reflections an expert coder
  finds), so an expert clears 80 on the other four dimensions even when listening is only fair.
- A rep who pressures or threatens and uncovers nothing scores ≤ 40. Why: every pressing turn
  costs composure 1 and persuasion 0.75, a threat 2 (a hinted one 1.5) more, so one threat
  or two pressing turns bring composure and persuasion to the floor; nothing uncovered keeps
  preparation at 1–1.4; a demand or an ultimatum is no proposal (next step 1); and pressing
  turns count with advice as not listening, so listening stays under 3.
- Between them: small talk, a greeting phrased as a question or asking for someone at the
  door is not listening; closed questions alone with nothing played back cap listening at
  2.5 (fair minus); talking at the client (monologues) and steering around the matter cost
  composure; a complete step proposed calmly but not accepted scores 3.5, a partial one 2.5.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.evidence import fits
from bot.domain.lang import Lang
from bot.domain.metrics import Metrics, RepTurnNote
from bot.domain.ports import Judgement, JudgeRequest
from bot.domain.rubric import bounds
from bot.domain.scenario import Dimension, RubricWeights
from bot.domain.scorecard import DimensionScore, Evidence, Rewording
from bot.domain.scoring import (
    SCORERS,
    interpolate,
    listening_parts,
    listening_score,
    proposals,
)
from bot.i18n import Catalog
from bot.offline.coaching import target
from bot.reading.text import sentences

__all__ = ["SCORERS", "OfflineJudge", "interpolate", "listening_parts", "listening_score"]
QUOTE_CHARS = 120
GOOD = 4.5


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


def _quote(note: RepTurnNote, dim: Dimension, lang: Lang) -> Evidence | None:
    """The sentence of the turn that shows the behaviour; None when no single one does."""
    for sentence in sentences(note.text, lang):
        if fits(dim, sentence, note.prev_client, lang):
            return Evidence(note.number, clip(sentence))
    return None


def _proposed(n: RepTurnNote) -> bool:
    step = n.cues.next_step
    return not n.cues.pressure and step.payment and step.action and (step.date or step.person)


def _evidence(dim: Dimension, m: Metrics) -> tuple[Evidence, ...]:
    notes = list(m.notes)
    notes = [n for n in notes if not n.cues.injection]
    pick: dict[Dimension, list[RepTurnNote]] = {
        "listening": [n for n in notes if n.cues.advice or n.cues.distorted]
        + [n for n in notes if n.cues.reflection and not n.cues.advice]
        + [
            n
            for n in notes
            if n.cues.open_question
            and not (n.cues.reflection or n.cues.advice or n.cues.small_talk)
        ],
        "persuasion": [n for n in notes if n.cues.pressure]
        + [
            n
            for n in notes
            if (n.cues.value or n.cues.regulation or n.cues.empathy) and not n.cues.pressure
        ],
        "preparation": [n for n in notes if n.cues.asks_about],
        "composure": [n for n in notes if n.cues.pressure]
        + [n for n in notes if (n.cues.empathy or n.cues.apology) and not n.cues.small_talk],
        # Only what `scoring.proposals` counts: no demand, no step off the payment path.
        "next_step": [n for n in notes if n.cues.proposes_next_step and _proposed(n)]
        + [n for n in notes if not n.cues.proposes_next_step and _proposed(n)],
    }
    quotes = (_quote(n, dim, m.language) for n in pick[dim])
    return tuple(q for q in quotes if q is not None)[:3]


def _tip(dim: Dimension, m: Metrics, catalog: Catalog, lang: Lang) -> str:
    t = catalog.t
    # The tip agrees with the score the card will show: the bounded one, not the raw one.
    if bounds(m)[dim].clamp(SCORERS[dim](m)) >= GOOD:
        return t(lang, "tip.good")
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
        if m.threats or m.pressure or m.injections:
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
        if m.threats or m.veiled_threats or m.injections:
            return t(lang, "tip.composure.threat")
        return t(lang, "tip.composure.pressure" if m.pressure else "tip.composure.focus")
    if m.commitment:
        return t(lang, "tip.next_step.confirm")
    # A step the client put off or turned down: the tip is the next step after a "no".
    put_off = any(n.cues.next_step.action and n.cues.reply in ("defer", "refuse") for n in m.notes)
    if put_off:
        return t(lang, "tip.next_step.after_no")
    if any(s.complete for s in proposals(m)):
        return t(lang, "tip.next_step.agree")  # proposed, not yet accepted
    return t(lang, "tip.next_step.propose")


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
        scores = {dim: d.score for dim, d in dims.items()}
        rewording = coached(request, scores, self._catalog)
        return Judgement(label=self.label, dimensions=dims, rewording=rewording)


def coached(
    request: JudgeRequest, scores: Mapping[Dimension, float], catalog: Catalog
) -> Rewording | None:
    """The better wording of the turn that cost the most (`bot.offline.coaching`): the template
    of its fix in the session's language, filled from the scenario and the turn; why, in the
    reader's. Numbered over the whole transcript, as a judge cites turns."""
    m, lang, scenario = request.metrics, request.lang, request.scenario
    weights = (scenario.rubric if scenario else RubricWeights()).as_dict()
    # Coach against the scores the card will show (held in their bounds), not the raw ones.
    limits = bounds(m)
    shown = {dim: limits[dim].clamp(score) for dim, score in scores.items()}
    found = target(m, shown, request.transcript, scenario, weights)
    if found is None:
        return None
    t, says = catalog.t, m.language
    params = dict(found.params)
    name = params.pop("name")
    address = (f"{name}，" if says == "zh" else f", {name}") if name else ""
    fact = params.pop("fact", "")
    fact_label = t(lang, f"fact.{fact}") if fact else ""
    suggestion = t(says, f"coach.rewrite.{found.kind}", address=address, **params)
    reason = found.kind.split(".")[0]
    why = t(
        lang, "coach.why_head", dimension=t(lang, f"dim.{found.dimension}"), score=params["score"]
    ) + t(
        lang, f"coach.why.{reason}", said=params["said"], who=params.get("who", ""), fact=fact_label
    )
    return Rewording(found.note.number, found.note.text, suggestion, found.dimension, why)
