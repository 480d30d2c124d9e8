"""Repositories: translate between domain objects and rows. Callers own the unit of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.domain.audio import VoiceNote
from bot.domain.lang import parse_lang
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.domain.session import ACTIVE_PHASES, ClientState, EndReason, Phase, PracticeSession
from bot.domain.transcript import Transcript, Turn
from bot.storage.models import PracticeSessionRow, ScorecardRow, TurnRow, User, now_of
from bot.storage.team_repository import UserRecord, user_record


class DuplicateTurn(Exception):
    """A turn with this source key (e.g. a Telegram update) was already stored."""


@dataclass(frozen=True)
class SessionSummary:
    """A line in a rep's history."""

    id: str
    scenario_id: str
    title: str
    phase: Phase
    created_at: dt.datetime
    overall: int | None
    passed: bool | None
    turns: int


class UserRepository:
    """Users by Telegram id or local (terminal) name."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def by_telegram(
        self, telegram_id: int, name: str, language: str, rename: bool = True
    ) -> UserRecord:
        """The user for a Telegram account, created on first contact; `rename` takes `name`
        as their current one (it comes from Telegram), else it is only for a new user."""
        user = await self.s.scalar(select(User).where(User.telegram_id == telegram_id))
        if user is None:
            user = User(telegram_id=telegram_id, display_name=name, language=language)
            self.s.add(user)
            await self.s.flush()
        elif rename and name and user.display_name != name:
            user.display_name = name
        return user_record(user)

    async def by_local_name(self, local_name: str, language: str) -> UserRecord:
        """The user for a terminal login, created on first use."""
        user = await self.s.scalar(select(User).where(User.local_name == local_name))
        if user is None:
            user = User(local_name=local_name, display_name=local_name, language=language)
            self.s.add(user)
            await self.s.flush()
        return user_record(user)

    async def get(self, user_id: int) -> UserRecord | None:
        """A user by id."""
        user = await self.s.get(User, user_id)
        return user_record(user) if user is not None else None

    async def set_language(self, user_id: int, language: str) -> None:
        """Remember the user's interface language."""
        user = await self.s.get(User, user_id)
        if user is not None:
            user.language = language

    async def set_voice_replies(self, user_id: int, on: bool) -> None:
        """Remember whether the user hears the client's replies spoken."""
        user = await self.s.get(User, user_id)
        if user is not None:
            user.voice_replies = on


def _to_domain(row: PracticeSessionRow) -> PracticeSession:
    transcript = Transcript(
        tuple(
            Turn(t.number, t.speaker, t.text, t.stage, t.voice_seconds)  # type: ignore[arg-type]
            for t in row.turns
        )
    )
    return PracticeSession(
        id=row.id,
        user_id=row.user_id,
        scenario_id=row.scenario_id,
        scenario_version=row.scenario_version,
        language=parse_lang(row.language),
        phase=Phase(row.phase),
        plan=row.plan,
        client=ClientState.from_dict(row.client_state),
        transcript=transcript,
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
        team_id=row.team_id,
    )


# Validated scenario snapshots, so a turn does not validate its session's 5-9 KB snapshot
# again (twice a turn): by scenario, version and team, used only while the stored JSON is equal.
_SNAPSHOTS: dict[tuple[str, int, int | None], tuple[Any, Scenario]] = {}
MAX_SNAPSHOTS = 256


def snapshot(row: PracticeSessionRow) -> Scenario:
    """The scenario a session plays, validated once per distinct snapshot in this process."""
    key = (row.scenario_id, row.scenario_version, row.team_id)
    cached = _SNAPSHOTS.get(key)
    if cached is not None and cached[0] == row.scenario:
        return cached[1]
    scenario = Scenario.model_validate(row.scenario)
    if len(_SNAPSHOTS) >= MAX_SNAPSHOTS:
        _SNAPSHOTS.clear()
    _SNAPSHOTS[key] = (row.scenario, scenario)
    return scenario


