"""Streaming a reply: drafts throttled by the clock (never by waiting), flood control pauses
the preview only, and the final text always goes out whole."""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import Chat
from telegram.error import RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.telegram.streaming import TYPING_AFTER, TYPING_EVERY, StreamPolicy, retry_seconds, typing
from tests.support.bot_api import BotApi
from tests.support.offline_request import OfflineRequest
from tests.support.sleeper import Sleeper

CHAT = 1001


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bot(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[ExtBot[None], BotApi]]:
    """A PTB bot on the offline Bot API, with a private chat open."""
    monkeypatch.setitem(os.environ, "PTB_TIMEDELTA", "true")
    api = BotApi()
    api.text(CHAT, "hi")
    ext: ExtBot[None] = ExtBot(api.token, request=OfflineRequest(api))
    async with ext:
        yield ext, api


def private() -> Chat:
    return Chat(CHAT, Chat.PRIVATE)


async def test_drafts_change_at_most_once_per_interval(bot: tuple[ExtBot[None], BotApi]) -> None:
    ext, api = bot
    clock = Clock()
    stream = StreamPolicy(draft_interval=0.5, clock=clock).open(ext, private(), draft_id=9)
    for step, piece in (
        (0.0, "您好，"),
        (0.1, "我是"),
        (0.2, "小刘。"),
        (0.4, "请"),
        (0.1, "进。"),
    ):
        clock.now += step
        await stream.delta(piece)
    assert [c.text for c in api.calls_to("sendMessageDraft")] == ["您好，", "您好，我是小刘。请"]
    await stream.finish("<b>小刘</b>\n您好，我是小刘。请进。")
    assert api.calls_to("sendMessage")[-1].text == "<b>小刘</b>\n您好，我是小刘。请进。"


async def test_flood_control_pauses_the_preview_for_retry_after(
    bot: tuple[ExtBot[None], BotApi],
) -> None:
    ext, api = bot
    clock = Clock()
    stream = StreamPolicy(draft_interval=0.5, clock=clock).open(ext, private(), draft_id=9)
    api.fail_next("sendMessageDraft", 429, "Too Many Requests: retry after 3", retry_after=3)
    await stream.delta("一")
    clock.now += 1.0
    await stream.delta("二")
    clock.now += 2.5
    await stream.delta("三")
    assert [c.text for c in api.calls_to("sendMessageDraft")] == ["一", "一二三"]


async def test_edit_previews_skip_unchanged_text_and_finish_formatted(
    bot: tuple[ExtBot[None], BotApi],
) -> None:
    ext, api = bot
    clock = Clock()
    group = Chat(-100700, Chat.SUPERGROUP)
    api.text(group.id, "hi", chat_type="supergroup")
    stream = StreamPolicy(group_edit_interval=3.0, clock=clock).open(ext, group, draft_id=9)
    await stream.delta("第一句。")
    clock.now += 3.5
    await stream.delta("第二句。")
    await stream.finish("<b>王科长</b>\n第一句。第二句。")
    edits = api.calls_to("editMessageText")
    assert [e.text for e in edits] == ["第一句。第二句。", "<b>王科长</b>\n第一句。第二句。"]
    assert api.sent(group.id)[-1]["text"] == "<b>王科长</b>\n第一句。第二句。"


@pytest.mark.parametrize("timedelta_mode", ["true", "false"])
def test_retry_after_is_read_as_seconds_whether_int_or_timedelta(
    monkeypatch: pytest.MonkeyPatch, timedelta_mode: str
) -> None:
    monkeypatch.setitem(os.environ, "PTB_TIMEDELTA", timedelta_mode)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # PTB's int mode warns
        assert retry_seconds(RetryAfter(7)) == 7.0


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_no_typing_action_when_the_first_words_come_within_a_second(
    bot: tuple[ExtBot[None], BotApi],
) -> None:
    ext, api = bot
    sleeper = Sleeper()
    async with typing(ext, CHAT, sleep=sleeper):
        await settle()  # the reply is under way; the second has not passed
    assert sleeper.asked == [TYPING_AFTER]
    assert api.calls_to("sendChatAction", CHAT) == []


async def test_typing_shows_after_a_second_and_stops_once_a_preview_shows(
    bot: tuple[ExtBot[None], BotApi],
) -> None:
    ext, api = bot
    sleeper, shown = Sleeper(), [False]
    async with typing(ext, CHAT, until=lambda: shown[0], sleep=sleeper):
        await settle()
        await sleeper.elapse()  # a second without words: typing…
        assert len(api.calls_to("sendChatAction", CHAT)) == 1
        await sleeper.elapse()  # 4.5 s later, still nothing: typing again
        assert len(api.calls_to("sendChatAction", CHAT)) == 2
        shown[0] = True  # a draft is on screen now
        await sleeper.elapse()
    assert len(api.calls_to("sendChatAction", CHAT)) == 2
    assert sleeper.asked == [TYPING_AFTER, TYPING_EVERY, TYPING_EVERY]
