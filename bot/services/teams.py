"""Teams: creating them, invite links, joining, members, the linked group chat, trainer grants."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.clock import system_clock
from bot.domain.periods import DEFAULT_TIME_ZONE, Clock, zone
from bot.domain.roles import Action, Role
from bot.errors import AccessDenied, InvalidRequest, InviteInvalid
from bot.services.access import Access
from bot.services.notices import Notice, notice_to
from bot.storage.database import Database
from bot.storage.team_repository import InviteRecord, TeamRecord, TeamRepository

MAX_TEAM_NAME = 64
MAX_INVITE_DAYS = 365
_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_BOT_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class TeamInfo:
    """A team as one of its members sees it."""

    id: int
    name: str
    time_zone: str
    role: Role
    members: int
    chat_linked: bool


@dataclass(frozen=True)
class Member:
    """A team member."""

    user_id: int
    name: str
    role: Role


@dataclass(frozen=True)
class InviteLink:
    """A fresh invite: the code and the deep link that carries it."""

    team_id: int
    code: str
    url: str
    role: Role
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class InviteInfo:
    """An invite as its team's trainer sees it."""

    code: str
    role: Role
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked: bool
    uses: int
    active: bool


@dataclass(frozen=True)
class Granted:
    """A user made a trainer, and the notice that tells them."""

    user_id: int
    telegram_id: int
    notices: list[Notice]


@dataclass(frozen=True)
class Joined:
    """The result of following an invite link, and who to tell."""

    team: TeamInfo
    already_member: bool
    notices: list[Notice]


def clean_name(text: str) -> str:
    """A team name fit to show, or `InvalidRequest`."""
    name = " ".join(_CONTROL.sub(" ", text).split())
    if not name:
        raise InvalidRequest("team.error.name_empty")
    if len(name) > MAX_TEAM_NAME:
        raise InvalidRequest("team.error.name_too_long", limit=MAX_TEAM_NAME)
    return name


def invite_url(bot_username: str, code: str) -> str:
    """The deep link that opens the bot with the invite code."""
    name = bot_username.strip().removeprefix("@")
    if not _BOT_USERNAME.match(name):
        raise InvalidRequest("team.error.bot_username")
    return f"https://t.me/{name}?start={code}"


def _active(invite: InviteRecord, now: dt.datetime) -> bool:
    return invite.revoked_at is None and (invite.expires_at is None or invite.expires_at > now)


