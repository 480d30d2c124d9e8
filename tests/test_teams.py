"""Teams through the service door: roles, invites, joining, and reps refused trainer work."""

from __future__ import annotations

import datetime as dt
import inspect
import string
from collections.abc import Awaitable, Callable

import pytest

from bot.domain.roles import Role
from bot.errors import AccessDenied, InvalidRequest, InviteInvalid
from bot.i18n import Catalog
from tests.support.world import OPERATOR_TG, World

SCENARIO = "district-health-tail-payment"


async def test_a_rep_cannot_create_a_team_until_an_operator_grants_the_trainer_role(
    world: World,
) -> None:
    teams = world.training.teams
    user = await world.user(501, "李经理")
    with pytest.raises(AccessDenied) as caught:
        await teams.create_team(user, "华南组")
    assert caught.value.code == "team.denied.trainer_only"
    operator = await world.user(OPERATOR_TG, "运营")
    await teams.grant_trainer(operator, user)
    created = await teams.create_team(user, "  华南组  ")
    assert (created.name, created.role, created.members, created.time_zone) == (
        "华南组",
        Role.TRAINER,
        1,
        "Asia/Shanghai",
    )
    assert await teams.role(user) == Role.TRAINER
    assert await teams.role(operator) == Role.OPERATOR


async def test_only_operators_grant_the_trainer_role(world: World) -> None:
    trainer, _ = await world.trainer(600, "张老师")
    other = await world.user(601, "王五")
    with pytest.raises(AccessDenied) as caught:
        await world.training.teams.grant_trainer(trainer, other)
    assert caught.value.code == "team.denied.operator_only"


