"""Order, duplicates, restarts and failures: what the rep sends is never lost or played twice."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest

from bot.composition import container
from bot.errors import ProviderError
from bot.i18n import Catalog
from bot.logs import configure_logging
from bot.settings import Settings
from bot.storage.telegram import UpdateInbox
from tests.support.bot_api import BotApi
from tests.support.bot_harness import PRIVATE, BotHarness, bot_settings, eventually
from tests.support.scripted_client import ScriptedClient, services_with
from tests.test_telegram_flow import begin_play

OTHER = 1002


async def transcript(bot: BotHarness, telegram_id: int = PRIVATE) -> list[tuple[str, str]]:
    """(speaker, text) of the rep's latest session (in progress or already graded)."""
    user = await bot.rep_id(telegram_id)
    latest = await bot.services.practice.history(user, limit=1)
    started, _ = await bot.services.practice.open(user, latest[0].id)
    return [(t.speaker, t.text) for t in started.session.transcript]


async def received(bot: BotHarness, updates: list[dict[str, object]]) -> bool:
    """Whether the inbox has written every one of these updates down."""
    async with bot.services.db.session() as s:
        pending = await UpdateInbox(s, bot.api.bot_user["id"]).unfinished()
    wanted = {u["update_id"] for u in updates}
    return wanted <= {p["update_id"] for p in pending}


def scripted(settings: Settings, api: BotApi | None = None) -> tuple[BotHarness, ScriptedClient]:
    """A harness whose client is the scripted one."""
    client = ScriptedClient()
    api = api or BotApi()
    harness = BotHarness(settings, api, services_with(bot_settings(settings, api), client))
    return harness, client


LINES = [
    "您好，我是华信科技的小陈，今天来想了解一下项目验收的情况。",
    "您的意思是验收还没有走完，对吗？",
    "想请教一下，验收一般由哪位领导负责？",
]


async def test_three_messages_sent_while_the_client_answers_each_become_a_turn_in_order(
    settings: Settings,
) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        await begin_play(bot)
        gate = client.gate("小陈")
        updates = [bot.api.text(PRIVATE, line) for line in LINES]
        sending = asyncio.create_task(bot.send(*updates))

        async def all_in_and_first_asked() -> bool:
            return bool(client.asked) and await received(bot, updates)

        try:
            await eventually(all_in_and_first_asked)
            asked_while_answering = list(client.asked)
        finally:
            gate.set()
        await asyncio.wait_for(sending, 10)
        assert asked_while_answering == LINES[:1]  # the other two waited for the first reply
        expected = [
            turn for line in LINES for turn in (("rep", line), ("client", f"reply to: {line}"))
        ]
        assert (await transcript(bot))[1:] == expected
        finals = [c.text for c in bot.api.calls_to("sendMessage", PRIVATE)[-3:]]
        assert [f.split("\n")[1] for f in finals] == [f"reply to: {line}" for line in LINES]


async def test_a_slow_chat_does_not_hold_up_another_chat(settings: Settings) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        await begin_play(bot, PRIVATE)
        await begin_play(bot, OTHER)
        gate = client.gate("慢")
        slow = asyncio.create_task(bot.send(bot.api.text(PRIVATE, "慢慢说")))
        quick = asyncio.create_task(bot.send(bot.api.text(OTHER, "快问一句")))

        async def other_chat_answered() -> bool:
            return ("client", "reply to: 快问一句") in await transcript(bot, OTHER)

        try:
            await eventually(other_chat_answered)
            slow_still_waiting = ("client", "reply to: 慢慢说") not in await transcript(bot)
        finally:
            gate.set()
        await asyncio.wait_for(asyncio.gather(slow, quick), 10)
        assert slow_still_waiting
        assert ("client", "reply to: 慢慢说") in await transcript(bot)


async def test_a_duplicated_update_is_handled_once(settings: Settings) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        await begin_play(bot)
        update = bot.api.text(PRIVATE, "您好")
        await bot.send(update, update)
        await bot.send(update)
        assert client.asked == ["您好"]
        assert (await transcript(bot))[1:] == [("rep", "您好"), ("client", "reply to: 您好")]


async def test_restart_mid_session_continues_where_it_stopped(settings: Settings) -> None:
    api = BotApi()
    async with BotHarness(settings, api) as bot:
        await begin_play(bot)
        await bot.text("您好，我是华信科技的小陈。")
        before = await transcript(bot)
    async with BotHarness(settings, api) as bot:
        await bot.text("想请教一下，项目验收现在走到哪一步了？")
        after = await transcript(bot)
    assert after[: len(before)] == before
    assert after[len(before)] == ("rep", "想请教一下，项目验收现在走到哪一步了？")
    assert after[-1][0] == "client"


