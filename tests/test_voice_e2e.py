"""End to end: `trainer run` as a subprocess polling the fake Bot API over HTTP, with speech to
text and text to speech on the fake OpenAI-compatible server over HTTP: a real Ogg/Opus voice
note is downloaded, transcribed, shown, played, and the client's answer comes back spoken."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.audio import container
from tests.support.fake_bot_api import FakeBotApiServer
from tests.support.fake_openai import FakeOpenAI
from tests.support.speech import need_tools, voice_note
from tests.test_telegram_e2e import CHAT, WAIT, BotProcess, client_lines, press, send, wait_text

SPOKEN = "王科长您好，我想了解一下项目验收的情况。"


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    """The fake Bot API on a free port."""
    with FakeBotApiServer() as running:
        yield running


@pytest.fixture
def bot(server: FakeBotApiServer, fake: FakeOpenAI, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot process with STT_MODEL and TTS_MODEL on the fake provider."""
    need_tools()
    process = BotProcess(server, tmp_path)
    process.env.update(
        OPENAI_BASE_URL=fake.url, STT_MODEL="whisper-1", TTS_MODEL="tts-1", LLM_MAX_RETRIES="0"
    )
    try:
        yield process
    finally:
        process.close()


def test_a_voice_note_is_heard_played_and_answered_aloud_over_http(
    server: FakeBotApiServer, fake: FakeOpenAI, bot: BotProcess
) -> None:
    api = server.api
    bot.start()
    send(api, "/voice on")
    wait_text(api, "tts-1")
    send(api, "/practice")
    wait_text(api, "选择一个场景")
    press(api, "区卫健委")
    wait_text(api, "<b>评分标准（权重）</b>")
    press(api, "跳过")
    api.wait_for(lambda: len(client_lines(api)) >= 1, WAIT, "the opening line")
    fake.hear(SPOKEN)
    update = api.voice(CHAT, content=voice_note(SPOKEN), duration=4)
    api.deliver(update)
    api.wait_for(lambda: len(client_lines(api)) >= 2, WAIT, "the client's answer")
    heard = wait_text(api, "我听到的是")
    assert SPOKEN in heard
    assert api.downloads == [update["message"]["voice"]["file_id"]]
    [upload] = fake.uploads
    assert (upload.fields["model"], upload.fields["language"]) == ("whisper-1", "zh")
    voices = api.wait_for(
        lambda: len(api.calls_to("sendVoice")) >= 2 and api.calls_to("sendVoice"), WAIT
    )
    assert all(container(v.files["voice"]) == "ogg" for v in voices)
    assert fake.speech_requests[-1]["input"] in client_lines(api)[-1]
    assert bot.stop() == 0
