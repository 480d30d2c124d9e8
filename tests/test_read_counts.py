"""Listings on the training side read the database a fixed number of times, however many
assignments or teams they show: a query per row (N+1) would grow with the list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.domain.periods import Period
from bot.domain.scenario import Scenario
from tests.support.statements import counting
from tests.support.world import World, scenario_yaml

SHIPPED = "district-health-tail-payment"


class Team:
    """A trainer's team with two reps, growing by one played assignment at a time (shipped
    and team scenarios in turn, to the team and to one rep in turn) and by empty teams."""

    def __init__(self, world: World, scenario: Scenario) -> None:
        self.world, self.scenario = world, scenario
        self.trainer = self.team = 0
        self.reps: list[int] = []
        self.own = ""
        self.added = 0

    async def open(self) -> Team:
        """The trainer, the team, its reps and its own scenario."""
        w = self.world
        self.trainer, self.team = await w.trainer(600, "张老师")
        self.reps = [await w.rep(700 + i, f"rep{i}", self.trainer, self.team) for i in range(2)]
        upload = await w.training.uploads.upload(
            self.trainer, self.team, scenario_yaml(self.scenario)
        )
        self.own = upload.scenario.id
        return self

    async def grow(self, count: int) -> None:
        """`count` more assignments, each played and graded once, and as many more teams."""
        w = self.world
        for _ in range(count):
            self.added += 1
            scenario = self.own if self.added % 2 else SHIPPED
            member = self.reps[0] if self.added % 2 == 0 else None
            assigned = await w.training.assignments.assign(
                self.trainer, self.team, scenario, "3d", member_id=member
            )
            task = assigned.assignment.id
            started = await w.training.assignments.start(self.reps[0], task, replace=True)
            await w.complete(self.reps[0], started, score=4.0)
            await w.training.teams.create_team(self.trainer, f"组{self.added}")


READS: dict[str, Callable[[Team], Awaitable[object]]] = {
    "a team's assignments": lambda t: t.world.training.assignments.assignments(t.trainer, t.team),
    "a rep's tasks": lambda t: t.world.training.assignments.tasks(t.reps[0]),
    "the reminder plan": lambda t: t.world.training.reminders.pending(),
    "the export (xlsx)": lambda t: t.world.training.exports.export(
        t.trainer, t.team, Period.ALL, "xlsx"
    ),
    "the export (csv)": lambda t: t.world.training.exports.export(
        t.trainer, t.team, Period.ALL, "csv"
    ),
    "the teams a trainer runs": lambda t: t.world.training.teams.managed(t.trainer),
    "the teams a member is in": lambda t: t.world.training.teams.my_teams(t.trainer),
}


@pytest.mark.parametrize("read", list(READS))
async def test_a_listing_reads_as_often_for_many_rows_as_for_two(
    world: World, scenario: Scenario, read: str
) -> None:
    team = await Team(world, scenario).open()
    await team.grow(2)
    with counting(world.db) as few:
        await READS[read](team)
    await team.grow(4)
    with counting(world.db) as many:
        await READS[read](team)
    assert many.count == few.count
