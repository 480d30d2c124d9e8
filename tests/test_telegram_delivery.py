"""Telegram faults on the way out: a reply the client owes the rep is delivered or retried,
never dropped, never regenerated, never replaced by a generic error, and shown once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update as sql_update
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.i18n import Catalog
from bot.settings import Settings
from bot.storage.telegram import TelegramUpdateRow, UpdateInbox
from bot.telegram.inbox import MAX_TRIES
from bot.telegram.retries import Backoff, RetryingRateLimiter
from tests.support.bot_api import BotApi
from tests.support.bot_harness import PRIVATE, BotHarness
from tests.support.chaos import Chaos
from tests.test_telegram_durability import scripted, transcript
from tests.test_telegram_flow import begin_play

GENERIC = Catalog.load().t("zh", "error.generic")
WALKTHROUGH = Path(__file__).parent / "walkthroughs" / "district-health-tail-payment.good.txt"
TURNS = WALKTHROUGH.read_text(encoding="utf-8").splitlines()[:7]  # short of the closing turn


def answers_shown(api: BotApi) -> list[str]:
    """The scripted client's answers as the rep sees them (the line under the speaker's name)."""
    lines = [t.split("\n", 1)[-1] for t in api.texts(PRIVATE)]
    return [line for line in lines if line.startswith("reply to: ")]


async def flush_owed(bot: BotHarness, rounds: int = 20) -> None:
    """Run the retry job (as the JobQueue would every 15 s) until nothing is owed."""
    queue = bot.app.job_queue
    assert queue is not None
    job = next(j for j in queue.jobs() if j.name == "resend_owed")
    for _ in range(rounds):
        if not bot.runtime.inbox.all_owed():
            return
        await job.run(bot.app)
        await bot.app.update_queue.join()


async def unfinished(bot: BotHarness) -> set[int]:
    """Ids of the updates the inbox has not marked done."""
    async with bot.services.db.session() as s:
        pending = await UpdateInbox(s, bot.api.bot_user["id"]).unfinished()
    return {int(p["update_id"]) for p in pending}


async def test_thirty_percent_5xx_and_resets_on_every_send_lose_no_reply(
    settings: Settings,
) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        bot.api.chaos = Chaos(0.3, seed=7)
        # A rep who sees no brief cannot press its button: the retry job delivers what is owed
        # (every 15 s in production) before each press.
        await bot.text("/practice")
        await flush_owed(bot)
        await bot.press(label="区卫健委")
        await flush_owed(bot)
        await bot.press(label="跳过")
        for line in TURNS:
            await bot.text(line)
        await flush_owed(bot)
        stored = [text for speaker, text in await transcript(bot) if speaker == "client"][1:]
        assert len(bot.api.chaos.struck) >= 10  # the faults really happened
        assert stored == [f"reply to: {line}" for line in TURNS]
        assert [a for a in answers_shown(bot.api) if a in stored] == stored  # all, in order
        assert GENERIC not in bot.api.texts(PRIVATE)
        assert client.asked == TURNS  # each answered once: re-sent, never regenerated


async def test_a_reply_refused_after_every_retry_is_sent_before_the_chats_next_message(
    settings: Settings,
) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        await begin_play(bot)
        for _ in range(5):  # the first try and all four retries
            bot.api.fail_next("sendMessage", 502, "Bad Gateway", chat_id=PRIVATE)
        first = await bot.text("验收走到哪一步了？")
        assert answers_shown(bot.api) == []
        assert GENERIC not in bot.api.texts(PRIVATE)
        assert first["update_id"] in await unfinished(bot)
        await bot.text("您的意思是还在走流程，对吗？")
        assert answers_shown(bot.api) == [
            "reply to: 验收走到哪一步了？",
            "reply to: 您的意思是还在走流程，对吗？",
        ]
        assert client.asked == ["验收走到哪一步了？", "您的意思是还在走流程，对吗？"]
        assert await unfinished(bot) == set()


async def test_while_telegram_still_refuses_the_owed_reply_the_next_message_waits_behind_it(
    settings: Settings,
) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        await begin_play(bot)
        for _ in range(10):  # two updates' worth of tries
            bot.api.fail_next("sendMessage", 500, "Internal Server Error", chat_id=PRIVATE)
        await bot.text("验收走到哪一步了？")
        second = await bot.text("您的意思是还在走流程，对吗？")
        assert client.asked == ["验收走到哪一步了？"]  # not played while the first is owed
        assert second["update_id"] in await unfinished(bot)
        await flush_owed(bot)
        assert answers_shown(bot.api) == [
            "reply to: 验收走到哪一步了？",
            "reply to: 您的意思是还在走流程，对吗？",
        ]


async def test_a_reply_still_owed_when_the_bot_stops_is_sent_at_start_up(
    settings: Settings,
) -> None:
    api = BotApi()
    harness, _ = scripted(settings, api)
    async with harness as bot:
        await begin_play(bot)
        for _ in range(5):
            api.fail_next("sendMessage", 502, "Bad Gateway", chat_id=PRIVATE)
        await bot.text("验收走到哪一步了？")
        assert answers_shown(api) == []
    restarted, again = scripted(settings, api)
    async with restarted as bot:
        assert answers_shown(api) == ["reply to: 验收走到哪一步了？"]
        assert again.asked == []  # the stored answer, not a new one
        assert await unfinished(bot) == set()


async def test_a_reply_telegram_never_takes_is_given_up_so_the_chat_goes_on(
    settings: Settings,
) -> None:
    harness, _ = scripted(settings)
    async with harness as bot:
        await begin_play(bot)
        tries = 5 * (MAX_TRIES + 1)  # five calls each time it is handled
        for _ in range(tries):
            bot.api.fail_next("sendMessage", 500, "Internal Server Error", chat_id=PRIVATE)
        first = await bot.text("验收走到哪一步了？")
        await flush_owed(bot)
        assert bot.runtime.inbox.all_owed() == []
        assert first["update_id"] not in await unfinished(bot)
        await bot.text("您的意思是还在走流程，对吗？")
        assert answers_shown(bot.api) == ["reply to: 您的意思是还在走流程，对吗？"]


async def reopen(bot: BotHarness, update_id: int) -> None:
    """As if the process died after the reply went out, before the update was marked done."""
    async with bot.services.db.session() as s:
        await s.execute(
            sql_update(TelegramUpdateRow)
            .where(TelegramUpdateRow.update_id == update_id)
            .values(done_at=None)
        )


async def test_a_replayed_update_whose_reply_telegram_took_is_not_answered_again(
    settings: Settings,
) -> None:
    api = BotApi()
    async with BotHarness(settings, api) as bot:
        await begin_play(bot)
        update = await bot.text("您好，我是华信科技的小陈。")
        shown = answers_shown(api)
        await reopen(bot, update["update_id"])
    async with BotHarness(settings, api) as bot:  # replays the unfinished update
        assert answers_shown(api) == shown
        assert await unfinished(bot) == set()


async def test_the_same_message_under_a_new_update_id_is_not_answered_again(
    settings: Settings,
) -> None:
    async with BotHarness(settings) as bot:
        await begin_play(bot)
        update = await bot.text("您好，我是华信科技的小陈。")
        shown = answers_shown(bot.api)
        await bot.send({**update, "update_id": update["update_id"] + 100})
        assert answers_shown(bot.api) == shown


class Flaky:
    """A Bot API call that fails with `errors` in turn, then answers True."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args: object, **kwargs: object) -> bool:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return True


