"""The gate in front of every update: written down before it is handled, duplicates dropped,
leftovers from a crash handed back at start-up (see `bot.storage.telegram`).

With PostgreSQL several workers share the inbox. Each update is recorded before the webhook
answers Telegram (`record`, from the update queue), so an update the next one of its chat
depends on is already on disk when that one arrives at another worker; each chat's updates are
then handled under the chat's advisory lock (`turn`), the earlier ones of the chat first
(`earlier_unfinished`), and an update another worker already finished is skipped. Updates a
killed worker left are taken over by the next update of their chat or by `orphans`.

An update whose reply Telegram could not take (a network error or a 5xx after the retries) is
*owed*: it is not marked done, so a restart replays it, and while the bot runs it is handled
again before the next update of its chat (or by the retry job), the stored answer re-sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot, Update

from bot.storage.database import Database
from bot.storage.locks import CHATS, AdvisoryLocks, key32
from bot.storage.telegram import Receipt, UpdateInbox
from bot.telegram.ordering import chat_key

log = logging.getLogger(__name__)
MAX_TRIES = 12  # times an owed update is handled again (the retry job runs every 15 s)


class Inbox:
    """A `Gate` backed by the database."""

    def __init__(self, db: Database, bot_id: int, locks: AdvisoryLocks | None = None) -> None:
        self.db = db
        self.bot_id = bot_id
        self.locks = locks  # PostgreSQL: the workers' shared chat locks
        self._recorded: set[int] = set()  # written by `record`, not yet admitted
        self._in_flight: set[int] = set()
        self._owed: dict[int | None, list[Update]] = {}
        self._tries: dict[int, int] = {}  # update id → times its reply was not taken

    async def admit(self, update: object) -> bool:
        """Record the update; False for a duplicate (already handled, or being handled now).
        An owed update handed back by the retry job is let through once more."""
        if not isinstance(update, Update):
            return True
        update_id = update.update_id
        recorded = update_id in self._recorded
        self._recorded.discard(update_id)
        if update_id in self._in_flight:
            return self._reclaim(update)
        # Claimed before the await, so a copy arriving meanwhile is recognised above.
        self._in_flight.add(update_id)
        if recorded:
            return True  # `record` wrote it down a moment ago and found it still to do
        try:
            receipt = await self._receive(update)
        except BaseException:
            self._in_flight.discard(update_id)
            raise
        if receipt is Receipt.DONE:
            self._in_flight.discard(update_id)
            return False
        return True

    async def _receive(self, update: Update) -> Receipt:
        """Write the update into the inbox (one unit of work): new, or already done."""
        async with self.db.session() as s:
            return await UpdateInbox(s, self.bot_id).receive(
                update.update_id, chat_key(update), update.to_dict()
            )

    async def record(self, update: object) -> bool:
        """Write the update down as it arrives, before the webhook answers Telegram; False for
        one already handled (a retry Telegram sent, or another worker's)."""
        if not isinstance(update, Update):
            return True
        async with self.db.session() as s:
            receipt = await UpdateInbox(s, self.bot_id).receive(
                update.update_id, chat_key(update), update.to_dict()
            )
        if receipt is Receipt.DONE:
            return False
        self._recorded.add(update.update_id)
        return True

    @asynccontextmanager
    async def turn(self, update: object) -> AsyncIterator[bool]:
        """The chat's turn across workers: its advisory lock held inside; yields whether the
        update still has to be handled (another worker may have finished it meanwhile)."""
        key = chat_key(update)
        if self.locks is None or key is None or not isinstance(update, Update):
            yield True
            return
        async with self.locks.held(CHATS, key32(f"{self.bot_id}:{key}")):
            async with self.db.session() as s:
                done = await UpdateInbox(s, self.bot_id).is_done(update.update_id)
            yield not done

    async def earlier_unfinished(self, update: Update, bot: Bot) -> list[Update]:
        """This chat's earlier updates that no worker has finished (PostgreSQL only): another
        worker received them, or was killed handling them."""
        key = chat_key(update)
        if self.locks is None or key is None:
            return []
        async with self.db.session() as s:
            payloads = await UpdateInbox(s, self.bot_id).unfinished_before(key, update.update_id)
        return self._parsed(payloads, bot)

    async def orphans(self, grace: dt.timedelta, bot: Bot) -> list[Update]:
        """Updates left unfinished for `grace` whose chat no worker holds: a killed worker's
        (PostgreSQL only)."""
        if self.locks is None:
            return []
        async with self.db.session() as s:
            payloads = await UpdateInbox(s, self.bot_id).stale(self.db.now() - grace)
        found: list[Update] = []
        for update in self._parsed(payloads, bot):
            key = chat_key(update)
            if update.update_id in self._in_flight or key is None:
                continue
            lock = key32(f"{self.bot_id}:{key}")
            if await self.locks.try_take(CHATS, lock):
                await self.locks.release(CHATS, lock)
                found.append(update)
        return found

    @staticmethod
    def _parsed(payloads: list[dict[str, Any]], bot: Bot) -> list[Update]:
        updates = []
        for payload in payloads:
            try:
                updates.append(Update.de_json(payload, bot))
            except Exception as exc:  # noqa: BLE001 — `leftovers` at the next start skips it
                log.warning("unreadable update %s in the inbox: %r", payload.get("update_id"), exc)
        return updates

    async def done(self, update: object) -> None:
        """Mark the update handled (unless its reply is still owed)."""
        if not isinstance(update, Update) or self.is_owed(update):
            return
        try:
            async with self.db.session() as s:
                await UpdateInbox(s, self.bot_id).mark_done(update.update_id)
        finally:
            self._in_flight.discard(update.update_id)
            self._tries.pop(update.update_id, None)

    def owe(self, update: Update) -> bool:
        """Telegram did not take this update's reply: keep it to be handled again, in order.
        False once it has been tried `MAX_TRIES` times: then it is given up, so one message
        Telegram never takes cannot hold its chat up for good."""
        if self.is_owed(update):
            return True
        tries = self._tries.get(update.update_id, 0) + 1
        if tries > MAX_TRIES:
            self._tries.pop(update.update_id, None)
            return False
        self._tries[update.update_id] = tries
        owed = self._owed.setdefault(chat_key(update), [])
        owed.append(update)
        owed.sort(key=lambda u: u.update_id)
        return True

    def is_owed(self, update: Update) -> bool:
        """Whether the update waits to be handled again."""
        owed = self._owed.get(chat_key(update), [])
        return any(u.update_id == update.update_id for u in owed)

    def take_owed(self, update: Update) -> list[Update]:
        """The owed updates of this update's chat that came before it (no longer owed)."""
        key = chat_key(update)
        owed = self._owed.get(key, [])
        earlier = [u for u in owed if u.update_id < update.update_id]
        rest = [u for u in owed if u.update_id >= update.update_id]
        if rest:
            self._owed[key] = rest
        else:
            self._owed.pop(key, None)
        return earlier

    def all_owed(self) -> list[Update]:
        """Every owed update, each chat's in order."""
        return [u for owed in self._owed.values() for u in owed]

    def _reclaim(self, update: Update) -> bool:
        if not self.is_owed(update):
            return False  # a duplicate of an update being handled now
        key = chat_key(update)
        self._owed[key] = [u for u in self._owed[key] if u.update_id != update.update_id]
        if not self._owed[key]:
            del self._owed[key]
        return True

    async def record_reply(self, update: Update, source: str, message_id: int) -> None:
        """Telegram accepted the reply owed to the message `source` as `message_id`. Written at
        once: a kill before the update is marked done must still find it."""
        async with self.db.session() as s:
            await UpdateInbox(s, self.bot_id).record_reply(update.update_id, source, message_id)

    async def replied(self, source: str) -> bool:
        """Whether the reply owed to the message `source` was already delivered."""
        async with self.db.session() as s:
            return await UpdateInbox(s, self.bot_id).reply_to(source) is not None

    async def leftovers(self, bot: Bot) -> list[Update]:
        """Updates received but never finished (the process died), oldest first; one that can
        no longer be read is logged, marked done and skipped."""
        async with self.db.session() as s:
            inbox = UpdateInbox(s, self.bot_id)
            updates: list[Update] = []
            for payload in await inbox.unfinished():
                try:
                    updates.append(Update.de_json(payload, bot))
                except Exception as exc:  # noqa: BLE001 — one bad row must not stop the start
                    update_id = payload.get("update_id")
                    log.warning("unreadable update %s in the inbox skipped: %r", update_id, exc)
                    if isinstance(update_id, int):
                        await inbox.mark_done(update_id)
        return updates

    async def prune(self, keep: dt.timedelta) -> int:
        """Forget handled updates older than `keep`."""
        async with self.db.session() as s:
            return await UpdateInbox(s, self.bot_id).prune(self.db.now() - keep)