class SessionRepository:
    """Practice sessions, their turns and scorecards."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        # The session's identity map holds rows weakly: once `load` has turned a row into
        # domain objects nothing references it, and `save_state` would read it again.
        self._loaded: dict[str, PracticeSessionRow] = {}

    async def _row(self, session_id: str, lock: bool = False) -> PracticeSessionRow | None:
        query = (
            select(PracticeSessionRow)
            .where(PracticeSessionRow.id == session_id)
            .options(selectinload(PracticeSessionRow.turns))
        )
        if lock:
            query = query.with_for_update()
        row = await self.s.scalar(query)
        if row is not None:
            self._loaded[session_id] = row
        return row

    async def create(
        self,
        practice: PracticeSession,
        scenario: Scenario,
        client_label: str,
        assignment_id: int | None = None,
    ) -> None:
        """Store a new session with a snapshot of the scenario it plays (and its team context)."""
        self.s.add(
            PracticeSessionRow(
                id=practice.id,
                user_id=practice.user_id,
                scenario_id=scenario.id,
                scenario_version=scenario.version,
                scenario=scenario.model_dump(mode="json"),
                language=practice.language,
                phase=practice.phase.value,
                plan=practice.plan,
                client_state=practice.client.to_dict(),
                client_label=client_label,
                team_id=practice.team_id,
                assignment_id=assignment_id,
            )
        )
        await self.s.flush()

    async def load(
        self, session_id: str, lock: bool = False
    ) -> tuple[PracticeSession, Scenario] | None:
        """A session and the exact scenario version it was started with."""
        row = await self._row(session_id, lock)
        if row is None:
            return None
        return _to_domain(row), snapshot(row)

    async def active_phase(self, user_id: int) -> tuple[str, Phase] | None:
        """The id and phase of the user's session in progress, if any (one narrow read)."""
        found = (
            await self.s.execute(
                select(PracticeSessionRow.id, PracticeSessionRow.phase)
                .where(
                    PracticeSessionRow.user_id == user_id,
                    PracticeSessionRow.phase.in_([p.value for p in ACTIVE_PHASES]),
                )
                .order_by(PracticeSessionRow.created_at.desc())
                .limit(1)
            )
        ).first()
        return (found.id, Phase(found.phase)) if found else None

    async def active_for(self, user_id: int) -> str | None:
        """The id of the user's session in progress, if any."""
        found = await self.active_phase(user_id)
        return found[0] if found else None

    async def save_state(self, practice: PracticeSession) -> None:
        """Persist phase, plan and client state (optimistic: a concurrent writer fails)."""
        row = self._loaded.get(practice.id) or await self.s.get(PracticeSessionRow, practice.id)
        if row is None:
            raise LookupError(practice.id)
        row.phase = practice.phase.value
        row.plan = practice.plan
        row.client_state = practice.client.to_dict()
        row.end_reason = practice.end_reason.value if practice.end_reason else None
        if practice.phase in (Phase.ENDED, Phase.ABANDONED) and row.ended_at is None:
            row.ended_at = now_of(self.s)
        await self.s.flush()

    async def turn_for_source(self, session_id: str, source_key: str) -> int | None:
        """The number of the turn stored from this source (e.g. one Telegram message), if any."""
        return await self.s.scalar(
            select(TurnRow.number).where(
                TurnRow.session_id == session_id, TurnRow.source_key == source_key
            )
        )

    async def has_source_key(self, session_id: str, source_key: str) -> bool:
        """Whether a turn from this source is already stored."""
        return await self.turn_for_source(session_id, source_key) is not None

    async def add_turn(
        self,
        session_id: str,
        turn: Turn,
        source_key: str | None = None,
        voice: VoiceNote | None = None,
    ) -> None:
        """Append a turn (with its voice note, if spoken); `DuplicateTurn` if its source key
        (or its number) was already stored.

        The unique constraints decide, inside a savepoint, so a duplicate costs no extra read
        and the caller's unit of work goes on.
        """
        row = TurnRow(
            session_id=session_id,
            number=turn.number,
            speaker=turn.speaker,
            text=turn.text,
            stage=turn.stage,
            source_key=source_key,
            voice_file_id=voice.file_id[:256] if voice else None,
            voice_seconds=voice.seconds if voice else None,
            voice_transcript=voice.transcript if voice else None,
        )
        try:
            async with self.s.begin_nested():
                self.s.add(row)
        except IntegrityError:
            raise DuplicateTurn(source_key or f"#{turn.number}") from None

    def saved_at(self, session_id: str) -> dt.datetime | None:
        """When the loaded session was last saved (no query: read from the loaded row)."""
        row = self._loaded.get(session_id)
        return row.updated_at if row is not None else None

    async def replace_turn_text(
        self, session_id: str, number: int, text: str, seconds: float | None = None
    ) -> None:
        """Rewrite a stored turn (used when queued rep messages merge into one turn); a
        merged voice note adds its `seconds` to the turn's spoken time."""
        row = await self.s.scalar(
            select(TurnRow).where(TurnRow.session_id == session_id, TurnRow.number == number)
        )
        if row is not None:
            row.text = text
            if seconds:
                row.voice_seconds = (row.voice_seconds or 0.0) + seconds

    async def save_scorecard(self, session_id: str, card: Scorecard) -> None:
        """Store (or replace) a session's scorecard."""
        row = await self.s.scalar(select(ScorecardRow).where(ScorecardRow.session_id == session_id))
        data: dict[str, Any] = card.to_json(full=True)
        if row is None:
            self.s.add(
                ScorecardRow(
                    session_id=session_id,
                    overall=card.overall,
                    passed=card.passed,
                    grader=card.grader,
                    data=data,
                )
            )
        else:
            row.overall, row.passed, row.grader, row.data = (
                card.overall,
                card.passed,
                card.grader,
                data,
            )
        await self.s.flush()

    async def scorecard(self, session_id: str) -> Scorecard | None:
        """A session's scorecard, if graded."""
        row = await self.s.scalar(select(ScorecardRow).where(ScorecardRow.session_id == session_id))
        return Scorecard.from_json(row.data) if row else None

    async def history(self, user_id: int, limit: int = 10, offset: int = 0) -> list[SessionSummary]:
        """A user's sessions, newest first, with scores where graded."""
        turns = (
            select(func.count(TurnRow.id))
            # Rounds as a rep counts them: their own messages.
            .where(TurnRow.session_id == PracticeSessionRow.id, TurnRow.speaker == "rep")
            .scalar_subquery()
        )
        rows = await self.s.execute(
            select(PracticeSessionRow, ScorecardRow.overall, ScorecardRow.passed, turns)
            .outerjoin(ScorecardRow, ScorecardRow.session_id == PracticeSessionRow.id)
            .where(PracticeSessionRow.user_id == user_id)
            .order_by(PracticeSessionRow.created_at.desc())
            .limit(limit)
            .offset(offset)
        )
        return [
            SessionSummary(
                id=row.id,
                scenario_id=row.scenario_id,
                title=str(row.scenario.get("title", row.scenario_id)),
                phase=Phase(row.phase),
                created_at=row.created_at,
                overall=overall,
                passed=passed,
                turns=count,
            )
            for row, overall, passed, count in rows.all()
        ]

    async def graded_cards(self, user_id: int) -> list[tuple[dt.datetime, str, Scorecard]]:
        """Every graded session of a user, oldest first (for progress charts)."""
        rows = await self.s.execute(
            select(PracticeSessionRow.created_at, PracticeSessionRow.scenario_id, ScorecardRow.data)
            .join(ScorecardRow, ScorecardRow.session_id == PracticeSessionRow.id)
            .where(PracticeSessionRow.user_id == user_id)
            .order_by(PracticeSessionRow.created_at)
        )
        return [(at, sid, Scorecard.from_json(data)) for at, sid, data in rows.all()]