class TeamService:
    """Builds and runs teams; every method takes the acting user's id."""

    def __init__(
        self,
        db: Database,
        access: Access,
        clock: Clock = system_clock,
        default_time_zone: str = DEFAULT_TIME_ZONE,
    ) -> None:
        self.db = db
        self.access = access
        self.clock = clock
        self.default_time_zone = zone(default_time_zone).key

    async def _info(self, repo: TeamRepository, team: TeamRecord, role: Role) -> TeamInfo:
        (info,) = await self._infos(repo, [(team, role)])
        return info

    async def _infos(
        self, repo: TeamRepository, teams: Sequence[tuple[TeamRecord, Role]]
    ) -> list[TeamInfo]:
        """Teams as a member sees them, their member counts read all at once."""
        counts = await repo.member_counts([team.id for team, _ in teams])
        return [
            TeamInfo(t.id, t.name, t.time_zone, role, counts.get(t.id, 0), t.chat_id is not None)
            for t, role in teams
        ]

    async def role(self, actor: int) -> Role:
        """The actor's global role (for the command menu)."""
        async with self.db.unit() as u:
            return await self.access.role(u.teams, actor)

    async def grant_trainer(self, actor: int, user_id: int) -> None:
        """Operators make a user a trainer (who may then create teams)."""
        async with self.db.unit() as u:
            await self.access.require_global(u.teams, actor, Action.GRANT_TRAINER)
            repo = u.teams
            if await repo.user(user_id) is None:
                raise InvalidRequest("team.error.unknown_user")
            await repo.grant_trainer(user_id, actor)

    async def grant_trainer_by_telegram(self, actor: int, telegram_id: int) -> Granted:
        """Operators make a Telegram user (who has written to the bot) a trainer; they are told."""
        async with self.db.unit() as u:
            await self.access.require_global(u.teams, actor, Action.GRANT_TRAINER)
            repo = u.teams
            user = await repo.user_by_telegram(telegram_id)
            if user is None:
                raise InvalidRequest("team.error.unknown_user")
            await repo.grant_trainer(user.id, actor)
            notice = notice_to(user, "team.notice.granted") if user.id != actor else None
            return Granted(user.id, telegram_id, [notice] if notice else [])

    async def standing(self, actor: int) -> Role:
        """The widest role the actor holds anywhere (which command menu and help they get):
        operator, trainer (granted, or a trainer in some team) or rep."""
        async with self.db.unit() as u:
            role = await self.access.role(u.teams, actor)
            if role != Role.REP:
                return role
            teams = await u.teams.teams_of(actor)
            return Role.TRAINER if any(r == Role.TRAINER for _, r in teams) else Role.REP

    async def managed(self, actor: int) -> list[TeamInfo]:
        """The teams the actor runs as a trainer; `AccessDenied` for someone who runs none and
        may not create one (a rep), so trainer commands are refused before anything is shown."""
        async with self.db.unit() as u:
            role = await self.access.role(u.teams, actor)
            repo = u.teams
            runs = [
                (team, Role.OPERATOR if role == Role.OPERATOR else Role.TRAINER)
                for team, r in await repo.teams_of(actor)
                if r == Role.TRAINER or role == Role.OPERATOR
            ]
            if not runs and role == Role.REP:
                raise AccessDenied("team.denied.trainer_only")
            return await self._infos(repo, runs)

    async def create_team(self, actor: int, name: str, time_zone: str | None = None) -> TeamInfo:
        """A new team, with the actor as its trainer."""
        tz = zone(time_zone).key if time_zone else None
        async with self.db.unit() as u:
            await self.access.require_global(u.teams, actor, Action.CREATE_TEAM)
            repo = u.teams
            team = await repo.create_team(clean_name(name), tz or self.default_time_zone, actor)
            return await self._info(repo, team, Role.TRAINER)

    async def my_teams(self, actor: int) -> list[TeamInfo]:
        """The teams the actor belongs to, with their role in each."""
        async with self.db.unit() as u:
            repo = u.teams
            return await self._infos(repo, [(t, Role(r)) for t, r in await repo.teams_of(actor)])

    async def team(self, actor: int, team_id: int) -> TeamInfo:
        """One of the actor's teams."""
        async with self.db.unit() as u:
            role = await self.access.require(u.teams, actor, team_id, Action.VIEW_BOARD)
            repo = u.teams
            team = await repo.team(team_id)
            assert team is not None  # require() checked it exists
            return await self._info(repo, team, role)

    async def members(self, actor: int, team_id: int) -> list[Member]:
        """The team's members, in joining order."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.VIEW_BOARD)
            rows = await u.teams.members(team_id)
            return [Member(u.id, u.display_name, Role(r)) for u, r in rows]

    async def invite(
        self,
        actor: int,
        team_id: int,
        bot_username: str,
        expires_in: dt.timedelta | None = None,
        role: Role = Role.REP,
    ) -> InviteLink:
        """A new unguessable invite link (optionally expiring; `role` trainer adds a co-trainer)."""
        if role not in (Role.REP, Role.TRAINER):
            raise InvalidRequest("team.error.invite_role")
        if expires_in is not None and not (
            dt.timedelta(0) < expires_in <= dt.timedelta(days=MAX_INVITE_DAYS)
        ):
            raise InvalidRequest("team.error.invite_expiry", days=MAX_INVITE_DAYS)
        code = secrets.token_urlsafe(16)
        url = invite_url(bot_username, code)
        expires_at = self.clock() + expires_in if expires_in else None
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.MANAGE_TEAM)
            await u.teams.add_invite(team_id, code, role.value, actor, expires_at)
        return InviteLink(team_id, code, url, role, expires_at)

    async def invites(self, actor: int, team_id: int) -> list[InviteInfo]:
        """The team's invites, newest first."""
        now = self.clock()
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.MANAGE_TEAM)
            return [
                InviteInfo(
                    i.code,
                    Role(i.role),
                    i.created_at,
                    i.expires_at,
                    i.revoked_at is not None,
                    i.uses,
                    _active(i, now),
                )
                for i in await u.teams.invites(team_id)
            ]

    async def revoke_invite(self, actor: int, code: str) -> None:
        """Stop an invite from working (people who joined stay)."""
        async with self.db.unit() as u:
            invite = await u.teams.invite(code.strip(), lock=True)
            if invite is None:
                raise InviteInvalid()
            await self.access.require(u.teams, actor, invite.team_id, Action.MANAGE_TEAM)
            await u.teams.revoke_invite(invite.id, self.clock())

    async def join(self, actor: int, code: str) -> Joined:
        """Join the team behind an invite code; the team's trainers are told."""
        code = code.strip()
        if not _CODE.match(code):
            raise InviteInvalid()
        now = self.clock()
        async with self.db.unit() as u:
            repo = u.teams
            invite = await repo.invite(code, lock=True)
            if invite is None:
                raise InviteInvalid()
            if invite.revoked_at is not None:
                raise InviteInvalid("team.error.invite_revoked")
            if invite.expires_at is not None and invite.expires_at <= now:
                raise InviteInvalid("team.error.invite_expired")
            team = await repo.team(invite.team_id)
            user = await repo.user(actor)
            if user is None:
                raise AccessDenied("team.denied.unknown_user")
            assert team is not None  # the invite's foreign key guarantees it
            current = await repo.member_role(team.id, actor)
            if current is not None:
                if invite.role == Role.TRAINER and current == Role.REP:
                    current = Role.TRAINER.value
                    await repo.set_member_role(team.id, actor, current)
                return Joined(await self._info(repo, team, Role(current)), True, [])
            await repo.add_member(team.id, actor, invite.role, invite.id)
            await repo.count_use(invite.id)
            notices = [
                n
                for trainer, _ in await repo.members(team.id, role="trainer")
                if trainer.id != actor
                and (
                    n := notice_to(
                        trainer, "team.notice.joined", name=user.display_name, team=team.name
                    )
                )
            ]
            return Joined(await self._info(repo, team, Role(invite.role)), False, notices)

    async def link_chat(self, actor: int, team_id: int, chat_id: int | None) -> None:
        """Link the Telegram group where weekly boards and new assignments go (None unlinks)."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.MANAGE_TEAM)
            await u.teams.link_chat(team_id, chat_id)
