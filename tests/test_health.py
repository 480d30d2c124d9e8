"""`trainer health` as a subprocess: database reachable and migrated, Bot API getMe, the job
loop's heartbeat; exit 0 healthy, 1 not (what Docker's HEALTHCHECK reads)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.heartbeats import HeartbeatRow
from tests.support.fake_bot_api import FakeBotApiServer
from tests.test_telegram_e2e import WAIT, BotProcess

TRAINER = Path(sys.executable).with_name("trainer")


def health(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`trainer health` with these settings."""
    return subprocess.run(
        [str(TRAINER), "health", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment without the developer's secrets, on a SQLite file in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_", "DATABASE_URL", "WORKER_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'trainer.db'}"
    return env


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    """The fake Bot API on a free port."""
    with FakeBotApiServer() as running:
        yield running


def test_an_unmigrated_database_is_unhealthy_until_upgraded(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    before = health(env, tmp_path)
    assert before.returncode == 1
    assert "trainer db upgrade" in before.stdout
    subprocess.run([str(TRAINER), "db", "upgrade"], cwd=tmp_path, env=env, check=True)
    after = health(env, tmp_path, "--json")
    assert after.returncode == 0, after.stdout + after.stderr
    body = json.loads(after.stdout)
    assert body["healthy"] is True
    assert list(body["checks"]) == ["database"]  # no token: no Bot API, no job loop to check


def test_an_unreachable_database_is_unhealthy_and_its_password_never_shown(
    tmp_path: Path,
) -> None:
    env = base_env(tmp_path)
    env["DATABASE_URL"] = "postgresql+asyncpg://bot:hunter2secret@127.0.0.1:1/trainer"
    done = health(env, tmp_path)
    assert done.returncode == 1
    assert "DATABASE_URL" in done.stdout
    assert "hunter2secret" not in done.stdout + done.stderr


def test_a_running_bot_is_healthy_and_a_stale_heartbeat_is_not(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    bot = BotProcess(server, tmp_path)
    bot.env["WORKER_NAME"] = "w1"
    try:
        bot.start()
        server.api.wait_calls("setMyCommands", 1, timeout=WAIT)
        env = {**bot.env}
        done = server.api.wait_for(
            lambda: (d := health(env, tmp_path, "--json")).returncode == 0 and d,
            timeout=WAIT,
            what="a healthy worker",
        )
        body = json.loads(done.stdout)
        assert body["checks"]["bot_api"]["username"] == "huikuan_test_bot"
        assert body["checks"]["heartbeat"]["mode"] == "polling"
        assert bot.stop() == 0
    finally:
        bot.close()

    async def stale() -> None:
        db = Database(env["DATABASE_URL"])
        old = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        async with db.session() as s:
            s.add(HeartbeatRow(worker="w0", mode="polling", pid=1, started_at=old, beat_at=old))
        await db.dispose()

    asyncio.run(stale())
    env["WORKER_NAME"] = "w0"
    done = health(env, tmp_path)
    assert done.returncode == 1
    assert "w0" in done.stdout and "✗" in done.stdout
    env["WORKER_NAME"] = "nobody"
    assert "还没有 nobody 的心跳" in health(env, tmp_path).stdout


def test_a_token_the_bot_api_refuses_is_unhealthy(server: FakeBotApiServer, tmp_path: Path) -> None:
    env = base_env(tmp_path)
    env.update(
        TELEGRAM_BOT_TOKEN="123456:" + "x" * 30,
        TELEGRAM_API_BASE_URL=server.base_url,
    )
    subprocess.run([str(TRAINER), "db", "upgrade"], cwd=tmp_path, env=env, check=True)
    done = health(env, tmp_path, "--lang", "en")
    assert done.returncode == 1
    assert "TELEGRAM_BOT_TOKEN is not accepted" in done.stdout
    assert "x" * 30 not in done.stdout + done.stderr
