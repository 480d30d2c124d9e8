"""The trainer side through the real Application: an operator, a trainer and reps, each a
Telegram user with their own private chat, on services whose training clock the test moves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from bot.composition import Container, container
from bot.settings import Settings
from bot.telegram.app import ServicesFactory
from tests.support.bot_api import JSON, BotApi
from tests.support.bot_harness import BotHarness, bot_settings
from tests.support.world import Clock

OPERATOR, TRAINER, REP, REP2, OUTSIDER = 1000, 2001, 3001, 3002, 4001
OTHER_TRAINER = 2002
GROUP = -100777
NAMES = {
    OPERATOR: "运营",
    TRAINER: "张老师",
    OTHER_TRAINER: "钱老师",
    REP: "小陈",
    REP2: "小李",
    OUTSIDER: "路人",
}
OPENING = (
    "王科长您好，我是华信科技的小陈，今天来主要是想了解一下项目验收的情况，您看现在进展到哪一步了？"
)
_INVITE = re.compile(r"https://t\.me/huikuan_test_bot\?start=([A-Za-z0-9_-]+)")


def clocked(settings: Settings, clock: Clock) -> ServicesFactory:
    """The product's services, all on the test's clock (database timestamps included)."""

    @asynccontextmanager
    async def open_services() -> AsyncIterator[Container]:
        async with container(settings, clock=clock) as built:
            yield built

    return open_services


class TeamBot:
    """A started bot and the people who talk to it."""

    def __init__(self, settings: Settings, clock: Clock, api: BotApi | None = None) -> None:
        self.api = api or BotApi()
        self.clock = clock
        staffed = settings.model_copy(update={"admin_telegram_ids": [OPERATOR]})
        full = bot_settings(staffed, self.api)
        self.bot = BotHarness(full, self.api, clocked(full, clock))

    async def __aenter__(self) -> TeamBot:
        await self.bot.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.bot.__aexit__(*exc)

    def user(self, telegram_id: int, lang: str = "zh-hans") -> JSON:
        """The Telegram user behind an id."""
        return self.api.user(telegram_id, NAMES.get(telegram_id, "某人"), language_code=lang)

    async def say(self, telegram_id: int, text: str, chat: int | None = None) -> JSON:
        """The user sends a text in their private chat (or in `chat`)."""
        update = self.api.text(chat or telegram_id, text, sender=self.user(telegram_id))
        await self.bot.send(update)
        return update

    async def tap(
        self,
        telegram_id: int,
        label: str | None = None,
        data: str | None = None,
        chat: int | None = None,
    ) -> None:
        """The user presses a button on the newest message that has it."""
        where = chat or telegram_id
        await self.bot.send(
            self.api.press(where, label=label, data=data, sender=self.user(telegram_id))
        )

    async def forge(self, telegram_id: int, data: str) -> None:
        """The user's client sends a callback with made-up data."""
        await self.bot.send(self.api.forged(telegram_id, data, sender=self.user(telegram_id)))

    async def send_file(
        self, telegram_id: int, name: str, content: bytes, size: int | None = None
    ) -> None:
        """The user sends a document."""
        doc = self.api.document(telegram_id, self.user(telegram_id), name, content, size)
        await self.bot.send(doc)

    def last(self, chat: int) -> str:
        """The bot's newest text (or caption) in a chat."""
        return self.bot.last_text(chat)

    def texts(self, chat: int) -> list[str]:
        """Everything the bot said in a chat."""
        return self.api.texts(chat)

    async def user_id(self, telegram_id: int) -> int:
        """The internal id services use."""
        return await self.bot.rep_id(telegram_id)

    async def team_with_trainer(self, name: str = "华东一组", trainer: int = TRAINER) -> None:
        """The operator makes `trainer` a trainer, who creates a team (all through the bot)."""
        await self.say(OPERATOR, "/start")
        await self.say(trainer, "/start")
        await self.say(OPERATOR, f"/grant {trainer}")
        await self.say(trainer, f"/newteam {name}")

    async def invite_code(self, trainer: int = TRAINER, label: str = "邀请链接（长期）") -> str:
        """The trainer asks for an invite link on the team card; its code."""
        await self.tap(trainer, label=label)
        found = _INVITE.search(self.last(trainer))
        assert found, self.last(trainer)
        return found.group(1)

    async def join(self, rep: int, code: str) -> None:
        """A rep follows the invite link."""
        await self.say(rep, f"/start {code}")

    async def team(
        self, reps: tuple[int, ...] = (REP,), name: str = "华东一组", trainer: int = TRAINER
    ) -> str:
        """A trainer's team with these reps; the invite code."""
        await self.team_with_trainer(name, trainer)
        code = await self.invite_code(trainer)
        for rep in reps:
            await self.join(rep, code)
        return code

    async def assign(
        self, scenario: str = "区卫健委", due: str = "3天", mark: str = "0", trainer: int = TRAINER
    ) -> None:
        """The trainer assigns a scenario to everyone through the guided flow."""
        await self.say(trainer, "/assign")
        await self.tap(trainer, label=scenario)
        await self.tap(trainer, label="全体销售")
        await self.say(trainer, due)
        await self.say(trainer, mark)
        await self.tap(trainer, label="1")
        await self.tap(trainer, label="布置")

    async def play_task(self, rep: int = REP, n: int = 1) -> None:
        """A rep starts a task from /tasks, skips the plan, says one line and ends."""
        await self.say(rep, "/tasks")
        await self.tap(rep, label=f"开始 {n}")
        await self.tap(rep, label="跳过")
        self.clock.advance(minutes=1)  # a session takes time: attempts end at different moments
        await self.say(rep, OPENING)
        self.clock.advance(minutes=1)
        await self.say(rep, "/end")


Setup = Callable[[TeamBot], Awaitable[object]]
"""What a started bot goes through before the test gets it."""


async def no_setup(bot: TeamBot) -> None:
    """Nothing: the bot as started, with only the operator named in the settings."""


async def with_played_task(bot: TeamBot) -> None:
    """A team whose rep has played and finished an assigned task."""
    await bot.team()
    await bot.assign(mark="0")
    await bot.play_task(REP)


async def running(
    settings: Settings,
    setup: Setup = TeamBot.team,
    kind: type[TeamBot] = TeamBot,
    strict: bool = True,
) -> AsyncIterator[TeamBot]:
    """A started `kind` of bot on a test clock, after `setup` (by default a trainer's team of
    one rep); once the test is done, with `strict`, no Bot API call it did not know.

    The body of the `tb` fixture (tests/conftest.py); a fixture yields from it with
    `async for bot in running(...): yield bot`.
    """
    async with kind(settings, Clock()) as started:
        await setup(started)
        yield started
    if strict:
        assert started.api.unexpected == []
