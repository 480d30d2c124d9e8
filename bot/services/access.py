"""The one place that decides who may do what on the training side.

Every service method calls `require` (or `require_global`) inside its unit of work before it
reads or writes anything. A user outside a team gets the same refusal whether the team exists
or not, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.roles import Action, Role, can, global_role, team_role
from bot.errors import AccessDenied
from bot.storage.team_repository import TeamRepository


class Access:
    """Resolves roles from the settings' operators, the trainer grants and team memberships."""

    def __init__(self, operator_telegram_ids: Iterable[int]) -> None:
        self.operators = frozenset(operator_telegram_ids)

    async def role(self, teams: TeamRepository, user_id: int) -> Role:
        """A user's global role."""
        user = await teams.user(user_id)
        if user is None:
            raise AccessDenied("team.denied.unknown_user")
        is_operator = user.telegram_id is not None and user.telegram_id in self.operators
        return global_role(is_operator, await teams.is_trainer(user_id))

    async def team_role(self, teams: TeamRepository, user_id: int, team_id: int) -> Role | None:
        """The role a user acts with in one team (None: not a member)."""
        member = await teams.member_role(team_id, user_id)
        return team_role(await self.role(teams, user_id), Role(member) if member else None)

    async def require_global(self, teams: TeamRepository, user_id: int, action: Action) -> Role:
        """The user's role, or `AccessDenied` if it does not allow `action`."""
        role = await self.role(teams, user_id)
        if not can(role, action, in_team=False):
            reason = "operator_only" if action == Action.GRANT_TRAINER else "trainer_only"
            raise AccessDenied(f"team.denied.{reason}")
        return role

    async def require(
        self, teams: TeamRepository, user_id: int, team_id: int, action: Action
    ) -> Role:
        """The user's role in the team, or `AccessDenied` (not a member / not a trainer)."""
        role = await self.team_role(teams, user_id, team_id)
        if role is None or await teams.team(team_id) is None:
            raise AccessDenied("team.denied.not_member")
        if not can(role, action):
            raise AccessDenied("team.denied.trainer_only")
        return role
