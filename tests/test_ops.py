"""Operations: /metrics and /healthz on METRICS_PORT of a running `trainer run`, JSON log lines
with the update's context, secrets (the database password too) redacted, model calls and
429s counted."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.logs import bound, configure_logging
from bot.metrics import metrics
from bot.services.usage import ModelCall, UsageLedger
from bot.settings import Settings
from bot.storage.database import Database
from bot.telegram.limits import MessageRateLimiter
from tests.support.fake_bot_api import FakeBotApiServer
from tests.test_telegram_e2e import WAIT, BotProcess, _free_port, send, wait_text


@pytest.fixture
def fresh_metrics() -> Iterator[None]:
    """A new registry for the test."""
    metrics.cache_clear()
    yield
    metrics.cache_clear()


def sample(name: str, **labels: str) -> float:
    """One sample's value from this process's registry (0 when never counted)."""
    found = metrics().registry.get_sample_value(name, labels)
    return float(found or 0)


def get(url: str) -> tuple[int, str]:
    """GET a URL on 127.0.0.1: status and body."""
    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()


@pytest.fixture
def captured(settings: Settings) -> Iterator[io.StringIO]:
    """Root logging as JSON lines into a string, with a database password to hide."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    json_settings = settings.model_copy(
        update={
            "log_format": "json",
            "database_url": "postgresql+asyncpg://bot:pg-pass-4711@db:5432/trainer",
        }
    )
    configure_logging(json_settings, stream, level="INFO")
    try:
        yield stream
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


def test_json_lines_carry_the_bound_context_and_hide_the_database_password(
    captured: io.StringIO,
) -> None:
    log = logging.getLogger("bot.test")
    with bound(update_id=7, chat=42, user=42, session="s-1"):
        log.warning("connect to postgresql://bot:pg-pass-4711@db/trainer failed")
    log.info("outside")
    first, second = (json.loads(line) for line in captured.getvalue().splitlines())
    assert (first["update_id"], first["chat"], first["user"], first["session"]) == (
        7,
        42,
        42,
        "s-1",
    )
    assert first["level"] == "WARNING"
    assert "pg-pass-4711" not in first["msg"] and "***" in first["msg"]
    assert "update_id" not in second


async def test_a_model_call_is_counted_per_role_and_model(
    fresh_metrics: None, db: Database
) -> None:
    ledger = UsageLedger(db, clock=lambda: dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    usage = {"prompt_tokens": 120, "completion_tokens": 30, "latency_ms": 1500}
    await ledger.record(ModelCall("client", "qwen-plus", usage))
    await ledger.record(ModelCall("judge", "qwen-max", ok=False, error="error.provider"))
    assert (
        sample("trainer_llm_tokens_total", role="client", model="qwen-plus", kind="prompt") == 120
    )
    assert sample("trainer_llm_call_seconds_sum", role="client", model="qwen-plus") == 1.5
    assert (
        sample("trainer_llm_errors_total", role="judge", model="qwen-max", error="error.provider")
        == 1
    )


async def test_a_429_from_the_bot_api_is_counted(
    fresh_metrics: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    limiter = MessageRateLimiter(max_retries=1)
    answers: list[Any] = [RetryAfter(dt.timedelta(0)), True]

    async def call() -> bool:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return bool(answer)

    await limiter.initialize()
    assert await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert sample("trainer_telegram_429_total", method="sendMessage") == 1


def test_a_running_bot_serves_metrics_and_healthz_and_logs_json(tmp_path: Path) -> None:
    port = _free_port()
    with FakeBotApiServer() as server:
        bot = BotProcess(server, tmp_path)
        bot.env.update(METRICS_PORT=str(port), LOG_FORMAT="json", WORKER_NAME="w-ops")
        try:
            bot.start()
            server.api.wait_calls("getUpdates", 1, timeout=WAIT)
            send(server.api, "/start")
            wait_text(server.api, "我是<b>回款陪练</b>")
            base = f"http://127.0.0.1:{port}"
            status, text = server.api.wait_for(
                lambda: (
                    (r := get(f"{base}/metrics"))
                    and 'trainer_updates_handled_total{outcome="handled"} 1.0' in r[1]
                    and r
                ),
                WAIT,
                "the handled update counted",
            )
            assert status == 200
            assert "trainer_handler_seconds_bucket" in text
            status, body = server.api.wait_for(
                lambda: (r := get(f"{base}/healthz"))[0] == 200 and r, WAIT, "a healthy worker"
            )
            health = json.loads(body)
            assert health["worker"] == "w-ops"
            assert health["checks"]["heartbeat"]["ok"] is True
            assert get(f"{base}/nothing")[0] == 404
            assert bot.stop() == 0
        finally:
            bot.close()
    # Every log line is one JSON object (the banner before logging starts is for the operator).
    logged = bot.log.read_text("utf-8").splitlines()[1:]
    entries = [json.loads(line) for line in logged]
    assert {"ts", "level", "logger", "msg"} <= set(entries[0])
    assert any("METRICS_PORT" in e["msg"] or "/metrics" in e["msg"] for e in entries)
