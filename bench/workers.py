"""Several webhook workers on PostgreSQL: turns/s and reply latency p50/p95 with 1, 2 and 3
`trainer run` workers behind a round-robin poster, the fake model streaming each reply over
`--latency` seconds, for several chat counts. Figures only, nothing asserted.

    .venv/bin/python bench/workers.py --workers 1,2,3 --chats 100,300 --turns 3
    .venv/bin/python bench/workers.py --workers 1,2 --chats 30 --turns 2      # a short look

The poster delivers like Telegram: each chat's updates one after another (the next only once a
worker answered 200 for the previous one), many chats at once, a failed POST tried on the next
worker. Every chat sends its turn at once (a burst), the next round when every chat has its
reply. Latency is from the POST of the rep's update to the client's final message at the fake
Bot API; turns/s counts answered turns over the rounds' wall time. A reply carries the marker
of the rep line it answers (`reordered`: another line's); `unmarked` replies are scripted lines
the model did not voice (the clerk handing the rep on), so their order is not checked here —
`tests/test_workers.py` checks every transcript's order. Workers, fake Bot API, fake
model and poster share the machine's cores, so on a shared 2-core box more workers mostly
compete for the same CPU: compare rows of one run by ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.telegram_throughput import (
    LINES,
    MARKER,
    POSTGRES,
    Replies,
    _postgres,
    percentile,
    speakers,
)
from tests.support.bot_api import BotApi
from tests.support.fake_bot_api import FakeBotApiServer

HERE = Path(__file__).resolve().parent
TRAINER = Path(sys.executable).with_name("trainer")
FIRST_CHAT = 800_000
SECRET = "bench-secret"


@dataclass
class Row:
    """One worker count × chat count."""

    workers: int
    chats: int
    latencies: list[float] = field(default_factory=list)
    offered: int = 0
    answered: int = 0
    reordered: int = 0
    unmarked: int = 0
    retried: int = 0
    elapsed: float = 0.0
    ready_s: float = 0.0


class Poster:
    """Round-robin delivery to the workers, retrying a failed POST on the next one."""

    def __init__(self, urls: list[str], timeout: float) -> None:
        self.urls, self.timeout = urls, timeout
        self._next = itertools.count()
        self.retried = 0

    def post(self, update: dict[str, Any]) -> float:
        """Deliver one update; when a worker took it."""
        body = json.dumps(update).encode()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        deadline = time.monotonic() + self.timeout
        while True:
            url = self.urls[next(self._next) % len(self.urls)]
            request = urllib.request.Request(url, body, headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 200:
                        return time.monotonic()
            except (urllib.error.URLError, OSError):
                pass
            self.retried += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"update {update['update_id']} taken by no worker")
            time.sleep(0.1)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, timeout: float) -> None:
    """Until the worker's webhook port accepts connections."""
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no worker listening on {port}") from None
            time.sleep(0.1)


def set_up(api: BotApi, poster: Poster, replies: Replies, chats: list[int], t: float) -> None:
    """Every chat: picker, the first scenario, skip the plan, the opening line."""
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(lambda c: poster.post(api.text(c, "/practice")), chats))
        api.wait_for(lambda: all(api.sent(c) for c in chats), t, "every picker")
        list(pool.map(lambda c: poster.post(api.press(c, label="1.")), chats))
        api.wait_for(lambda: all(len(api.sent(c)) >= 2 for c in chats), t, "every brief")
        replies.skip()
        list(pool.map(lambda c: poster.post(api.press(c, label="跳过")), chats))
    replies.wait(lambda: all(replies.count(c) >= 1 for c in chats), t, "opening lines")


def rounds(api: BotApi, poster: Poster, replies: Replies, chats: list[int], row: Row,
           turns: int, timeout: float) -> None:  # fmt: skip
    """Each round every chat sends one line at once; the next when all are answered."""
    t0 = time.monotonic()
    with ThreadPoolExecutor(64) as pool:
        for turn in range(turns):
            want = {c: replies.count(c) + 1 for c in chats}
            updates = [api.text(c, f"{LINES[turn % len(LINES)]}〔{c}:{turn + 1}〕") for c in chats]
            sent = dict(zip(chats, pool.map(poster.post, updates), strict=True))
            row.offered += len(chats)
            waiting, deadline = set(chats), time.monotonic() + timeout
            while waiting and time.monotonic() < deadline:
                for call in replies.poll(0.2):
                    chat = call.chat_id
                    if chat in waiting and replies.count(chat) >= want[chat]:
                        waiting.discard(chat)
                        row.answered += 1
                        row.latencies.append(call.at - sent[chat])
                        marks = MARKER.findall(call.text)
                        if not marks:
                            row.unmarked += 1  # a scripted line (a hand-over), not the model's
                        elif marks[-1] != (str(chat), str(turn + 1)):
                            row.reordered += 1
    row.elapsed = time.monotonic() - t0


