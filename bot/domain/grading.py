"""Grading: metrics first, then a judge, then evidence checks and bounds decide the card.

A judge cites turns numbered over the whole transcript (as prompts show it); the scorecard
numbers them by the rep's own turns, the way every reader of it counts.
"""

from __future__ import annotations

import dataclasses

from bot.domain.evidence import fits
from bot.domain.lang import Lang
from bot.domain.metrics import Metrics, compute_metrics
from bot.domain.ports import Judge, JudgeRequest
from bot.domain.rubric import DIMENSIONS, bounds, overall
from bot.domain.scenario import Dimension, RubricWeights, Scenario
from bot.domain.scorecard import DimensionScore, Evidence, Rewording, Scorecard
from bot.domain.transcript import Transcript
from bot.reading.injection import addressed_to_grader

MAX_QUOTE = 200
MAX_EVIDENCE = 3
DEFAULT_PASS_MARK = 60


def verified_evidence(
    evidence: tuple[Evidence, ...], transcript: Transcript
) -> tuple[Evidence, ...]:
    """Keep only quotes of the rep's own lines, numbered by the turn they are really in.

    A client line is never cited as the rep's, and a line addressed to the grader is never
    evidence for anything.
    """
    kept: list[Evidence] = []
    rep_only = Transcript(tuple(t for t in transcript.turns if t.speaker == "rep"))
    for item in evidence:
        quote = item.quote.strip()[:MAX_QUOTE]
        number = rep_only.locate(quote)
        if number is None:
            continue
        if (
            1 <= item.turn <= len(transcript)
            and transcript.turns[item.turn - 1].speaker == "rep"
            and transcript.turns[item.turn - 1].text.find(quote) >= 0
        ):
            number = item.turn
        if addressed_to_grader(transcript.turns[number - 1].text):
            continue
        if all(e.turn != number or e.quote != quote for e in kept):
            kept.append(Evidence(number, quote))
    return tuple(kept[:MAX_EVIDENCE])


def fitting_evidence(
    dim: Dimension, evidence: tuple[Evidence, ...], transcript: Transcript, lang: Lang
) -> tuple[Evidence, ...]:
    """Only the quotes whose reading shows what `dim` is about (see `bot.domain.evidence`):
    a judge that cites a plain question for persuasion or a bare 「对」 for preparation loses
    that quote rather than the card showing evidence that does not fit."""
    kept = []
    for item in evidence:
        before = [t.text for t in transcript.turns[: item.turn - 1] if t.speaker == "client"]
        if fits(dim, item.quote, before[-1] if before else "", lang):
            kept.append(item)
    return tuple(kept)


def rep_numbered(evidence: tuple[Evidence, ...], transcript: Transcript) -> tuple[Evidence, ...]:
    """Verified evidence renumbered by the rep's own turns (「第 2 轮」 is the rep's second
    message, the way a rep counts), for everything a rep or trainer reads."""
    return tuple(
        Evidence(transcript.rep_ordinal(e.turn) or e.turn, e.quote)
        for e in verified_evidence(evidence, transcript)
    )


def _verified_rewording(rewording: Rewording | None, transcript: Transcript) -> Rewording | None:
    """The judge's rewording of a real rep turn (numbered over all turns), renumbered by the
    rep's turns; None when it names no rep turn."""
    if rewording is None or not 1 <= rewording.turn <= len(transcript):
        return None
    turn = transcript.turns[rewording.turn - 1]
    ordinal = transcript.rep_ordinal(turn.number)
    if ordinal is None or not rewording.suggestion.strip():
        return None
    return dataclasses.replace(
        rewording, turn=ordinal, original=turn.text, suggestion=rewording.suggestion.strip()
    )


async def scorecard_for(
    judge: Judge,
    transcript: Transcript,
    scenario: Scenario | None = None,
    plan: str | None = None,
    lang: Lang = "zh",
    pass_mark: int | None = None,
    metrics: Metrics | None = None,
    committed: bool | None = None,
) -> Scorecard:
    """Grade a conversation; code, not the judge, decides bounds and pass/fail.

    `committed` is the client engine's decision in a played session; None for a written one.
    """
    metrics = metrics or compute_metrics(transcript, scenario, plan, committed=committed)
    judgement = await judge.judge(JudgeRequest(transcript, metrics, scenario, plan, lang))
    limits = bounds(metrics)
    dims: dict[Dimension, DimensionScore] = {}
    for name in DIMENSIONS:
        raw = judgement.dimensions.get(name, DimensionScore(score=3.0))
        score = limits[name].clamp(raw.score)
        dims[name] = DimensionScore(
            score=round(score, 2),
            evidence=rep_numbered(
                fitting_evidence(
                    name,
                    verified_evidence(raw.evidence, transcript),
                    transcript,
                    metrics.language,
                ),
                transcript,
            ),
            tip=raw.tip,
            rule=limits[name].rule if abs(score - raw.score) > 1e-9 else None,
        )
    weights = (scenario.rubric if scenario else RubricWeights()).as_dict()
    total = overall({d: s.score for d, s in dims.items()}, weights)
    mark = (
        pass_mark
        if pass_mark is not None
        else (scenario.pass_mark if scenario else DEFAULT_PASS_MARK)
    )
    return Scorecard(
        overall=total,
        passed=total >= mark,
        grader=judgement.label,
        dimensions=dims,
        checklist=metrics.checklist,
        metrics=metrics.as_dict(),
        pass_mark=mark,
        language=lang,
        rewording=_verified_rewording(judgement.rewording, transcript),
    )
