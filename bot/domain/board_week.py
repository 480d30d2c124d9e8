"""When a team's weekly board goes to its group chat: Friday 18:00 in the team's time zone.

Pure, like the rest of the domain: `now` is passed in. A board missed while the bot was down is
still posted until the week ends (Sunday midnight, team time), never after: by Monday it would
describe a week that is over under the title "this week".
"""

from __future__ import annotations

import datetime as dt

from bot.domain.periods import require_aware, zone

POST_DAY = 4  # Friday (Monday is 0)
POST_TIME = dt.time(18, 0)


def posting_time(now: dt.datetime, tz: str) -> dt.datetime:
    """This week's posting moment in the zone (it may lie ahead of `now` or behind it)."""
    local = require_aware(now).astimezone(zone(tz))
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday + dt.timedelta(days=POST_DAY), POST_TIME, tzinfo=zone(tz))


def due_week(now: dt.datetime, tz: str) -> dt.date | None:
    """The Monday of the week whose board is due at `now`; None before this week's posting time."""
    slot = posting_time(now, tz)
    if now < slot:
        return None
    return slot.date() - dt.timedelta(days=POST_DAY)
