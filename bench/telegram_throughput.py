"""How the bot holds up with many reps at once: `trainer run` as a subprocess against the fake
Bot API on 127.0.0.1, N chats each playing M turns at the same time, offline client.

    .venv/bin/python bench/telegram_throughput.py --chats 20 --messages 5

Prints updates handled per second, reply latency (from the rep's update being offered to
getUpdates to the client's final message arriving at the Bot API) as p50/p95/max, the number
of Bot API calls, and the bot's peak RSS. Bounded: every wait has a timeout, and the bot is
stopped at the end. Figures only — nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT
from tests.support.bot_api import BotApi, Call
from tests.support.fake_bot_api import FakeBotApiServer

FIRST_CHAT = 700_000
LINES = [
    "您好，我是华信科技的小陈，今天来想了解一下项目验收的情况。",
    "您的意思是验收还没有走完，对吗？想请教一下现在卡在哪个环节？",
    "理解您这边流程多。验收一般由哪位领导负责呢？",
    "明白了，验收标准是按合同里的技术指标来吗？",
    "付款这边一般是怎么安排的，由哪位负责审批？",
]


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def speakers() -> tuple[str, ...]:
    """How the client's messages start: the bold name of a stage's persona."""
    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    return tuple(f"<b>{st.persona.name}" for s in library.all() for st in s.stages)


def client_lines(api: BotApi, chat: int) -> list[Call]:
    """The client's finished messages in a chat."""
    names = speakers()
    return [c for c in api.calls_to("sendMessage", chat) if c.text.startswith(names)]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5, help=f"turns per chat (≤ {len(LINES)})")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per phase")
    args = parser.parse_args()
    chats = [FIRST_CHAT + n for n in range(args.chats)]
    turns = min(args.messages, len(LINES))
    trainer = Path(sys.executable).with_name("trainer")
    with tempfile.TemporaryDirectory() as tmp, FakeBotApiServer() as server:
        api = server.api
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bench.db",
            LOG_LEVEL="WARNING",
        )
        log = Path(tmp, "bot.log").open("wb")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen([str(trainer), "run"], cwd=tmp, env=env, stdout=log, stderr=log)
        try:
            started = time.monotonic()
            api.wait_calls("getUpdates", 1, timeout=args.timeout)
            print(f"bot ready in {time.monotonic() - started:.1f} s")

            def everyone(updates: list[dict[str, object]], check: object, what: str) -> None:
                api.deliver(*updates)
                api.wait_for(check, args.timeout, what)  # type: ignore[arg-type]

            everyone(
                [api.text(c, "/practice") for c in chats],
                lambda: all(api.texts(c) for c in chats),
                "every picker",
            )
            everyone(
                [api.press(c, label="1.") for c in chats],
                lambda: all(len(api.sent(c)) >= 2 for c in chats),
                "every brief",
            )
            everyone(
                [api.press(c, label="跳过") for c in chats],
                lambda: all(len(client_lines(api, c)) >= 1 for c in chats),
                "every opening line",
            )
            latencies: list[float] = []
            calls_before = len(api.calls)
            play_started = time.monotonic()
            for turn in range(turns):
                offered: dict[int, float] = {}
                updates = []
                for c in chats:
                    updates.append(api.text(c, LINES[turn]))
                    offered[c] = time.monotonic()
                api.deliver(*updates)
                want = turn + 2
                api.wait_for(
                    lambda want=want: all(len(client_lines(api, c)) >= want for c in chats),  # type: ignore[misc]
                    args.timeout,
                    f"turn {turn + 1} answered in every chat",
                )
                for c in chats:
                    latencies.append(client_lines(api, c)[want - 1].at - offered[c])
            elapsed = time.monotonic() - play_started
            calls = len(api.calls) - calls_before
            methods = Counter(c.method for c in api.calls[calls_before:])
            rss = peak_rss_mib(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            log.close()
        handled = len(chats) * turns
        print(f"chats {len(chats)} × turns {turns} = {handled} rep messages in {elapsed:.2f} s")
        print(f"throughput      {handled / elapsed:.1f} rep messages/s")
        print(
            f"reply latency   p50 {percentile(latencies, 50) * 1000:.0f} ms · "
            f"p95 {percentile(latencies, 95) * 1000:.0f} ms · max {max(latencies) * 1000:.0f} ms"
            f" (mean {statistics.mean(latencies) * 1000:.0f} ms)"
        )
        print(f"Bot API calls   {calls} during play ({calls / elapsed:.1f}/s)")
        print("                " + ", ".join(f"{m} {n}" for m, n in methods.most_common()))
        print(f"peak RSS        {rss:.0f} MiB")
        print(f"bot exit code   {code}; unexpected methods: {api.unexpected or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
