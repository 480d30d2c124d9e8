"""End to end against a misbehaving Telegram: `trainer run` as a subprocess, polling a fake Bot
API over HTTP that fails 30% of every send, edit and answer (500, 502, or a connection reset
before the answer), and hands out an update python-telegram-bot cannot parse."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.i18n import Catalog
from tests.support.chaos import Chaos
from tests.support.fake_bot_api import FakeBotApiServer
from tests.test_telegram_e2e import (
    CHAT,
    WAIT,
    BotProcess,
    client_lines,
    press,
    send,
    stored_transcript,
    wait_client_lines,
    wait_text,
)

WALKTHROUGH = Path(__file__).parent / "walkthroughs" / "district-health-tail-payment.good.txt"
LINES = WALKTHROUGH.read_text(encoding="utf-8").splitlines()[:6]
GENERIC = Catalog.load().t("zh", "error.generic")


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    """The fake Bot API on a free port."""
    with FakeBotApiServer() as running:
        yield running


@pytest.fixture
def bot(server: FakeBotApiServer, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot process (killed at the end if still running)."""
    process = BotProcess(server, tmp_path)
    try:
        yield process
    finally:
        process.close()


def test_with_thirty_percent_of_sends_failing_every_stored_answer_reaches_the_rep(
    server: FakeBotApiServer, bot: BotProcess, tmp_path: Path
) -> None:
    api = server.api
    bot.start()
    api.wait_calls("getUpdates", 1, timeout=WAIT)
    api.chaos = Chaos(0.3, seed=3)
    send(api, "/practice")
    wait_text(api, "选择一个场景")
    press(api, "区卫健委")
    wait_text(api, "<b>评分标准（权重）</b>")
    press(api, "跳过")
    wait_client_lines(api, 1)
    for n, line in enumerate(LINES, start=2):
        send(api, line)
        wait_client_lines(api, n)  # an owed answer comes back with the retry job
    assert bot.stop() == 0
    stored = [
        text for speaker, text in asyncio.run(stored_transcript(tmp_path)) if speaker == "client"
    ]
    shown = [html.unescape(line.split("\n", 1)[1]) for line in client_lines(api)]
    # Every answer, in order. A send that timed out after the fake took it is retried and shows
    # twice in a row (at-least-once, see the README); on a busy machine that happens.
    once = [a for i, a in enumerate(shown) if i == 0 or a != shown[i - 1]]
    assert once == stored
    assert len(api.chaos.struck) >= 5  # the faults happened (how many depends on timing)
    assert GENERIC not in api.texts(CHAT)


def test_an_update_ptb_cannot_parse_is_logged_once_and_skipped(
    server: FakeBotApiServer, bot: BotProcess
) -> None:
    api = server.api
    bot.start()
    api.wait_calls("getUpdates", 1, timeout=WAIT)
    poison = api.text(CHAT, "hi")
    poison["message"]["date"] = "tomorrow"  # PTB raises TypeError parsing it
    api.deliver(poison)
    send(api, "/start")
    wait_text(api, "我是<b>回款陪练</b>")
    assert bot.stop() == 0
    logged = bot.log.read_text(encoding="utf-8")
    assert logged.count(f"update {poison['update_id']} cannot be read and is skipped") == 1
    assert "Error while parsing updates" not in logged
    assert api.fetched.count(poison["update_id"]) == 1
