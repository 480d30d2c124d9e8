"""Time on the training side: a clock passed in, time zones, leaderboard periods, due dates.

Nothing here reads the system clock: callers pass `now`, so every rule can be tested at any
moment. Weeks start on Monday and months on the 1st, at midnight in the team's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.clock import Clock as Clock  # the training services take it from here
from bot.errors import InvalidRequest

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_DUE_TIME = dt.time(23, 59)
MAX_DUE_DAYS = 366

_ABSOLUTE = re.compile(
    r"^(?:(?P<y>\d{4})[-/.])?(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2}))?$",
    re.ASCII,  # \d is 0-9 only: int() would also read other scripts' digits
)
# The buttons say "3 days" / 「3 天」, so the words a trainer types back are read too.
_RELATIVE = re.compile(
    r"^\+?(?P<n>\d{1,3})\s*(?P<unit>d|days?|天|日|h|hours?|小时|个小时)$",
    re.IGNORECASE | re.ASCII,
)
_HOURS = ("h", "hour", "hours", "小时", "个小时")


class Period(StrEnum):
    """The leaderboard and export windows."""

    WEEK = "week"
    MONTH = "month"
    ALL = "all"


def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name, or `InvalidRequest` naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest("team.error.time_zone", zone=name[:64]) from None


def require_aware(moment: dt.datetime) -> dt.datetime:
    """The moment itself; naive datetimes are programming errors on this side."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime; pass a timezone-aware one")
    return moment


Window = tuple[dt.datetime | None, dt.datetime | None]


def window(period: Period, now: dt.datetime, tz: str) -> Window:
    """The [start, end) of the week / month containing `now` in the zone, in UTC.

    All time is (None, None): no bounds.
    """
    if period == Period.ALL:
        return None, None
    today = require_aware(now).astimezone(zone(tz)).date()
    if period == Period.WEEK:
        first = today - dt.timedelta(days=today.weekday())
        after = first + dt.timedelta(days=7)
    else:
        first = today.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
    # Midnights built from the wall clock, so a DST change inside the window shifts nothing.
    start, end = (dt.datetime.combine(d, dt.time(), tzinfo=zone(tz)) for d in (first, after))
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def parse_due(text: str, tz: str, now: dt.datetime) -> dt.datetime:
    """A due date typed by a trainer, in the team's zone, as aware UTC.

    Accepts `2026-12-05`, `12-05`, `2026-12-05 18:00`, `3d` / `3 days` / `3天` (days from
    now, at 23:59) and `48h` / `48 hours` / `48小时`. A date without a time means the end of
    that day. Past dates and dates more than a year ahead are refused.
    """
    cleaned = text.strip()
    local_now = require_aware(now).astimezone(zone(tz))
    if match := _RELATIVE.match(cleaned):
        n = int(match["n"])
        if match["unit"].lower() in _HOURS:
            due = local_now + dt.timedelta(hours=n)
        else:
            day = (local_now + dt.timedelta(days=n)).date()
            due = dt.datetime.combine(day, DEFAULT_DUE_TIME, tzinfo=zone(tz))
    elif match := _ABSOLUTE.match(cleaned):
        year = int(match["y"]) if match["y"] else local_now.year
        try:  # 24:00, 18:60 and 02-30 are all refused the same way
            clock = dt.time(int(match["H"]), int(match["M"])) if match["H"] else DEFAULT_DUE_TIME
            due = dt.datetime.combine(
                dt.date(year, int(match["m"]), int(match["d"])), clock, tzinfo=zone(tz)
            )
        except ValueError:
            raise InvalidRequest("team.error.due_format", value=cleaned[:32]) from None
        if not match["y"] and due < local_now:
            due = due.replace(year=year + 1)  # "12-05" typed in late December means next year
    else:
        raise InvalidRequest("team.error.due_format", value=cleaned[:32])
    return check_due(due, now)


def check_due(due: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The due date in UTC if it lies ahead and within a year, else `InvalidRequest`."""
    due = require_aware(due).astimezone(dt.UTC)
    if due <= now:
        raise InvalidRequest("team.error.due_past")
    if due - now > dt.timedelta(days=MAX_DUE_DAYS):
        raise InvalidRequest("team.error.due_far", days=MAX_DUE_DAYS)
    return due


def local_text(moment: dt.datetime, tz: str) -> str:
    """A moment as the team reads it: `2026-12-05 18:00`."""
    return moment.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")
