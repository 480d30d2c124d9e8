"""`trainer` with instruments, for the benchmark: SQL transactions and statements, garbage
collection pauses and CPU time, written as JSON to `$BENCH_PROBE_OUT` whenever the process
gets SIGUSR1 (the benchmark reads them before and after a phase). With `$BENCH_PROFILE`,
the event loop's thread is profiled (cProfile) between the first two dumps, into that file.

    BENCH_PROBE_OUT=/tmp/probe.json python bench/bot_probe.py run

The bot's code is whatever `bot` imports as (PYTHONPATH picks the tree, for before/after runs).
"""

from __future__ import annotations

import gc
import json
import os
import resource
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

STATS: dict[str, Any] = {"gc_pauses_ms": [], "statements": Counter(), "transactions": 0}
_window = [0]  # index of the first GC pause since the last dump
_gc_started = [0.0]


def _on_gc(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        STATS["gc_pauses_ms"].append((time.perf_counter() - _gc_started[0]) * 1000)


def _watch_sql() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def statement(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
        kind = sql.split(None, 1)[0].upper() if sql.strip() else "?"
        STATS["statements"]["schema probe" if "sqlite_master" in sql else kind] += 1

    def begin(conn: Any) -> None:
        STATS["transactions"] += 1

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "begin", begin)


_profile: list[Any] = []


def _toggle_profile() -> None:
    """With $BENCH_PROFILE set: the first dump starts a profile, the next writes it there."""
    target = os.environ.get("BENCH_PROFILE")
    if not target:
        return
    import cProfile

    if not _profile:
        _profile.append(cProfile.Profile())
        _profile[0].enable()
    else:
        _profile[0].disable()
        _profile.pop().dump_stats(target)


def _dump(*_: object) -> None:
    _toggle_profile()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pauses = STATS["gc_pauses_ms"]
    out = {
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "transactions": STATS["transactions"],
        "statements": dict(STATS["statements"]),
        "gc_pauses": len(pauses),
        "gc_pause_max_ms": max(pauses[_window[0] :], default=0.0),  # since the last dump
        "gc_pause_total_ms": sum(pauses),
        "bot": sys.modules["bot"].__file__ if "bot" in sys.modules else None,
    }
    _window[0] = len(pauses)
    path = Path(os.environ["BENCH_PROBE_OUT"])
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    tmp.replace(path)


def main() -> None:
    """Install the instruments and run the CLI."""
    gc.callbacks.append(_on_gc)
    _watch_sql()
    signal.signal(signal.SIGUSR1, _dump)
    from bot.cli.main import main as cli

    sys.argv = ["trainer", *sys.argv[1:]]
    cli()


if __name__ == "__main__":
    main()
