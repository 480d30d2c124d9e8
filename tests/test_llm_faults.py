"""Provider faults through the real gateway and the fake server: the rep's turn is always
kept, the message says what happened, and the next message gets the client's answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.composition import Container, container
from bot.domain.session import Phase
from bot.errors import ProviderError
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.llm import Deltas, begin_session, client_reply, llm_settings

HELLO = "您好，我是华信科技的小陈，想找王科长谈一下二期项目，麻烦您了。"


@pytest.fixture
async def llm_app(tmp_path: Path, fake: FakeOpenAI) -> AsyncIterator[Container]:
    async with container(llm_settings(tmp_path, fake, llm_timeout_seconds=0.5)) as app:
        yield app


async def _turn_kept_then_answered(app: Container, fake: FakeOpenAI, error: ProviderError) -> None:
    """After a failure: the rep's turn is saved, the message is specific, the next one merges."""
    user, session = error.params["user"], error.params["session"]
    current = await app.practice.current(user)
    assert current is not None
    assert current.session.phase == Phase.PLAY
    assert current.session.awaiting_reply()
    assert current.session.transcript.turns[-1].text == HELLO
    message = app.catalog.error("zh", error.code, error.params)
    assert message != app.catalog.t("zh", "error.generic")
    assert "已保存" in message
    fake.script(client_reply("您是哪个单位的？找王科长什么事呢？"))
    result = await app.practice.reply(user, session, "麻烦您了。")
    assert result.reply == "您是哪个单位的？找王科长什么事呢？"
    rep_turns = result.session.transcript.rep_turns()
    assert rep_turns[-1].text == f"{HELLO}\n麻烦您了。"
    assert len(result.session.transcript) == 3


async def _fail(app: Container) -> ProviderError:
    """Play the greeting against a provider the caller has scripted to fail."""
    user, session = await begin_session(app)
    with pytest.raises(ProviderError) as caught:
        await app.practice.reply(user, session, HELLO, on_delta=Deltas())
    caught.value.params.update(user=user, session=session)
    return caught.value


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("timeout", "llm.error.unavailable"),
        ("server_error", "llm.error.unavailable"),
        ("rate_limit", "llm.error.unavailable"),
        ("bad_request", "llm.error.misconfigured"),
    ],
)
async def test_a_failing_provider_keeps_the_turn_and_says_so(
    llm_app: Container, fake: FakeOpenAI, fault: str, code: str
) -> None:
    attempts = 1 if fault == "bad_request" else 2  # a 400 is not retried; the rest are, once
    fake.script(*(Reply(fault=fault, retry_after="0") for _ in range(attempts)))  # type: ignore[arg-type]
    error = await _fail(llm_app)
    assert error.code == code
    await _turn_kept_then_answered(llm_app, fake, error)


async def test_a_stream_cut_off_after_words_were_shown_keeps_the_turn(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script(
        Reply(
            client_reply("您好。王科长在开会，您要不先留个电话？我这边还有事。"), fault="truncate"
        )
    )
    error = await _fail(llm_app)
    assert error.code == "llm.error.interrupted"
    await _turn_kept_then_answered(llm_app, fake, error)


async def test_a_stream_cut_off_before_any_word_is_retried_once(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script(
        Reply("您好" * 40, fault="truncate", chunk_chars=4),  # cut before a sentence ends
        client_reply("您是哪个单位的？"),
    )
    user, session = await begin_session(llm_app)
    shown = Deltas()
    result = await llm_app.practice.reply(user, session, HELLO, on_delta=shown)
    assert result.reply == "您是哪个单位的？"
    assert shown.text == "您是哪个单位的？"
    assert len(fake.requests) == 2


async def test_a_garbled_stream_event_is_retried_when_nothing_was_shown(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script(Reply("您", fault="malformed"), client_reply("您找王科长什么事？"))
    user, session = await begin_session(llm_app)
    result = await llm_app.practice.reply(user, session, HELLO)
    assert result.reply == "您找王科长什么事？"


async def test_rate_limit_is_retried_after_the_time_the_provider_asks(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script(Reply(fault="rate_limit", retry_after="0.3"), client_reply("您找哪位？"))
    user, session = await begin_session(llm_app)
    result = await llm_app.practice.reply(user, session, HELLO)
    assert result.reply == "您找哪位？"
    first, second = fake.requests
    assert second.at - first.at >= 0.3


async def test_a_reply_without_words_is_asked_again_then_voiced_offline(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script('{"mood_change": 0}', "<<<STATE>>>")
    user, session = await begin_session(llm_app)
    shown = Deltas()
    result = await llm_app.practice.reply(user, session, HELLO, on_delta=shown)
    assert result.reply
    assert shown.text == result.reply
    assert len(fake.requests) == 2


async def test_a_missing_state_keeps_the_words_and_notes_the_problem(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script("您是哪个单位的？")
    user, session = await begin_session(llm_app)
    result = await llm_app.practice.reply(user, session, HELLO)
    assert result.reply == "您是哪个单位的？"
    assert llm_app.usage is not None
    from bot.storage.usage import UsageRepository

    async with llm_app.db.session() as s:
        rows = await UsageRepository(s).for_session(session)
    assert rows[-1].detail is not None
    assert rows[-1].detail["state_error"] == "missing"


async def test_replies_stream_while_the_model_is_still_writing(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script(
        Reply(client_reply("您好。王科长在开会。您先留个电话吧。"), chunk_chars=3, gate_after=2)
    )
    held_when_first_shown: list[bool] = []

    async def sink(piece: str) -> None:
        if not held_when_first_shown:
            # The server is (or is about to be) held mid-stream; if the client had waited for
            # the whole reply, the server would never be waiting here.
            held_when_first_shown.append(await asyncio.to_thread(fake.waiting.wait, 5.0))
            fake.gate.set()

    user, session = await begin_session(llm_app)
    result = await llm_app.practice.reply(user, session, HELLO, on_delta=sink)
    assert held_when_first_shown == [True]
    assert result.reply.startswith("您好。王科长在开会。您先留个电话吧。")
    assert fake.requests[-1].body["stream"] is True


async def test_the_model_state_disagreeing_with_the_engine_changes_nothing_earned(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    fake.script(client_reply("您稍等。", facts_revealed=["payment_owner"], stage_change=True))
    user, session = await begin_session(llm_app)
    result = await llm_app.practice.reply(user, session, "你好")
    assert result.session.client.earned == ()
    assert result.session.client.stage == 0
    from bot.storage.usage import UsageRepository

    async with llm_app.db.session() as s:
        rows = await UsageRepository(s).for_session(session)
    fields = {d["field"] for d in (rows[-1].detail or {}).get("disagreements", [])}
    assert {"facts_revealed", "stage_change"} <= fields
