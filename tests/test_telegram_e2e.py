"""End to end: `trainer run` as a subprocess, polling a fake Bot API over HTTP on 127.0.0.1,
with the offline client — a whole session to the scorecard and chart, killed with SIGKILL in
the middle of streaming a reply and restarted, then finished."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.scenarios.library import ScenarioLibrary
from bot.services.users import UserService
from bot.settings import ROOT
from bot.storage.database import Database
from bot.storage.repositories import SessionRepository
from tests.support.bot_api import BotApi
from tests.support.fake_bot_api import FakeBotApiServer

TRAINER = Path(sys.executable).with_name("trainer")
CHAT = 5150
WAIT = 60.0  # generous: two cold starts of Python, PTB and matplotlib on a busy 2-core machine
LINES = [
    "您好，我是华信科技的小陈，今天来想了解一下项目验收的情况。",
    "您的意思是验收还没有走完，对吗？想请教一下现在卡在哪个环节？",
    "理解您这边流程多。验收一般由哪位领导负责呢？",
]


class BotProcess:
    """`trainer run` in a subprocess, logging to a file."""

    def __init__(self, server: FakeBotApiServer, workdir: Path) -> None:
        self.workdir = workdir
        self.log = workdir / "bot.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_", "DATABASE_URL"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=server.api.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'trainer.db'}",
            LOG_LEVEL="INFO",
        )
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Launch (cwd is the temporary folder, so no developer .env is read)."""
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(TRAINER), "run"], cwd=self.workdir, env=self.env, stdout=log, stderr=log
            )

    def kill(self) -> None:
        """SIGKILL: no cleanup, like a crash or an OOM kill."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=WAIT)

    def stop(self) -> int:
        """SIGTERM and wait for a clean exit."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=WAIT)

    def close(self) -> None:
        """Never leave a process behind."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)


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


def speakers() -> tuple[str, ...]:
    """How the client's messages start: the bold name of a stage's persona."""
    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    return tuple(f"<b>{st.persona.name}" for s in library.all() for st in s.stages)


def client_lines(api: BotApi) -> list[str]:
    """The client's finished messages in the chat."""
    return [t for t in api.texts(CHAT) if t.startswith(speakers())]


def send(api: BotApi, text: str) -> int:
    """The rep sends a text; returns its update id."""
    update = api.text(CHAT, text)
    api.deliver(update)
    return int(update["update_id"])


def press(api: BotApi, label: str) -> None:
    """The rep presses a button."""
    api.deliver(api.press(CHAT, label=label))


def wait_text(api: BotApi, fragment: str) -> str:
    """Block until the bot has said something containing `fragment`; that message."""
    found = api.wait_for(
        lambda: next((t for t in api.texts(CHAT) if fragment in t), None),
        WAIT,
        f"a message containing {fragment!r}",
    )
    return str(found)


def wait_client_lines(api: BotApi, count: int) -> None:
    """Block until the client has spoken `count` times."""
    api.wait_for(lambda: len(client_lines(api)) >= count, WAIT, f"{count} client lines")


async def stored_transcript(workdir: Path) -> list[tuple[str, str]]:
    """The rep's latest session as stored in the database."""
    db = Database(f"sqlite+aiosqlite:///{workdir / 'trainer.db'}")
    try:
        person = await UserService(db, "zh").telegram(CHAT, "", None)
        async with db.session() as s:
            repo = SessionRepository(s)
            latest = (await repo.history(person.id, limit=1))[0]
            loaded = await repo.load(latest.id)
        assert loaded is not None
        return [(t.speaker, t.text) for t in loaded[0].transcript]
    finally:
        await db.dispose()


