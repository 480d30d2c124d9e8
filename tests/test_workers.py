"""Several workers, one truth: `trainer run` webhook workers on PostgreSQL behind a round-robin
poster that delivers like Telegram (each chat's updates one after another, a failed or
timed-out POST retried on the next worker), many chats in bursts, one worker SIGKILLed in the
middle of streaming; and the refusals: a second worker on SQLite, a second long poller."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.services.users import UserService
from bot.storage.database import Database
from bot.storage.repositories import SessionRepository
from tests.conftest import POSTGRES_URL, postgres_skip_reason
from tests.support.bot_api import BotApi
from tests.support.fake_bot_api import FakeBotApiServer
from tests.test_telegram_e2e import LINES, WAIT, BotProcess, _free_port, _wait_listening, speakers

SECRET = "multi_worker-secret"
CHATS = [7001 + i for i in range(8)]
POST_TIMEOUT = 10.0  # Telegram gives a webhook about this long before it tries again


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    """The fake Bot API on a free port."""
    with FakeBotApiServer() as running:
        yield running


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the workers (dropped afterwards)."""
    reason = asyncio.run(postgres_skip_reason())
    if reason:
        pytest.skip(reason)
    import asyncpg

    name = f"tw_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class RoundRobin:
    """Posts updates to the workers in turn, as Telegram posts to one endpoint behind a load
    balancer: a POST that fails or times out is sent again, to the next worker."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self._next = itertools.count()
        self.retried = 0

    def post(self, update: dict[str, Any]) -> None:
        """Deliver one update (200 from some worker), retrying as Telegram would."""
        body = json.dumps(update).encode()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        deadline = time.monotonic() + WAIT
        while True:
            url = self.urls[next(self._next) % len(self.urls)]
            request = urllib.request.Request(url, body, headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass  # that worker is down or slow: Telegram tries again
            self.retried += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"update {update['update_id']} delivered to no worker")
            time.sleep(0.1)  # Telegram's retry pause, shortened


def client_lines(api: BotApi, chat: int) -> list[str]:
    """The client's finished messages in a chat."""
    return [t for t in api.texts(chat) if t.startswith(speakers())]


def wait_text(api: BotApi, chat: int, fragment: str) -> None:
    """Block until the bot said something containing `fragment` in `chat`."""
    api.wait_for(
        lambda: any(fragment in t for t in api.texts(chat)), WAIT, f"{fragment!r} in {chat}"
    )


async def transcripts(url: str) -> dict[int, list[tuple[str, str]]]:
    """Each chat's latest session as stored."""
    db = Database(url)
    found: dict[int, list[tuple[str, str]]] = {}
    try:
        for chat in CHATS:
            person = await UserService(db, "zh").telegram(chat, "", None)
            async with db.session() as s:
                repo = SessionRepository(s)
                latest = (await repo.history(person.id, limit=1))[0]
                loaded = await repo.load(latest.id)
            assert loaded is not None
            found[chat] = [(t.speaker, t.text) for t in loaded[0].transcript]
    finally:
        await db.dispose()
    return found


def webhook_worker(
    server: FakeBotApiServer, workdir: Path, url: str, name: str
) -> tuple[BotProcess, int]:
    """A `trainer run` webhook worker on PostgreSQL, not started yet; and its port."""
    workdir.mkdir()
    bot = BotProcess(server, workdir)
    port = _free_port()
    bot.env.update(
        DATABASE_URL=url,
        WORKER_NAME=name,
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
    )
    return bot, port


