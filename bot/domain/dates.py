"""Scenario dates relative to the session: a case written as of its `anchor` day is moved so that
the anchor falls on the day the session starts, so no brief or line ever sounds stale.

The shift is a whole number of weeks (weekdays stay right) applied to every date the scenario
writes: 「2026 年 4 月」, 「12 月 10 号」 (and a bare 「10 号」 after it), 「明年 3 月」,
"1 June 2025", "the fifteenth of December", "November 20", a year alone ("the 2027 budget").
Relative words are rewritten when a date crosses a year (「12 月」 → 「明年 1 月」). A scenario
without an anchor is played as written.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot.domain.scenario import Scenario

_REL = {"去年": -1, "今年": 0, "明年": 1}
_ZH_DATE = re.compile(
    r"(?:(?P<y>\d{4})(?P<s1>\s*)年(?P<s2>\s*)|(?P<rel>今年|明年|去年)(?P<s3>\s*))?"
    r"(?P<m>\d{1,2})(?P<s4>\s*)月(?!份?内|以内)(?:(?P<s5>\s*)(?P<d>\d{1,2})(?P<s6>\s*)(?P<du>[日号]))?"
    r"|(?<![\d月])(?<!每月)(?<!每月\s)(?P<od>\d{1,2})(?P<s7>\s*)(?P<odu>号)"
    r"|(?P<yo>\d{4})(?P<s8>\s*)年(?!\s*\d{1,2}\s*月)"
)
_MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = ["eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth"]
_TEENS += ["seventeenth", "eighteenth", "nineteenth"]
_ORDINALS = [*_UNITS, "tenth", *_TEENS, "twentieth", *(f"twenty-{u}" for u in _UNITS)]
_ORDINALS += ["thirtieth", "thirty-first"]
_MON = "|".join(_MONTHS)
_ORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_EN_DATE = re.compile(
    rf"\b(?P<d1>\d{{1,2}}) (?P<m1>{_MON})(?: (?P<y1>\d{{4}}))?\b"
    rf"|\bthe (?P<w2>{_ORD}) of (?P<m2>{_MON})\b"
    rf"|\b(?P<m3>{_MON}) (?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\b(?:, (?P<y3>\d{{4}}))?"
    rf"|\b(?P<m4>{_MON})(?: (?P<y4>\d{{4}}))?\b"
    r"|(?<![-\w])(?P<y5>20\d\d)(?![-\w])"
)


def weeks_between(anchor: dt.date, today: dt.date) -> int:
    """The shift in days: anchor to today, rounded to whole weeks."""
    return 7 * round((today - anchor).days / 7)


def _move(year: int, month: int, day: int | None, days: int) -> dt.date:
    base = dt.date(year, month, min(day or 15, 28 if month == 2 else 30))
    return base + dt.timedelta(days=days)


class _Zh:
    """Shifts the dates of one Chinese text, keeping its spacing and its way of saying years."""

    def __init__(self, anchor: dt.date, days: int) -> None:
        self.anchor, self.days = anchor, days
        self.now = anchor + dt.timedelta(days=days)
        # the year a bare 「5 月」 means (the last year written out), before and after the shift
        self.year, self.shown = anchor.year, self.now.year
        self.month = anchor.month  # the month a bare 「10 号」 means

    def __call__(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        if g["yo"]:
            return f"{int(g['yo']) + self.now.year - self.anchor.year}{g['s8']}年"
        if g["od"]:
            new = _move(self.year, self.month, int(g["od"]), self.days)
            return f"{new.day}{g['s7']}{g['odu']}"
        if g["y"]:
            year = int(g["y"])
        elif g["rel"]:
            year = self.anchor.year + _REL[g["rel"]]
        else:
            year = self.year
        month, day = int(g["m"]), int(g["d"]) if g["d"] else None
        new = _move(year, month, day, self.days)
        self.month = month
        text = f"{new.month}{g['s4']}月"
        if day is not None:
            text += f"{g['s5']}{new.day}{g['s6']}{g['du']}"
        if g["y"]:
            self.year, self.shown = year, new.year
            return f"{new.year}{g['s1']}年{g['s2']}{text}"
        if not g["rel"] and new.year == self.shown:
            return text
        word = {v: k for k, v in _REL.items()}.get(new.year - self.now.year)
        sep = g["s3"] if g["rel"] else g["s4"]
        return f"{word}{sep}{text}" if word else f"{new.year}{sep}年{sep}{text}"


def _en(anchor: dt.date, days: int) -> Any:
    now = anchor + dt.timedelta(days=days)

    def shift(m: re.Match[str]) -> str:
        g = m.groupdict()
        if g["y5"]:
            return str(int(g["y5"]) + now.year - anchor.year)
        name = g["m1"] or g["m2"] or g["m3"] or g["m4"]
        month = _MONTHS.index(name) + 1
        given = g["y1"] or g["y3"] or g["y4"]
        year = int(given) if given else anchor.year
        if g["w2"]:
            new = _move(year, month, _ORDINALS.index(g["w2"]) + 1, days)
            return f"the {_ORDINALS[new.day - 1]} of {_MONTHS[new.month - 1]}"
        day = g["d1"] or g["d3"]
        new = _move(year, month, int(day) if day else None, days)
        mon, tail = _MONTHS[new.month - 1], f" {new.year}" if given else ""
        if g["d1"]:
            return f"{new.day} {mon}{tail}"
        if g["d3"]:
            return f"{mon} {new.day}" + (f", {new.year}" if given else "")
        return f"{mon}{tail}"

    return shift


def shift_text(text: str, anchor: dt.date, days: int, lang: str) -> str:
    """One text with every date moved by `days`."""
    if not days:
        return text
    if lang == "zh":
        return _ZH_DATE.sub(_Zh(anchor, days), text)
    return _EN_DATE.sub(_en(anchor, days), text)


def _walk(value: Any, anchor: dt.date, days: int, lang: str) -> Any:
    if isinstance(value, str):
        try:
            return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
        except ValueError:
            return shift_text(value, anchor, days, lang)
    if isinstance(value, list):
        return [_walk(v, anchor, days, lang) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, anchor, days, lang) for k, v in value.items()}
    return value


def as_of(scenario: Scenario, today: dt.date) -> Scenario:
    """The scenario as a session starting `today` plays it (unchanged without an anchor)."""
    if scenario.anchor is None:
        return scenario
    days = weeks_between(scenario.anchor, today)
    if not days:
        return scenario
    data = scenario.model_dump(mode="json")
    keep = ("id", "translations")
    lang = scenario.language
    data = {k: v if k in keep else _walk(v, scenario.anchor, days, lang) for k, v in data.items()}
    return Scenario.model_validate(data)
