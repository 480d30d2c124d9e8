"""Team isolation: nobody sees another team's sessions, names or scores, on any path.

The table below must name every public method of every user-facing training service (a test
enumerates them), so a new read path cannot ship without an isolation check.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.domain.periods import Period
from bot.domain.scenario import Scenario
from bot.errors import AccessDenied, SessionNotFound, TrainerError
from tests.support.world import World, scenario_yaml

SCENARIO = "district-health-tail-payment"
SERVICES = ("teams", "assignments", "review", "boards", "exports", "uploads")


@dataclass
class Two:
    """Team A with a trainer, a rep, a graded session, an assignment, an invite and an upload;
    team B with its own trainer and rep (the outsiders)."""

    world: World
    trainer_a: int
    rep_a: int
    team_a: int
    session_a: str
    assignment_a: int
    invite_a: str
    trainer_b: int
    rep_b: int
    team_b: int


@pytest.fixture
async def two(world: World, scenario: Scenario) -> Two:
    """Two teams side by side in one database."""
    ta, team_a = await world.trainer(600, "张老师", "华东一组")
    ra = await world.rep(700, "小陈", ta, team_a)
    assigned = await world.training.assignments.assign(ta, team_a, SCENARIO, "3d")
    started = await world.training.assignments.start(ra, assigned.assignment.id)
    session_a = await world.complete(ra, started, 4.0)
    await world.training.uploads.upload(ta, team_a, scenario_yaml(scenario), "a.yaml")
    invite = await world.training.teams.invite(ta, team_a, "huikuan_bot")
    tb, team_b = await world.trainer(601, "赵老师", "华北二组")
    rb = await world.rep(701, "小王", tb, team_b)
    return Two(
        world, ta, ra, team_a, session_a, assigned.assignment.id, invite.code, tb, rb, team_b
    )


Call = Callable[[Two, int], Awaitable[object]]

# Every team-scoped method, called by an outsider against team A's data.
CROSS_TEAM: dict[tuple[str, str], Call] = {
    ("teams", "team"): lambda t, who: t.world.training.teams.team(who, t.team_a),
    ("teams", "members"): lambda t, who: t.world.training.teams.members(who, t.team_a),
    ("teams", "invites"): lambda t, who: t.world.training.teams.invites(who, t.team_a),
    ("teams", "invite"): lambda t, who: t.world.training.teams.invite(who, t.team_a, "x_bot"),
    ("teams", "revoke_invite"): lambda t, who: t.world.training.teams.revoke_invite(
        who, t.invite_a
    ),
    ("teams", "link_chat"): lambda t, who: t.world.training.teams.link_chat(who, t.team_a, -1),
    ("assignments", "assignments"): lambda t, who: t.world.training.assignments.assignments(
        who, t.team_a
    ),
    ("assignments", "summary"): lambda t, who: t.world.training.assignments.summary(
        who, t.assignment_a
    ),
    ("assignments", "assign"): lambda t, who: t.world.training.assignments.assign(
        who, t.team_a, SCENARIO, "3d"
    ),
    ("assignments", "start"): lambda t, who: t.world.training.assignments.start(
        who, t.assignment_a
    ),
    ("review", "sessions"): lambda t, who: t.world.training.review.sessions(who, t.team_a),
    ("review", "open"): lambda t, who: t.world.training.review.open(who, t.session_a),
    ("review", "comment"): lambda t, who: t.world.training.review.comment(who, t.session_a, "x"),
    ("review", "override"): lambda t, who: t.world.training.review.override(
        who, t.session_a, "listening", 1.0, "x"
    ),
    ("boards", "board"): lambda t, who: t.world.training.boards.board(who, t.team_a, Period.ALL),
    ("exports", "export"): lambda t, who: t.world.training.exports.export(who, t.team_a),
    ("uploads", "upload"): lambda t, who: t.world.training.uploads.upload(who, t.team_a, "id: x"),
    ("uploads", "scenarios"): lambda t, who: t.world.training.uploads.scenarios(who, t.team_a),
    ("uploads", "versions"): lambda t, who: t.world.training.uploads.versions(
        who, t.team_a, "team-bureau-visit"
    ),
    ("uploads", "source"): lambda t, who: t.world.training.uploads.source(
        who, t.team_a, "team-bureau-visit"
    ),
    ("uploads", "play"): lambda t, who: t.world.training.uploads.play(
        who, t.team_a, "team-bureau-visit"
    ),
}
# Methods scoped to the actor, not to a team: checked below for leaks instead.
SELF_SCOPED = {
    ("teams", "role"),
    ("teams", "my_teams"),
    ("teams", "join"),
    ("teams", "create_team"),
    ("teams", "grant_trainer"),
    ("teams", "grant_trainer_by_telegram"),
    ("teams", "standing"),
    ("teams", "managed"),
    ("assignments", "tasks"),
    ("review", "mine"),
    ("review", "compare"),
    ("uploads", "of_my_teams"),
}
# A rep who is not a target of an assignment learns nothing about it, not even that it exists.
NOT_FOUND_INSTEAD = {("assignments", "start")}


def test_every_service_method_has_an_isolation_check(two: Two) -> None:
    methods = {
        (name, method)
        for name in SERVICES
        for method, _ in inspect.getmembers(
            getattr(two.world.training, name), inspect.iscoroutinefunction
        )
        if not method.startswith("_")
    }
    assert methods == set(CROSS_TEAM) | SELF_SCOPED


async def _outcome(call: Awaitable[object]) -> str:
    """What a call did: the error it raised, or that it succeeded."""
    try:
        await call
    except TrainerError as exc:
        return f"{type(exc).__name__}:{exc.code}"
    return "allowed"


@pytest.mark.parametrize("outsider", ["trainer_b", "rep_b"])
async def test_another_teams_data_is_refused_on_every_path(two: Two, outsider: str) -> None:
    # One setup, every operation: the failures name each path that let an outsider in.
    expected = {
        op: "AssignmentNotFound:team.error.assignment_not_found"
        if op in NOT_FOUND_INSTEAD
        else "AccessDenied:team.denied.not_member"
        for op in CROSS_TEAM
    }
    actual = {
        op: await _outcome(call(two, getattr(two, outsider))) for op, call in CROSS_TEAM.items()
    }
    assert actual == expected


async def test_a_reps_own_session_views_refuse_anyone_elses_session(two: Two) -> None:
    review = two.world.training.review
    for who in (two.rep_b, two.trainer_b, two.trainer_a):
        for view in (review.mine, review.compare):
            with pytest.raises(SessionNotFound):
                await view(who, two.session_a)
    own = await two.world.training.uploads.of_my_teams(two.rep_b)
    assert two.team_a not in {team for team, _, _ in own}


async def test_a_trainer_elsewhere_who_joins_as_a_rep_gets_no_trainer_rights(two: Two) -> None:
    link = await two.world.training.teams.invite(two.trainer_a, two.team_a, "huikuan_bot")
    await two.world.training.teams.join(two.trainer_b, link.code)
    with pytest.raises(AccessDenied) as caught:
        await two.world.training.review.open(two.trainer_b, two.session_a)
    assert caught.value.code == "team.denied.trainer_only"


async def test_my_teams_and_tasks_show_only_the_users_own(two: Two) -> None:
    training = two.world.training
    assert [t.id for t in await training.teams.my_teams(two.rep_b)] == [two.team_b]
    assert await training.assignments.tasks(two.rep_b) == []
    assert [t.assignment.id for t in await training.assignments.tasks(two.rep_a)] == [
        two.assignment_a
    ]


async def test_a_rep_in_two_teams_is_ranked_in_each_only_for_that_teams_practice(
    two: Two,
) -> None:
    training, world = two.world.training, two.world
    link = await training.teams.invite(two.trainer_b, two.team_b, "huikuan_bot")
    await training.teams.join(two.rep_a, link.code)
    board_b = await training.boards.board(two.trainer_b, two.team_b, Period.ALL)
    assert board_b.lines == []
    assigned = await training.assignments.assign(two.trainer_b, two.team_b, SCENARIO, "3d")
    started = await training.assignments.start(two.rep_a, assigned.assignment.id)
    await world.complete(two.rep_a, started, 2.0)
    board_a = await training.boards.board(two.rep_a, two.team_a, Period.ALL)
    board_b = await training.boards.board(two.rep_a, two.team_b, Period.ALL)
    # Team A still sees only the 4.0 session (75 points at ★3); team B only the 2.0 one (25).
    assert [(x.name, x.value) for x in board_a.lines] == [("小陈", 75.0)]
    assert [(x.name, x.value) for x in board_b.lines] == [("小陈", 25.0)]
    sessions_b = await training.review.sessions(two.trainer_b, two.team_b)
    assert [s.id for s in sessions_b] == [started.session.id]


async def test_a_trainer_runs_only_their_own_teams(two: Two) -> None:
    training = two.world.training
    assert [t.id for t in await training.teams.managed(two.trainer_b)] == [two.team_b]
    assert [t.id for t in await training.teams.managed(two.trainer_a)] == [two.team_a]


async def test_private_practice_is_visible_to_no_trainer(two: Two) -> None:
    world = two.world
    started = await world.practice.start(two.rep_a, SCENARIO)
    sid = await world.complete(two.rep_a, started, 5.0)
    with pytest.raises(AccessDenied):
        await world.training.review.open(two.trainer_a, sid)
    listed = await world.training.review.sessions(two.trainer_a, two.team_a)
    assert sid not in [s.id for s in listed]


async def test_the_operator_sees_every_team(two: Two) -> None:
    operator = await two.world.user(1000, "运营")
    sessions = await two.world.training.review.sessions(operator, two.team_a)
    assert [s.id for s in sessions] == [two.session_a]
