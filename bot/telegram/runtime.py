"""What every handler shares once the bot has started: the services, the catalog and the
streaming policy; plus who is talking and where to answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, filters

from bot.composition import Container
from bot.domain.lang import Lang
from bot.domain.roles import Role
from bot.errors import NoActiveSession
from bot.i18n import Catalog
from bot.logs import bind
from bot.services.practice import PracticeService, Started
from bot.services.training import Training
from bot.services.users import Person
from bot.telegram.inbox import Inbox
from bot.telegram.render import send_html
from bot.telegram.streaming import StreamPolicy

LANG = "lang"
# Commands act on new messages only: an edited "/end" must not end a second time.
NEW_MESSAGES = filters.UpdateType.MESSAGE


@dataclass
class Runtime:
    """The services, the streaming policy and the inbox, set up in `post_init`."""

    services: Container
    stream: StreamPolicy
    inbox: Inbox
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.min.replace(tzinfo=dt.UTC))

    @property
    def catalog(self) -> Catalog:
        """The message catalogs."""
        return self.services.catalog

    @property
    def practice(self) -> PracticeService:
        """The practice use case."""
        return self.services.practice

    @property
    def training(self) -> Training:
        """The trainer side: teams, assignments, review, boards, export, uploads, reminders."""
        return self.services.training

    def t(self, lang: Lang, key: str, **params: Any) -> str:
        """A catalog message."""
        return self.catalog.t(lang, key, **params)


@dataclass
class BotData:
    """What the application keeps between updates (python-telegram-bot's `bot_data`), typed:
    the runtime while the bot is started, the callback queries already answered, the staff
    menus this process has set ({telegram id: role}), so the hourly refresh only sets what
    changed (losing them in a restart only means setting them all again)."""

    runtime: Runtime | None = None
    answered: set[str] = field(default_factory=set)
    menus: dict[int, Role] = field(default_factory=dict)

    def started(self) -> Runtime:
        """The runtime of a started bot."""
        if self.runtime is None:
            raise RuntimeError("the bot's services are not open (post_init has not run)")
        return self.runtime


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets: python-telegram-bot's, with the runtime as a
    typed attribute instead of a string lookup in `bot_data`."""

    @property
    def runtime(self) -> Runtime:
        """The services, catalog, streaming policy and inbox of the started bot."""
        return self.bot_data.started()


Context = BotContext
CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
App = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]


def chat_id(update: Update) -> int:
    """The chat to answer in."""
    if update.effective_chat is None:
        raise ValueError("update has no chat")
    return update.effective_chat.id


def sender(update: Update) -> int:
    """The Telegram id of the user behind the update."""
    if update.effective_user is None:
        raise ValueError("update has no user")
    return update.effective_user.id


async def rep(update: Update, context: Context) -> Person:
    """The rep behind the update (created on first contact); remembers their language."""
    user = update.effective_user
    if user is None:
        raise ValueError("update has no user")
    person = await context.runtime.services.users.telegram(
        user.id, user.full_name, user.language_code
    )
    if context.user_data is not None:
        context.user_data[LANG] = person.language
    return person


async def active(context: Context, person: Person) -> Started:
    """The rep's session in progress, or `NoActiveSession`."""
    current = await context.runtime.practice.current(person.id)
    if current is None:
        raise NoActiveSession()
    bind(session=current.session.id)
    return current


async def say(
    update: Update, context: Context, html: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer in the update's chat with HTML (split if long)."""
    return await send_html(context.bot, chat_id(update), html, markup)
