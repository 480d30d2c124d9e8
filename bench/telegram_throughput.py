"""How the bot holds up with many reps at once: `trainer run` as a subprocess against the fake
Bot API on 127.0.0.1 (enforcing Telegram's flood limits) and a fake model that streams each
reply over a set time, for several chat counts, on SQLite and PostgreSQL, in one run.

    .venv/bin/python bench/telegram_throughput.py --chats 1,30,100 --turns 5
    .venv/bin/python bench/telegram_throughput.py --mode burst --chats 300 --databases sqlite
    .venv/bin/python bench/telegram_throughput.py --tree before=/tmp/base --tree after=.

Each row: reply latency p50/p95 (the rep's update offered to getUpdates → the client's final
message at the Bot API), bot-side overhead (latency minus the model's `--latency`), bot CPU ms
per turn, Bot API calls per turn by method, turns/s answered (marked * when sustained: none
lost, none reordered, no 429), turns lost, reordered (an answer carrying another turn's marker)
and replaced (an answer without one: the bot's guard stopped the model's words and said its
own line), 429s the fake answered, peak and final RSS (the sessions are left open: `--chats
1000 --turns 2` is RSS at 1,000 open sessions), SQL transactions and statements per turn, the
longest garbage collection pause, and the prompt-prefix share: for each client call after a
session's first, the share of its prompt (the messages as sent) that is an identical prefix of
the previous call's in the same session — what a provider's prompt cache can reuse.

`paced` offers turns at `--rate` a second overall (each chat waits for its reply before its
next message); `burst` has every chat send at once, round after round.
`--tree NAME=DIR` runs the bot's code from DIR (before/after comparisons in one run; the fakes
are always this tree's). Figures only — nothing here asserts a timing; on a shared machine
compare rows of one run by ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT
from tests.support.bot_api import BotApi, Call
from tests.support.fake_bot_api import FakeBotApiServer

HERE = Path(__file__).resolve().parent
FIRST_CHAT = 700_000
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
LINES = [
    "您好，我是华信科技的小陈，今天来想了解一下项目验收的情况。",
    "您的意思是验收还没有走完，对吗？想请教一下现在卡在哪个环节？",
    "理解您这边流程多。验收一般由哪位领导负责呢？",
    "明白了，验收标准是按合同里的技术指标来吗？",
    "付款这边一般是怎么安排的，由哪位负责审批？",
]
MARKER = re.compile(r"〔(\d+):(\d+)〕")


def rss_mib(pid: int, field: str = "VmHWM") -> float:
    """The process's peak (VmHWM) or current (VmRSS) resident memory, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prompt_text(messages: list[dict[str, object]]) -> str:
    """A prompt as a provider's cache sees it: each message's role and content, in order."""
    return "".join(f"<{m.get('role')}>{m.get('content')}\n" for m in messages)


def prefix_shares(log: Path, start: int) -> tuple[list[float], int]:
    """From the fake model's log past byte `start`: per client call after a session's first,
    the share of its prompt identical to the start of the previous call's; and the median
    offset (characters) where they part."""
    previous: dict[str, str] = {}
    shares: list[float] = []
    parts: list[float] = []
    with log.open(encoding="utf-8") as f:
        f.seek(start)
        for line in f:
            entry = json.loads(line)
            chat = str(entry["mark"]).split(":")[0]
            text = prompt_text(entry["messages"])
            before = previous.get(chat)
            previous[chat] = text
            if not chat or before is None:
                continue
            pairs = enumerate(zip(before, text, strict=False))
            same = next((i for i, (a, b) in pairs if a != b), min(len(before), len(text)))
            shares.append(same / max(1, len(text)))
            parts.append(same)
    return shares, int(percentile(parts, 50)) if parts else 0


