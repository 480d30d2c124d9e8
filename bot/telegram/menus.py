"""Command menus: reps get the default one; trainers and operators get theirs through a
per-chat scope (`BotCommandScopeChat`), so a rep never sees a trainer command. Each menu is set
in Chinese and English (`language_code`) with the default language as the fallback."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.domain.lang import LANGS, Lang
from bot.domain.roles import Role
from bot.i18n import Catalog

log = logging.getLogger("bot.telegram")

REP_COMMANDS = (
    "practice",
    "tasks",
    "board",
    "hint",
    "end",
    "cancel",
    "history",
    "me",
    "lang",
    "help",
    "start",
)
TRAINER_COMMANDS = (
    "team",
    "newteam",
    "assign",
    "review",
    "export",
    "upload",
    "newscenario",
    "linkgroup",
)
OPERATOR_COMMANDS = ("grant",)


def names(role: Role) -> tuple[str, ...]:
    """The commands in a role's menu, in menu order (the trainer's own first)."""
    if role == Role.REP:
        return REP_COMMANDS
    staff = TRAINER_COMMANDS + (OPERATOR_COMMANDS if role == Role.OPERATOR else ())
    return staff + REP_COMMANDS


def describe(catalog: Catalog, lang: Lang, name: str) -> str:
    """A command's one-line description in the menu."""
    key = f"tg.command.{name}"
    return catalog.t(lang, key if catalog.has(key) else f"tg.team.command.{name}")


def menu(catalog: Catalog, lang: Lang, role: Role = Role.REP) -> list[BotCommand]:
    """A role's command menu in one language."""
    return [BotCommand(name, describe(catalog, lang, name)) for name in names(role)]


async def set_default(bot: ExtBot[None], catalog: Catalog, default: Lang) -> None:
    """The reps' menu for everyone, in each language and in the default one."""
    for lang in LANGS:
        await bot.set_my_commands(menu(catalog, lang), language_code=lang)
    await bot.set_my_commands(menu(catalog, default))


async def set_staff(
    bot: ExtBot[None], catalog: Catalog, default: Lang, telegram_id: int, role: Role
) -> bool:
    """A trainer's or operator's menu in their private chat; False if Telegram refused it (a
    user who never opened the bot has no chat yet), which is logged, not raised."""
    scope = BotCommandScopeChat(telegram_id)
    try:
        for lang in LANGS:
            await bot.set_my_commands(menu(catalog, lang, role), scope=scope, language_code=lang)
        await bot.set_my_commands(menu(catalog, default, role), scope=scope)
    except TelegramError as exc:
        log.warning("command menu for %s not set: %s", telegram_id, exc.message)
        return False
    return True
