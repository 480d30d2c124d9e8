"""A stand-in for `asyncio.sleep` on a clock the test moves (the stream policy's sleep), so a
test decides when a second has passed instead of waiting for one."""

from __future__ import annotations

import asyncio


class Sleeper:
    """`asyncio.sleep` on a clock the test moves: each sleep ends when the test lets it."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self._passes = asyncio.Semaphore(0)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await self._passes.acquire()

    def release(self) -> None:
        """The sleep in progress is over (the waiting code runs at the next await)."""
        self._passes.release()

    async def elapse(self) -> None:
        """The sleep in progress is over; let the waiting code run on."""
        self.release()
        for _ in range(20):
            await asyncio.sleep(0)
