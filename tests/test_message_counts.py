"""How many messages a flow costs in Telegram (what Telegram rate-limits and the user scrolls
through): Bot API sends and edits counted on the fake Bot API for /assign, a board switch and
'practise again'. `python -m tests.test_message_counts` prints the figures."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.settings import Settings
from tests.support.team_bot import REP, TRAINER, TeamBot
from tests.support.world import Clock

SENDS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"}
EDITS = {"editMessageText", "editMessageMedia", "editMessageCaption", "editMessageReplyMarkup"}


def _count(tb: TeamBot, chat: int, since: int) -> tuple[int, int]:
    """(messages sent, messages edited) in `chat` since call number `since`."""
    methods = [c.method for c in tb.api.calls[since:] if c.chat_id == chat]
    return sum(m in SENDS for m in methods), sum(m in EDITS for m in methods)


async def measure(settings: Settings) -> dict[str, tuple[int, int]]:
    """(sent, edited) per flow: a guided /assign in the trainer's chat, one board switch (a
    dimension's button under /board) and one 再练一次 under a scorecard in the rep's."""
    figures: dict[str, tuple[int, int]] = {}
    async with TeamBot(settings, Clock()) as tb:
        await tb.team()
        since = len(tb.api.calls)
        await tb.assign(mark="0")
        figures["assign"] = _count(tb, TRAINER, since)
        await tb.play_task(REP)
        await tb.say(REP, "/board")
        since = len(tb.api.calls)
        await tb.tap(REP, label="倾听力")
        figures["board_switch"] = _count(tb, REP, since)
        await tb.say(REP, "/history")
        await tb.tap(REP, label="1. ")
        since = len(tb.api.calls)
        await tb.tap(REP, label="再练一次")
        figures["practise_again"] = _count(tb, REP, since)
        card = tb.api.sent(REP)[-1]
        figures["practise_again_chars"] = (len(str(card.get("text") or "")), 0)
    return figures


async def test_each_flow_costs_one_message_edited_in_place(settings: Settings) -> None:
    figures = await measure(settings)
    # One question turned into the next by each tap; a typed answer (due date, pass mark) gets
    # its next question below it, as a chat reads.
    assert figures["assign"] == (3, 4)
    assert figures["board_switch"] == (0, 1)  # the board's photo and caption, edited
    assert figures["practise_again"] == (1, 0)  # the short card, the full brief a button away
    assert figures["practise_again_chars"][0] < 300


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        offline = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'trainer.db'}",
            scenarios_dir=Path(__file__).parent.parent / "scenarios",
        )
        print(asyncio.run(measure(offline)))
