"""Updates from one chat in the order they arrived; different chats at the same time.

PTB's `concurrent_updates(True)` runs every update at once with no per-chat order, and PTB
ships no per-chat processor. This one chains each chat's updates: an update starts only when
the previous update of its chat has finished, while other chats' updates run alongside. An
update waiting for its chat holds none of the `max_concurrent_updates` slots: it takes one only
for the gate's look at it and then when its turn comes, so three messages queued in one chat
do not keep other chats waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.logs import bound
from bot.metrics import metrics

log = logging.getLogger(__name__)
UNBOUNDED = 1 << 30


class Gate(Protocol):
    """Decides whether an update is handled at all (e.g. a duplicate is not)."""

    async def admit(self, update: object) -> bool:
        """True to handle the update, False to drop it."""
        ...

    async def done(self, update: object) -> None:
        """The admitted update has been handled."""
        ...


Turns = Callable[[object], AbstractAsyncContextManager[bool]]
"""Holds the chat's turn across workers inside; yields whether the update is still to do."""


@asynccontextmanager
async def _always() -> AsyncIterator[bool]:
    yield True


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (its sender's id when it has no chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


def context_of(update: object) -> dict[str, int | None]:
    """What JSON log lines carry while this update is handled."""
    if not isinstance(update, Update):
        return {}
    user = update.effective_user
    return {
        "update_id": update.update_id,
        "chat": chat_key(update),
        "user": user.id if user else None,
    }


class ChatOrderedProcessor(BaseUpdateProcessor):
    """One chat at a time, many chats at once; an optional gate sees every update first."""

    def __init__(self, max_concurrent_updates: int = 256, gate: Gate | None = None) -> None:
        # PTB's own semaphore (taken in its final `process_update`) would count an update from
        # the moment it arrives, so it is set out of reach; `slots` bounds the work instead.
        super().__init__(UNBOUNDED)
        self.gate = gate
        self.turns: Turns | None = None  # several workers: the chat's turn across them
        self.slots = max_concurrent_updates
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then handle this one."""
        key = chat_key(update)
        previous = self._tails.get(key) if key is not None else None
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            # Taken before any await, so the chain follows arrival order.
            self._tails[key] = mine
        try:
            if await self._admitted(update):
                if previous is not None:
                    await asyncio.wait([previous])  # never cancels the previous update
                await self._handle(update, coroutine)
        finally:
            if inspect.iscoroutine(coroutine) and _unstarted(coroutine):
                coroutine.close()  # a duplicate, or cancelled before its turn
            mine.set_result(None)
            if key is not None and self._tails.get(key) is mine:
                del self._tails[key]

    async def _admitted(self, update: object) -> bool:
        """Whether the gate (if any) lets the update in; a replay it has seen is counted."""
        if self.gate is None:
            return True
        async with self._slots:
            if await self.gate.admit(update):
                return True
        metrics().updates.labels("duplicate").inc()
        return False

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update in a slot and in the chat's turn: timed, counted, noted done."""
        async with self._slots, self._turn(update) as due:
            if not due:
                # Another worker finished it while this one waited for the chat.
                metrics().updates.labels("duplicate").inc()
                await self._done(update)
                return
            began = time.monotonic()
            try:
                with bound(**context_of(update)):
                    await coroutine
            finally:
                await self._done(update)
                metrics().handler_seconds.observe(time.monotonic() - began)
                metrics().updates.labels("handled").inc()

    def _turn(self, update: object) -> AbstractAsyncContextManager[bool]:
        return self.turns(update) if self.turns is not None else _always()

    async def _done(self, update: object) -> None:
        if self.gate is None:
            return
        try:
            await self.gate.done(update)
        except Exception:
            # The reply went out; failing to note it only risks handling a replay once more.
            log.exception("could not record update as handled")

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close: PTB waits for running updates before shutting down."""


def _unstarted(coroutine: Coroutine[Any, Any, Any]) -> bool:
    """Whether the handler's coroutine was never run (then it is closed, not left to warn)."""
    return inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED
