"""Inline keyboards and the callback data behind their buttons.

Callback data is `verb:argument` and must fit Telegram's 64 bytes, so a scenario travels as a
short digest of its id (ids may be 63 characters) and a session as its 32-character id.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.lang import LANGS, Lang
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.scenarios.library import ScenarioLibrary
from bot.views.text import pattern_label

PAGE_SIZE = 5
BUTTON_TITLE = 28  # characters of a title shown on a button

LANG = "lang"  # lang:<zh|en>
PAGE = "page"  # page:<n>              the scenario picker, page n
PICK = "pick"  # pick:<scenario>       start this scenario
NEW = "new"  # new:<scenario>          abandon the active session and start this one
DROP = "drop"  # drop:<session>        abandon that session and show the picker
PREPARE = "prep"  # prep:<session>     write a plan
SKIP = "skip"  # skip:<session>        no plan, start talking
CONTINUE = "cont"  # cont:<session>    go back to a session in progress
RETRY = "retry"  # retry:<scenario>    practise the same scenario again
REWORD = "rw"  # rw:<session>          the better wording of the weakest turn
OPEN = "open"  # open:<session>        a past session from the history
HISTORY_ALL = "hist"  # hist:all         the history with abandoned sessions listed too
TRANSCRIPT = "tr"  # tr:<session>        a past session's transcript
COMPARE = "cmp"  # cmp:<session>         a graded session against the previous attempt
BRIEF = "brief"  # brief:<session>       the full case card in place of the short one
QUIT = "quit"  # quit:<session>          /cancel confirmed: abandon that session


def data(verb: str, arg: object = "") -> str:
    """Callback data for a button."""
    return f"{verb}:{arg}"


def parse(raw: str | None) -> tuple[str, str]:
    """(verb, argument) of a button's callback data."""
    verb, _, arg = (raw or "").partition(":")
    return verb, arg


def pattern(verb: str) -> str:
    """The regex a CallbackQueryHandler uses for one verb."""
    return rf"^{verb}:"


def scenario_token(scenario_id: str) -> str:
    """A short, stable stand-in for a scenario id."""
    return hashlib.blake2s(scenario_id.encode("utf-8"), digest_size=6).hexdigest()


def find_scenario(library: ScenarioLibrary, token: str) -> Scenario | None:
    """The scenario a token stands for, if it still exists."""
    return find_scenario_in(library.all(), token)


def find_scenario_in(scenarios: Sequence[Scenario], token: str) -> Scenario | None:
    """The scenario among these that a token stands for."""
    return next((s for s in scenarios if scenario_token(s.id) == token), None)


def _markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(r) for r in rows if r])


def _short(title: str) -> str:
    return title if len(title) <= BUTTON_TITLE else title[: BUTTON_TITLE - 1] + "…"


def languages(catalog: Catalog) -> InlineKeyboardMarkup:
    """中文 / English."""
    return _markup(
        [
            [
                InlineKeyboardButton(
                    catalog.t(lang, f"tg.lang_{lang}"), callback_data=data(LANG, lang)
                )
            ]
            for lang in LANGS
        ]
    )


def pages(count: int) -> int:
    """How many picker pages `count` scenarios fill."""
    return max(1, math.ceil(count / PAGE_SIZE))


def picker(catalog: Catalog, lang: Lang, scenarios: Sequence[Scenario], page: int) -> str:
    """The picker's text: one line per scenario with difficulty and temperament."""
    t = catalog.t
    first = page * PAGE_SIZE
    lines = [t(lang, "tg.picker_title", page=page + 1, pages=pages(len(scenarios)))]
    for n, s in enumerate(scenarios[first : first + PAGE_SIZE], start=first + 1):
        lines.append(
            t(
                lang,
                "tg.picker_line",
                n=n,
                title=s.title_in(lang),
                stars="★" * s.difficulty + "☆" * (5 - s.difficulty),
                temperament=t(lang, f"temperament.{s.temperament}"),
                phenomenon=pattern_label(s, catalog, lang),
            )
        )
    return "\n\n".join(lines)


