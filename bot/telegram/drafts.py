"""Guided flows that take several messages (setting up an assignment, typing a comment or the
reason for a score change) keep their state in the database, not in process memory, so a
restart mid-flow loses nothing. One draft per user; its nonce travels in the flow's buttons,
so a button from an older, replaced draft is recognised as stale."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.storage.database import Database
from bot.storage.drafts import DraftRepository
from bot.telegram.runtime import Context

DRAFT_TTL = dt.timedelta(hours=2)
"""A draft left alone this long is forgotten, so a prompt from yesterday never swallows a
practice message."""
AWAITS = "awaits"


@dataclass
class Draft:
    """A flow in progress: its kind, the nonce its buttons carry, and what is known so far."""

    kind: str
    nonce: str
    data: dict[str, Any] = field(default_factory=dict)

    def request_key(self, telegram_id: int) -> str:
        """The id of what this flow finally does, so a replay after a crash does it once."""
        return f"tg:{telegram_id}:{self.kind}:{self.nonce}"

    @property
    def awaits(self) -> str | None:
        """What typed text the flow is waiting for (None: it waits for a button)."""
        value = self.data.get(AWAITS)
        return str(value) if value else None


class Drafts:
    """Reads and writes drafts, one unit of work each."""

    def __init__(self, db: Database, ttl: dt.timedelta = DRAFT_TTL) -> None:
        self.db = db
        self.ttl = ttl

    async def begin(self, telegram_id: int, kind: str, **data: Any) -> Draft:
        """A new draft, replacing any other the user had."""
        draft = Draft(kind, secrets.token_hex(4), data)
        await self.save(telegram_id, draft)
        return draft

    async def get(
        self, telegram_id: int, kind: str | None = None, nonce: str | None = None
    ) -> Draft | None:
        """The user's live draft (of that kind, with that nonce, when given)."""
        async with self.db.session() as s:
            row = await DraftRepository(s).get(telegram_id)
            if row is None:
                return None
            if self.db.now() - row.updated_at > self.ttl:
                await DraftRepository(s).clear(telegram_id)
                return None
            if kind not in (None, row.kind) or nonce not in (None, row.nonce):
                return None
            return Draft(row.kind, row.nonce, dict(row.data))

    async def save(self, telegram_id: int, draft: Draft) -> None:
        """Store the draft as it stands now."""
        async with self.db.session() as s:
            await DraftRepository(s).put(telegram_id, draft.kind, draft.nonce, draft.data)

    async def clear(self, telegram_id: int) -> None:
        """Forget the user's draft."""
        async with self.db.session() as s:
            await DraftRepository(s).clear(telegram_id)


def drafts(context: Context) -> Drafts:
    """The drafts of a started bot."""
    return Drafts(context.runtime.services.db)
