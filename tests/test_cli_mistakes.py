"""A newcomer's mistakes, made as a newcomer makes them (the CLI as a subprocess): each gets one
clear line naming what to fix, no traceback, and the right exit code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import ROOT

SCENARIO = "district-health-tail-payment"
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The user's environment: none of our settings, a home and data directory of their own."""
    ours = ("DATABASE_URL", "TELEGRAM_", "OPENAI_", "LLM_", "TEAM_", "XDG_DATA_HOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), **extra)
    return env


def trainer(
    tmp_path: Path, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env_for(tmp_path, **extra),
        cwd=tmp_path,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The single line a failure printed (and nothing like a traceback)."""
    assert result.returncode == code, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "token", ["abc", "123456:ABC…", f" {GOOD_TOKEN}", f"{GOOD_TOKEN}\t", "123456789:AAH dqTcvCH1"]
)
def test_a_malformed_bot_token_is_named_with_its_shape_and_never_printed(
    tmp_path: Path, token: str
) -> None:
    line = one_line(trainer(tmp_path, "run", TELEGRAM_BOT_TOKEN=token), 2)
    assert "TELEGRAM_BOT_TOKEN" in line
    assert "123456789:AAH…" in line and "@BotFather" in line
    assert token.strip() not in line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("garbage", "sqlite+aiosqlite:///"),
        ("postgres://u:pw@127.0.0.1/test", "postgresql+asyncpg://u:***@127.0.0.1/test"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("mysql+aiomysql://u:pw@127.0.0.1/db", "postgresql+asyncpg://"),
        ("postgresql+asyncpg://postgres@127.0.0.1:1/test", "127.0.0.1:1"),
    ],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["play", "-s", SCENARIO]])
def test_a_database_url_that_cannot_work_gets_one_line_with_an_example(
    tmp_path: Path, url: str, says: str, command: list[str]
) -> None:
    result = trainer(tmp_path, *command, stdin="/end\n", DATABASE_URL=url)
    line = one_line(result, 1 if ":1/" in url else 2)
    assert line.startswith("DATABASE_URL")
    assert says in line
    assert "pw" not in line


def test_a_database_that_does_not_exist_is_named(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_database_here"
    probe = trainer(tmp_path, "db", "upgrade", DATABASE_URL=url)
    if "连不上" in probe.stderr:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    line = one_line(probe, 1)
    assert line.startswith("DATABASE_URL") and "「no_such_database_here」" in line


def test_a_sqlite_file_in_a_missing_directory_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "deeper"
    url = f"sqlite+aiosqlite:///{missing / 'trainer.db'}"
    line = one_line(trainer(tmp_path, "db", "upgrade", DATABASE_URL=url), 2)
    assert line.startswith("DATABASE_URL") and str(missing) in line
    assert not (tmp_path / "nowhere").exists()


def test_the_default_database_lives_in_the_user_data_directory(tmp_path: Path) -> None:
    done = trainer(tmp_path, "db", "upgrade", XDG_DATA_HOME=str(tmp_path / "xdg"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "xdg" / "huikuan-trainer" / "trainer.db").is_file()
    assert not (tmp_path / "data").exists()


def test_ctrl_c_at_the_prompt_saves_says_so_and_exits_130_at_once(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "play", "-s", SCENARIO, "--plan", "先问验收人"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for(tmp_path, XDG_DATA_HOME=str(tmp_path / "xdg")),
        cwd=tmp_path,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("您好，我是华信科技的小陈，想了解一下验收的进展。\n".encode())
    proc.stdin.flush()
    seen = b""
    while "你：".encode() not in seen:  # the rep's line echoed: the client answered, we wait
        chunk = proc.stdout.read1(4096)
        assert chunk, seen.decode()
        seen += chunk
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=20)  # stdin stays open: nothing but Ctrl-C ends it
    assert proc.returncode == 130
    assert time.monotonic() - started < 15
    assert "已中断。进度已保存" in err.decode()
    assert "Traceback" not in err.decode()


TRANSCRIPT = "销售：您好，我是华信科技的小陈，想了解一下验收进展。\n客户：还在走流程。\n"


def test_a_gbk_transcript_is_read_as_gb18030_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_bytes(TRANSCRIPT.encode("gbk"))
    done = trainer(tmp_path, "grade", str(path))
    assert done.returncode == 0, done.stderr
    assert "不是 UTF-8，已按 GB18030（GBK）读取" in done.stderr
    assert "评分卡" in done.stdout


def test_a_transcript_in_neither_encoding_says_how_to_save_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_bytes(b"\xff\xfe\x80\x81 rep: hello \x84\x31\xa4\x39\xfe")
    line = one_line(trainer(tmp_path, "grade", str(path)), 1)
    assert "不是 UTF-8" in line and "另存为 UTF-8" in line


def test_a_settings_error_names_the_environment_variable(tmp_path: Path) -> None:
    line = one_line(trainer(tmp_path, "scenarios", "list", TEAM_TIME_ZONE="Mars/Base"), 2)
    assert "TEAM_TIME_ZONE" in line and "team_time_zone" not in line


def test_help_shows_boolean_options_as_flags(tmp_path: Path) -> None:
    shown = trainer(tmp_path, "play", "--help").stdout
    assert "--new " in shown and "--new <bool>" not in shown and "<bool>" not in shown


def test_an_english_transcript_gets_no_chinese_header(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_text("rep: Hello, how is the acceptance going?\nclient: Still in process.\n")
    done = trainer(tmp_path, "grade", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Grader: offline rules")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in done.stdout + done.stderr)


def test_a_fresh_install_can_create_list_and_export_a_team(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "ADMIN_TELEGRAM_IDS": "42"}
    created = trainer(tmp_path, "team", "create", "华东一组", **env)
    assert created.returncode == 0, created.stderr
    assert "编号 1" in created.stdout
    assert trainer(tmp_path, "team", "list", **env).stdout.startswith("1  华东一组  Asia/Shanghai")
    out = tmp_path / "month.csv"
    exported = trainer(
        tmp_path, "team", "export", "--team", "1", "--format", "csv", "--out", str(out), **env
    )
    assert exported.returncode == 0, exported.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
