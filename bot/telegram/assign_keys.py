"""The buttons of the guided /assign: each carries the draft's nonce (`as:<nonce>:<step>:<value>`),
so a button of an older, replaced set-up is recognised as stale."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.domain.lang import Lang
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.telegram.keyboards import PAGE_SIZE, pages, scenario_token
from bot.telegram.team_keys import STEP, button, markup, stack

DUE_DAYS = (1, 3, 7, 14)
PASS_MARKS = (60, 70, 80, 90)
MIN_ATTEMPTS = (1, 2, 3, 5)


def scenario_picker(
    catalog: Catalog, lang: Lang, nonce: str, scenarios: Sequence[Scenario], page: int
) -> InlineKeyboardMarkup:
    """The assignment's scenario step: the rep picker's buttons, carrying the draft's nonce."""
    first = page * PAGE_SIZE
    rows = [
        [
            button(
                catalog.t(lang, "tg.picker_button", n=n, title=s.title_in(lang)[:28]),
                STEP,
                nonce,
                "s",
                scenario_token(s.id),
            )
        ]
        for n, s in enumerate(scenarios[first : first + PAGE_SIZE], start=first + 1)
    ]
    nav = []
    if page > 0:
        nav.append(button(catalog.t(lang, "tg.picker_prev"), STEP, nonce, "p", page - 1))
    if page + 1 < pages(len(scenarios)):
        nav.append(button(catalog.t(lang, "tg.picker_next"), STEP, nonce, "p", page + 1))
    return stack(*rows, nav)


def targets(
    catalog: Catalog, lang: Lang, nonce: str, reps: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """Everyone, or one rep."""
    everyone = button(catalog.t(lang, "tg.team.button_everyone"), STEP, nonce, "m", 0)
    return stack([everyone], *[[button(name, STEP, nonce, "m", uid)] for uid, name in reps])


def due_choices(catalog: Catalog, lang: Lang, nonce: str) -> InlineKeyboardMarkup:
    """Quick due dates (days from now); a typed date works too."""
    return markup(
        [
            button(catalog.t(lang, "tg.team.button_due_days", days=d), STEP, nonce, "d", f"{d}d")
            for d in DUE_DAYS
        ],
        per_row=4,
    )


def pass_marks(catalog: Catalog, lang: Lang, nonce: str, default: int) -> InlineKeyboardMarkup:
    """The scenario's own pass mark, or a common one."""
    first = button(
        catalog.t(lang, "tg.team.button_mark_default", mark=default), STEP, nonce, "k", default
    )
    return stack([first], [button(str(m), STEP, nonce, "k", m) for m in PASS_MARKS])


def attempts(nonce: str) -> InlineKeyboardMarkup:
    """How many graded attempts at least."""
    return markup([button(str(n), STEP, nonce, "a", n) for n in MIN_ATTEMPTS], per_row=4)


def confirm(catalog: Catalog, lang: Lang, nonce: str) -> InlineKeyboardMarkup:
    """Assign, or drop the draft."""
    return stack(
        [
            button(catalog.t(lang, "tg.team.button_confirm"), STEP, nonce, "ok", 1),
            button(catalog.t(lang, "tg.team.button_cancel"), STEP, nonce, "x", 1),
        ]
    )