def play(workers: int, chats: int, args: argparse.Namespace, llm_url: str) -> Row:
    """Start the workers on a fresh database, play, stop them."""
    row = Row(workers, chats)
    name = f"bench_w_{os.getpid()}_{workers}_{chats}"
    asyncio.run(_postgres(f"CREATE DATABASE {name}"))
    url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp, FakeBotApiServer() as server:
        api = server.api
        ports = [free_port() for _ in range(workers)]
        try:
            started = time.monotonic()
            for i, port in enumerate(ports):
                env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_",))}
                env.update(
                    TELEGRAM_BOT_TOKEN=api.token,
                    TELEGRAM_API_BASE_URL=server.base_url,
                    TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                    TELEGRAM_WEBHOOK_SECRET=SECRET,
                    TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
                    TELEGRAM_WEBHOOK_PORT=str(port),
                    WORKER_NAME=f"w{i}",
                    DATABASE_URL=url,
                    OPENAI_BASE_URL=llm_url,
                    OPENAI_API_KEY="bench",
                    LLM_MODEL_CLIENT="fake-client",
                    LOG_LEVEL="WARNING",
                )
                log = Path(tmp, f"w{i}.log").open("wb")  # noqa: SIM115 (the child keeps it)
                procs.append(
                    subprocess.Popen(
                        [str(TRAINER), "run"], cwd=tmp, env=env, stdout=log, stderr=log
                    )
                )
            for port in ports:
                wait_listening(port, args.timeout)
            row.ready_s = time.monotonic() - started
            poster = Poster([f"http://127.0.0.1:{p}/hook" for p in ports], args.timeout)
            replies = Replies(api, speakers())
            set_up(api, poster, replies, [FIRST_CHAT + n for n in range(chats)], args.timeout)
            rounds(api, poster, replies, [FIRST_CHAT + n for n in range(chats)], row,
                   args.turns, args.timeout)  # fmt: skip
            row.retried = poster.retried
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
            asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return row


def main() -> int:
    """Run the rows and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,3", help="worker counts, comma-separated")
    parser.add_argument("--chats", default="100,300", help="chat counts, comma-separated")
    parser.add_argument("--turns", type=int, default=3, help="rounds (rep messages per chat)")
    parser.add_argument("--first-token", type=float, default=0.3)
    parser.add_argument("--latency", type=float, default=1.0, help="model: whole reply, s")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per phase")
    args = parser.parse_args()
    llm = subprocess.Popen(
        [sys.executable, str(HERE / "fake_llm.py"), f"--first-token={args.first_token}",
         f"--latency={args.latency}"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert llm.stdout is not None
    llm_url = f"http://127.0.0.1:{int(llm.stdout.readline())}/v1"
    rows: list[Row] = []
    try:
        for chats in (int(c) for c in args.chats.split(",")):
            for workers in (int(w) for w in args.workers.split(",")):
                try:
                    rows.append(play(workers, chats, args, llm_url))
                except TimeoutError as exc:
                    print(f"{workers} workers, {chats} chats: {exc}", flush=True)
                    continue
                r = rows[-1]
                print(f"{workers} workers, {chats} chats: {r.answered}/{r.offered} answered "
                      f"in {r.elapsed:.1f} s", flush=True)  # fmt: skip
    finally:
        llm.terminate()
        llm.wait(timeout=10)
    print(f"\nmodel {args.latency:.1f} s per reply; {args.turns} rounds; PostgreSQL; webhook")
    print(
        "| workers | chats | turns/s | p50 s | p95 s | answered | reordered | unmarked | retried |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rate = r.answered / r.elapsed if r.elapsed else float("nan")
        print(f"| {r.workers} | {r.chats} | {rate:.1f} | {percentile(r.latencies, 50):.2f} | "
              f"{percentile(r.latencies, 95):.2f} | {r.answered}/{r.offered} | {r.reordered} | "
              f"{r.unmarked} | {r.retried} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
