"""Numbers that arrive from outside — typed by a user, or carried in a button's callback data,
which a tampering client can forge — parsed here at the edge, before any service or database
sees them: ASCII digits 0-9 only (`'²'.isdigit()` and `int('١٢')` would let others through),
within the bounds of the column or the field they are meant for. Anything else is refused with
a localized `TrainerError`, never an `OverflowError`, a `ValueError` or a database error."""

from __future__ import annotations

import re

from bot.errors import AccessDenied, InvalidRequest, StaleButton, TrainerError

_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
ROW_ID_MAX = 2**31 - 1  # an INTEGER primary key (PostgreSQL's int4)
TELEGRAM_ID_MAX = 2**52  # Telegram: user ids have at most 52 significant bits
OFFSET_MAX = 1_000_000  # rows skipped when paging a list
PAGE_MAX = 10_000


def whole(text: str | None, low: int, high: int) -> int | None:
    """The whole number `text` spells in ASCII digits, if it lies within [low, high]."""
    cleaned = (text or "").strip()
    if not _DIGITS.fullmatch(cleaned):
        return None
    value = int(cleaned)
    return value if low <= value <= high else None


def bounded(text: str | None, low: int, high: int, refusal: TrainerError) -> int:
    """A whole number within [low, high], or `refusal` raised."""
    value = whole(text, low, high)
    if value is None:
        raise refusal
    return value


def row_id(text: str | None) -> int:
    """A team, assignment or other row id from a button; a mangled one is refused like
    someone else's (a forged id learns nothing it could not learn from a real one)."""
    return bounded(text, 1, ROW_ID_MAX, AccessDenied("team.denied.not_member"))


def count(text: str | None, high: int) -> int:
    """A small count from a button (days, attempts, a page): 0..high, else a stale button."""
    return bounded(text, 0, high, StaleButton())


def offset(text: str | None) -> int:
    """How many rows a list page skips; an empty value is the first page."""
    return count(text or "0", OFFSET_MAX)


def page(text: str | None) -> int:
    """A page number from a button; an empty value is the first page."""
    return count(text or "0", PAGE_MAX)


def telegram_id(text: str | None) -> int | None:
    """A Telegram user id typed by an operator, if it is one."""
    return whole(text, 1, TELEGRAM_ID_MAX)


def percent(text: str | None) -> int:
    """A pass mark typed or pressed: 0..100."""
    return bounded(text, 0, 100, InvalidRequest("team.error.pass_mark"))
