"""`trainer grade call.ogg|mp3|wav`: a real two-voice recording (espeak-ng) transcribed by the
fake server over HTTP, cut into rep and client turns, graded; run as a user runs it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from bot.domain.call import Segment, call_transcript
from tests.support.fake_openai import FakeOpenAI
from tests.support.speech import Heard, need_tools, speak_wav, to_opus

SCENARIO = "district-health-tail-payment"
REP_1 = "王科长您好，我是华信科技的小陈。二期项目的验收进行到哪一步了？"
CLIENT_1 = "验收报告还在走流程，信息科牵头。"
REP_2 = "验收报告由谁签字？付款是在验收后多少天？"
CLIENT_2 = "李主任签字，验收后三十天内付款。"
TIMED = [
    (0.0, 4.0, REP_1),
    (5.0, 7.5, CLIENT_1),
    (8.5, 11.0, REP_2),
    (12.0, 14.0, CLIENT_2),
]


def two_voices() -> bytes:
    """A call as WAV: the rep in espeak-ng's Mandarin voice, a second of quiet, the client in
    a female variant."""
    parts = [speak_wav(REP_1, "cmn"), speak_wav(CLIENT_1, "cmn+f3")]
    frames, params = b"", None
    for part in parts:
        with wave.open(io.BytesIO(part)) as w:
            params = w.getparams()
            frames += w.readframes(w.getnframes()) + b"\x00\x00" * w.getframerate()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        assert params is not None
        w.setparams(params)
        w.writeframes(frames)
    return out.getvalue()


@pytest.fixture(scope="module")
def call_wav() -> bytes:
    """The recording, made once."""
    need_tools()
    return two_voices()


def recording(folder: Path, wav: bytes, suffix: str) -> Path:
    """The call saved as .wav, .ogg (Opus) or .mp3 (ffmpeg)."""
    path = folder / f"call{suffix}"
    if suffix == ".wav":
        path.write_bytes(wav)
    elif suffix == ".ogg":
        path.write_bytes(to_opus(wav))
    else:
        source = folder / "source.wav"
        source.write_bytes(wav)
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-i", str(source), str(path)], check=True, timeout=60
        )
    return path


def trainer(*args: str, folder: Path, fake: FakeOpenAI | None) -> subprocess.CompletedProcess[str]:
    """`trainer …` in a subprocess with STT_MODEL on the fake server (or none)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_", "STT_", "TTS_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / 'cli.db'}"
    if fake is not None:
        env.update(OPENAI_BASE_URL=fake.url, STT_MODEL="whisper-1", LLM_MAX_RETRIES="0")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=120,
    )


@pytest.mark.parametrize("suffix", [".ogg", ".mp3", ".wav"])
def test_a_recorded_call_is_transcribed_split_into_turns_and_graded(
    fake: FakeOpenAI, tmp_path: Path, call_wav: bytes, suffix: str
) -> None:
    path = recording(tmp_path, call_wav, suffix)
    fake.hear(Heard(segments=TIMED))
    result = trainer(
        "grade", str(path), "--scenario", SCENARIO, "--json", folder=tmp_path, fake=fake
    )
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert card["metrics"]["rep_turns"] == 2
    assert card["metrics"]["client_turns"] == 2
    assert card["metrics"]["speech"]["seconds"] == 6.5  # the rep's segments: 4 s + 2.5 s
    assert "录音转写为 4 轮（双人启发式" in result.stderr
    [upload] = fake.uploads
    assert upload.fields["response_format"] == "verbose_json"
    assert upload.fields["language"] == "zh"
    assert upload.data == path.read_bytes()
    assert upload.seconds is not None and upload.seconds > 5


def test_speaker_labels_from_the_endpoint_decide_who_said_what(
    fake: FakeOpenAI, tmp_path: Path, call_wav: bytes
) -> None:
    path = recording(tmp_path, call_wav, ".ogg")
    # The rep speaks twice in a row: alternation would get it wrong, the labels do not.
    labelled = [(0.0, 2.0, "王科长您好。", "A"), (2.1, 4.0, REP_2, "A"), (5.0, 7.0, CLIENT_2, "B")]
    fake.hear(Heard(segments=labelled))
    result = trainer("grade", str(path), "--json", folder=tmp_path, fake=fake)
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert (card["metrics"]["rep_turns"], card["metrics"]["client_turns"]) == (1, 1)
    assert "说话人由转写服务标注" in result.stderr


def test_an_endpoint_without_timestamps_is_split_at_questions(
    fake: FakeOpenAI, tmp_path: Path, call_wav: bytes
) -> None:
    path = recording(tmp_path, call_wav, ".ogg")
    fake.refuse_verbose = True  # refused with 400 before a scripted answer is used
    fake.hear(Heard(REP_1 + CLIENT_1 + REP_2 + CLIENT_2))
    result = trainer("grade", str(path), "--json", folder=tmp_path, fake=fake)
    assert result.returncode == 0, result.stderr
    assert [u.fields["response_format"] for u in fake.uploads] == ["verbose_json", "json"]
    card = json.loads(result.stdout)
    assert (card["metrics"]["rep_turns"], card["metrics"]["client_turns"]) == (2, 2)
    assert "speech" not in card["metrics"]  # no times, so no speaking rate


def test_a_recording_without_stt_model_says_what_to_configure(
    tmp_path: Path, call_wav: bytes
) -> None:
    path = recording(tmp_path, call_wav, ".wav")
    result = trainer("grade", str(path), folder=tmp_path, fake=None)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "STT_MODEL" in result.stderr


def test_a_file_that_is_not_audio_is_refused_in_words(fake: FakeOpenAI, tmp_path: Path) -> None:
    path = tmp_path / "call.mp3"
    path.write_text("这不是录音", "utf-8")
    result = trainer("grade", str(path), folder=tmp_path, fake=fake)
    assert result.returncode == 1
    assert "不是能识别的音频" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake.uploads == []


def test_the_heuristic_alternates_at_pauses_and_after_questions() -> None:
    segments = [
        Segment("您好，我是小陈。", 0.0, 1.5),
        Segment("想问下验收的情况？", 1.6, 3.0),  # no pause, same speaker; a question ends it
        Segment("还在走流程。", 3.2, 4.0),
        Segment("要等领导签字。", 4.1, 5.0),  # no pause: still the client
        Segment("好的，谢谢。", 6.0, 7.0),  # a pause: the rep again
    ]
    transcript = call_transcript(segments)
    assert [(t.speaker, t.text) for t in transcript] == [
        ("rep", "您好，我是小陈。想问下验收的情况？"),
        ("client", "还在走流程。要等领导签字。"),
        ("rep", "好的，谢谢。"),
    ]
    assert [t.seconds for t in transcript] == [2.9, None, 1.0]


def test_one_long_segment_is_cut_at_its_questions_with_its_time_shared_out() -> None:
    transcript = call_transcript([Segment("验收由谁签字？李主任签字。", 0.0, 6.0)])
    assert [(t.speaker, t.text) for t in transcript] == [
        ("rep", "验收由谁签字？"),
        ("client", "李主任签字。"),
    ]
    assert transcript.turns[0].seconds == pytest.approx(6.0 * 7 / 13)