def prepare(
    catalog: Catalog, lang: Lang, session_id: str, full_brief: bool = False
) -> InlineKeyboardMarkup:
    """Write a plan / skip and start (and, under a short card, the full case card)."""
    brief = InlineKeyboardButton(
        catalog.t(lang, "loop.button_brief"), callback_data=data(BRIEF, session_id)
    )
    return _markup(
        [
            [brief] if full_brief else [],
            [
                InlineKeyboardButton(
                    catalog.t(lang, "tg.button_plan"), callback_data=data(PREPARE, session_id)
                )
            ],
            [
                InlineKeyboardButton(
                    catalog.t(lang, "tg.button_skip"), callback_data=data(SKIP, session_id)
                )
            ],
        ]
    )


def active_choice(
    catalog: Catalog, lang: Lang, session_id: str, wanted: str | None, abandon: str | None = None
) -> InlineKeyboardMarkup:
    """Continue the session in progress, or abandon it (and start `wanted`, if given, or do what
    the `abandon` callback data says)."""
    abandon = abandon or (data(NEW, wanted) if wanted else data(DROP, session_id))
    return _markup(
        [
            [
                InlineKeyboardButton(
                    catalog.t(lang, "tg.button_continue"), callback_data=data(CONTINUE, session_id)
                )
            ],
            [InlineKeyboardButton(catalog.t(lang, "tg.button_abandon_new"), callback_data=abandon)],
        ]
    )


def confirm_cancel(catalog: Catalog, lang: Lang, session_id: str) -> InlineKeyboardMarkup:
    """/cancel's question: abandon this session, or go on with it."""
    return _markup(
        [
            [
                InlineKeyboardButton(
                    catalog.t(lang, "loop.button_quit"), callback_data=data(QUIT, session_id)
                ),
                InlineKeyboardButton(
                    catalog.t(lang, "tg.button_continue"), callback_data=data(CONTINUE, session_id)
                ),
            ]
        ]
    )


def resume(catalog: Catalog, lang: Lang, session_id: str) -> InlineKeyboardMarkup:
    """Ask the client again (after the model failed to answer)."""
    return _markup(
        [
            [
                InlineKeyboardButton(
                    catalog.t(lang, "tg.button_resume"), callback_data=data(CONTINUE, session_id)
                )
            ]
        ]
    )


def after_card(
    catalog: Catalog,
    lang: Lang,
    scenario_id: str,
    session_id: str,
    rewording: bool,
    past: bool = False,
) -> InlineKeyboardMarkup:
    """Under the scorecard: practise again, and the better wording when there is one; for a
    past session opened from the history, its transcript and the comparison too."""
    row = [
        InlineKeyboardButton(
            catalog.t(lang, "tg.button_retry"),
            callback_data=data(RETRY, scenario_token(scenario_id)),
        )
    ]
    if rewording:
        row.append(
            InlineKeyboardButton(
                catalog.t(lang, "tg.button_rewording"), callback_data=data(REWORD, session_id)
            )
        )
    extra = [
        InlineKeyboardButton(
            catalog.t(lang, f"loop.button_{verb}"), callback_data=data(v, session_id)
        )
        for verb, v in (("transcript", TRANSCRIPT), ("compare", COMPARE))
    ]
    return _markup([row, extra if past else []])


def history(
    catalog: Catalog, lang: Lang, items: Sequence[tuple[str, str, str]], hidden: int
) -> InlineKeyboardMarkup:
    """One button per listed session (id, title, date) naming what it opens; then "show the
    abandoned ones" when some are hidden."""
    rows = [
        [
            InlineKeyboardButton(
                catalog.t(lang, "loop.history_button", n=n, title=_short(title), date=date),
                callback_data=data(OPEN, session_id),
            )
        ]
        for n, (session_id, title, date) in enumerate(items, start=1)
    ]
    more = [
        InlineKeyboardButton(
            catalog.t(lang, "loop.history_all"), callback_data=data(HISTORY_ALL, "all")
        )
    ]
    return _markup([*rows, more if hidden else []])