async def send_through(endpoint: str, call: Flaky, pauses: list[float] | None = None) -> None:
    """One call through the retrying rate limiter; its pauses go to `pauses`."""
    taken = pauses if pauses is not None else []

    async def pause(seconds: float) -> None:
        taken.append(seconds)

    limiter = RetryingRateLimiter(3, Backoff(sleep=pause))
    assert await limiter.process_request(call, (), {}, endpoint, {"chat_id": PRIVATE}, None)


async def test_network_errors_and_5xx_are_retried_with_growing_pauses() -> None:
    call = Flaky(NetworkError("Bad Gateway"), TimedOut(), NetworkError("httpx.ReadError"))
    pauses: list[float] = []
    await send_through("sendMessage", call, pauses)
    assert (call.calls, pauses) == (4, [0.25, 0.5, 1.0])


async def test_a_bad_request_is_not_retried() -> None:
    call = Flaky(BadRequest("Bad Request: chat not found"))
    with pytest.raises(BadRequest):
        await send_through("sendMessage", call)
    assert call.calls == 1


async def test_a_failure_that_outlasts_every_retry_is_raised() -> None:
    call = Flaky(*[NetworkError("Internal Server Error (500)") for _ in range(5)])
    with pytest.raises(NetworkError):
        await send_through("editMessageText", call)
    assert call.calls == 5


async def test_previews_and_the_typing_action_are_not_retried() -> None:
    for endpoint in ("sendMessageDraft", "sendChatAction"):
        call = Flaky(NetworkError("Bad Gateway"))
        with pytest.raises(NetworkError):
            await send_through(endpoint, call)
        assert call.calls == 1