def speakers() -> tuple[str, ...]:
    """How the client's messages start: the bold name of a stage's persona."""
    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    return tuple(f"<b>{st.persona.name}" for s in library.all() for st in s.stages)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank (NaN when there are none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Config:
    """What one row runs."""

    tree: str
    src: Path
    database: str
    chats: int
    args: argparse.Namespace


@dataclass
class Row:
    """What one row measured."""

    config: Config
    latencies: list[float] = field(default_factory=list)
    methods: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    offered: int = 0
    reordered: int = 0
    replaced: int = 0
    refused: int = 0
    elapsed: float = 0.0
    cpu_s: float = 0.0
    transactions: int = 0
    statements: Counter[str] = field(default_factory=Counter)
    gc_max_ms: float = 0.0
    gc_total_ms: float = 0.0
    rss: float = 0.0
    rss_now: float = 0.0
    prefix: list[float] = field(default_factory=list)
    parted_at: int = 0
    ready_s: float = 0.0
    setup_429: int = 0
    bot: str = ""


class Replies:
    """The client's final messages per chat, read from the fake's call log as they arrive."""

    def __init__(self, api: BotApi, names: tuple[str, ...]) -> None:
        self.api, self.names = api, names
        self.cursor = 0
        self.by_chat: dict[int, list[Call]] = {}

    def poll(self, timeout: float) -> list[Call]:
        """New client messages (waiting up to `timeout` for any call)."""
        new = self.api.calls_after(self.cursor, timeout)
        self.cursor += len(new)
        refused = {id(c) for c in self.api.limited} if new else set()  # 429s are not replies
        found = [
            c
            for c in new
            if c.method == "sendMessage" and c.text.startswith(self.names) and id(c) not in refused
        ]
        for call in found:
            self.by_chat.setdefault(call.chat_id, []).append(call)
        return found

    def skip(self) -> None:
        """Forget what came so far."""
        self.cursor, self.by_chat = len(self.api.calls), {}

    def count(self, chat: int) -> int:
        """Client messages so far in a chat."""
        return len(self.by_chat.get(chat, ()))

    def wait(self, done: object, timeout: float, what: str) -> None:
        """Poll until `done()` holds."""
        deadline = time.monotonic() + timeout
        while not done():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            self.poll(0.2)


def probe(proc: subprocess.Popen[bytes], out: Path) -> dict[str, object]:
    """Ask the bot's instruments for their figures (SIGUSR1) and read them."""
    out.unlink(missing_ok=True)
    proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 30
    while not out.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot's probe did not answer")
        time.sleep(0.02)
    return dict(json.loads(out.read_text()))


async def _postgres(admin_sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await conn.execute(admin_sql)
    finally:
        await conn.close()


def database_url(kind: str, tmp: str, name: str) -> str:
    """A fresh database for one row."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp}/bench.db"
    asyncio.run(_postgres(f"CREATE DATABASE {name}"))
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


def play(config: Config, llm_url: str, llm_log: Path) -> Row:
    """Start a bot for one row, set every chat up, play the turns, stop the bot."""
    args = config.args
    row = Row(config)
    chats = [FIRST_CHAT + n for n in range(config.chats)]
    pg_name = f"bench_{os.getpid()}_{config.tree}_{config.chats}".replace("-", "_")
    with tempfile.TemporaryDirectory() as tmp, FakeBotApiServer() as server:
        api = server.api
        limits = api.enforce_limits() if args.limits else None
        out = Path(tmp, "probe.json")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            DATABASE_URL=database_url(config.database, tmp, pg_name),
            OPENAI_BASE_URL=llm_url,
            OPENAI_API_KEY="bench",
            LLM_MODEL_CLIENT="fake-client",
            LOG_LEVEL="WARNING",
            BENCH_PROBE_OUT=str(out),
            PYTHONPATH=str(config.src),
        )
        log = Path(tmp, "bot.log").open("wb")  # noqa: SIM115 (closed below)
        command = [sys.executable, str(HERE / "bot_probe.py"), "run"]
        proc = subprocess.Popen(command, cwd=tmp, env=env, stdout=log, stderr=log)
        try:
            started = time.monotonic()
            api.wait_calls("getUpdates", 1, timeout=args.timeout)
            row.ready_s = time.monotonic() - started
            replies = Replies(api, speakers())
            set_up(api, replies, chats, args.timeout)
            before = probe(proc, out)
            row.bot, row.setup_429 = str(before["bot"]), limits.refused if limits else 0
            calls_before = len(api.calls)
            log_start = llm_log.stat().st_size
            refused_before = limits.refused if limits else 0
            if args.mode == "burst":
                burst(api, replies, chats, row)
            else:
                paced(api, replies, chats, row)
            after = probe(proc, out)
            row.methods = Counter(c.method for c in api.calls[calls_before:])
            row.refused = (limits.refused if limits else 0) - refused_before
            row.cpu_s = float(after["cpu_s"]) - float(before["cpu_s"])  # type: ignore[arg-type]
            row.transactions = int(after["transactions"]) - int(before["transactions"])  # type: ignore[call-overload]
            row.statements = Counter(after["statements"]) - Counter(before["statements"])  # type: ignore[arg-type]
            row.gc_max_ms = float(after["gc_pause_max_ms"])  # type: ignore[arg-type]
            row.gc_total_ms = float(after["gc_pause_total_ms"]) - float(before["gc_pause_total_ms"])  # type: ignore[arg-type]
            row.rss, row.rss_now = rss_mib(proc.pid), rss_mib(proc.pid, "VmRSS")
            row.prefix, row.parted_at = prefix_shares(llm_log, log_start)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
            if row.answered < row.offered or args.show_log:
                lines = Path(tmp, "bot.log").read_text("utf-8", "replace").splitlines()
                print("\n".join(["bot log (last lines):", *lines[-15:]]))
            if config.database == "postgres":
                asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {pg_name}"))
    return row


def set_up(api: BotApi, replies: Replies, chats: list[int], timeout: float) -> None:
    """Every chat: the picker, the first scenario's brief, skip the plan, the opening line."""
    api.deliver(*[api.text(c, "/practice") for c in chats])
    api.wait_for(lambda: all(api.sent(c) for c in chats), timeout, "every picker")
    api.deliver(*[api.press(c, label="1.") for c in chats])
    api.wait_for(lambda: all(len(api.sent(c)) >= 2 for c in chats), timeout, "every brief")
    replies.skip()  # a brief card may start with the persona's name too
    api.deliver(*[api.press(c, label="跳过") for c in chats])
    replies.wait(lambda: all(replies.count(c) >= 1 for c in chats), timeout, "opening lines")


def _offer(api: BotApi, chat: int, turn: int) -> float:
    api.deliver(api.text(chat, f"{LINES[turn % len(LINES)]}〔{chat}:{turn + 1}〕"))
    return time.monotonic()


def _record(row: Row, call: Call, offered_at: float, turn: int) -> None:
    row.answered += 1
    row.latencies.append(call.at - offered_at)
    marks = MARKER.findall(call.text)
    if not marks:
        row.replaced += 1  # the guard said the bot's own line instead: no marker to check
    elif marks[-1] != (str(call.chat_id), str(turn + 1)):
        row.reordered += 1


def burst(api: BotApi, replies: Replies, chats: list[int], row: Row) -> None:
    """Every chat sends at once; the next round when every chat has its answer."""
    args = row.config.args
    t0 = time.monotonic()
    for turn in range(args.turns):
        offered = {c: _offer(api, c, turn) for c in chats}
        row.offered += len(chats)
        want = {c: replies.count(c) + 1 for c in chats}
        deadline = time.monotonic() + args.timeout * 2
        waiting = set(chats)
        while waiting and time.monotonic() < deadline:
            for call in replies.poll(0.2):
                if call.chat_id in waiting and replies.count(call.chat_id) >= want[call.chat_id]:
                    waiting.discard(call.chat_id)
                    _record(row, call, offered[call.chat_id], turn)
    row.elapsed = time.monotonic() - t0


def paced(api: BotApi, replies: Replies, chats: list[int], row: Row) -> None:
    """Turns offered at `rate`/s overall, round-robin; a chat waits for its answer first."""
    args = row.config.args
    rate = args.rate or min(len(chats) / (args.latency + 0.5), 30.0)
    t0 = time.monotonic()
    slot = 0
    queue: list[int] = [c for _ in range(args.turns) for c in chats]
    turn_of = dict.fromkeys(chats, 0)
    in_flight: dict[int, float] = {}
    deadline = t0 + args.timeout + args.turns * len(chats) / rate
    while (queue or in_flight) and time.monotonic() < deadline + (0 if queue else args.timeout):
        # (Once every turn is offered, answers still owed get another `timeout` to come.)
        now = time.monotonic()
        while queue and now >= t0 + slot / rate:
            # The next chat in the schedule that is not still waiting for its answer.
            pick = next((i for i, c in enumerate(queue) if c not in in_flight), None)
            if pick is None:
                break
            chat = queue.pop(pick)
            in_flight[chat] = _offer(api, chat, turn_of[chat])
            row.offered += 1
            slot += 1
        wait = max(0.0, min(0.05, t0 + slot / rate - time.monotonic())) if queue else 0.2
        for call in replies.poll(wait):
            chat = call.chat_id
            if chat in in_flight:
                _record(row, call, in_flight.pop(chat), turn_of[chat])
                turn_of[chat] += 1
    row.elapsed = time.monotonic() - t0


def show(rows: list[Row], args: argparse.Namespace) -> None:
    """The table, then Bot API calls and statements per turn."""
    model = args.latency
    print(
        f"\nmode {args.mode}; model: first words after {args.first_token:.2f} s, whole reply "
        f"at {model:.2f} s; flood limits {'on' if args.limits else 'off'}; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    head = (
        f"{'tree':<8}{'db':<9}{'chats':>6}{'turns/s':>8}{'p50':>7}{'p95':>7}{'ovh50':>7}"
        f"{'ovh95':>7}{'cpu/t':>7}{'tx/t':>6}{'sql/t':>6}{'calls/t':>8}{'429':>5}{'lost':>5}"
        f"{'reord':>6}{'repl':>5}{'gc max':>7}{'RSS':>6}{'now':>5}{'prefix':>7}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        n = max(1, r.answered)
        lost = r.config.chats * r.config.args.turns - r.answered  # never answered or offered
        sustained = "*" if lost == 0 and r.reordered == 0 and r.refused == 0 else " "
        prefix = sum(r.prefix) / len(r.prefix) if r.prefix else float("nan")
        print(
            f"{r.config.tree:<8}{r.config.database:<9}{r.config.chats:>6}"
            f"{r.answered / r.elapsed:>7.1f}{sustained}"
            f"{percentile(r.latencies, 50) * 1000:>7.0f}{percentile(r.latencies, 95) * 1000:>7.0f}"
            f"{(percentile(r.latencies, 50) - model) * 1000:>7.0f}"
            f"{(percentile(r.latencies, 95) - model) * 1000:>7.0f}"
            f"{r.cpu_s * 1000 / n:>7.1f}{r.transactions / n:>6.1f}"
            f"{sum(r.statements.values()) / n:>6.1f}{sum(r.methods.values()) / n:>8.2f}"
            f"{r.refused:>5}{lost:>5}{r.reordered:>6}{r.replaced:>5}{r.gc_max_ms:>7.0f}"
            f"{r.rss:>6.0f}{r.rss_now:>5.0f}{prefix:>7.0%}"
        )
    print(
        "\n(ms except turns/s, calls and RSS MiB; * = sustained: 0 lost, 0 reordered, no 429;"
        " ovh = latency − model; cpu/t = bot CPU ms; RSS peak, now = at the end with every"
        " session open; prefix = mean share of a client call's prompt that repeats the start"
        " of the session's previous call)"
    )
    for r in rows:
        n = max(1, r.answered)
        calls = ", ".join(f"{m} {k / n:.2f}" for m, k in r.methods.most_common())
        sql = ", ".join(f"{m} {k / n:.1f}" for m, k in r.statements.most_common(6))
        print(
            f"{r.config.tree} {r.config.database} {r.config.chats}: ready {r.ready_s:.1f} s; "
            f"calls/turn {calls}; sql/turn {sql}; gc {r.gc_total_ms:.0f} ms in all; "
            f"429s while setting up {r.setup_429}; prompts part at character {r.parted_at} "
            f"(median; {len(r.prefix)} calls, lowest share "
            f"{min(r.prefix, default=float('nan')):.0%}); bot code {Path(r.bot).parent}"
        )


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", default="1,30", help="chat counts, comma-separated")
    parser.add_argument("--turns", type=int, default=5, help="rep messages per chat")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--mode", choices=("paced", "burst"), default="paced")
    parser.add_argument("--rate", type=float, default=0.0, help="paced: turns/s offered")
    parser.add_argument("--first-token", type=float, default=0.3, help="model: first words, s")
    parser.add_argument("--latency", type=float, default=1.0, help="model: whole reply, s")
    parser.add_argument("--chunks", type=int, default=8, help="model: pieces per reply")
    parser.add_argument("--no-limits", dest="limits", action="store_false")
    parser.add_argument("--tree", action="append", default=[], help="NAME=DIR of bot code")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per phase")
    parser.add_argument("--show-log", action="store_true", help="print the bot log's end")
    args = parser.parse_args()
    trees = [t.split("=", 1) for t in args.tree] or [["this", str(ROOT)]]
    llm_log = Path(tempfile.mkstemp(prefix="bench-llm-", suffix=".jsonl")[1])
    llm_command = [
        sys.executable,
        str(HERE / "fake_llm.py"),
        f"--first-token={args.first_token}",
        f"--latency={args.latency}",
        f"--chunks={args.chunks}",
        f"--log={llm_log}",
    ]
    llm = subprocess.Popen(llm_command, stdout=subprocess.PIPE)
    assert llm.stdout is not None
    llm_url = f"http://127.0.0.1:{int(llm.stdout.readline())}/v1"
    rows: list[Row] = []
    try:
        for chats in (int(c) for c in args.chats.split(",")):
            for database in args.databases.split(","):
                for name, src in trees:
                    config = Config(name, Path(src).resolve(), database, chats, args)
                    try:
                        row = play(config, llm_url, llm_log)
                    except TimeoutError as exc:  # a row that cannot finish does not stop the run
                        print(f"{name} {database} {chats} chats: {exc}", flush=True)
                        continue
                    rows.append(row)
                    print(
                        f"{name} {database} {chats} chats: {row.answered}/{row.offered} "
                        f"answered in {row.elapsed:.1f} s",
                        flush=True,
                    )
    finally:
        llm.terminate()
        llm.wait(timeout=10)
        show(rows, args)
        llm_log.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
