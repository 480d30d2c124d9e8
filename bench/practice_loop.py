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

LINES = [
    "您好，我是华信科技的小陈，关于二期项目尾款的事，想麻烦您跟王科长约个时间，谢谢。",
    "王科长您好，辛苦了。想先请教一下，这个二期项目现在是什么情况？",
    "上个月宕机的事给您添麻烦了，真是不好意思，我们这周就拿出整改方案。验收现在还差什么？",
    "那验收一般由谁负责呢？",
    "明白了，还差五家培训记录。付款流程一般怎么走？",
    "您这边压力也大，年底还有考核。最后付款需要哪位领导签字？",
    "那我们下周三前把五家培训记录补齐，请赵科长周四组织验收，您看可以吗？",
]


async def run(sessions: int, database_url: str | None) -> None:
    """Play `sessions` whole sessions concurrently and print figures."""
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
                for line in LINES:
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