def test_three_webhook_workers_answer_every_message_once_in_order_through_a_kill(
    server: FakeBotApiServer, pg_url: str, tmp_path: Path
) -> None:
    api = server.api
    workers = [webhook_worker(server, tmp_path / f"w{i}", pg_url, f"w{i}") for i in range(3)]
    try:
        for bot, _ in workers:
            bot.start()  # all at once: the migrations race, under their advisory lock
        for _, port in workers:
            _wait_listening(port)
        hub = RoundRobin([f"http://127.0.0.1:{port}/hook" for _, port in workers])

        def open_session(chat: int) -> None:
            hub.post(api.text(chat, "/practice"))
            wait_text(api, chat, "选择一个场景")
            hub.post(api.press(chat, label="区卫健委"))
            wait_text(api, chat, "<b>评分标准（权重）</b>")
            hub.post(api.press(chat, label="跳过"))
            api.wait_for(lambda: client_lines(api, chat), WAIT, f"the opening line in {chat}")

        with ThreadPoolExecutor(len(CHATS)) as pool:
            list(pool.map(open_session, CHATS))

        # Each chat sends its three lines in a burst (the rep does not wait for answers).
        bursts = {chat: [api.text(chat, line) for line in LINES] for chat in CHATS}
        held = api.hold("sendMessageDraft")

        def burst(chat: int) -> None:
            for update in bursts[chat]:
                hub.post(update)

        with ThreadPoolExecutor(len(CHATS)) as pool:
            posted = [pool.submit(burst, chat) for chat in CHATS]
            assert held.arrived.wait(WAIT)
            # Streams are under way in several chats (each stuck at its first preview) ...
            api.wait_for(
                lambda: len({c.chat_id for c in api.calls_to("sendMessageDraft")}) >= 3,
                WAIT,
                "replies streaming in three chats",
            )
            workers[0][0].kill()  # ... when one worker dies, mid-stream
            api.release("sendMessageDraft")
            for future in posted:
                future.result()

        for chat in CHATS:
            api.wait_for(
                lambda chat=chat: len(client_lines(api, chat)) >= 1 + len(LINES),
                2 * WAIT,
                f"every line answered in {chat}",
            )
        for chat in CHATS:
            hub.post(api.text(chat, "/end"))
        for chat in CHATS:
            wait_text(api, chat, "<b>评分卡 · 区卫健委信息系统二期尾款</b>")
        for bot, _ in workers[1:]:
            assert bot.stop() == 0
    finally:
        for bot, _ in workers:
            bot.close()

    stored = asyncio.run(transcripts(pg_url))
    for chat in CHATS:
        assert len(client_lines(api, chat)) == 1 + len(LINES), chat  # once each, none lost
        assert [text for speaker, text in stored[chat] if speaker == "rep"] == LINES, chat
        speakers_in_order = [speaker for speaker, _ in stored[chat]]
        assert speakers_in_order == ["client", *["rep", "client"] * len(LINES)], chat
        assert len([t for t in api.texts(chat) if "<b>评分卡" in t]) == 1, chat
    assert api.unexpected == []


def test_a_second_worker_on_sqlite_is_refused_with_the_reason(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    first = BotProcess(server, tmp_path)
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    try:
        first.start()
        server.api.wait_calls("getUpdates", 1, timeout=WAIT)
        second = BotProcess(server, second_dir)
        second.env["DATABASE_URL"] = first.env["DATABASE_URL"]
        second.start()
        assert second.proc is not None
        assert second.proc.wait(timeout=WAIT) == 2
        said = second.log.read_text("utf-8")
        assert "另一个 trainer run 正在使用这个 SQLite 数据库" in said
        assert "Traceback" not in said
        assert first.proc is not None and first.proc.poll() is None  # the first serves on
    finally:
        first.close()


def test_a_second_long_poller_on_postgresql_says_so(
    server: FakeBotApiServer, pg_url: str, tmp_path: Path
) -> None:
    first = BotProcess(server, tmp_path)
    first.env["DATABASE_URL"] = pg_url
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    second = BotProcess(server, second_dir)
    second.env.update(DATABASE_URL=pg_url, LANG="C")
    try:
        first.start()
        server.api.wait_calls("getUpdates", 1, timeout=WAIT)
        second.start()
        assert second.proc is not None
        assert second.proc.wait(timeout=WAIT) == 2
        said = second.log.read_text("utf-8")
        assert "长轮询只能有一个进程" in said
        assert "TELEGRAM_WEBHOOK_URL" in said
    finally:
        first.close()
        second.close()


async def test_two_workers_claiming_the_same_weekly_board_post_it_once(
    db: Database,
) -> None:
    if db.is_sqlite:
        pytest.skip("one worker on SQLite: nothing to race")
    from bot.storage.board_posts import claim_board
    from bot.storage.models import User
    from bot.storage.teams import Team

    async with db.session() as s:
        trainer = User(telegram_id=501, display_name="王老师")
        s.add(trainer)
        await s.flush()
        team = Team(name="华东一组", chat_id=-100123, created_by=trainer.id)
        s.add(team)
        await s.flush()
        team_id = team.id
    week = dt.date(2026, 11, 30)

    async def worker(database: Database) -> bool:
        async with database.session() as s:
            return await claim_board(s, team_id, week, -100123)

    # Three units of work on three connections at once (three workers' jobs firing together):
    # the unique row is the claim, and PostgreSQL lets one insert win.
    results = await asyncio.gather(worker(db), worker(db), worker(db))
    assert sorted(results) == [False, False, True]
