"""Voice notes are turns: real Ogg/Opus speech (espeak-ng + opusenc) sent as Telegram voice
notes through the real PTB Application, downloaded from the fake Bot API, transcribed by the
fake OpenAI-compatible server over HTTP, shown to the rep and played; bad audio is refused with
a clear word and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.composition import gateway_config
from bot.domain.audio import Clip, container, ogg_seconds
from bot.errors import VoiceRejected
from bot.i18n import Catalog
from bot.llm.transcriber import Transcriber
from bot.offline.client import OfflineClient, load_phrases
from bot.offline.judge import OfflineJudge
from bot.scenarios.library import ScenarioLibrary
from bot.services.grading import GradingService
from bot.services.practice import PracticeService
from bot.services.usage import UsageLedger
from bot.services.users import UserService
from bot.services.voice import VoiceService
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import TurnRow
from bot.storage.usage import ModelCallRow
from tests.conftest import SCENARIO_ID
from tests.support.bot_harness import PRIVATE, BotHarness
from tests.support.fake_openai import FakeOpenAI
from tests.support.speech import Heard, need_tools, silence_note, voice_note

SPOKEN = "王科长您好，我想了解一下项目验收的情况。"
NOT_PLAYED = "没有算作发言"


@pytest.fixture(scope="module")
def spoken_note() -> bytes:
    """The rep's words as a real Ogg/Opus voice note."""
    need_tools()
    return voice_note(SPOKEN)


@pytest.fixture
def fake_stt() -> Iterator[FakeOpenAI]:
    """The fake provider serving /audio/transcriptions."""
    with FakeOpenAI() as server:
        yield server


def voice_settings(settings: Settings, fake: FakeOpenAI, **more: Any) -> Settings:
    """Offline client and judge, speech to text on the fake server."""
    values: dict[str, Any] = {
        "stt_model": "whisper-1",
        "openai_base_url": fake.url,
        "llm_timeout_seconds": 1.0,
        "llm_max_retries": 0,
        **more,
    }
    return settings.model_copy(update=values)


@pytest.fixture
async def bot(settings: Settings, fake_stt: FakeOpenAI) -> AsyncIterator[BotHarness]:
    """The bot on the offline Bot API with STT_MODEL set."""
    async with BotHarness(voice_settings(settings, fake_stt)) as harness:
        yield harness
    assert harness.api.unexpected == []


async def begin_play(bot: BotHarness) -> None:
    """/practice → the health bureau case → skip the plan."""
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    await bot.press(label="跳过")


async def stored_turns(bot: BotHarness) -> list[TurnRow]:
    """Every stored turn of every session, in order."""
    async with bot.services.db.session() as s:
        return list((await s.scalars(select(TurnRow).order_by(TurnRow.id))).all())


async def test_a_voice_note_is_shown_quoted_then_played_as_the_reps_turn(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await begin_play(bot)
    fake_stt.hear(SPOKEN)
    update = bot.api.voice(PRIVATE, content=spoken_note, duration=4)
    await bot.send(update)
    sent = bot.api.sent(PRIVATE)
    heard = next(m for m in sent if "我听到的是" in str(m.get("text")))
    assert heard["reply_to_message"]["message_id"] == update["message"]["message_id"]
    assert SPOKEN in str(heard["text"])
    assert "我听到的是" not in str(sent[-1]["text"])  # the client answers after it
    turns = await stored_turns(bot)
    assert [t.speaker for t in turns] == ["client", "rep", "client"]
    assert turns[-1].text in str(sent[-1]["text"])
    rep = [t for t in turns if t.speaker == "rep"]
    assert [(t.text, t.voice_transcript) for t in rep] == [(SPOKEN, SPOKEN)]
    measured = ogg_seconds(spoken_note)
    assert measured is not None
    assert rep[0].voice_seconds == pytest.approx(measured, abs=0.01)
    assert rep[0].voice_file_id == update["message"]["voice"]["file_id"]
    assert bot.api.downloads == [update["message"]["voice"]["file_id"]]


async def test_the_transcription_request_carries_the_audio_as_sent_and_the_language(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await begin_play(bot)
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note))
    [upload] = fake_stt.uploads
    assert (upload.fields["model"], upload.fields["language"]) == ("whisper-1", "zh")
    assert upload.data == spoken_note  # Ogg/Opus as Telegram gave it, not converted
    assert (upload.file_name, upload.content_type) == ("speech.ogg", "audio/ogg")
    assert upload.seconds is not None
    assert upload.seconds == pytest.approx(ogg_seconds(spoken_note) or 0, abs=0.1)