async def test_an_invite_link_is_an_unguessable_telegram_deep_link(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    first = await world.training.teams.invite(trainer, team, "@huikuan_bot")
    second = await world.training.teams.invite(trainer, team, "huikuan_bot")
    assert first.url == f"https://t.me/huikuan_bot?start={first.code}"
    assert len(first.code) >= 22 and first.code != second.code
    assert set(first.code) <= set(string.ascii_letters + string.digits + "-_")


async def test_a_rep_joins_through_the_link_and_the_trainer_is_told(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    link = await world.training.teams.invite(trainer, team, "huikuan_bot")
    rep = await world.user(700, "小陈")
    joined = await world.training.teams.join(rep, link.code)
    assert (joined.team.id, joined.team.role, joined.already_member) == (team, Role.REP, False)
    assert [(n.chat_id, n.key, n.params) for n in joined.notices] == [
        (600, "team.notice.joined", {"name": "小陈", "team": "华东一组"})
    ]
    again = await world.training.teams.join(rep, link.code)
    assert (again.already_member, again.notices) == (True, [])
    invites = await world.training.teams.invites(trainer, team)
    assert [(i.code, i.uses, i.active) for i in invites] == [(link.code, 1, True)]


async def test_a_revoked_invite_no_longer_works_but_members_stay(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    link = await world.training.teams.invite(trainer, team, "huikuan_bot")
    early = await world.user(700, "小陈")
    await world.training.teams.join(early, link.code)
    await world.training.teams.revoke_invite(trainer, link.code)
    late = await world.user(701, "小王")
    with pytest.raises(InviteInvalid) as caught:
        await world.training.teams.join(late, link.code)
    assert caught.value.code == "team.error.invite_revoked"
    members = await world.training.teams.members(trainer, team)
    assert [(m.name, m.role) for m in members] == [("张老师", Role.TRAINER), ("小陈", Role.REP)]


async def test_an_expiring_invite_stops_working_when_its_time_is_up(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    link = await world.training.teams.invite(
        trainer, team, "huikuan_bot", expires_in=dt.timedelta(hours=2)
    )
    assert link.expires_at == world.clock.now + dt.timedelta(hours=2)
    world.clock.advance(hours=2)
    rep = await world.user(700, "小陈")
    with pytest.raises(InviteInvalid) as caught:
        await world.training.teams.join(rep, link.code)
    assert caught.value.code == "team.error.invite_expired"


@pytest.mark.parametrize("code", ["", "short", "x" * 200, "../../etc/passwd", "A" * 22])
async def test_unknown_or_malformed_invite_codes_are_refused(world: World, code: str) -> None:
    rep = await world.user(700, "小陈")
    with pytest.raises(InviteInvalid) as caught:
        await world.training.teams.join(rep, code)
    assert caught.value.code == "team.error.invite_invalid"


async def test_a_user_may_belong_to_several_teams(world: World) -> None:
    t1, team1 = await world.trainer(600, "张老师", "华东一组")
    t2, team2 = await world.trainer(601, "赵老师", "华北二组")
    rep = await world.rep(700, "小陈", t1, team1)
    await world.training.teams.join(
        rep, (await world.training.teams.invite(t2, team2, "huikuan_bot")).code
    )
    mine = await world.training.teams.my_teams(rep)
    assert [(t.name, t.role) for t in mine] == [("华东一组", Role.REP), ("华北二组", Role.REP)]


async def test_a_trainer_invite_adds_a_co_trainer(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    link = await world.training.teams.invite(trainer, team, "huikuan_bot", role=Role.TRAINER)
    helper = await world.user(602, "钱老师")
    joined = await world.training.teams.join(helper, link.code)
    assert joined.team.role == Role.TRAINER
    assert (await world.training.assignments.assignments(helper, team)) == []


async def test_a_co_trainer_stands_as_a_trainer_and_runs_only_that_team(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    await world.trainer(601, "李老师", "华北二组")
    link = await world.training.teams.invite(trainer, team, "huikuan_bot", role=Role.TRAINER)
    helper = await world.user(602, "钱老师")
    assert await world.training.teams.standing(helper) == Role.REP
    await world.training.teams.join(helper, link.code)
    assert await world.training.teams.standing(helper) == Role.TRAINER
    assert [t.name for t in await world.training.teams.managed(helper)] == ["华东一组"]


async def test_a_granted_trainer_without_a_team_runs_none_but_is_not_refused(
    world: World,
) -> None:
    operator = await world.user(OPERATOR_TG, "运营")
    user = await world.user(603, "孙老师")
    await world.training.teams.grant_trainer(operator, user)
    assert await world.training.teams.managed(user) == []
    assert await world.training.teams.standing(user) == Role.TRAINER
    assert await world.training.teams.standing(operator) == Role.OPERATOR


async def test_operators_grant_by_telegram_id_and_the_new_trainer_is_told(world: World) -> None:
    operator = await world.user(OPERATOR_TG, "运营")
    user = await world.user(604, "周老师", "en")
    granted = await world.training.teams.grant_trainer_by_telegram(operator, 604)
    assert (granted.user_id, granted.telegram_id) == (user, 604)
    assert [(n.chat_id, n.lang, n.key) for n in granted.notices] == [
        (604, "en", "team.notice.granted")
    ]
    assert await world.training.teams.standing(user) == Role.TRAINER
    with pytest.raises(InvalidRequest) as caught:
        await world.training.teams.grant_trainer_by_telegram(operator, 999_999)
    assert caught.value.code == "team.error.unknown_user"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"expires_in": dt.timedelta(0)}, "team.error.invite_expiry"),
        ({"expires_in": dt.timedelta(days=400)}, "team.error.invite_expiry"),
        ({"role": Role.OPERATOR}, "team.error.invite_role"),
        ({"bot_username": "not a bot!"}, "team.error.bot_username"),
    ],
)
async def test_bad_invite_requests_are_refused(
    world: World, kwargs: dict[str, object], code: str
) -> None:
    trainer, team = await world.trainer(600, "张老师")
    args: dict[str, object] = {"bot_username": "huikuan_bot", **kwargs}
    with pytest.raises(InvalidRequest) as caught:
        await world.training.teams.invite(trainer, team, **args)  # type: ignore[arg-type]
    assert caught.value.code == code


async def test_bad_team_names_and_zones_are_refused(world: World) -> None:
    trainer, _ = await world.trainer(600, "张老师")
    for name, zone, code in [
        ("   ", None, "team.error.name_empty"),
        ("组" * 65, None, "team.error.name_too_long"),
        ("华东", "Mars/Olympus", "team.error.time_zone"),
    ]:
        with pytest.raises(InvalidRequest) as caught:
            await world.training.teams.create_team(trainer, name, zone)
        assert caught.value.code == code


# --- every trainer operation, tried by a rep of the same team ------------------------------

TrainerCall = Callable[[World, int, int, str], Awaitable[object]]


async def _graded_team_session(world: World, trainer: int, team: int) -> tuple[int, str]:
    """A rep and one graded session of theirs in the team (from an assignment)."""
    rep = await world.rep(700, "小陈", trainer, team)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    started = await world.training.assignments.start(rep, assigned.assignment.id)
    return rep, await world.complete(rep, started, 3.0)


TRAINER_CALLS: dict[tuple[str, str], TrainerCall] = {
    ("teams", "invite"): lambda w, rep, team, sid: w.training.teams.invite(rep, team, "bot_x"),
    ("teams", "invites"): lambda w, rep, team, sid: w.training.teams.invites(rep, team),
    ("teams", "revoke_invite"): lambda w, rep, team, sid: _revoke_as(w, rep, team),
    ("teams", "link_chat"): lambda w, rep, team, sid: w.training.teams.link_chat(rep, team, -5),
    ("teams", "create_team"): lambda w, rep, team, sid: w.training.teams.create_team(rep, "x"),
    ("teams", "grant_trainer"): lambda w, rep, team, sid: w.training.teams.grant_trainer(rep, rep),
    ("teams", "grant_trainer_by_telegram"): lambda w, rep, team, sid: (
        w.training.teams.grant_trainer_by_telegram(rep, 700)
    ),
    ("teams", "managed"): lambda w, rep, team, sid: w.training.teams.managed(rep),
    ("assignments", "assign"): lambda w, rep, team, sid: w.training.assignments.assign(
        rep, team, SCENARIO, "3d"
    ),
    ("assignments", "assignments"): lambda w, rep, team, sid: w.training.assignments.assignments(
        rep, team
    ),
    ("assignments", "summary"): lambda w, rep, team, sid: _summary_as(w, rep, team),
    ("review", "sessions"): lambda w, rep, team, sid: w.training.review.sessions(rep, team),
    ("review", "open"): lambda w, rep, team, sid: w.training.review.open(rep, sid),
    ("review", "comment"): lambda w, rep, team, sid: w.training.review.comment(rep, sid, "好"),
    ("review", "override"): lambda w, rep, team, sid: w.training.review.override(
        rep, sid, "listening", 5, "自评"
    ),
    ("exports", "export"): lambda w, rep, team, sid: w.training.exports.export(rep, team),
    ("uploads", "upload"): lambda w, rep, team, sid: w.training.uploads.upload(
        rep, team, b"id: x\n"
    ),
    ("uploads", "versions"): lambda w, rep, team, sid: w.training.uploads.versions(rep, team, "x"),
    ("uploads", "source"): lambda w, rep, team, sid: w.training.uploads.source(rep, team, "x"),
}
# What a rep may do: their own tasks, the board, playing, joining, their own teams.
REP_CALLS = {
    ("teams", "role"),
    ("teams", "standing"),
    ("teams", "my_teams"),
    ("teams", "team"),
    ("teams", "members"),
    ("teams", "join"),
    ("assignments", "tasks"),
    ("assignments", "start"),
    ("boards", "board"),
    ("uploads", "scenarios"),
    ("uploads", "play"),
    ("uploads", "of_my_teams"),
    ("review", "mine"),
    ("review", "compare"),
}


async def _revoke_as(world: World, actor: int, team: int) -> None:
    trainer = await world.user(600, "张老师")
    link = await world.training.teams.invite(trainer, team, "huikuan_bot")
    await world.training.teams.revoke_invite(actor, link.code)


async def _summary_as(world: World, actor: int, team: int) -> object:
    trainer = await world.user(600, "张老师")
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "5d")
    return await world.training.assignments.summary(actor, assigned.assignment.id)


def test_every_user_facing_method_is_classified_as_a_trainer_or_a_rep_operation(
    world: World,
) -> None:
    services = ("teams", "assignments", "review", "boards", "exports", "uploads")
    methods = {
        (name, method)
        for name in services
        for method, _ in inspect.getmembers(
            getattr(world.training, name), inspect.iscoroutinefunction
        )
        if not method.startswith("_")
    }
    assert methods == set(TRAINER_CALLS) | REP_CALLS


async def test_every_trainer_operation_is_refused_to_a_rep(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    rep, session_id = await _graded_team_session(world, trainer, team)
    outcomes = {}
    for operation, call in TRAINER_CALLS.items():
        try:
            await call(world, rep, team, session_id)
            outcomes[operation] = "allowed"
        except AccessDenied as exc:
            outcomes[operation] = exc.code
    operator_only = {("teams", "grant_trainer"), ("teams", "grant_trainer_by_telegram")}
    assert outcomes == {
        op: "team.denied.operator_only" if op in operator_only else "team.denied.trainer_only"
        for op in TRAINER_CALLS
    }


async def test_refusals_read_as_a_clear_message_in_both_languages(
    world: World, catalog: Catalog
) -> None:
    trainer, team = await world.trainer(600, "张老师")
    rep = await world.rep(700, "小陈", trainer, team)
    with pytest.raises(AccessDenied) as caught:
        await world.training.exports.export(rep, team)
    error = caught.value
    assert catalog.error("zh", error.code, error.params) == "这是培训师的功能，你的账号没有权限。"
    assert catalog.error("en", error.code, error.params) == (
        "That is a trainer feature; your account does not have it."
    )
