"""Leaderboards through the service door: periods, reps only, difficulty, formula in /help."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.domain.leaderboard import DIFFICULTY_FACTOR
from bot.domain.periods import Period
from bot.domain.roles import Role
from bot.domain.scenario import Scenario
from bot.errors import InvalidRequest
from bot.i18n import Catalog
from tests.support.world import OPERATOR_TG, VALID_YAML_ID, World, scenario_yaml

SCENARIO = "district-health-tail-payment"
UTC = dt.UTC
# The test clock is Thursday 3 Dec 2026, 12:00 in Shanghai.
THIS_WEEK = dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday
LAST_MONTH = dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


async def _play(world: World, rep: int, team: int, score: float, at: dt.datetime) -> str:
    started = await world.training.uploads.play(rep, team, SCENARIO, replace=True)
    return await world.complete(rep, started, score, at=at)


async def test_boards_cover_this_week_this_month_or_all_time(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    wang = await world.rep(701, "小王", trainer, team)
    await _play(world, chen, team, 3.0, THIS_WEEK)  # 50
    await _play(world, wang, team, 4.0, LAST_MONTH)  # 75
    await _play(world, wang, team, 2.0, THIS_WEEK)  # 25

    async def board(period: Period) -> list[tuple[int, str, float, int]]:
        result = await world.training.boards.board(chen, team, period)
        return [(x.rank, x.name, x.value, x.attempts) for x in result.lines]

    assert await board(Period.WEEK) == [(1, "小陈", 50.0, 1), (2, "小王", 25.0, 1)]
    assert await board(Period.MONTH) == [(1, "小陈", 50.0, 1), (2, "小王", 25.0, 1)]
    assert await board(Period.ALL) == [(1, "小王", 75.0, 2), (2, "小陈", 50.0, 1)]


async def test_the_week_starts_monday_midnight_in_the_teams_zone(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    sunday_night = dt.datetime(2026, 11, 29, 15, 59, tzinfo=UTC)  # Sun 23:59 in Shanghai
    monday = dt.datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Mon 00:00 in Shanghai
    await _play(world, chen, team, 5.0, sunday_night)
    await _play(world, chen, team, 2.0, monday)
    week = await world.training.boards.board(chen, team, Period.WEEK)
    assert [(x.value, x.attempts) for x in week.lines] == [(25.0, 1)]
    assert (week.since, week.until) == (monday, monday + dt.timedelta(days=7))


async def test_trainers_test_plays_are_not_ranked(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    await _play(world, trainer, team, 5.0, THIS_WEEK)
    await _play(world, chen, team, 3.0, THIS_WEEK)
    board = await world.training.boards.board(trainer, team, Period.WEEK)
    assert [x.name for x in board.lines] == ["小陈"]


async def test_a_harder_team_scenario_weighs_more(world: World, scenario: Scenario) -> None:
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    wang = await world.rep(701, "小王", trainer, team)
    await world.training.uploads.upload(trainer, team, scenario_yaml(scenario, difficulty=5))
    hard = await world.training.uploads.play(chen, team, VALID_YAML_ID)
    await world.complete(chen, hard, 3.0, at=THIS_WEEK)  # 50 × 1.5 = 75
    await _play(world, wang, team, 3.8, THIS_WEEK)  # 70 × 1.0 = 70
    board = await world.training.boards.board(trainer, team, Period.WEEK)
    assert [(x.name, x.value) for x in board.lines] == [("小陈", 75.0), ("小王", 70.0)]
    by_scenario = await world.training.boards.board(trainer, team, Period.WEEK, SCENARIO)
    assert [(x.name, x.value) for x in by_scenario.lines] == [("小王", 70.0)]
    listening = await world.training.boards.board(trainer, team, Period.WEEK, dimension="listening")
    assert [(x.name, x.value) for x in listening.lines] == [("小王", 3.8), ("小陈", 3.0)]


async def test_a_board_is_by_scenario_or_by_dimension_not_both(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    with pytest.raises(InvalidRequest):
        await world.training.boards.board(trainer, team, Period.WEEK, SCENARIO, "listening")
    with pytest.raises(InvalidRequest) as caught:
        await world.training.boards.board(trainer, team, Period.WEEK, dimension="charm")
    assert caught.value.code == "team.error.dimension"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_help_formula_states_the_factors_the_code_uses(catalog: Catalog, lang: str) -> None:
    text = catalog.t(lang, "team.board.formula")  # type: ignore[arg-type]
    stated = dict(re.findall(r"★(\d) (\d+(?:\.\d+)?)", text))
    assert {int(k): float(v) for k, v in stated.items()} == DIFFICULTY_FACTOR


async def test_linked_groups_get_the_weekly_board(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    await _play(world, chen, team, 3.0, THIS_WEEK)
    assert await world.training.reminders.weekly_boards() == []
    await world.training.teams.link_chat(trainer, team, -100777)
    (post,) = await world.training.reminders.weekly_boards()
    assert (post.chat_id, post.lang, [x.name for x in post.board.lines]) == (
        -100777,
        "zh",
        ["小陈"],
    )


async def test_staff_lists_who_gets_the_trainer_menu(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    await world.rep(700, "小陈", trainer, team)
    link = await world.training.teams.invite(trainer, team, "huikuan_bot", role=Role.TRAINER)
    co = await world.user(602, "钱老师")
    await world.training.teams.join(co, link.code)
    assert await world.training.reminders.staff() == [
        (OPERATOR_TG, Role.OPERATOR),
        (600, Role.TRAINER),
        (602, Role.TRAINER),
    ]


async def test_the_weekly_board_is_due_from_friday_evening_and_claimed_once(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    await _play(world, chen, team, 3.0, THIS_WEEK)
    await world.training.teams.link_chat(trainer, team, -100777)
    reminders = world.training.reminders
    assert await reminders.due_boards() == []  # Thursday noon
    world.clock.now = dt.datetime(2026, 12, 4, 9, 59, tzinfo=UTC)  # Friday 17:59 in Shanghai
    assert await reminders.due_boards() == []
    world.clock.advance(minutes=1)
    (post,) = await reminders.due_boards()
    assert (post.chat_id, [x.name for x in post.board.lines]) == (-100777, ["小陈"])
    world.clock.advance(days=2)  # Sunday: already posted this week
    assert await reminders.due_boards() == []
    world.clock.advance(days=5)  # next Friday 18:00
    assert [p.chat_id for p in await reminders.due_boards()] == [-100777]


async def test_each_team_gets_its_board_at_six_in_the_evening_of_its_own_zone(
    world: World,
) -> None:
    trainer, team = await world.trainer(600, "张老师")
    operator = await world.user(OPERATOR_TG, "运营")
    berlin = await world.training.teams.create_team(operator, "欧洲组", "Europe/Berlin")
    await world.training.teams.link_chat(trainer, team, -1001)
    await world.training.teams.link_chat(operator, berlin.id, -1002)
    world.clock.now = dt.datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 18:00 Shanghai, 11:00 Berlin
    assert [p.chat_id for p in await world.training.reminders.due_boards()] == [-1001]
    world.clock.now = dt.datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # 18:00 Berlin
    assert [p.chat_id for p in await world.training.reminders.due_boards()] == [-1002]