async def test_transcription_usage_is_recorded_with_the_seconds_of_audio(
    bot: BotHarness, spoken_note: bytes
) -> None:
    await begin_play(bot)
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note))
    async with bot.services.db.session() as s:
        calls = list(
            (await s.scalars(select(ModelCallRow).where(ModelCallRow.role == "stt"))).all()
        )
    assert [(c.model, c.ok, c.session_id is not None) for c in calls] == [("whisper-1", True, True)]
    assert calls[0].audio_seconds == pytest.approx(ogg_seconds(spoken_note) or 0, abs=0.01)
    assert calls[0].prompt_tokens > 0  # seconds counted as tokens, so the caps hold


async def test_a_voice_note_while_preparing_is_the_plan(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    await bot.press(label="写计划")
    fake_stt.hear("先问验收人和验收标准，再问付款责任人。")
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note))
    current = await bot.services.practice.current(await bot.rep_id())
    assert current is not None
    assert current.session.plan == "先问验收人和验收标准，再问付款责任人。"


async def test_a_voice_note_without_stt_model_says_what_to_configure(
    settings: Settings, spoken_note: bytes
) -> None:
    async with BotHarness(settings) as harness:
        await begin_play(harness)
        before = len(await stored_turns(harness))
        await harness.send(harness.api.voice(PRIVATE, content=spoken_note))
        assert "STT_MODEL" in harness.last_text()
        assert harness.api.downloads == []
        assert len(await stored_turns(harness)) == before


async def test_a_voice_note_outside_practice_points_to_practice(bot: BotHarness) -> None:
    await bot.send(bot.api.voice(PRIVATE))
    assert bot.last_text() == (
        "语音只在练习中当作发言（写计划或和客户对话时）。发 /practice 选一个场景开始。"
    )


async def test_a_thirty_minute_recording_is_refused_without_downloading_it(
    bot: BotHarness, spoken_note: bytes
) -> None:
    await begin_play(bot)
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note, duration=1800))
    assert bot.last_text() == (
        "这条语音有 1800 秒，一条最多 10.0 分钟。没有算作发言：请分几条说，或者精简一下。"
    )
    assert bot.api.downloads == []


async def test_a_video_note_is_refused_with_what_to_send_instead(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.send(bot.api.video_note(PRIVATE))
    assert "视频消息" in bot.last_text()


@pytest.mark.parametrize(
    ("audio", "heard", "expected"),
    [
        ("empty", None, "这条语音是空的"),
        ("silence", None, "这条语音是空的"),
        ("text", None, "不是能识别的音频"),
        ("speech", Heard(fault="timeout"), "语音转写服务暂时没有响应"),
        ("speech", Heard(fault="server_error"), "语音转写服务暂时没有响应"),
        ("speech", Heard(fault="garbage"), "语音转写服务暂时没有响应"),
        ("speech", Heard(""), "没听清这条语音"),
    ],
)
async def test_bad_audio_gets_a_clear_word_and_nothing_is_played(
    bot: BotHarness,
    fake_stt: FakeOpenAI,
    spoken_note: bytes,
    audio: str,
    heard: Heard | None,
    expected: str,
) -> None:
    await begin_play(bot)
    data = {
        "empty": b"",
        "silence": silence_note(0.0) if audio == "silence" else b"",
        "text": "这不是音频".encode(),
        "speech": spoken_note,
    }[audio]
    if heard is not None:
        fake_stt.hear(heard)
    before = [(t.speaker, t.text) for t in await stored_turns(bot)]
    await bot.send(bot.api.voice(PRIVATE, content=data, duration=0 if audio == "silence" else 3))
    assert expected in bot.last_text()
    assert NOT_PLAYED in bot.last_text()
    assert [(t.speaker, t.text) for t in await stored_turns(bot)] == before


async def test_an_audio_file_in_play_is_heard_like_a_voice_note(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await begin_play(bot)
    fake_stt.hear(SPOKEN)
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note, field="audio"))
    rep = [t for t in await stored_turns(bot) if t.speaker == "rep"]
    assert [t.text for t in rep] == [SPOKEN]


def test_the_container_is_read_from_the_bytes_not_a_name() -> None:
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    assert [container(b"OggS\x00"), container(wav), container(b"ID3\x04"), container(b"hi")] == [
        "ogg",
        "wav",
        "mp3",
        None,
    ]


