"""An assignment's status for one rep, derived from attempts, terms and a clock.

The status is never stored: it is computed from the facts every time, so a late attempt, a
trainer's score correction or a clock passing the due date can never leave it stale. The whole
state machine is the decision table in `progress`, read top to bottom:

| condition (first match wins)                                     | status      |
|------------------------------------------------------------------|-------------|
| graded attempts ≥ minimum and best overall ≥ pass mark            | passed      |
| graded attempts ≥ minimum and best overall < pass mark            | failed      |
| now is past the due date (minimum not reached)                    | overdue     |
| at least one attempt started (graded or still open)               | in progress |
| otherwise                                                         | not started |

So: not started → in progress → passed | failed; failed → passed by a better retry; not
started | in progress → overdue at the due date; overdue → passed | failed by late attempts
(`late` tells the trainer). Only graded attempts count towards the minimum, abandoned ones
not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.periods import require_aware


class TaskStatus(StrEnum):
    """Where one rep stands on one assignment."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FAILED = "failed"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Terms:
    """What a trainer asked for."""

    due_at: dt.datetime
    pass_mark: int
    min_attempts: int = 1


@dataclass(frozen=True)
class Attempt:
    """One session started from the assignment; `overall` is None until it is graded."""

    at: dt.datetime
    overall: int | None = None


@dataclass(frozen=True)
class Progress:
    """A rep's status on an assignment, with the numbers behind it."""

    status: TaskStatus
    attempts: int
    best: int | None
    open: bool
    late: bool = False


def progress(terms: Terms, attempts: Iterable[Attempt], now: dt.datetime) -> Progress:
    """The status at `now` (see the module's decision table)."""
    require_aware(now)
    items = sorted(attempts, key=lambda a: a.at)
    graded = [a for a in items if a.overall is not None]
    scores = [a.overall for a in graded if a.overall is not None]
    best = max(scores) if scores else None
    open_ = any(a.overall is None for a in items)
    count = len(graded)
    if count >= terms.min_attempts and best is not None:
        if best >= terms.pass_mark:
            met = _met_at(graded, terms)
            return Progress(TaskStatus.PASSED, count, best, open_, late=met > terms.due_at)
        return Progress(TaskStatus.FAILED, count, best, open_, late=now > terms.due_at)
    if now > terms.due_at:
        return Progress(TaskStatus.OVERDUE, count, best, open_, late=True)
    if items:
        return Progress(TaskStatus.IN_PROGRESS, count, best, open_)
    return Progress(TaskStatus.NOT_STARTED, 0, None, False)


def _met_at(graded: list[Attempt], terms: Terms) -> dt.datetime:
    """When the rep first had both the minimum attempts and a passing score."""
    best = -1
    for index, attempt in enumerate(graded, start=1):
        best = max(best, attempt.overall if attempt.overall is not None else -1)
        if index >= terms.min_attempts and best >= terms.pass_mark:
            return attempt.at
    return graded[-1].at
