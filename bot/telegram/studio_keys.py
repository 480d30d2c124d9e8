"""The buttons of /newscenario: each carries the draft's nonce (`ns:<nonce>:<action>:<value>`),
so a button of a saved or replaced draft is recognised as stale."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.domain.lang import Lang
from bot.i18n import Catalog
from bot.telegram.team_keys import STUDIO, STUDIO_TRY, button, markup, stack

QUIZ, ANSWER, SAVE, EDIT, CANCEL = "q", "a", "save", "edit", "x"


def preview(catalog: Catalog, lang: Lang, nonce: str) -> InlineKeyboardMarkup:
    """Under a draft's preview: test-play it, save it for the team, or ask for changes."""
    return stack(
        [
            button(catalog.t(lang, "tg.studio.button_try"), STUDIO_TRY, nonce),
            button(catalog.t(lang, "tg.studio.button_save"), STUDIO, nonce, SAVE, 1),
        ],
        [
            button(catalog.t(lang, "tg.studio.button_edit"), STUDIO, nonce, EDIT, 1),
            button(catalog.t(lang, "tg.studio.button_cancel"), STUDIO, nonce, CANCEL, 1),
        ],
    )


def waiting(catalog: Catalog, lang: Lang, nonce: str) -> InlineKeyboardMarkup:
    """While a description is awaited: the questionnaire instead, or stop."""
    return stack(
        [button(catalog.t(lang, "tg.studio.button_quiz"), STUDIO, nonce, QUIZ, 1)],
        [button(catalog.t(lang, "tg.studio.button_cancel"), STUDIO, nonce, CANCEL, 1)],
    )


def options(
    catalog: Catalog, lang: Lang, nonce: str, group: str, codes: Sequence[str]
) -> InlineKeyboardMarkup:
    """One questionnaire step's choices, each labelled in the trainer's language."""
    return markup(
        [button(catalog.t(lang, f"{group}.{c}"), STUDIO, nonce, ANSWER, c) for c in codes],
        per_row=3,
    )
