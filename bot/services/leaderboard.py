"""Leaderboards per team, scenario and dimension, for this week, this month or all time.

The arithmetic lives in `bot.domain.leaderboard` (formula in its docstring and in the
catalogs under `team.board.formula`); this gathers a team's graded sessions for it. Only reps
are ranked: a trainer's test plays never push a rep down the board.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from bot.domain import leaderboard
from bot.domain.clock import system_clock
from bot.domain.periods import Clock, Period, window
from bot.domain.roles import Action, Role
from bot.domain.rubric import DIMENSIONS
from bot.errors import InvalidRequest
from bot.services.access import Access
from bot.storage.database import Database
from bot.storage.team_repository import TeamRecord
from bot.storage.training_repository import TeamSession
from bot.storage.unit import Unit

BoardKind = Literal["team", "scenario", "dimension"]


@dataclass(frozen=True)
class BoardLine:
    """One ranked rep: points (team), best score (scenario) or 1–5 level (dimension)."""

    rank: int
    user_id: int
    name: str
    value: float
    attempts: int
    scenarios: int


@dataclass(frozen=True)
class Board:
    """A ranked board and what it covers."""

    team_id: int
    team_name: str
    period: Period
    kind: BoardKind
    subject: str | None
    since: dt.datetime | None
    until: dt.datetime | None
    lines: list[BoardLine]


def result_of(row: TeamSession) -> leaderboard.Result | None:
    """A graded session as the board arithmetic sees it (None if not graded)."""
    if row.card is None:
        return None
    dims = {name: float(d["score"]) for name, d in row.card.get("dimensions", {}).items()}
    return leaderboard.Result(
        user_id=row.user.id,
        scenario_id=row.session.scenario_id,
        difficulty=int(row.session.scenario.get("difficulty", 3)),
        overall=int(row.card["overall"]),
        at=row.session.created_at,
        dimensions=dims,
    )


async def compute_board(
    u: Unit,
    team: TeamRecord,
    period: Period,
    now: dt.datetime,
    scenario_id: str | None = None,
    dimension: str | None = None,
) -> Board:
    """One of a team's boards at `now` (no access check: callers do that)."""
    since, until = window(period, now, team.time_zone)
    reps = {u.id: u.display_name for u, _ in await u.teams.members(team.id, Role.REP)}
    rows = await u.training.team_sessions(team.id, since=since, until=until, graded_only=True)
    results = [r for row in rows if row.user.id in reps and (r := result_of(row))]
    kind: BoardKind
    if scenario_id is not None:
        kind, subject = "scenario", scenario_id
        standings = leaderboard.scenario_board(results, scenario_id)
    elif dimension is not None:
        kind, subject = "dimension", dimension
        standings = leaderboard.dimension_board(results, dimension)
    else:
        kind, subject = "team", None
        standings = leaderboard.team_board(results)
    lines = [
        BoardLine(x.rank, x.user_id, reps[x.user_id], x.value, x.attempts, x.scenarios)
        for x in standings
    ]
    return Board(team.id, team.name, period, kind, subject, since, until, lines)


class LeaderboardService:
    """Boards for the members of a team."""

    def __init__(self, db: Database, access: Access, clock: Clock = system_clock) -> None:
        self.db = db
        self.access = access
        self.clock = clock

    async def board(
        self,
        actor: int,
        team_id: int,
        period: Period = Period.WEEK,
        scenario_id: str | None = None,
        dimension: str | None = None,
    ) -> Board:
        """The team board, or one scenario's, or one dimension's, for the period."""
        if scenario_id is not None and dimension is not None:
            raise InvalidRequest("team.error.board_subject")
        if dimension is not None and dimension not in DIMENSIONS:
            raise InvalidRequest("team.error.dimension", dimension=dimension[:32])
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.VIEW_BOARD)
            team = await u.teams.team(team_id)
            assert team is not None
            return await compute_board(
                u, team, Period(period), self.clock(), scenario_id, dimension
            )
