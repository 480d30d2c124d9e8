"""The unit of work the training services use: the repositories over one transaction.

Services see repositories only (they return records, never rows or sessions); the unit
commits on success and rolls back on error, as `Database.session()` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.repositories import SessionRepository
from bot.storage.team_repository import TeamRepository
from bot.storage.training_repository import TrainingRepository


@dataclass(frozen=True)
class Unit:
    """The repositories of one unit of work."""

    teams: TeamRepository
    training: TrainingRepository
    sessions: SessionRepository

    @classmethod
    def over(cls, session: AsyncSession) -> Unit:
        """The repositories over an open session."""
        return cls(TeamRepository(session), TrainingRepository(session), SessionRepository(session))
