"""Reminder planning: which reminders an assignment owes, and when.

Pure: given the assignments (with who has not passed yet), the reminders already sent and
`now`, `plan` lists every reminder still owed with its time. The bot's job queue schedules
each at its time (those already due run at once) and rebuilds the whole plan from the
database at start, so a restart neither loses nor repeats one.

- `due_soon`: to each rep who has not passed, `LEAD` before the due date — unless the
  assignment was given less than `LEAD` before it (the new-task notice already said when) or
  the due date has passed (the overdue reminder replaces it).
- `overdue`: to each rep who has not passed, at the due date.
- `summary`: to the trainer who assigned it, at the due date: who passed, failed, is late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.periods import require_aware

LEAD = dt.timedelta(hours=24)


class ReminderKind(StrEnum):
    """What a reminder says."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    SUMMARY = "summary"


ReminderKey = tuple[int, int, str]
"""(assignment id, recipient user id, kind): at most one reminder each."""


@dataclass(frozen=True)
class Due:
    """What planning needs to know about one assignment."""

    assignment_id: int
    due_at: dt.datetime
    created_at: dt.datetime
    trainer_id: int
    pending: tuple[int, ...]
    """Reps it is meant for who have not passed yet."""


@dataclass(frozen=True)
class Reminder:
    """One reminder owed: to whom, about what, and when it should go out."""

    assignment_id: int
    user_id: int
    kind: ReminderKind
    at: dt.datetime

    @property
    def key(self) -> ReminderKey:
        """Its identity in the sent-reminders table."""
        return (self.assignment_id, self.user_id, self.kind.value)

    def due(self, now: dt.datetime) -> bool:
        """Whether it should go out now (its time has come)."""
        return self.at <= now


def owed(item: Due, now: dt.datetime, lead: dt.timedelta = LEAD) -> list[Reminder]:
    """Every reminder one assignment calls for at `now`, sent or not."""
    require_aware(now)
    reminders: list[Reminder] = []
    soon = item.due_at - lead
    if soon >= item.created_at and now < item.due_at:
        reminders += [
            Reminder(item.assignment_id, user, ReminderKind.DUE_SOON, soon) for user in item.pending
        ]
    reminders += [
        Reminder(item.assignment_id, user, ReminderKind.OVERDUE, item.due_at)
        for user in item.pending
    ]
    reminders.append(
        Reminder(item.assignment_id, item.trainer_id, ReminderKind.SUMMARY, item.due_at)
    )
    return reminders


def plan(
    items: Iterable[Due],
    sent: Collection[ReminderKey],
    now: dt.datetime,
    lead: dt.timedelta = LEAD,
) -> list[Reminder]:
    """Reminders still owed, soonest first (those with `at <= now` are overdue to send)."""
    result = [r for item in items for r in owed(item, now, lead) if r.key not in sent]
    return sorted(result, key=lambda r: (r.at, r.assignment_id, r.kind.value, r.user_id))
