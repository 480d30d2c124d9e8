"""Benchmark: the practice loop offline — turn latency, grading time and memory.

Plays N concurrent sessions of the reference scenario through the real PracticeService on a
temporary SQLite database (or DATABASE_URL), with the offline client and judge, and prints
figures: turns/s, p50/p95 turn latency, grading time, peak RSS. Figures, not assertions: the
machine is shared and noisy, so compare runs by ratio.

    .venv/bin/python bench/practice_loop.py --sessions 20
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bot.composition import container
from bot.settings import ROOT, Settings

# The skilled rep's lines the walkthrough test plays (one message per line).
WALKTHROUGH = ROOT / "tests" / "walkthroughs" / "district-health-tail-payment.good.txt"


async def run(sessions: int, database_url: str | None) -> None:
    """Play `sessions` whole sessions concurrently and print figures."""
    lines = [line for line in WALKTHROUGH.read_text("utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(_env_file=None, database_url=url, scenarios_dir=ROOT / "scenarios")  # type: ignore[call-arg]
        async with container(settings) as app:
            turn_times: list[float] = []
            grade_times: list[float] = []

            async def one(i: int) -> None:
                person = await app.users.local(f"bench-{i}")
                started = await app.practice.start(
                    person.id, "district-health-tail-payment", replace=True
                )
                await app.practice.begin(person.id, started.session.id)
                for line in lines:
                    t0 = time.perf_counter()
                    await app.practice.reply(person.id, started.session.id, line)
                    turn_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await app.practice.finish(person.id, started.session.id, "zh")
                grade_times.append(time.perf_counter() - t0)

            t_start = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(sessions)))
            wall = time.perf_counter() - t_start
    turn_times.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"sessions            {sessions} concurrent, {len(turn_times)} turns, {url.split(':')[0]}"
    )
    print(f"throughput          {len(turn_times) / wall:.1f} turns/s (wall {wall:.2f} s)")
    print(
        f"turn latency        p50 {statistics.median(turn_times) * 1000:.1f} ms, "
        f"p95 {turn_times[int(0.95 * (len(turn_times) - 1))] * 1000:.1f} ms"
    )
    print(f"grading             mean {statistics.mean(grade_times) * 1000:.1f} ms per session")
    print(f"peak RSS            {rss_mb:.0f} MB")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.database_url))


if __name__ == "__main__":
    main()
