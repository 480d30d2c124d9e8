"""Teams, members, invites, trainer grants and team-private scenario versions.

Queries only: callers own the unit of work and decide who may see what (bot.services.access).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import User
from bot.storage.teams import Invite, Membership, Team, TeamScenario, TrainerGrant

ScenarioPin = tuple[int, str, int]
"""(team id, scenario id, version): one stored version of a team scenario."""


class TeamRepository:
    """The team side of storage."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def user(self, user_id: int) -> User | None:
        """A user by id."""
        return await self.s.get(User, user_id)

    async def user_by_telegram(self, telegram_id: int) -> User | None:
        """A user by Telegram id (None if they never wrote to the bot)."""
        return await self.s.scalar(select(User).where(User.telegram_id == telegram_id))

    async def is_trainer(self, user_id: int) -> bool:
        """Whether an operator granted this user the trainer role."""
        return await self.s.get(TrainerGrant, user_id) is not None

    async def grant_trainer(self, user_id: int, by: int) -> None:
        """Make a user a trainer (idempotent)."""
        if not await self.is_trainer(user_id):
            self.s.add(TrainerGrant(user_id=user_id, granted_by=by))
            await self.s.flush()

    async def trainer_grants(self) -> list[User]:
        """Every user granted the trainer role."""
        rows = await self.s.scalars(
            select(User).join(TrainerGrant, TrainerGrant.user_id == User.id).order_by(User.id)
        )
        return list(rows)

    async def team_trainers(self) -> list[User]:
        """Every user who is a trainer in at least one team."""
        rows = await self.s.scalars(
            select(User)
            .where(User.id.in_(select(Membership.user_id).where(Membership.role == "trainer")))
            .order_by(User.id)
        )
        return list(rows)

    async def create_team(self, name: str, time_zone: str, creator: int) -> Team:
        """A new team with its creator as trainer."""
        team = Team(name=name, time_zone=time_zone, created_by=creator)
        self.s.add(team)
        await self.s.flush()
        self.s.add(Membership(team_id=team.id, user_id=creator, role="trainer"))
        await self.s.flush()
        return team

    async def team(self, team_id: int) -> Team | None:
        """A team by id."""
        return await self.s.get(Team, team_id)

    async def teams_by_id(self, team_ids: Collection[int]) -> dict[int, Team]:
        """Several teams by id, in one read."""
        if not team_ids:
            return {}
        rows = await self.s.scalars(select(Team).where(Team.id.in_(team_ids)))
        return {team.id: team for team in rows}

    async def teams_with_chat(self) -> list[Team]:
        """Teams that linked a Telegram group."""
        return list(await self.s.scalars(select(Team).where(Team.chat_id.is_not(None))))

    async def membership(self, team_id: int, user_id: int) -> Membership | None:
        """A user's membership in a team, if any."""
        return await self.s.scalar(
            select(Membership).where(Membership.team_id == team_id, Membership.user_id == user_id)
        )

    async def teams_of(self, user_id: int) -> list[tuple[Team, str]]:
        """The teams a user belongs to, with their role in each."""
        rows = await self.s.execute(
            select(Team, Membership.role)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user_id)
            .order_by(Team.id)
        )
        return [(team, role) for team, role in rows.all()]

    async def members(self, team_id: int, role: str | None = None) -> list[tuple[User, str]]:
        """A team's members (optionally one role only), in joining order."""
        query = (
            select(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id)
            .order_by(Membership.joined_at, Membership.id)
        )
        if role is not None:
            query = query.where(Membership.role == role)
        return [(user, r) for user, r in (await self.s.execute(query)).all()]

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
    ) -> Membership:
        """Put a user in a team."""
        membership = Membership(team_id=team_id, user_id=user_id, role=role, invite_id=invite_id)
        self.s.add(membership)
        await self.s.flush()
        return membership

    async def add_invite(
        self, team_id: int, code: str, role: str, by: int, expires_at: dt.datetime | None
    ) -> Invite:
        """Store a new invite code."""
        invite = Invite(team_id=team_id, code=code, role=role, created_by=by, expires_at=expires_at)
        self.s.add(invite)
        await self.s.flush()
        return invite

    async def invite(self, code: str, lock: bool = False) -> Invite | None:
        """An invite by its code."""
        query = select(Invite).where(Invite.code == code)
        return await self.s.scalar(query.with_for_update() if lock else query)

    async def invites(self, team_id: int) -> list[Invite]:
        """A team's invites, newest first."""
        rows = await self.s.scalars(
            select(Invite).where(Invite.team_id == team_id).order_by(Invite.id.desc())
        )
        return list(rows)

    async def count_use(self, invite_id: int) -> None:
        """One more person joined through this invite (atomic increment)."""
        await self.s.execute(
            update(Invite).where(Invite.id == invite_id).values(uses=Invite.uses + 1)
        )

    async def scenario(
        self, team_id: int, scenario_id: str, version: int | None = None
    ) -> TeamScenario | None:
        """One stored version of a team scenario (the newest when `version` is None)."""
        query = select(TeamScenario).where(
            TeamScenario.team_id == team_id, TeamScenario.scenario_id == scenario_id
        )
        if version is not None:
            return await self.s.scalar(query.where(TeamScenario.version == version))
        return await self.s.scalar(query.order_by(TeamScenario.version.desc()).limit(1))

    async def pinned_scenarios(
        self, pins: Collection[ScenarioPin]
    ) -> dict[ScenarioPin, TeamScenario]:
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
        return {(r.team_id, r.scenario_id, r.version): r for r in rows}

    async def scenario_versions(self, team_id: int, scenario_id: str) -> list[TeamScenario]:
        """Every version of a team scenario, newest first."""
        rows = await self.s.scalars(
            select(TeamScenario)
            .where(TeamScenario.team_id == team_id, TeamScenario.scenario_id == scenario_id)
            .order_by(TeamScenario.version.desc())
        )
        return list(rows)

    async def latest_scenarios(self, team_id: int) -> list[TeamScenario]:
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
        return list(rows)

    async def add_scenario(
        self,
        team_id: int,
        scenario_id: str,
        version: int,
        yaml_text: str,
        data: dict[str, Any],
        author: int,
    ) -> TeamScenario:
        """Store a new version of a team scenario."""
        row = TeamScenario(
            team_id=team_id,
            scenario_id=scenario_id,
            version=version,
            yaml_text=yaml_text,
            data=data,
            author_id=author,
        )
        self.s.add(row)
        await self.s.flush()
        return row
