"""A client model for tests: says scripted words in pieces, can wait on a gate or fail, and
records what it was asked. It goes in through the container, like a real model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.composition import Container, container
from bot.domain.ports import ClientModel, ClientReply, ClientTurn, DeltaSink
from bot.settings import Settings
from bot.telegram.app import ServicesFactory


class ScriptedClient:
    """Answers every rep turn with `reply to: <rep text>` streamed in three pieces."""

    label = "scripted"

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.failures: dict[str, BaseException] = {}
        self.called = asyncio.Event()

    def gate(self, marker: str) -> asyncio.Event:
        """Replies to rep texts containing `marker` wait until the returned event is set."""
        return self.gates.setdefault(marker, asyncio.Event())

    async def reply(self, turn: ClientTurn, on_delta: DeltaSink | None = None) -> ClientReply:
        """Wait on a gate or fail if scripted to; else stream the reply."""
        rep_text = turn.transcript.turns[-1].text
        self.asked.append(rep_text)
        self.called.set()
        for marker, event in self.gates.items():
            if marker in rep_text:
                await event.wait()
        for marker, failure in list(self.failures.items()):
            if marker in rep_text:
                del self.failures[marker]
                raise failure
        text = f"reply to: {rep_text}"
        if on_delta is not None:
            third = max(1, len(text) // 3)
            for start in range(0, len(text), third):
                await on_delta(text[start : start + third])
        return ClientReply(text=text)


def services_with(settings: Settings, client: ClientModel) -> ServicesFactory:
    """A services factory whose practice service plays `client`."""

    @asynccontextmanager
    async def open_services() -> AsyncIterator[Container]:
        async with container(settings, client=client) as built:
            yield built

    return open_services
