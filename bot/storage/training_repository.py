"""Assignments and their attempts, team sessions, comments, score overrides, sent reminders.

Queries only: callers own the unit of work (`Database.unit()`) and decide who may see what
(bot.services.access). Reads return frozen records, never ORM rows; writes that change a
row are methods here, and duplicate keys become a result or an error of this module.
Every team-session query filters by `team_id`: that column is the isolation boundary.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.assignment import Attempt
from bot.domain.reminders import ReminderKey
from bot.domain.session import Phase
from bot.storage.models import PracticeSessionRow, ScorecardRow, TurnRow, User
from bot.storage.records import as_record
from bot.storage.team_repository import UserRecord, user_record
from bot.storage.teams import AssignmentRow, Comment, Membership, ReminderSent, ScoreOverride


@dataclass(frozen=True)
class AssignmentRecord:
    """A scenario a trainer assigned to the team (`user_id` None) or to one member."""

    id: int
    team_id: int
    user_id: int | None
    scenario_id: str
    scenario_version: int
    source: str
    due_at: dt.datetime
    time_zone: str
    pass_mark: int
    min_attempts: int
    created_by: int
    created_at: dt.datetime


@dataclass(frozen=True)
class SessionRecord:
    """A practice session as the training side reads it (no client state, no turns)."""

    id: str
    user_id: int
    scenario_id: str
    scenario_version: int
    scenario: dict[str, Any]
    phase: str
    created_at: dt.datetime
    team_id: int | None
    assignment_id: int | None


@dataclass(frozen=True)
class CommentRecord:
    """A trainer's comment on a session."""

    id: int
    session_id: str
    author_id: int
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class OverrideRecord:
    """One correction of a dimension score in the audit trail."""

    id: int
    session_id: str
    dimension: str
    score: float
    previous: float
    reason: str
    author_id: int
    created_at: dt.datetime


@dataclass(frozen=True)
class TeamSession:
    """A team session with its player and (if graded) its scorecard data."""

    session: SessionRecord
    user: UserRecord
    card: dict[str, Any] | None
    turns: int


def _assignment(row: AssignmentRow) -> AssignmentRecord:
    return as_record(row, AssignmentRecord)


def _session(row: PracticeSessionRow) -> SessionRecord:
    return as_record(row, SessionRecord)


def _comment(row: Comment) -> CommentRecord:
    return as_record(row, CommentRecord)


def _override(row: ScoreOverride) -> OverrideRecord:
    return as_record(row, OverrideRecord)


