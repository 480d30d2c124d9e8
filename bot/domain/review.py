"""A trainer's correction of a grade: dimension overrides applied to a scorecard.

Overrides are kept as an append-only trail; the newest one per dimension counts. The card they
produce keeps the grader's original score of every corrected dimension (in `overrides`), and
its overall and pass/fail are recomputed by the same `overall()` and pass mark as grading, so
a correction can never produce a total the rubric would not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.domain.rubric import DIMENSIONS, SCORE_MAX, SCORE_MIN, overall
from bot.domain.scenario import Dimension
from bot.domain.scorecard import Scorecard
from bot.errors import InvalidRequest

MAX_REASON = 500


@dataclass(frozen=True)
class Override:
    """One correction: a dimension's new score, why, by whom, when."""

    dimension: Dimension
    score: float
    reason: str
    author: str
    at: dt.datetime


def check_override(dimension: str, score: float, reason: str) -> tuple[Dimension, float, str]:
    """The override's values, cleaned, or `InvalidRequest` saying what is wrong."""
    if dimension not in DIMENSIONS:
        raise InvalidRequest("team.error.dimension", dimension=dimension[:32])
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise InvalidRequest("team.error.score_range", low=SCORE_MIN, high=SCORE_MAX)
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidRequest("team.error.reason_needed")
    if len(cleaned) > MAX_REASON:
        raise InvalidRequest("team.error.reason_too_long", limit=MAX_REASON)
    dim: Dimension = next(d for d in DIMENSIONS if d == dimension)
    return dim, round(float(score), 2), cleaned


def original_scores(card: Scorecard) -> dict[Dimension, float]:
    """The grader's scores, before any correction."""
    scores: dict[Dimension, float] = {d: s.score for d, s in card.dimensions.items()}
    for name, entry in card.overrides.items():
        if name in scores and isinstance(entry, dict) and "original" in entry:
            scores[next(d for d in DIMENSIONS if d == name)] = float(entry["original"])
    return scores


def apply_overrides(
    card: Scorecard, trail: Iterable[Override], weights: dict[Dimension, float]
) -> Scorecard:
    """The card with the newest override of each dimension applied, totals recomputed."""
    originals = original_scores(card)
    latest: dict[Dimension, Override] = {}
    for item in sorted(trail, key=lambda o: o.at):
        latest[item.dimension] = item
    dims = dict(card.dimensions)
    record: dict[str, Any] = {}
    for name, base in card.dimensions.items():
        if name in latest:
            item = latest[name]
            # The grader's clamp rule explained the old score, not the trainer's: drop it.
            dims[name] = dataclasses.replace(base, score=item.score, rule=None)
            record[name] = {
                "score": item.score,
                "original": originals[name],
                "reason": item.reason,
                "by": item.author,
                "at": item.at.isoformat(),
            }
        else:
            dims[name] = dataclasses.replace(base, score=originals[name])
    total = overall({d: s.score for d, s in dims.items()}, weights)
    return dataclasses.replace(
        card, dimensions=dims, overall=total, passed=total >= card.pass_mark, overrides=record
    )
