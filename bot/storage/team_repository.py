"""Teams, members, invites, trainer grants and team-private scenario versions.

Queries only: callers own the unit of work (`Database.unit()`) and decide who may see what
(bot.services.access). Reads return frozen records, never ORM rows; writes that change a
row are methods here, and duplicate keys become a result or an error of this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.board_posts import claim_board
from bot.storage.models import User
from bot.storage.records import as_record
from bot.storage.teams import Invite, Membership, Team, TeamScenario, TrainerGrant

ScenarioPin = tuple[int, str, int]
"""(team id, scenario id, version): one stored version of a team scenario."""


class VersionTaken(Exception):
    """Another upload stored this version of the team scenario first."""


@dataclass(frozen=True)
class UserRecord:
    """A user as the training side reads them (who they are and how to reach them)."""

    id: int
    telegram_id: int | None
    display_name: str
    language: str
    voice_replies: bool = False


@dataclass(frozen=True)
class TeamRecord:
    """A team."""

    id: int
    name: str
    time_zone: str
    chat_id: int | None
    created_by: int


@dataclass(frozen=True)
class InviteRecord:
    """An invite code and its state."""

    id: int
    team_id: int
    code: str
    role: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    uses: int


@dataclass(frozen=True)
class ScenarioVersion:
    """One stored version of a team scenario: the uploaded YAML and what it parsed to."""

    team_id: int
    scenario_id: str
    version: int
    yaml_text: str
    data: dict[str, Any]
    author_id: int
    created_at: dt.datetime


def user_record(row: User) -> UserRecord:
    """A user row as a record."""
    return UserRecord(
        row.id, row.telegram_id, row.display_name, row.language, bool(row.voice_replies)
    )


def team_record(row: Team) -> TeamRecord:
    """A team row as a record."""
    return as_record(row, TeamRecord)


def _invite(row: Invite) -> InviteRecord:
    return as_record(row, InviteRecord)


def _version(row: TeamScenario) -> ScenarioVersion:
    return as_record(row, ScenarioVersion)


class TeamRepository:
    """The team side of storage."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        # Rows a later write in this unit of work may change: holding them keeps them in the
        # session's (weak) identity map, so that write needs no second read.
        self._held: list[Team | Invite] = []

    async def user(self, user_id: int) -> UserRecord | None:
        """A user by id."""
        row = await self.s.get(User, user_id)
        return user_record(row) if row is not None else None

    async def user_by_telegram(self, telegram_id: int) -> UserRecord | None:
        """A user by Telegram id (None if they never wrote to the bot)."""
        row = await self.s.scalar(select(User).where(User.telegram_id == telegram_id))
        return user_record(row) if row is not None else None

    async def is_trainer(self, user_id: int) -> bool:
        """Whether an operator granted this user the trainer role."""
        return await self.s.get(TrainerGrant, user_id) is not None

    async def grant_trainer(self, user_id: int, by: int) -> None:
        """Make a user a trainer (idempotent)."""
        if not await self.is_trainer(user_id):
            self.s.add(TrainerGrant(user_id=user_id, granted_by=by))
            await self.s.flush()

    async def trainer_grants(self) -> list[UserRecord]:
        """Every user granted the trainer role."""
        rows = await self.s.scalars(
            select(User).join(TrainerGrant, TrainerGrant.user_id == User.id).order_by(User.id)
        )
        return [user_record(u) for u in rows]

    async def team_trainers(self) -> list[UserRecord]:
        """Every user who is a trainer in at least one team."""
        rows = await self.s.scalars(
            select(User)
            .where(User.id.in_(select(Membership.user_id).where(Membership.role == "trainer")))
            .order_by(User.id)
        )
        return [user_record(u) for u in rows]

    async def create_team(self, name: str, time_zone: str, creator: int) -> TeamRecord:
        """A new team with its creator as trainer."""
        team = Team(name=name, time_zone=time_zone, created_by=creator)
        self.s.add(team)
        await self.s.flush()
        self.s.add(Membership(team_id=team.id, user_id=creator, role="trainer"))
        await self.s.flush()
        return team_record(team)

    async def team(self, team_id: int) -> TeamRecord | None:
        """A team by id."""
        row = await self.s.get(Team, team_id)
        if row is None:
            return None
        self._held.append(row)
        return team_record(row)

    async def teams_by_id(self, team_ids: Collection[int]) -> dict[int, TeamRecord]:
        """Several teams by id, in one read."""
        if not team_ids:
            return {}
        rows = await self.s.scalars(select(Team).where(Team.id.in_(team_ids)))
        return {team.id: team_record(team) for team in rows}

    async def teams_with_chat(self) -> list[TeamRecord]:
        """Teams that linked a Telegram group."""
        rows = await self.s.scalars(select(Team).where(Team.chat_id.is_not(None)))
        return [team_record(team) for team in rows]

    async def link_chat(self, team_id: int, chat_id: int | None) -> None:
        """Set (or clear) the Telegram group linked to a team."""
        row = await self.s.get(Team, team_id)
        if row is not None:
            row.chat_id = chat_id

    async def claim_weekly_board(self, team_id: int, week: dt.date, chat_id: int) -> bool:
        """Record a team's board for a week as posted; False if it already was."""
        return await claim_board(self.s, team_id, week, chat_id)

    async def member_role(self, team_id: int, user_id: int) -> str | None:
        """A user's role in a team (None: not a member)."""
        return await self.s.scalar(
            select(Membership.role).where(
                Membership.team_id == team_id, Membership.user_id == user_id
            )
        )

    async def set_member_role(self, team_id: int, user_id: int, role: str) -> None:
        """Change a member's role in a team."""
        await self.s.execute(
            update(Membership)
            .where(Membership.team_id == team_id, Membership.user_id == user_id)
            .values(role=role)
        )

    async def teams_of(self, user_id: int) -> list[tuple[TeamRecord, str]]:
        """The teams a user belongs to, with their role in each."""
        rows = await self.s.execute(
            select(Team, Membership.role)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user_id)
            .order_by(Team.id)
        )
        return [(team_record(team), role) for team, role in rows.all()]

    async def members(self, team_id: int, role: str | None = None) -> list[tuple[UserRecord, str]]:
        """A team's members (optionally one role only), in joining order."""
        query = (
            select(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id)
            .order_by(Membership.joined_at, Membership.id)
        )
        if role is not None:
            query = query.where(Membership.role == role)
        return [(user_record(user), r) for user, r in (await self.s.execute(query)).all()]

    async def member_counts(self, team_ids: Collection[int]) -> dict[int, int]:
        """How many members each of several teams has, in one read (absent: none)."""
        if not team_ids:
            return {}
        rows = await self.s.execute(
            select(Membership.team_id, func.count(Membership.id))
            .where(Membership.team_id.in_(team_ids))
            .group_by(Membership.team_id)
        )
        return {team_id: int(count) for team_id, count in rows.all()}

    async def add_member(
        self, team_id: int, user_id: int, role: str, invite_id: int | None
    ) -> None:
        """Put a user in a team."""
        self.s.add(Membership(team_id=team_id, user_id=user_id, role=role, invite_id=invite_id))
        await self.s.flush()

    async def add_invite(
        self, team_id: int, code: str, role: str, by: int, expires_at: dt.datetime | None
    ) -> InviteRecord:
        """Store a new invite code."""
        invite = Invite(team_id=team_id, code=code, role=role, created_by=by, expires_at=expires_at)
        self.s.add(invite)
        await self.s.flush()
        return _invite(invite)

    async def invite(self, code: str, lock: bool = False) -> InviteRecord | None:
        """An invite by its code."""
        query = select(Invite).where(Invite.code == code)
        row = await self.s.scalar(query.with_for_update() if lock else query)
        if row is None:
            return None
        self._held.append(row)
        return _invite(row)

    async def invites(self, team_id: int) -> list[InviteRecord]:
        """A team's invites, newest first."""
        rows = await self.s.scalars(
            select(Invite).where(Invite.team_id == team_id).order_by(Invite.id.desc())
        )
        return [_invite(row) for row in rows]

    async def revoke_invite(self, invite_id: int, at: dt.datetime) -> None:
        """Stop an invite from working from `at` on (a revoked one keeps its first time)."""
        row = await self.s.get(Invite, invite_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = at

    async def count_use(self, invite_id: int) -> None:
        """One more person joined through this invite (atomic increment)."""
        await self.s.execute(
            update(Invite).where(Invite.id == invite_id).values(uses=Invite.uses + 1)
        )

    async def scenario(
        self, team_id: int, scenario_id: str, version: int | None = None
    ) -> ScenarioVersion | None:
        """One stored version of a team scenario (the newest when `version` is None)."""
        query = select(TeamScenario).where(
            TeamScenario.team_id == team_id, TeamScenario.scenario_id == scenario_id
        )
        if version is not None:
            query = query.where(TeamScenario.version == version)
        else:
            query = query.order_by(TeamScenario.version.desc()).limit(1)
        row = await self.s.scalar(query)
        return _version(row) if row is not None else None

    async def pinned_scenarios(
        self, pins: Collection[ScenarioPin]
    ) -> dict[ScenarioPin, ScenarioVersion]:
        """Several stored versions of team scenarios, in one read (absent ones left out)."""
        if not pins:
            return {}
        rows = await self.s.scalars(
            select(TeamScenario).where(
                or_(
                    *(
                        and_(
                            TeamScenario.team_id == team_id,
                            TeamScenario.scenario_id == scenario_id,
                            TeamScenario.version == version,
                        )
                        for team_id, scenario_id, version in pins
                    )
                )
            )
        )
        return {(r.team_id, r.scenario_id, r.version): _version(r) for r in rows}

    async def scenario_versions(self, team_id: int, scenario_id: str) -> list[ScenarioVersion]:
        """Every version of a team scenario, newest first."""
        rows = await self.s.scalars(
            select(TeamScenario)
            .where(TeamScenario.team_id == team_id, TeamScenario.scenario_id == scenario_id)
            .order_by(TeamScenario.version.desc())
        )
        return [_version(row) for row in rows]

    async def latest_scenarios(self, team_id: int) -> list[ScenarioVersion]:
        """The newest version of each of a team's scenarios."""
        newest = (
            select(TeamScenario.scenario_id, func.max(TeamScenario.version).label("version"))
            .where(TeamScenario.team_id == team_id)
            .group_by(TeamScenario.scenario_id)
            .subquery()
        )
        rows = await self.s.scalars(
            select(TeamScenario)
            .join(
                newest,
                (TeamScenario.scenario_id == newest.c.scenario_id)
                & (TeamScenario.version == newest.c.version),
            )
            .where(TeamScenario.team_id == team_id)
            .order_by(TeamScenario.scenario_id)
        )
        return [_version(row) for row in rows]

    async def add_scenario(
        self,
        team_id: int,
        scenario_id: str,
        version: int,
        yaml_text: str,
        data: dict[str, Any],
        author: int,
    ) -> ScenarioVersion:
        """Store a new version of a team scenario; `VersionTaken` if a concurrent upload
        stored the same version first (the unit of work must then be rolled back)."""
        row = TeamScenario(
            team_id=team_id,
            scenario_id=scenario_id,
            version=version,
            yaml_text=yaml_text,
            data=data,
            author_id=author,
        )
        self.s.add(row)
        try:
            await self.s.flush()
        except IntegrityError:
            raise VersionTaken(f"{team_id}/{scenario_id} v{version}") from None
        return _version(row)
