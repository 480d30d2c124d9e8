"""The rate limiter counts what Telegram counts: messages, not typing or draft previews."""

from __future__ import annotations

import asyncio

from bot.telegram.limits import PRIVATE_BURST, MessageRateLimiter


class Sent:
    """A request callback that records what went out."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def call(self, name: str) -> object:
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
        None,  # type: ignore[arg-type]
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