async def test_spoken_turns_are_stored_with_their_voice_on_sqlite_and_postgresql(
    db: Database,
    library: ScenarioLibrary,
    catalog: Catalog,
    fake_stt: FakeOpenAI,
    spoken_note: bytes,
    tmp_path: Path,
) -> None:
    judge = OfflineJudge(catalog)
    practice = PracticeService(
        db, library, OfflineClient(load_phrases()), GradingService(judge, None, None)
    )
    settings = Settings(_env_file=None, openai_base_url=fake_stt.url, llm_max_retries=0)  # type: ignore[call-arg]
    transcriber = Transcriber(gateway_config(settings), "whisper-1")
    voice = VoiceService(transcriber, UsageLedger(db))
    try:
        person = await UserService(db, "zh").local("rep")
        started = await practice.start(person.id, SCENARIO_ID)
        await practice.begin(person.id, started.session.id)
        fake_stt.hear(SPOKEN)
        note = await voice.hear(Clip(spoken_note, 4, "file-abc"), "zh", person.id)
        result = await practice.reply(person.id, started.session.id, note.transcript, voice=note)
    finally:
        await transcriber.aclose()
    assert result.reply
    async with db.session() as s:
        row = await s.scalar(select(TurnRow).where(TurnRow.speaker == "rep"))
    assert row is not None
    assert (row.voice_file_id, row.voice_transcript) == ("file-abc", SPOKEN)
    assert row.voice_seconds == pytest.approx(ogg_seconds(spoken_note) or 0, abs=0.01)
    loaded = await practice.current(person.id)
    assert loaded is not None
    assert loaded.session.transcript.spoken


async def test_the_service_refuses_when_no_model_is_set() -> None:
    with pytest.raises(VoiceRejected) as caught:
        await VoiceService(None).hear(Clip(b"OggS", 3), "zh")
    assert caught.value.code == "voice.not_configured"


async def test_the_scorecard_shows_speech_figures_only_when_the_rep_spoke(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await begin_play(bot)
    fake_stt.hear("嗯，" + SPOKEN)
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note))
    await bot.text("/end")
    card = next(t for t in reversed(bot.api.texts(PRIVATE)) if "评分卡" in t)
    assert "🎙 语速" in card
    assert "口头禅 1 个" in card
    await begin_play(bot)
    await bot.text("您好，我想了解一下验收的情况。")
    await bot.text("/end")
    typed = next(t for t in reversed(bot.api.texts(PRIVATE)) if "评分卡" in t)
    assert typed != card
    assert "语速" not in typed


def test_voice_messages_exist_in_both_languages_with_the_same_placeholders(
    catalog: Catalog,
) -> None:
    from bot.i18n import placeholders

    zh = {k for k in catalog.keys("zh") if k.startswith("voice.")}
    en = {k for k in catalog.keys("en") if k.startswith("voice.")}
    assert zh == en
    assert [
        k for k in zh if placeholders(catalog.raw("zh", k)) != placeholders(catalog.raw("en", k))
    ] == []


async def test_at_the_monthly_cap_a_voice_note_is_refused_and_not_transcribed(
    settings: Settings, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    capped = voice_settings(settings, fake_stt, llm_user_monthly_token_cap=1)
    async with BotHarness(capped) as harness:
        await begin_play(harness)
        await harness.send(harness.api.voice(PRIVATE, content=spoken_note))  # spends > 1 token
        before = [(t.speaker, t.text) for t in await stored_turns(harness)]
        await harness.send(harness.api.voice(PRIVATE, content=spoken_note))
        assert "本月的模型用量已达上限，语音暂时不能转写" in harness.last_text()
        assert len(fake_stt.uploads) == 1
        assert [(t.speaker, t.text) for t in await stored_turns(harness)] == before


async def test_a_voice_note_delivered_again_is_neither_heard_nor_played_twice(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await begin_play(bot)
    fake_stt.hear(SPOKEN)
    update = bot.api.voice(PRIVATE, content=spoken_note)
    await bot.send(update)
    shown = len(bot.api.sent(PRIVATE))
    await bot.send({**update, "update_id": update["update_id"] + 1000})  # same message
    assert len(fake_stt.uploads) == 1
    assert len(bot.api.sent(PRIVATE)) == shown
    assert [t.speaker for t in await stored_turns(bot)] == ["client", "rep", "client"]


async def test_a_trainers_recording_outside_practice_is_graded_as_a_real_call(
    settings: Settings, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    staff = voice_settings(settings, fake_stt, admin_telegram_ids=[PRIVATE])
    async with BotHarness(staff) as harness:
        fake_stt.hear("王科长您好。验收报告由谁签字？李主任签字，验收后三十天内付款。")
        await harness.send(harness.api.voice(PRIVATE, content=spoken_note, field="audio"))
        card = harness.last_text()
        assert "录音转写为 2 轮（双人启发式" in card
        assert "评分卡" in card
        assert fake_stt.uploads[0].fields["response_format"] == "verbose_json"
        assert "language" not in fake_stt.uploads[0].fields  # a real call: the endpoint detects
        assert await stored_turns(harness) == []  # graded, not stored as a practice session


async def test_a_reps_recording_outside_practice_is_not_graded(
    bot: BotHarness, fake_stt: FakeOpenAI, spoken_note: bytes
) -> None:
    await bot.send(bot.api.voice(PRIVATE, content=spoken_note, field="audio"))
    assert "发 /practice" in bot.last_text()
    assert fake_stt.uploads == []
