"""Assignments and reminders through the service door, on a clock the test moves."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.assignment import TaskStatus
from bot.domain.reminders import ReminderKind
from bot.errors import AssignmentNotFound, InvalidRequest
from bot.i18n import Catalog
from bot.scenarios.library import ScenarioLibrary
from bot.services.notices import Link
from tests.support.world import World, build_world

SCENARIO = "district-health-tail-payment"


async def _team(world: World) -> tuple[int, int, int, int]:
    """A trainer, their team and two reps."""
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    wang = await world.rep(701, "小王", trainer, team)
    return trainer, team, chen, wang


async def test_assigning_tells_every_rep_in_their_language(world: World, catalog: Catalog) -> None:
    trainer, team = await world.trainer(600, "张老师")
    await world.rep(700, "小陈", trainer, team)
    en_rep = await world.user(702, "Amy", "en")
    link = await world.training.teams.invite(trainer, team, "huikuan_bot")
    await world.training.teams.join(en_rep, link.code)
    assigned = await world.training.assignments.assign(
        trainer, team, SCENARIO, "2026-12-10 18:00", pass_mark=70, min_attempts=2
    )
    texts = {n.chat_id: n.render(catalog) for n in assigned.notices}
    assert texts == {
        700: "📋 你有新的练习任务（华东一组）：「区卫健委信息系统二期尾款」\n"
        "截止：2026-12-10 18:00 · 及格线 70 分 · 至少练 2 次\n"
        "发送 /tasks 查看并开始。",
        702: '📋 New practice assignment (华东一组): "District health bureau — phase-2 final '
        'payment"\nDue 2026-12-10 18:00 · pass mark 70 · at least 2 attempt(s)\n'
        "Send /tasks to see it and start.",
    }
    assert assigned.assignment.due_at == dt.datetime(2026, 12, 10, 10, 0, tzinfo=dt.UTC)


async def test_a_linked_group_hears_of_team_assignments(world: World, catalog: Catalog) -> None:
    trainer, team, _, _ = await _team(world)
    await world.training.teams.link_chat(trainer, team, -100123)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    group = [n for n in assigned.notices if n.chat_id == -100123]
    assert [n.render(catalog) for n in group] == [
        "📋 华东一组 新任务：「区卫健委信息系统二期尾款」，截止 2026-12-06 23:59。"
        "点下面的按钮，在和我的私聊里开始练习。"
    ]
    assert [n.opens for n in group] == [Link("task", assigned.assignment.id)]


async def test_task_status_follows_attempts_and_the_clock(world: World) -> None:
    trainer, team, chen, wang = await _team(world)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    aid = assigned.assignment.id

    async def status(rep: int) -> TaskStatus:
        (task,) = await world.training.assignments.tasks(rep)
        return task.progress.status

    assert await status(chen) == TaskStatus.NOT_STARTED
    started = await world.training.assignments.start(chen, aid)
    assert await status(chen) == TaskStatus.IN_PROGRESS
    await world.complete(chen, started, 3.0)  # overall 50 < 60
    assert await status(chen) == TaskStatus.FAILED
    world.clock.advance(hours=1)
    retry = await world.training.assignments.start(chen, aid)
    await world.complete(chen, retry, 4.0)  # overall 75
    assert await status(chen) == TaskStatus.PASSED
    world.clock.advance(days=4)
    assert (await status(chen), await status(wang)) == (TaskStatus.PASSED, TaskStatus.OVERDUE)


async def test_a_task_is_graded_against_its_own_pass_mark(world: World) -> None:
    trainer, team, chen, _ = await _team(world)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d", pass_mark=80)
    started = await world.training.assignments.start(chen, assigned.assignment.id)
    assert started.scenario.pass_mark == 80
    sid = await world.complete(chen, started)
    _, card = await world.practice.open(chen, sid)
    assert card is not None and card.pass_mark == 80


async def test_an_assignment_to_one_rep_is_not_anyone_elses_task(world: World) -> None:
    trainer, team, chen, wang = await _team(world)
    assigned = await world.training.assignments.assign(
        trainer, team, SCENARIO, "3d", member_id=chen
    )
    assert [n.chat_id for n in assigned.notices] == [700]
    assert [t.assignment.id for t in await world.training.assignments.tasks(chen)] == [
        assigned.assignment.id
    ]
    assert await world.training.assignments.tasks(wang) == []
    with pytest.raises(AssignmentNotFound):
        await world.training.assignments.start(wang, assigned.assignment.id)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"min_attempts": 0}, "team.error.min_attempts"),
        ({"pass_mark": 101}, "team.error.pass_mark"),
        ({"due": "yesterday"}, "team.error.due_format"),
        ({"due": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)}, "team.error.due_past"),
        ({"member_id": "trainer"}, "team.error.not_a_rep"),
    ],
)
async def test_bad_assignments_are_refused(
    world: World, kwargs: dict[str, object], code: str
) -> None:
    trainer, team, _, _ = await _team(world)
    args: dict[str, object] = {"due": "3d", **kwargs}
    if args.get("member_id") == "trainer":
        args["member_id"] = trainer
    with pytest.raises(InvalidRequest) as caught:
        await world.training.assignments.assign(trainer, team, SCENARIO, **args)  # type: ignore[arg-type]
    assert caught.value.code == code


async def test_the_completion_summary_counts_each_status(world: World) -> None:
    trainer, team, chen, wang = await _team(world)
    zhao = await world.rep(703, "小赵", trainer, team)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    aid = assigned.assignment.id
    await world.complete(chen, await world.training.assignments.start(chen, aid), 4.0)
    await world.complete(wang, await world.training.assignments.start(wang, aid), 2.0)
    await world.training.assignments.start(zhao, aid)
    summary = await world.training.assignments.summary(trainer, aid)
    assert [(m.name, m.progress.status, m.progress.best) for m in summary.members] == [
        ("小陈", TaskStatus.PASSED, 75),
        ("小王", TaskStatus.FAILED, 25),
        ("小赵", TaskStatus.IN_PROGRESS, None),
    ]
    assert summary.counts == {
        TaskStatus.NOT_STARTED: 0,
        TaskStatus.IN_PROGRESS: 1,
        TaskStatus.PASSED: 1,
        TaskStatus.FAILED: 1,
        TaskStatus.OVERDUE: 0,
    }
    listed = await world.training.assignments.assignments(trainer, team)
    assert [s.assignment.id for s in listed] == [aid]


# --- reminders ---------------------------------------------------------------------------


async def test_new_assignment_comes_with_the_reminders_to_schedule(world: World) -> None:
    trainer, team, chen, wang = await _team(world)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    due = assigned.assignment.due_at
    soon = due - dt.timedelta(hours=24)
    assert [(r.user_id, r.kind, r.at) for r in assigned.reminders] == [
        (chen, ReminderKind.DUE_SOON, soon),
        (wang, ReminderKind.DUE_SOON, soon),
        (chen, ReminderKind.OVERDUE, due),
        (wang, ReminderKind.OVERDUE, due),
        (trainer, ReminderKind.SUMMARY, due),
    ]
    assert await world.training.reminders.pending() == assigned.reminders


async def test_reminders_survive_a_restart_without_being_lost_or_sent_twice(
    world: World, catalog: Catalog, library: ScenarioLibrary
) -> None:
    trainer, team, chen, wang = await _team(world)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    aid, due = assigned.assignment.id, assigned.assignment.due_at
    # Chen passes; the day before the due date the job queue fires what is due.
    await world.complete(chen, await world.training.assignments.start(chen, aid), 4.0)
    world.clock.now = due - dt.timedelta(hours=24)
    reminders = world.training.reminders
    due_now = [r for r in await reminders.pending() if r.due(world.clock.now)]
    assert [(r.user_id, r.kind) for r in due_now] == [(wang, ReminderKind.DUE_SOON)]
    sent = [n for r in due_now for n in await reminders.fire(r)]
    assert [(n.chat_id, n.key) for n in sent] == [(701, "team.reminder.due_soon")]
    assert sent[0].render(catalog) == (
        "⏰ 提醒：任务「区卫健委信息系统二期尾款」（华东一组）将于 2026-12-06 23:59 截止，"
        "及格线 60 分。发送 /tasks 开始练习。"
    )
    assert await reminders.fire(due_now[0]) == []  # a second delivery of the same job

    # The process restarts while the due date passes: a new world on the same database (and
    # its clock, which the test moves on).
    restarted = build_world(world.db, catalog, library)
    restarted.clock.now = due + dt.timedelta(hours=2)
    pending = await restarted.training.reminders.pending()
    assert [(r.user_id, r.kind, r.due(restarted.clock.now)) for r in pending] == [
        (wang, ReminderKind.OVERDUE, True),
        (trainer, ReminderKind.SUMMARY, True),
    ]
    fired = [n for r in pending for n in await restarted.training.reminders.fire(r)]
    assert [n.render(catalog) for n in fired] == [
        "⚠️ 任务「区卫健委信息系统二期尾款」（华东一组）已于 2026-12-06 23:59 截止，你还没有完成。"
        "现在补上仍会记录，发送 /tasks 开始。",
        "📊 任务「区卫健委信息系统二期尾款」（华东一组）已到截止时间，共 2 人：\n"
        "已通过 1 · 未通过 0 · 已逾期 1 · 进行中 0 · 未开始 0\n"
        "还没通过：小王",
    ]
    assert await restarted.training.reminders.pending() == []


async def test_a_reminder_for_a_rep_who_passed_meanwhile_is_dropped(world: World) -> None:
    trainer, team, chen, _ = await _team(world)
    assigned = await world.training.assignments.assign(
        trainer, team, SCENARIO, "3d", member_id=chen
    )
    (soon, *_rest) = assigned.reminders
    await world.complete(
        chen, await world.training.assignments.start(chen, soon.assignment_id), 5.0
    )
    world.clock.now = soon.at
    assert await world.training.reminders.fire(soon) == []
    kinds = [(r.user_id, r.kind) for r in await world.training.reminders.pending()]
    assert kinds == [(trainer, ReminderKind.SUMMARY)]


async def test_a_reminder_fired_early_is_not_consumed(world: World) -> None:
    trainer, team, _, _ = await _team(world)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    first = assigned.reminders[0]
    assert await world.training.reminders.fire(first) == []
    assert first in await world.training.reminders.pending()


async def test_a_replayed_assignment_request_assigns_once_and_tells_again(world: World) -> None:
    trainer, team, _, _ = await _team(world)
    first = await world.training.assignments.assign(trainer, team, SCENARIO, "3d", request_key="k1")
    world.clock.advance(days=5)  # even once its due date has passed
    again = await world.training.assignments.assign(trainer, team, SCENARIO, "3d", request_key="k1")
    assert again.assignment.id == first.assignment.id
    assert {n.chat_id for n in again.notices} == {n.chat_id for n in first.notices}
    assert len(await world.training.assignments.assignments(trainer, team)) == 1
