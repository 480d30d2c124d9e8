"""The update processor: one chat in order, several chats at once, duplicates dropped."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.telegram.ordering import ChatOrderedProcessor


def update(update_id: int, chat_id: int) -> Update:
    """A minimal text update in a chat."""
    user = User(chat_id, "rep", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, None, chat, from_user=user, text=f"#{update_id}")  # type: ignore[arg-type]
    return Update(update_id, message=message)


class Recorder:
    """Coroutines that log their start and end, some waiting on a gate."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.started = asyncio.Event()

    async def work(self, update_id: int) -> None:
        self.log.append(f"start {update_id}")
        self.started.set()
        if update_id in self.gates:
            await self.gates[update_id].wait()
        self.log.append(f"end {update_id}")


async def test_updates_of_one_chat_run_one_after_another_in_arrival_order() -> None:
    rec, processor = Recorder(), ChatOrderedProcessor()
    rec.gates[1] = asyncio.Event()
    tasks = [
        asyncio.create_task(processor.process_update(update(n, 7), rec.work(n))) for n in (1, 2, 3)
    ]
    await rec.started.wait()
    for _ in range(20):
        await asyncio.sleep(0)  # give the queued updates every chance to jump ahead
    assert rec.log == ["start 1"]
    rec.gates[1].set()
    await asyncio.gather(*tasks)
    assert rec.log == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]


async def test_another_chat_is_not_held_up_by_a_slow_one() -> None:
    rec, processor = Recorder(), ChatOrderedProcessor()
    rec.gates[1] = asyncio.Event()
    slow = asyncio.create_task(processor.process_update(update(1, 7), rec.work(1)))
    await rec.started.wait()
    await processor.process_update(update(2, 8), rec.work(2))
    assert rec.log == ["start 1", "start 2", "end 2"]
    rec.gates[1].set()
    await slow


class DropEven:
    """A gate that refuses even update ids and records what was handled."""

    def __init__(self) -> None:
        self.handled: list[int] = []

    async def admit(self, update: object) -> bool:
        assert isinstance(update, Update)
        return update.update_id % 2 == 1

    async def done(self, update: object) -> None:
        assert isinstance(update, Update)
        self.handled.append(update.update_id)


async def test_gate_drops_refused_updates_without_running_them() -> None:
    rec, gate = Recorder(), DropEven()
    processor = ChatOrderedProcessor(gate=gate)
    for n in (1, 2, 3):
        await processor.process_update(update(n, 7), rec.work(n))
    assert rec.log == ["start 1", "end 1", "start 3", "end 3"]
    assert gate.handled == [1, 3]


async def test_an_update_waiting_for_its_chat_holds_no_slot() -> None:
    # Two slots: chat 7's second update waits for its first, yet chat 8 still gets the other.
    rec, processor = Recorder(), ChatOrderedProcessor(max_concurrent_updates=2)
    rec.gates[1] = asyncio.Event()
    first = asyncio.create_task(processor.process_update(update(1, 7), rec.work(1)))
    await rec.started.wait()
    queued = asyncio.create_task(processor.process_update(update(2, 7), rec.work(2)))
    other = asyncio.create_task(processor.process_update(update(3, 8), rec.work(3)))
    for _ in range(50):
        await asyncio.sleep(0)  # no clock: chat 8 either runs within these steps or is stuck
    assert rec.log == ["start 1", "start 3", "end 3"]
    rec.gates[1].set()
    await asyncio.gather(first, queued, other)
    assert rec.log == ["start 1", "start 3", "end 3", "end 1", "start 2", "end 2"]
