"""Assignments and their attempts, team sessions, comments, score overrides, sent reminders.

Queries only: callers own the unit of work and decide who may see what (bot.services.access).
Every team-session query filters by `team_id`: that column is the isolation boundary.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.assignment import Attempt
from bot.domain.reminders import ReminderKey
from bot.domain.session import Phase
from bot.storage.models import PracticeSessionRow, ScorecardRow, TurnRow, User
from bot.storage.teams import AssignmentRow, Comment, Membership, ReminderSent, ScoreOverride

Keyed = TypeVar("Keyed", AssignmentRow, Comment, ScoreOverride)


@dataclass(frozen=True)
class TeamSessionRow:
    """A team session with its player and (if graded) its scorecard data."""

    session: PracticeSessionRow
    user: User
    card: dict[str, Any] | None
    turns: int


class TrainingRepository:
    """The training side of storage."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def by_request_key(self, model: type[Keyed], key: str | None) -> Keyed | None:
        """The row an earlier request with this key stored (assignment, comment, override)."""
        if key is None:
            return None
        return await self.s.scalar(select(model).where(model.request_key == key))

    async def add_assignment(self, row: AssignmentRow) -> AssignmentRow:
        """Store a new assignment."""
        self.s.add(row)
        await self.s.flush()
        return row

    async def assignment(self, assignment_id: int) -> AssignmentRow | None:
        """An assignment by id."""
        return await self.s.get(AssignmentRow, assignment_id)

    async def assignments_by_id(self, assignment_ids: list[int]) -> dict[int, AssignmentRow]:
        """Several assignments by id, in one read."""
        if not assignment_ids:
            return {}
        rows = await self.s.scalars(
            select(AssignmentRow).where(AssignmentRow.id.in_(assignment_ids))
        )
        return {row.id: row for row in rows}

    async def team_assignments(self, team_id: int) -> list[AssignmentRow]:
        """A team's assignments, newest first."""
        rows = await self.s.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.team_id == team_id)
            .order_by(AssignmentRow.due_at.desc(), AssignmentRow.id.desc())
        )
        return list(rows)

    async def all_assignments(self, since: dt.datetime) -> list[AssignmentRow]:
        """Every assignment due after `since` (what reminders may still be owed for)."""
        rows = await self.s.scalars(
            select(AssignmentRow).where(AssignmentRow.due_at >= since).order_by(AssignmentRow.id)
        )
        return list(rows)

    async def assignments_for(self, user_id: int) -> list[AssignmentRow]:
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
        return list(rows)

    async def targets(self, row: AssignmentRow) -> list[User]:
        """The reps an assignment is meant for."""
        return (await self.targets_of([row]))[row.id]

    async def targets_of(self, rows: list[AssignmentRow]) -> dict[int, list[User]]:
        """The reps each assignment is meant for (the one named, or the team's reps in joining
        order), by assignment id, in at most two reads however many assignments."""
        named_ids = {r.user_id for r in rows if r.user_id is not None}
        team_ids = {r.team_id for r in rows if r.user_id is None}
        named: dict[int, User] = {}
        if named_ids:
            users = await self.s.scalars(select(User).where(User.id.in_(named_ids)))
            named = {u.id: u for u in users}
        reps: dict[int, list[User]] = defaultdict(list)
        if team_ids:
            found = await self.s.execute(
                select(Membership.team_id, User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.team_id.in_(team_ids), Membership.role == "rep")
                .order_by(Membership.joined_at, Membership.id)
            )
            for team_id, user in found.all():
                reps[team_id].append(user)

        def meant_for(row: AssignmentRow) -> list[User]:
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
    ) -> list[TeamSessionRow]:
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
        return [TeamSessionRow(row, user, card, count) for row, user, card, count in rows.all()]

    async def session_row(self, session_id: str) -> PracticeSessionRow | None:
        """A practice session's row (team and assignment included)."""
        return await self.s.get(PracticeSessionRow, session_id)

    async def scorecard_row(self, session_id: str, lock: bool = False) -> ScorecardRow | None:
        """A session's stored scorecard."""
        query = select(ScorecardRow).where(ScorecardRow.session_id == session_id)
        return await self.s.scalar(query.with_for_update() if lock else query)

    async def add_comment(
        self, session_id: str, author: int, text: str, request_key: str | None = None
    ) -> Comment:
        """Append a comment."""
        row = Comment(session_id=session_id, author_id=author, text=text, request_key=request_key)
        self.s.add(row)
        await self.s.flush()
        return row

    async def comments(self, session_id: str) -> list[tuple[Comment, User]]:
        """A session's comments with their authors, oldest first."""
        rows = await self.s.execute(
            select(Comment, User)
            .join(User, User.id == Comment.author_id)
            .where(Comment.session_id == session_id)
            .order_by(Comment.created_at, Comment.id)
        )
        return [(c, u) for c, u in rows.all()]

    async def comments_of(self, session_ids: list[str]) -> dict[str, list[tuple[Comment, User]]]:
        """The comments of many sessions in one read, by session, oldest first."""
        found: dict[str, list[tuple[Comment, User]]] = {}
        if not session_ids:
            return found
        rows = await self.s.execute(
            select(Comment, User)
            .join(User, User.id == Comment.author_id)
            .where(Comment.session_id.in_(session_ids))
            .order_by(Comment.created_at, Comment.id)
        )
        for c, u in rows.all():
            found.setdefault(c.session_id, []).append((c, u))
        return found

    async def add_override(self, row: ScoreOverride) -> ScoreOverride:
        """Append one score correction to the audit trail."""
        self.s.add(row)
        await self.s.flush()
        return row

    async def overrides(self, session_id: str) -> list[tuple[ScoreOverride, User]]:
        """A session's score corrections with their authors, oldest first."""
        rows = await self.s.execute(
            select(ScoreOverride, User)
            .join(User, User.id == ScoreOverride.author_id)
            .where(ScoreOverride.session_id == session_id)
            .order_by(ScoreOverride.created_at, ScoreOverride.id)
        )
        return [(o, u) for o, u in rows.all()]

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
