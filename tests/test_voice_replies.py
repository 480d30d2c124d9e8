"""/voice on|off: the client's replies also spoken, by a model on the fake server's
/audio/speech or by espeak-ng offline, sent with sendVoice after the text."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.audio import container, ogg_seconds
from bot.domain.scenario import Persona
from bot.services.voice import gender_of
from bot.settings import Settings
from bot.storage.usage import ModelCallRow
from tests.support.bot_harness import PRIVATE, BotHarness
from tests.support.fake_openai import FakeOpenAI
from tests.support.speech import need_tools


@pytest.fixture
def fake_tts() -> Iterator[FakeOpenAI]:
    """The fake provider serving /audio/speech."""
    with FakeOpenAI() as server:
        yield server


def tts_settings(settings: Settings, fake: FakeOpenAI, **more: Any) -> Settings:
    """Offline client and judge; replies spoken by tts-1 on the fake server."""
    values = {"tts_model": "tts-1", "openai_base_url": fake.url, "llm_max_retries": 0, **more}
    return settings.model_copy(update=values)


@pytest.fixture
async def bot(settings: Settings, fake_tts: FakeOpenAI) -> AsyncIterator[BotHarness]:
    """The bot with TTS_MODEL on the fake server."""
    need_tools()
    async with BotHarness(tts_settings(settings, fake_tts)) as harness:
        yield harness
    assert harness.api.unexpected == []


async def play_one_turn(bot: BotHarness) -> None:
    """/practice → the health bureau case → skip → one typed turn."""
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    await bot.press(label="跳过")
    await bot.text("王科长您好，我想了解一下项目验收的情况。")


async def test_voice_replies_are_off_until_the_rep_turns_them_on(bot: BotHarness) -> None:
    await bot.text("/voice")
    assert "客户语音回复：已关闭" in bot.last_text()
    await play_one_turn(bot)
    assert bot.api.calls_to("sendVoice") == []


async def test_with_voice_on_each_client_reply_is_also_sent_as_opus_after_its_text(
    bot: BotHarness, fake_tts: FakeOpenAI
) -> None:
    await bot.text("/voice on")
    assert "tts-1" in bot.last_text()
    await play_one_turn(bot)
    voices = bot.api.calls_to("sendVoice")
    assert len(voices) == 2  # the opening line and the answer to the turn
    spoken = [r["input"] for r in fake_tts.speech_requests]
    texts = bot.api.texts(PRIVATE)
    assert spoken[-1] in texts[-2]  # the text first, then its voice
    assert [(r["model"], r["voice"], r["response_format"]) for r in fake_tts.speech_requests] == [
        ("tts-1", "alloy", "opus")
    ] * 2
    audio = voices[-1].files["voice"]
    assert container(audio) == "ogg"
    assert (ogg_seconds(audio) or 0) > 0.5
    sent = bot.api.sent(PRIVATE)
    assert "voice" in sent[-1]


async def test_speech_usage_is_recorded_with_its_seconds(bot: BotHarness) -> None:
    await bot.text("/voice on")
    await play_one_turn(bot)
    async with bot.services.db.session() as s:
        calls = list(
            (await s.scalars(select(ModelCallRow).where(ModelCallRow.role == "tts"))).all()
        )
    assert [(c.model, c.ok) for c in calls] == [("tts-1", True)] * 2
    assert all((c.audio_seconds or 0) > 0 and c.prompt_tokens > 0 for c in calls)


async def test_voice_off_stops_the_spoken_replies(bot: BotHarness) -> None:
    await bot.text("/voice on")
    await bot.text("/voice off")
    assert bot.last_text() == "好的，客户只回文字。"
    await play_one_turn(bot)
    assert bot.api.calls_to("sendVoice") == []


async def test_without_a_tts_model_espeak_ng_speaks_offline(settings: Settings) -> None:
    need_tools()
    async with BotHarness(settings) as harness:
        await harness.text("/voice on")
        assert "离线 espeak-ng" in harness.last_text()
        await play_one_turn(harness)
        audio = harness.api.calls_to("sendVoice")[-1].files["voice"]
        assert container(audio) == "ogg"
        assert (ogg_seconds(audio) or 0) > 0.5


async def test_a_failing_speech_model_falls_back_to_the_offline_voice(
    settings: Settings, fake_tts: FakeOpenAI
) -> None:
    need_tools()
    dead = tts_settings(settings, fake_tts, tts_base_url="http://127.0.0.1:9/v1")
    async with BotHarness(dead) as harness:
        await harness.text("/voice on")
        await play_one_turn(harness)
        assert len(harness.api.calls_to("sendVoice")) == 2
        async with harness.services.db.session() as s:
            failed = list(
                (await s.scalars(select(ModelCallRow).where(ModelCallRow.ok.is_(False)))).all()
            )
        assert {(c.role, c.model) for c in failed} == {("tts", "tts-1")}
    assert fake_tts.speech_requests == []


@pytest.mark.parametrize(
    ("name", "role", "gender", "expected"),
    [
        ("刘女士", "办公室主任", None, "female"),
        ("Mr. Zhou", "director", None, "male"),
        ("王科长", "信息科科长", None, None),
        ("王科长", "信息科科长", "male", "male"),
    ],
)
def test_the_persona_voice_follows_the_scenario_or_the_name(
    name: str, role: str, gender: str | None, expected: str | None
) -> None:
    persona = Persona(name=name, role=role, style="简短", motivations=["按流程"], gender=gender)  # type: ignore[arg-type]
    assert gender_of(persona) == expected


async def test_at_the_monthly_cap_replies_are_spoken_by_the_offline_voice(
    settings: Settings, fake_tts: FakeOpenAI
) -> None:
    need_tools()
    async with BotHarness(tts_settings(settings, fake_tts, llm_user_monthly_token_cap=1)) as bot:
        await bot.text("/voice on")
        await play_one_turn(bot)  # the opening line spends more than the cap
        assert len(fake_tts.speech_requests) == 1
        assert len(bot.api.calls_to("sendVoice")) == 2  # the answer in espeak-ng's voice