async def test_update_received_but_unfinished_before_a_crash_is_handled_after_restart(
    settings: Settings,
) -> None:
    api = BotApi()
    async with BotHarness(settings, api) as bot:
        await begin_play(bot)
    # The process died after writing the update down and before handling it.
    lost = api.text(PRIVATE, "您好，我来了解一下验收的情况。")
    async with container(bot_settings(settings, api)) as services, services.db.session() as s:
        await UpdateInbox(s, api.bot_user["id"]).receive(lost["update_id"], PRIVATE, lost)
    async with BotHarness(settings, api) as bot:
        assert ("rep", "您好，我来了解一下验收的情况。") in await transcript(bot)
        assert (await transcript(bot))[-1][0] == "client"
        assert bot.last_text().startswith("<b>")


async def test_model_failure_keeps_the_turn_and_offers_to_ask_again(settings: Settings) -> None:
    harness, client = scripted(settings)
    async with harness as bot:
        await begin_play(bot)
        client.failures["验收"] = ProviderError()
        await bot.text("验收走到哪一步了？")
        assert bot.last_text() == Catalog.load().t("zh", "error.provider")
        buttons = bot.api.sent(PRIVATE)[-1]["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["text"] == "🔄 让客户重新回答"
        await bot.press(label="让客户重新回答")
        assert (await transcript(bot))[-2:] == [
            ("rep", "验收走到哪一步了？"),
            ("client", "reply to: 验收走到哪一步了？"),
        ]


async def test_unexpected_error_is_logged_with_traceback_and_rep_sees_a_generic_line(
    settings: Settings,
) -> None:
    harness, client = scripted(settings)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(harness.settings, stream, level="INFO")
    try:
        async with harness as bot:
            await begin_play(bot)
            client.failures["坏"] = RuntimeError(f"boom with {bot.api.token}")
            await bot.text("坏消息")
            assert bot.last_text() == "出了点问题，已经记录下来了。请稍后再试。"
            assert not any("boom" in t for t in bot.api.texts(PRIVATE))
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    logged = stream.getvalue()
    assert "Traceback" in logged
    assert "RuntimeError: boom with ***" in logged
    assert bot.api.token not in logged


@pytest.mark.parametrize("delivery", ["draft", "edit"])
async def test_html_refused_by_telegram_falls_back_to_plain_text(
    settings: Settings, delivery: str
) -> None:
    chat = PRIVATE
    async with BotHarness(settings) as bot:
        await begin_play(bot, chat)
        if delivery == "edit":  # drafts refused: the reply is sent, then edited in place
            bot.api.fail_next("sendMessageDraft", 400, "Bad Request: method is not available")
            await bot.text("您好，我是华信科技的小陈。", chat)
        bot.api.fail_next(
            "sendMessage" if delivery == "draft" else "editMessageText",
            400,
            "Bad Request: can't parse entities: Unsupported start tag",
        )
        await bot.text("您好", chat)
        last = bot.api.sent(chat)[-1]
        assert "<b>" not in str(last["text"])
        assert str(last["text"]).split("\n", 1)[1]  # the reply itself is there


async def test_an_answer_stored_but_never_sent_before_a_crash_is_sent_after_restart(
    settings: Settings,
) -> None:
    api = BotApi()
    async with BotHarness(settings, api) as bot:
        await begin_play(bot)
    # The process played the turn and stored the answer, then died before sending it.
    update = api.text(PRIVATE, "您好，我是华信科技的小陈，关于二期项目尾款，想麻烦您约一下王科长。")
    async with container(bot_settings(settings, api)) as services:
        person = await services.users.telegram(PRIVATE, "rep", "zh")
        current = await services.practice.current(person.id)
        assert current is not None
        message = update["message"]
        assert isinstance(message, dict)
        played = await services.practice.reply(
            person.id,
            current.session.id,
            str(message["text"]),
            source_key=f"tg:{PRIVATE}:{message['message_id']}",
        )
        async with services.db.session() as s:
            await UpdateInbox(s, api.bot_user["id"]).receive(update["update_id"], PRIVATE, update)
    sent_before = len(api.texts(PRIVATE))

    async def answered() -> bool:
        return len(api.texts(PRIVATE)) > sent_before

    async with BotHarness(settings, api) as bot:
        await eventually(answered)
        assert played.reply in bot.last_text()
        turns = await transcript(bot)
    assert [speaker for speaker, _ in turns].count("rep") == 1
