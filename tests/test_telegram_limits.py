"""The rate limiter counts what Telegram counts: messages, not typing or draft previews."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from bot.telegram.limits import PRIVATE_BURST, MessageRateLimiter, counted, previewing
from tests.support.flood import FloodLimits, edits, posts


class Sent:
    """A request callback that records what went out."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def call(self, name: str) -> Callable[[], Coroutine[Any, Any, bool]]:
        async def send() -> bool:
            self.log.append(name)
            return True

        return send


async def request(limiter: MessageRateLimiter, sent: Sent, endpoint: str, chat: int) -> object:
    return await limiter.process_request(
        sent.call(endpoint),
        (),
        {},
        endpoint,
        {"chat_id": chat},
        None,
    )


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_typing_and_drafts_go_out_while_messages_wait_out_a_flood_pause() -> None:
    limiter, sent = MessageRateLimiter(), Sent()
    await limiter.initialize()
    limiter._retry_after_event.clear()  # as after a 429: messages hold until it passes
    message = asyncio.create_task(request(limiter, sent, "sendMessage", 42))
    await request(limiter, sent, "sendChatAction", 42)
    await request(limiter, sent, "sendMessageDraft", 42)
    await settle()
    assert sent.log == ["sendChatAction", "sendMessageDraft"]
    limiter._retry_after_event.set()
    await message
    assert sent.log[-1] == "sendMessage"
    await limiter.shutdown()


async def test_a_private_chat_may_burst_a_few_messages_then_is_paced() -> None:
    limiter, sent = MessageRateLimiter(), Sent()
    await limiter.initialize()
    for _ in range(PRIVATE_BURST):
        await request(limiter, sent, "sendMessage", 42)
    assert not limiter._private_limiter(42).has_capacity()
    assert limiter._private_limiter(43).has_capacity()  # another chat is not held up
    await request(limiter, sent, "sendMessageDraft", 42)  # a preview is not a message
    assert sent.log == ["sendMessage"] * PRIVATE_BURST + ["sendMessageDraft"]
    await limiter.shutdown()


BOT_API_METHODS = (
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendVoice",
    "sendAudio",
    "sendVideo",
    "sendSticker",
    "sendMediaGroup",
    "sendPoll",
    "copyMessage",
    "forwardMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageMedia",
    "editMessageReplyMarkup",
    "sendChatAction",
    "sendMessageDraft",
    "answerCallbackQuery",
    "deleteMessage",
    "getChat",
    "getFile",
    "getUpdates",
    "getMe",
    "setMyCommands",
)


def test_the_limiter_counts_the_methods_the_fake_telegram_counts() -> None:
    # The fake's rules are written from Telegram's FAQ, apart from the bot's own list.
    for method in BOT_API_METHODS:
        assert counted(method) == (posts(method) or edits(method)), method
    assert {m for m in BOT_API_METHODS if counted(m)} >= {"sendVoice", "editMessageMedia"}


async def test_calls_that_are_not_messages_are_not_held_by_a_flood_pause() -> None:
    limiter, sent = MessageRateLimiter(), Sent()
    await limiter.initialize()
    limiter._retry_after_event.clear()
    message = asyncio.create_task(request(limiter, sent, "sendVoice", 42))
    for method in ("deleteMessage", "getChat", "sendChatAction"):
        await request(limiter, sent, method, 42)
    await settle()
    assert sent.log == ["deleteMessage", "getChat", "sendChatAction"]
    limiter._retry_after_event.set()
    await message
    assert sent.log[-1] == "sendVoice"
    await limiter.shutdown()


async def test_a_preview_edit_is_paced_per_chat_but_spends_no_overall_budget() -> None:
    limiter, sent = MessageRateLimiter(), Sent()
    await limiter.initialize()
    overall = limiter._base_limiter
    assert overall is not None
    limiter._retry_after_event.clear()  # final messages would wait now; a preview does not
    with previewing():
        await request(limiter, sent, "editMessageText", -100)
        await request(limiter, sent, "editMessageText", 42)
    assert sent.log == ["editMessageText", "editMessageText"]
    assert overall.has_capacity(overall.max_rate)  # nothing spent from the 30/s
    assert not limiter._get_group_limiter(-100).has_capacity(20)  # the group's 20/min was
    limiter._retry_after_event.set()
    await request(limiter, sent, "editMessageText", -100)  # the final edit: a message
    assert not overall.has_capacity(overall.max_rate)
    await limiter.shutdown()


def test_the_fake_counts_posts_overall_and_edits_only_in_their_chat() -> None:
    flood = FloodLimits()
    for n in range(30):  # 30 chats, one message each, at one instant: the overall burst
        assert flood.check("sendMessage", 100 + n, True, now=0.0) is None
    assert flood.check("sendVoice", 200, True, now=0.0) == 1  # the 31st message waits
    assert flood.check("editMessageText", 100, True, now=0.0) is None  # an edit: not overall
    assert flood.check("sendChatAction", 200, True, now=0.0) is None  # not a message at all
    # Chat 100 has had a message and an edit: the third of its burst of 3, then it waits.
    assert flood.check("editMessageMedia", 100, True, now=0.0) is None
    assert flood.check("editMessageMedia", 100, True, now=0.0) == 1
    assert flood.check("editMessageText", 100, True, now=0.0) == 1
    assert flood.refused_by_method == {"sendVoice": 1, "editMessageMedia": 1, "editMessageText": 1}
