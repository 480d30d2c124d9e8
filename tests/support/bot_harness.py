"""The real Application on the offline Bot API: updates go through PTB's update queue (so the
per-chat ordering and the inbox are exercised), and `send` returns once all are handled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from pydantic import SecretStr
from telegram import Update

from bot.composition import Container
from bot.settings import Settings
from bot.telegram.app import ServicesFactory, build_application
from bot.telegram.retries import Backoff
from bot.telegram.runtime import App, Runtime
from tests.support.bot_api import JSON, BotApi
from tests.support.offline_request import OfflineRequest

PRIVATE = 1001  # a rep's private chat (= their user id)


async def _no_wait(seconds: float) -> None:
    """A retry's pause, taken at once: tests do not wait on the wall clock."""


NO_WAIT = Backoff(sleep=_no_wait)


def bot_settings(settings: Settings, api: BotApi) -> Settings:
    """Test settings with the fake bot's token."""
    return settings.model_copy(update={"telegram_bot_token": SecretStr(api.token)})


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Wait until `check()` holds (re-checked as the event loop runs); TimeoutError if never."""
    async with asyncio.timeout(seconds):
        # Database state has no event to await, so look again each time the loop turns.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


class BotHarness:
    """Start with `async with`; the application is stopped and its services closed on exit."""

    def __init__(
        self,
        settings: Settings,
        api: BotApi | None = None,
        services: ServicesFactory | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.api = api or BotApi()
        self.settings = bot_settings(settings, self.api)
        self.app: App = build_application(
            self.settings, OfflineRequest(self.api), services, backoff or NO_WAIT
        )

    async def __aenter__(self) -> BotHarness:
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        await self.app.start()
        await self.app.update_queue.join()  # replayed leftovers, if any
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.app.stop()
        await self.app.shutdown()
        assert self.app.post_shutdown is not None
        await self.app.post_shutdown(self.app)

    @property
    def runtime(self) -> Runtime:
        """The started bot's services."""
        return self.app.bot_data.started()

    @property
    def services(self) -> Container:
        """The composition root's container the bot runs on."""
        return self.runtime.services

    async def rep_id(self, telegram_id: int = PRIVATE) -> int:
        """The internal user id of a Telegram user (services take that one)."""
        person = await self.services.users.telegram(telegram_id, "", None)
        return person.id

    async def send(self, *updates: JSON) -> None:
        """Deliver updates the way polling does, and wait until all are handled."""
        for raw in updates:
            update = Update.de_json(raw, self.app.bot)
            await self.app.update_queue.put(update)
        await self.app.update_queue.join()

    async def text(self, text: str, chat_id: int = PRIVATE, **kw: Any) -> JSON:
        """The rep sends a text; returns the update."""
        update = self.api.text(chat_id, text, **kw)
        await self.send(update)
        return update

    async def press(
        self, label: str | None = None, data: str | None = None, chat_id: int = PRIVATE
    ) -> None:
        """The rep presses a button on the newest message that has it."""
        await self.send(self.api.press(chat_id, label=label, data=data))

    def last_text(self, chat_id: int = PRIVATE) -> str:
        """The bot's newest message text (or caption) in the chat."""
        return self.api.texts(chat_id)[-1]
