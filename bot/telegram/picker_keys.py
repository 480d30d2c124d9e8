"""The /practice picker: the shipped scenarios and the own scenarios of the rep's teams (marked
as the team's), a page at a time. Button labels fit a phone's button width and say when a
scenario is played in another language than the reader's."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.lang import Lang
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.telegram import team_keys
from bot.telegram.keyboards import PAGE, PAGE_SIZE, PICK, data, pages, scenario_token
from bot.views.text import pattern_label

BUTTON_WIDTH = 56  # columns (a wide character is two) a one-button row shows on a phone


@dataclass(frozen=True)
class Choice:
    """A scenario the rep may pick; `team_id` set when it is a team's own."""

    scenario: Scenario
    team_id: int | None = None
    team_name: str = ""


def width(text: str) -> int:
    """Columns a text takes: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, columns: int) -> str:
    """The text cut with an ellipsis so it takes at most `columns`."""
    if width(text) <= columns:
        return text
    cut = ""
    for c in text:
        if width(cut + c) > columns - 1:
            break
        cut += c
    return cut.rstrip(" —-·,") + "…"


def _marks(catalog: Catalog, lang: Lang, choice: Choice) -> str:
    marks = []
    if choice.team_id is not None:
        marks.append(catalog.t(lang, "loop.picker_team_mark"))
    # Chinese titles of English scenarios already say so (「…（英文场景）」) in the scenario files.
    if choice.scenario.language != lang and lang == "en":
        marks.append(catalog.t(lang, f"loop.played_in.{choice.scenario.language}"))
    return "".join(marks)


def label(catalog: Catalog, lang: Lang, n: int, choice: Choice) -> str:
    """A picker button: number, title cut to fit, then the team and language marks."""
    marks, head = _marks(catalog, lang, choice), f"{n}. "
    room = BUTTON_WIDTH - width(head) - width(marks)
    return head + fit(choice.scenario.title_in(lang), room) + marks


def text(catalog: Catalog, lang: Lang, choices: Sequence[Choice], page: int) -> str:
    """The picker's text: one entry per scenario with difficulty, temperament and whose it is."""
    t, first = catalog.t, page * PAGE_SIZE
    lines = [t(lang, "tg.picker_title", page=page + 1, pages=pages(len(choices)))]
    for n, c in enumerate(choices[first : first + PAGE_SIZE], start=first + 1):
        s = c.scenario
        line = t(
            lang,
            "tg.picker_line",
            n=n,
            title=s.title_in(lang),
            stars="★" * s.difficulty + "☆" * (5 - s.difficulty),
            temperament=t(lang, f"temperament.{s.temperament}"),
            phenomenon=pattern_label(s, catalog, lang),
        )
        if s.language != lang:
            line += " · " + t(lang, f"loop.played_in_line.{s.language}")
        if c.team_id is not None:
            line += "\n   " + t(lang, "loop.picker_team_line", team=c.team_name)
        lines.append(line)
    return "\n\n".join(lines)


def keys(
    catalog: Catalog, lang: Lang, choices: Sequence[Choice], page: int
) -> InlineKeyboardMarkup:
    """One button per scenario on the page (a team's own starts in that team), then ◀ / ▶."""
    first = page * PAGE_SIZE
    rows = []
    for n, c in enumerate(choices[first : first + PAGE_SIZE], start=first + 1):
        token = scenario_token(c.scenario.id)
        verb = (
            data(PICK, token) if c.team_id is None else data(team_keys.PLAY, f"{c.team_id}:{token}")
        )
        rows.append([InlineKeyboardButton(label(catalog, lang, n, c), callback_data=verb)])
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                catalog.t(lang, "tg.picker_prev"), callback_data=data(PAGE, page - 1)
            )
        )
    if page + 1 < pages(len(choices)):
        nav.append(
            InlineKeyboardButton(
                catalog.t(lang, "tg.picker_next"), callback_data=data(PAGE, page + 1)
            )
        )
    return InlineKeyboardMarkup([*rows, nav] if nav else rows)
