"""Through the real Application (updates in, Bot API calls out, Telegram's flood limits
enforced by the fake): the typing action only for a reply whose first words are slow, and
many chats answered at once paced by their final messages alone, with no 429.

The typing action's wait runs on a sleep the test controls (`StreamPolicy.sleep`), so whether
a second "passed" is the test's decision, never the wall clock's.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from aiolimiter import AsyncLimiter

from bot.settings import Settings
from bot.telegram.limits import MessageRateLimiter
from bot.telegram.streaming import TYPING_AFTER, StreamPolicy
from tests.support.bot_api import BotApi
from tests.support.bot_harness import PRIVATE, BotHarness, bot_settings, eventually
from tests.support.scripted_client import ScriptedClient, services_with
from tests.support.sleeper import Sleeper

LINE = "您好，我是华信科技的小陈，今天来想了解一下项目验收的情况。"


class Counting:
    """The overall budget's limiter, counting what it lets through."""

    def __init__(self, inner: AsyncLimiter) -> None:
        self.inner, self.passed = inner, 0

    async def __aenter__(self) -> None:
        await self.inner.__aenter__()
        self.passed += 1

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.inner.__aexit__(kind, exc, tb)


def scripted(settings: Settings, api: BotApi) -> tuple[BotHarness, ScriptedClient]:
    client = ScriptedClient()
    harness = BotHarness(settings, api, services_with(bot_settings(settings, api), client))
    return harness, client


def controlled(bot: BotHarness) -> Sleeper:
    """The bot's typing action now waits on the returned sleeper."""
    sleeper = Sleeper()
    bot.runtime.stream = StreamPolicy(sleep=sleeper)
    return sleeper


async def begin_play(bot: BotHarness, chats: list[int]) -> None:
    """/practice → first scenario → skip, in every chat at once."""
    await bot.send(*[bot.api.text(c, "/practice") for c in chats])
    await bot.send(*[bot.api.press(c, label="区卫健委") for c in chats])
    await bot.send(*[bot.api.press(c, label="跳过") for c in chats])


def methods_since(api: BotApi, start: int, chat: int) -> list[str]:
    return [c.method for c in api.calls[start:] if c.chat_id == chat]


async def test_a_reply_whose_first_words_come_quickly_sends_no_typing_action(
    settings: Settings,
) -> None:
    api = BotApi()
    api.enforce_limits()
    harness, _ = scripted(settings, api)
    async with harness as bot:
        await begin_play(bot, [PRIVATE])
        sleeper = controlled(bot)
        before = len(api.calls)
        await bot.text(LINE)  # answered before the (never-ending) second is up
        assert sleeper.asked == [TYPING_AFTER]  # it waited, rather than typing up front
        assert methods_since(api, before, PRIVATE) == ["sendMessageDraft", "sendMessage"]
        assert api.limited == []


async def test_a_reply_whose_first_words_take_over_a_second_sends_one_typing_action(
    settings: Settings,
) -> None:
    api = BotApi()
    api.enforce_limits()
    harness, client = scripted(settings, api)
    async with harness as bot:
        await begin_play(bot, [PRIVATE])
        sleeper = controlled(bot)
        gate = client.gate("小陈")  # the model says nothing until the test lets it
        before = len(api.calls)
        sending = asyncio.create_task(bot.text(LINE))

        async def waiting_for_words() -> bool:
            return sleeper.asked == [TYPING_AFTER] and LINE in client.asked

        await eventually(waiting_for_words)
        assert methods_since(api, before, PRIVATE) == []  # no typing within the first second
        sleeper.release()  # a second passes, still no words

        async def typing_shown() -> bool:
            return methods_since(api, before, PRIVATE) == ["sendChatAction"]

        await eventually(typing_shown)
        gate.set()
        await asyncio.wait_for(sending, 10)
        sleeper.release()  # had the wait gone on, a draft is on screen by now: no more typing
        await asyncio.sleep(0)
        assert methods_since(api, before, PRIVATE) == [
            "sendChatAction",
            "sendMessageDraft",
            "sendMessage",
        ]
        assert api.limited == []


async def test_replies_to_many_chats_at_once_are_paced_by_their_final_messages_only(
    settings: Settings,
) -> None:
    api = BotApi()
    flood = api.enforce_limits()
    chats = [PRIVATE + n for n in range(40)]  # more than the 30 a second overall allows
    harness, _ = scripted(settings, api)
    async with harness as bot:
        await begin_play(bot, chats)
        controlled(bot)  # no second ever passes: no typing, so the counts are exact
        limiter = bot.app.bot.rate_limiter
        assert isinstance(limiter, MessageRateLimiter) and limiter._base_limiter is not None
        overall = Counting(limiter._base_limiter)
        limiter._base_limiter = overall  # type: ignore[assignment]
        before = len(api.calls)
        await bot.send(*[api.text(c, f"{LINE}（{c}）") for c in chats])
        calls = api.calls[before:]
        finals = [c for c in calls if c.method == "sendMessage"]
        assert sorted(c.chat_id for c in finals) == chats  # every chat answered, once
        assert all(f"reply to: {LINE}（{c.chat_id}）" in c.text for c in finals)
        assert {c.method for c in calls} == {"sendMessageDraft", "sendMessage"}
        assert overall.passed == len(chats)  # drafts took nothing from the overall budget
        assert flood.refused == 0 and api.limited == []
