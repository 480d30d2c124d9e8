"""Guided flows that take several messages (setting up an assignment, typing a comment or the
reason for a score change, drafting a scenario) keep their state in the database, not in
process memory, so a restart mid-flow loses nothing. One draft per user; its nonce travels in
the flow's buttons, so a button from an older, replaced draft is recognised as stale.

Each flow's state is a typed model (a `FlowState`), stored as the draft row's JSON data and
read back through the same model. A row this code can no longer read (an older shape, a
field gone missing) is dropped and the user is told the form expired — never half-used."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import TrainerError
from bot.storage.database import Database
from bot.storage.drafts import DraftRepository
from bot.telegram.runtime import Context

DRAFT_TTL = dt.timedelta(hours=2)
"""A draft left alone this long is forgotten, so a prompt from yesterday never swallows a
practice message."""
AWAITS = "awaits"


class DraftExpired(TrainerError):
    """The user's draft is stored in a shape this version cannot read: it is dropped."""

    code = "tg.team.draft_expired"


class FlowState(BaseModel):
    """A flow's typed state. `awaits` names the typed text it waits for (None: a button)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    awaits: str | None = None


S = TypeVar("S", bound=FlowState)


@dataclass
class Draft:
    """A flow in progress as stored: its kind, the nonce its buttons carry, its JSON data."""

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

    def typed(self, model: type[S]) -> Flow[S]:
        """This draft read as `model`'s flow; DraftExpired if its data does not fit."""
        try:
            return Flow(self.kind, self.nonce, model.model_validate(self.data))
        except ValidationError as exc:
            raise DraftExpired(kind=self.kind) from exc


@dataclass(frozen=True)
class Flow(Generic[S]):
    """A flow in progress, typed: its kind, its buttons' nonce, and its state."""

    kind: str
    nonce: str
    state: S

    def request_key(self, telegram_id: int) -> str:
        """The id of what this flow finally does, so a replay after a crash does it once."""
        return f"tg:{telegram_id}:{self.kind}:{self.nonce}"

    def to(self, state: S) -> Flow[S]:
        """The same flow (kind, nonce) moved on to `state`."""
        return replace(self, state=state)

    def stored(self) -> Draft:
        """The flow as the draft row keeps it."""
        return Draft(self.kind, self.nonce, self.state.model_dump(mode="json"))


class Drafts:
    """Reads and writes drafts, one unit of work each."""

    def __init__(self, db: Database, ttl: dt.timedelta = DRAFT_TTL) -> None:
        self.db = db
        self.ttl = ttl

    async def begin(self, telegram_id: int, kind: str, state: S) -> Flow[S]:
        """A new flow, replacing any other draft the user had."""
        flow = Flow(kind, secrets.token_hex(4), state)
        await self.save(telegram_id, flow)
        return flow

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

    async def load(
        self, telegram_id: int, model: type[S], kind: str, nonce: str | None = None
    ) -> Flow[S] | None:
        """The user's live flow of that kind (and nonce), typed; None if there is none. A
        draft that no longer reads as `model` is forgotten and DraftExpired raised."""
        draft = await self.get(telegram_id, kind, nonce)
        return None if draft is None else await self.read(telegram_id, draft, model)

    async def read(self, telegram_id: int, draft: Draft, model: type[S]) -> Flow[S]:
        """`draft` typed as `model`; forgotten (and DraftExpired raised) if it does not fit."""
        try:
            return draft.typed(model)
        except DraftExpired:
            await self.clear(telegram_id)
            raise

    async def save(self, telegram_id: int, flow: Flow[Any]) -> None:
        """Store the flow as it stands now."""
        draft = flow.stored()
        async with self.db.session() as s:
            await DraftRepository(s).put(telegram_id, draft.kind, draft.nonce, draft.data)

    async def clear(self, telegram_id: int) -> None:
        """Forget the user's draft."""
        async with self.db.session() as s:
            await DraftRepository(s).clear(telegram_id)


def drafts(context: Context) -> Drafts:
    """The drafts of a started bot."""
    return Drafts(context.runtime.services.db)
