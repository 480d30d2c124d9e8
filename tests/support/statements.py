"""Counting the SQL statements a piece of work sends, to keep round trips in hot paths and
listings from growing with the data (an N+1 shows up as a count that grows with N)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.storage.database import Database


class Statements:
    """The statements sent while counting (savepoints included: each is a round trip)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @property
    def count(self) -> int:
        """How many statements went to the database."""
        return len(self.sent)


@contextmanager
def counting(db: Database) -> Iterator[Statements]:
    """Count every statement sent through the database's engine inside the block."""
    seen = Statements()

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)
