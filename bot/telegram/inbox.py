"""The gate in front of every update: written down before it is handled, duplicates dropped,
leftovers from a crash handed back at start-up (see `bot.storage.telegram`)."""

from __future__ import annotations

import datetime as dt

from telegram import Bot, Update

from bot.storage.database import Database
from bot.storage.telegram import Receipt, UpdateInbox
from bot.telegram.ordering import chat_key


class Inbox:
    """A `Gate` backed by the database."""

    def __init__(self, db: Database, bot_id: int) -> None:
        self.db = db
        self.bot_id = bot_id
        self._in_flight: set[int] = set()

    async def admit(self, update: object) -> bool:
        """Record the update; False for a duplicate (already handled, or being handled now)."""
        if not isinstance(update, Update):
            return True
        update_id = update.update_id
        if update_id in self._in_flight:
            return False
        # Claimed before the await, so a copy arriving meanwhile is recognised above.
        self._in_flight.add(update_id)
        try:
            async with self.db.session() as s:
                receipt = await UpdateInbox(s, self.bot_id).receive(
                    update_id, chat_key(update), update.to_dict()
                )
        except BaseException:
            self._in_flight.discard(update_id)
            raise
        if receipt is Receipt.DONE:
            self._in_flight.discard(update_id)
            return False
        return True

    async def done(self, update: object) -> None:
        """Mark the update handled."""
        if not isinstance(update, Update):
            return
        try:
            async with self.db.session() as s:
                await UpdateInbox(s, self.bot_id).mark_done(update.update_id)
        finally:
            self._in_flight.discard(update.update_id)

    async def leftovers(self, bot: Bot) -> list[Update]:
        """Updates received but never finished (the process died), oldest first."""
        async with self.db.session() as s:
            payloads = await UpdateInbox(s, self.bot_id).unfinished()
        updates = [Update.de_json(p, bot) for p in payloads]
        return [u for u in updates if u is not None]

    async def prune(self, keep: dt.timedelta) -> int:
        """Forget handled updates older than `keep`."""
        async with self.db.session() as s:
            return await UpdateInbox(s, self.bot_id).prune(self.db.now() - keep)