def test_whole_session_survives_a_kill_mid_reply_and_ends_in_a_scorecard_with_chart(
    server: FakeBotApiServer, bot: BotProcess
) -> None:
    api = server.api
    bot.start()
    api.wait_calls("getUpdates", 1, timeout=WAIT)
    menus = {c.params.get("language_code") for c in api.calls_to("setMyCommands")}
    assert menus == {"zh", "en", None}

    send(api, "/start")
    wait_text(api, "我是<b>回款陪练</b>")
    send(api, "/practice")
    wait_text(api, "选择一个场景")
    press(api, "区卫健委")
    wait_text(api, "<b>评分标准（权重）</b>")
    press(api, "跳过")
    wait_client_lines(api, 1)  # the clerk's opening line

    send(api, LINES[0])
    wait_client_lines(api, 2)
    assert api.calls_to("sendMessageDraft", CHAT)  # streamed as a native draft first

    # Kill the bot while it streams the answer to the second line.
    held = api.hold("sendMessageDraft")
    second = send(api, LINES[1])
    assert held.arrived.wait(WAIT)
    api.wait_for(
        lambda: any(int(c.params.get("offset") or 0) > second for c in api.calls_to("getUpdates")),
        WAIT,
        "the second line confirmed to the Bot API (it will never be delivered again)",
    )
    bot.kill()
    api.release("sendMessageDraft")
    assert len(client_lines(api)) == 2

    bot.start()
    wait_client_lines(api, 3)  # the owed answer, from the bot's own inbox
    assert api.fetched.count(second) == 1

    send(api, LINES[2])
    wait_client_lines(api, 4)
    send(api, "/end")
    wait_text(api, "<b>评分卡 · 区卫健委信息系统二期尾款</b>")
    photo = api.wait_for(lambda: api.calls_to("sendPhoto", CHAT), WAIT, "the radar chart")[-1]
    assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")

    send(api, "/me")
    api.wait_for(lambda: len(api.calls_to("sendPhoto", CHAT)) == 2, WAIT, "the progress chart")
    assert api.calls_to("sendPhoto", CHAT)[-1].text.startswith("共 1 次评分")

    assert bot.stop() == 0
    assert api.unexpected == []
    log = bot.log.read_text("utf-8")
    assert "Traceback" not in log
    assert api.token not in log

    transcript = asyncio.run(stored_transcript(bot.workdir))
    assert [text for speaker, text in transcript if speaker == "rep"] == LINES
    assert [speaker for speaker, _ in transcript] == ["client", *["rep", "client"] * 3]
    assert len(client_lines(api)) == 4  # each line answered exactly once, none lost


def run_trainer(env_extra: dict[str, str], workdir: Path) -> subprocess.CompletedProcess[str]:
    """`trainer run` to completion with empty stdin."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_", "DATABASE_URL"))
    }
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'trainer.db'}", **env_extra)
    return subprocess.run(
        [str(TRAINER), "run"],
        cwd=workdir,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


def test_run_without_a_token_says_how_to_get_one_and_plays_in_the_terminal(
    tmp_path: Path,
) -> None:
    done = run_trainer({}, tmp_path)
    assert done.returncode == 0
    assert "@BotFather" in done.stdout
    assert "评分卡" in done.stdout  # terminal play ran to a scorecard


def test_run_with_a_rejected_token_says_so_and_exits(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    done = run_trainer(
        {
            "TELEGRAM_BOT_TOKEN": "999999999:AAnot-the-token-but-well-formed",
            "TELEGRAM_API_BASE_URL": server.base_url,
        },
        tmp_path,
    )
    assert done.returncode == 2
    assert "Telegram 不接受这个 TELEGRAM_BOT_TOKEN" in done.stderr
    assert "not-the-token" not in done.stderr + done.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int) -> None:
    """Block until something accepts connections on the port (PTB opens it after setWebhook)."""
    import socket
    import time

    deadline = time.monotonic() + WAIT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # polling a condition, not timing a behaviour


def _post(url: str, body: dict[str, object], secret: str | None) -> int:
    import json
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_webhook_mode_checks_the_secret_and_plays_a_retried_update_once(
    server: FakeBotApiServer, bot: BotProcess
) -> None:
    api = server.api
    port = _free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    bot.env.update(
        TELEGRAM_WEBHOOK_URL=url,
        TELEGRAM_WEBHOOK_SECRET="s3cret_token-1",
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
    )
    bot.start()
    api.wait_calls("setWebhook", 1, timeout=WAIT)
    hook = api.calls_to("setWebhook")[0].params
    assert (hook["url"], hook["secret_token"]) == (url, "s3cret_token-1")
    assert not api.calls_to("getUpdates")
    _wait_listening(port)

    start = api.text(CHAT, "/start")
    assert _post(url, start, secret=None) == 403
    assert _post(url, start, secret="wrong") == 403
    assert _post(url, start, secret="s3cret_token-1") == 200
    wait_text(api, "我是<b>回款陪练</b>")
    assert _post(url, start, secret="s3cret_token-1") == 200  # Telegram retrying the update
    assert bot.stop() == 0
    welcomes = [t for t in api.texts(CHAT) if "我是<b>回款陪练</b>" in t]
    assert len(welcomes) == 1
    assert "s3cret_token-1" not in bot.log.read_text("utf-8")