class TrainingRepository:
    """The training side of storage."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def assignment_by_request_key(self, key: str | None) -> AssignmentRecord | None:
        """The assignment an earlier request with this key stored (None without a key)."""
        if key is None:
            return None
        row = await self.s.scalar(select(AssignmentRow).where(AssignmentRow.request_key == key))
        return _assignment(row) if row is not None else None

    async def comment_by_request_key(self, key: str | None) -> CommentRecord | None:
        """The comment an earlier request with this key stored (None without a key)."""
        if key is None:
            return None
        row = await self.s.scalar(select(Comment).where(Comment.request_key == key))
        return _comment(row) if row is not None else None

    async def override_by_request_key(self, key: str | None) -> OverrideRecord | None:
        """The score correction an earlier request with this key stored (None without a key)."""
        if key is None:
            return None
        row = await self.s.scalar(select(ScoreOverride).where(ScoreOverride.request_key == key))
        return _override(row) if row is not None else None

    async def add_assignment(
        self,
        *,
        team_id: int,
        user_id: int | None,
        scenario_id: str,
        scenario_version: int,
        source: str,
        due_at: dt.datetime,
        time_zone: str,
        pass_mark: int,
        min_attempts: int,
        created_by: int,
        created_at: dt.datetime,
        request_key: str | None,
    ) -> AssignmentRecord:
        """Store a new assignment."""
        row = AssignmentRow(
            team_id=team_id,
            user_id=user_id,
            scenario_id=scenario_id,
            scenario_version=scenario_version,
            source=source,
            due_at=due_at,
            time_zone=time_zone,
            pass_mark=pass_mark,
            min_attempts=min_attempts,
            created_by=created_by,
            created_at=created_at,
            request_key=request_key,
        )
        self.s.add(row)
        await self.s.flush()
        return _assignment(row)

    async def assignment(self, assignment_id: int) -> AssignmentRecord | None:
        """An assignment by id."""
        row = await self.s.get(AssignmentRow, assignment_id)
        return _assignment(row) if row is not None else None

    async def assignments_by_id(self, assignment_ids: list[int]) -> dict[int, AssignmentRecord]:
        """Several assignments by id, in one read."""
        if not assignment_ids:
            return {}
        rows = await self.s.scalars(
            select(AssignmentRow).where(AssignmentRow.id.in_(assignment_ids))
        )
        return {row.id: _assignment(row) for row in rows}

    async def team_assignments(self, team_id: int) -> list[AssignmentRecord]:
        """A team's assignments, newest first."""
        rows = await self.s.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.team_id == team_id)
            .order_by(AssignmentRow.due_at.desc(), AssignmentRow.id.desc())
        )
        return [_assignment(row) for row in rows]

    async def all_assignments(self, since: dt.datetime) -> list[AssignmentRecord]:
        """Every assignment due after `since` (what reminders may still be owed for)."""
        rows = await self.s.scalars(
            select(AssignmentRow).where(AssignmentRow.due_at >= since).order_by(AssignmentRow.id)
        )
        return [_assignment(row) for row in rows]

    async def assignments_for(self, user_id: int) -> list[AssignmentRecord]:
        """Assignments meant for a user: to them by name, or to a team where they are a rep."""
        rep_teams = select(Membership.team_id).where(
            Membership.user_id == user_id, Membership.role == "rep"
        )
        rows = await self.s.scalars(
            select(AssignmentRow)
            .where(
                or_(
                    AssignmentRow.user_id == user_id,
                    (AssignmentRow.user_id.is_(None)) & AssignmentRow.team_id.in_(rep_teams),
                )
            )
            .order_by(AssignmentRow.due_at, AssignmentRow.id)
        )
        return [_assignment(row) for row in rows]

    async def targets(self, row: AssignmentRecord) -> list[UserRecord]:
        """The reps an assignment is meant for."""
        return (await self.targets_of([row]))[row.id]

    async def targets_of(self, rows: list[AssignmentRecord]) -> dict[int, list[UserRecord]]:
        """The reps each assignment is meant for (the one named, or the team's reps in joining
        order), by assignment id, in at most two reads however many assignments."""
        named_ids = {r.user_id for r in rows if r.user_id is not None}
        team_ids = {r.team_id for r in rows if r.user_id is None}
        named: dict[int, UserRecord] = {}
        if named_ids:
            users = await self.s.scalars(select(User).where(User.id.in_(named_ids)))
            named = {u.id: user_record(u) for u in users}
        reps: dict[int, list[UserRecord]] = defaultdict(list)
        if team_ids:
            found = await self.s.execute(
                select(Membership.team_id, User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.team_id.in_(team_ids), Membership.role == "rep")
                .order_by(Membership.joined_at, Membership.id)
            )
            for team_id, user in found.all():
                reps[team_id].append(user_record(user))

        def meant_for(row: AssignmentRecord) -> list[UserRecord]:
            if row.user_id is None:
                return list(reps[row.team_id])
            user = named.get(row.user_id)
            return [user] if user is not None else []

        return {row.id: meant_for(row) for row in rows}

    async def attempts(self, assignment_ids: list[int]) -> dict[tuple[int, int], list[Attempt]]:
        """Attempts (not abandoned) by (assignment id, user id); ungraded ones have no score."""
        if not assignment_ids:
            return {}
        rows = await self.s.execute(
            select(
                PracticeSessionRow.assignment_id,
                PracticeSessionRow.user_id,
                PracticeSessionRow.created_at,
                ScorecardRow.overall,
            )
            .outerjoin(ScorecardRow, ScorecardRow.session_id == PracticeSessionRow.id)
            .where(
                PracticeSessionRow.assignment_id.in_(assignment_ids),
                PracticeSessionRow.phase != Phase.ABANDONED.value,
            )
        )
        result: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
        for assignment_id, user_id, at, overall in rows.all():
            if assignment_id is not None:
                result[(assignment_id, user_id)].append(Attempt(at, overall))
        return dict(result)

    async def team_sessions(
        self,
        team_id: int,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        user_id: int | None = None,
        graded_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TeamSession]:
        """A team's sessions, newest first, with player, scorecard and turn count."""
        turns = (
            select(func.count(TurnRow.id))
            # Rounds as the rep counts them (and the turn budget): the rep's own messages.
            .where(TurnRow.session_id == PracticeSessionRow.id, TurnRow.speaker == "rep")
            .scalar_subquery()
        )
        query = (
            select(PracticeSessionRow, User, ScorecardRow.data, turns)
            .join(User, User.id == PracticeSessionRow.user_id)
            .outerjoin(ScorecardRow, ScorecardRow.session_id == PracticeSessionRow.id)
            .where(PracticeSessionRow.team_id == team_id)
            .order_by(PracticeSessionRow.created_at.desc(), PracticeSessionRow.id)
            .offset(offset)
        )
        if since is not None:
            query = query.where(PracticeSessionRow.created_at >= since)
        if until is not None:
            query = query.where(PracticeSessionRow.created_at < until)
        if user_id is not None:
            query = query.where(PracticeSessionRow.user_id == user_id)
        if graded_only:
            query = query.where(ScorecardRow.id.is_not(None))
        if limit is not None:
            query = query.limit(limit)
        rows = await self.s.execute(query)
        return [
            TeamSession(_session(row), user_record(user), card, count)
            for row, user, card, count in rows.all()
        ]

    async def session(self, session_id: str) -> SessionRecord | None:
        """A practice session (team and assignment included)."""
        row = await self.s.get(PracticeSessionRow, session_id)
        return _session(row) if row is not None else None

    async def scorecard_data(self, session_id: str, lock: bool = False) -> dict[str, Any] | None:
        """A session's stored scorecard, as stored (locked for an update with `lock`)."""
        query = select(ScorecardRow.data).where(ScorecardRow.session_id == session_id)
        return await self.s.scalar(query.with_for_update() if lock else query)

    async def save_scorecard(
        self, session_id: str, overall: int, passed: bool, data: dict[str, Any]
    ) -> None:
        """Replace a session's stored scorecard (a corrected grade)."""
        await self.s.execute(
            update(ScorecardRow)
            .where(ScorecardRow.session_id == session_id)
            .values(overall=overall, passed=passed, data=data)
            .execution_options(synchronize_session=False)
        )

    async def add_comment(
        self, session_id: str, author: int, text: str, request_key: str | None = None
    ) -> CommentRecord:
        """Append a comment."""
        row = Comment(session_id=session_id, author_id=author, text=text, request_key=request_key)
        self.s.add(row)
        await self.s.flush()
        return _comment(row)

    async def comments(self, session_id: str) -> list[tuple[CommentRecord, UserRecord]]:
        """A session's comments with their authors, oldest first."""
        rows = await self.s.execute(
            select(Comment, User)
            .join(User, User.id == Comment.author_id)
            .where(Comment.session_id == session_id)
            .order_by(Comment.created_at, Comment.id)
        )
        return [(_comment(c), user_record(u)) for c, u in rows.all()]

    async def comments_of(
        self, session_ids: list[str]
    ) -> dict[str, list[tuple[CommentRecord, UserRecord]]]:
        """The comments of many sessions in one read, by session, oldest first."""
        found: dict[str, list[tuple[CommentRecord, UserRecord]]] = {}
        if not session_ids:
            return found
        rows = await self.s.execute(
            select(Comment, User)
            .join(User, User.id == Comment.author_id)
            .where(Comment.session_id.in_(session_ids))
            .order_by(Comment.created_at, Comment.id)
        )
        for c, u in rows.all():
            found.setdefault(c.session_id, []).append((_comment(c), user_record(u)))
        return found

    async def add_override(
        self,
        *,
        session_id: str,
        dimension: str,
        score: float,
        previous: float,
        reason: str,
        author_id: int,
        created_at: dt.datetime,
        request_key: str | None,
    ) -> OverrideRecord:
        """Append one score correction to the audit trail."""
        row = ScoreOverride(
            session_id=session_id,
            dimension=dimension,
            score=score,
            previous=previous,
            reason=reason,
            author_id=author_id,
            created_at=created_at,
            request_key=request_key,
        )
        self.s.add(row)
        await self.s.flush()
        return _override(row)

    async def overrides(self, session_id: str) -> list[tuple[OverrideRecord, UserRecord]]:
        """A session's score corrections with their authors, oldest first."""
        rows = await self.s.execute(
            select(ScoreOverride, User)
            .join(User, User.id == ScoreOverride.author_id)
            .where(ScoreOverride.session_id == session_id)
            .order_by(ScoreOverride.created_at, ScoreOverride.id)
        )
        return [(_override(o), user_record(u)) for o, u in rows.all()]

    async def sent_reminders(self, assignment_ids: list[int]) -> set[ReminderKey]:
        """Keys of reminders already handled for these assignments."""
        if not assignment_ids:
            return set()
        rows = await self.s.execute(
            select(ReminderSent.assignment_id, ReminderSent.user_id, ReminderSent.kind).where(
                ReminderSent.assignment_id.in_(assignment_ids)
            )
        )
        return {(a, u, k) for a, u, k in rows.all()}

    async def claim_reminder(self, key: ReminderKey, outcome: str) -> bool:
        """Record a reminder as handled; False if another worker (or a past run) already did."""
        assignment_id, user_id, kind = key
        try:
            async with self.s.begin_nested():
                self.s.add(
                    ReminderSent(
                        assignment_id=assignment_id, user_id=user_id, kind=kind, outcome=outcome
                    )
                )
        except IntegrityError:
            return False
        return True
