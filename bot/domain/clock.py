"""Where "now" comes from: one clock, built in the composition root and passed in.

Nothing in the product reads the system clock except `SystemClock`; tests pass a
`ManualClock` they set and move, so every rule can be checked at any moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]
"""A clock: called, it gives the current moment, timezone-aware UTC."""


class SystemClock:
    """The real clock (the only place that reads it)."""

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


system_clock: Clock = SystemClock()
"""The default when nothing else is passed in (the composition root passes its own)."""


class ManualClock:
    """A clock that stands still until it is set or moved (for tests and replays)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = _aware(now)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, now: dt.datetime) -> None:
        """Jump to a moment."""
        self.now = _aware(now)

    def advance(self, **delta: float) -> None:
        """Move time forward (keywords as for `datetime.timedelta`)."""
        self.now += dt.timedelta(**delta)


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("naive datetime; a clock gives timezone-aware UTC")
    return now
