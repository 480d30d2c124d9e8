"""Assignments through the real Application: the guided /assign (its state in the database),
the rep's notice, /tasks, playing to a pass, the trainer's summary, reminders on the JobQueue
rebuilt after a restart, and the weekly group board posted once per week."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import update

from bot.i18n import Catalog
from bot.settings import Settings
from bot.storage.drafts import DraftRepository
from bot.storage.models import PracticeSessionRow
from bot.telegram import jobs
from tests.support.bot_api import BotApi
from tests.support.bot_harness import eventually
from tests.support.team_bot import GROUP, REP, REP2, TRAINER, TeamBot
from tests.support.world import START, Clock

CATALOG = Catalog.load()
TITLE = "区卫健委信息系统二期尾款"
# START is Thursday 3 December 2026, 12:00 in Shanghai; "3天" is due Sunday 23:59.
DUE = "2026-12-06 23:59"


async def run_job(tb: TeamBot, name: str) -> None:
    """Run a scheduled job now (as the JobQueue would)."""
    queue = tb.bot.app.job_queue
    assert queue is not None
    job = next(j for j in queue.jobs() if j.name == name)
    await job.run(tb.bot.app)


def reminder_jobs(tb: TeamBot) -> set[str]:
    """The names of the reminder jobs waiting in the JobQueue."""
    queue = tb.bot.app.job_queue
    assert queue is not None
    return {j.name for j in queue.jobs() if j.name and j.name.startswith("reminder:")}


async def test_assigned_rep_is_told_starts_from_tasks_and_passes(tb: TeamBot) -> None:
    await tb.assign(mark="0")
    assert tb.last(TRAINER).startswith(f"已布置「{TITLE}」，通知了 1 人。")
    assert tb.last(REP) == (
        f"📋 你有新的练习任务（华东一组）：「{TITLE}」\n"
        f"截止：{DUE} · 及格线 0 分 · 至少练 1 次\n发送 /tasks 查看并开始。"
    )
    await tb.say(REP, "/tasks")
    assert tb.last(REP).endswith("截止 2026-12-06 23:59 · 及格线 0 分\n未开始 · 已评分 0/1 次")
    await tb.tap(REP, label="开始 1")
    assert f"案例卡 · {TITLE}" in tb.last(REP)
    await tb.say(REP, "/tasks")
    assert "\n进行中 · 已评分 0/1 次" in tb.last(REP)
    await tb.tap(REP, label="开始 1")  # nothing said in it yet: the same session's card again
    assert f"案例卡 · {TITLE}" in tb.last(REP)
    await tb.tap(REP, label="跳过")
    await tb.say(REP, "您好，我是智联医信的小陈。")
    await tb.say(REP, "/tasks")
    await tb.tap(REP, label="开始 1")  # a session under way: continue it or start the task anew
    assert tb.last(REP).startswith(f"你还有一场「{TITLE}」的练习没有结束。")
    await tb.tap(REP, label="放弃它")
    await tb.tap(REP, label="跳过")
    await tb.say(REP, "您好，我想了解一下项目验收的情况。")
    await tb.say(REP, "/end")
    await tb.say(REP, "/tasks")
    assert "\n已通过 · 已评分 1/1 次 · 最好 " in tb.last(REP)


async def test_a_task_not_done_by_the_due_date_shows_as_overdue(tb: TeamBot) -> None:
    await tb.assign(due="48小时")
    tb.clock.advance(hours=49)
    await tb.say(REP, "/tasks")
    assert tb.last(REP).endswith("及格线 0 分\n已逾期 · 已评分 0/1 次")


async def test_the_trainer_sees_who_has_done_the_assignment(tb: TeamBot) -> None:
    code = await tb.invite_code()
    await tb.join(REP2, code)
    await tb.say(TRAINER, "/team")  # the keyboard with the team again
    await tb.assign(mark="0")
    await tb.play_task(REP)
    await tb.tap(TRAINER, label="看完成情况")
    summary = tb.last(TRAINER)
    assert summary.startswith(
        f"<b>「{TITLE}」· 华东一组</b>\n截止 {DUE} · 及格线 0 分 · 至少评分 1 次"
    )
    assert "共 2 人：已通过 1 · 未通过 0 · 已逾期 0 · 进行中 0 · 未开始 1" in summary
    assert "小陈：已通过 · 已评分 1/1 次" in summary
    assert "小李：未开始 · 已评分 0/1 次" in summary
    assert "— 分" not in summary


async def test_a_new_assignment_is_posted_in_the_linked_group(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/linkgroup", chat=GROUP)
    await tb.assign()
    assert tb.last(GROUP) == (
        f"📋 华东一组 新任务：「{TITLE}」，截止 {DUE}。点下面的按钮，在和我的私聊里开始练习。"
    )


async def test_an_unreadable_due_date_is_refused_and_never_played(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    await tb.say(TRAINER, "下周找时间")
    assert tb.last(TRAINER) == CATALOG.t("zh", "team.error.due_format", value="下周找时间")
    assert await tb.bot.services.practice.current(await tb.user_id(TRAINER)) is None
    await tb.say(TRAINER, "12-05 18:00")
    assert tb.last(TRAINER).startswith("第 4 步：及格线？")
    await tb.say(TRAINER, "120")
    assert tb.last(TRAINER) == CATALOG.t("zh", "team.error.pass_mark")
    await tb.tap(TRAINER, label="场景默认")
    await tb.tap(TRAINER, label="2")
    # The buttons edit their own message (the question above the refusal) into the summary.
    summary = "截止：2026-12-05 18:00（Asia/Shanghai）\n及格线：60 分\n至少评分：2 次"
    assert summary in tb.texts(TRAINER)[-2]


async def test_a_due_date_that_passed_before_confirming_is_asked_for_again(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    await tb.say(TRAINER, "1小时")
    await tb.say(TRAINER, "60")
    await tb.tap(TRAINER, label="1")
    # The trainer went to a meeting before pressing "assign" (shorter than a draft lives).
    tb.clock.advance(minutes=90)
    await tb.tap(TRAINER, label="布置")
    assert tb.texts(TRAINER)[-2:] == [
        CATALOG.t("zh", "team.error.due_past"),
        CATALOG.t("zh", "tg.team.assign_due", zone="Asia/Shanghai"),
    ]
    await tb.say(TRAINER, "3天")
    await tb.tap(TRAINER, label="布置")
    assert tb.last(TRAINER).startswith(f"已布置「{TITLE}」")


async def test_the_set_up_survives_a_restart_mid_way(settings: Settings) -> None:
    clock, api = Clock(), BotApi()
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.say(TRAINER, "/assign")
        await tb.tap(TRAINER, label="区卫健委")
    async with TeamBot(settings, clock, api) as tb:
        await tb.tap(TRAINER, label="全体销售")  # a button sent before the restart
        await tb.say(TRAINER, "3天")
        await tb.tap(TRAINER, label="70")
        await tb.tap(TRAINER, label="1")
        await tb.tap(TRAINER, label="布置")
        assert tb.last(REP).startswith(f"📋 你有新的练习任务（华东一组）：「{TITLE}」")


async def test_an_old_shaped_draft_resumes_and_an_unreadable_one_has_expired(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    db = tb.bot.services.db
    async with db.session() as s:  # the row as the bot stored it before drafts were typed
        row = await DraftRepository(s).get(TRAINER)
        assert row is not None and row.data["target"] == 0
        kind, nonce = row.kind, row.nonce
        old = {k: v for k, v in row.data.items() if k not in ("target", "due", "due_local")}
        await DraftRepository(s).put(TRAINER, kind, nonce, {**old, "member": None})
    await tb.say(TRAINER, "3天")
    assert tb.last(TRAINER).startswith("第 4 步：及格线？")
    async with db.session() as s:  # a row this version cannot read at all
        await DraftRepository(s).put(TRAINER, kind, nonce, {"awaits": "mark"})
    await tb.say(TRAINER, "60")
    assert tb.last(TRAINER) == CATALOG.t("zh", "tg.team.draft_expired")
    await tb.say(TRAINER, "60")  # the draft is gone: text is practice again
    assert tb.last(TRAINER) == CATALOG.t("zh", "tg.no_session")


async def test_cancel_drops_the_set_up_and_text_is_practice_again(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    await tb.say(TRAINER, "/cancel")
    assert tb.last(TRAINER) == "好的，已取消。"
    await tb.say(TRAINER, "3天")
    assert tb.last(TRAINER) == CATALOG.t("zh", "tg.no_session")


async def test_a_set_up_left_over_two_hours_is_forgotten(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    tb.clock.advance(hours=2, minutes=1)
    await tb.say(TRAINER, "3天")
    assert tb.last(TRAINER) == CATALOG.t("zh", "tg.no_session")


async def test_a_button_of_a_replaced_set_up_is_stale(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    first = tb.api.sent(TRAINER)[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await tb.say(TRAINER, "/assign")
    shown = tb.texts(TRAINER)
    await tb.forge(TRAINER, first)
    assert tb.texts(TRAINER) == shown  # nothing sent, nothing edited
    assert tb.api.calls_to("answerCallbackQuery")[-1].text == CATALOG.t("zh", "loop.stale")


async def test_reminder_jobs_are_rebuilt_from_the_database_after_a_restart(
    settings: Settings,
) -> None:
    clock, api = Clock(), BotApi()
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.assign()
        rep, trainer = await tb.user_id(REP), await tb.user_id(TRAINER)
        expected = {
            f"reminder:1:{rep}:due_soon",
            f"reminder:1:{rep}:overdue",
            f"reminder:1:{trainer}:summary",
        }
        assert reminder_jobs(tb) == expected
    async with TeamBot(settings, clock, api) as tb:
        assert reminder_jobs(tb) == expected
        queue = tb.bot.app.job_queue
        assert queue is not None
        (soon,) = queue.get_jobs_by_name(f"reminder:1:{rep}:due_soon")
        assert soon.data.at == dt.datetime(2026, 12, 5, 15, 59, tzinfo=dt.UTC)  # 24 h before


def _overdue_reminders(tb: TeamBot) -> list[str]:
    return [t for t in tb.texts(REP) if t.startswith("⚠️ 任务")]


async def test_an_overdue_reminder_fires_at_start_and_only_once(settings: Settings) -> None:
    clock, api = Clock(), BotApi()
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.assign(due="48小时")
    clock.advance(hours=49)  # the bot was down when the task fell due
    async with TeamBot(settings, clock, api) as tb:

        async def reminded() -> bool:
            return len(_overdue_reminders(tb)) == 1 and tb.last(TRAINER).startswith("📊 任务")

        await eventually(reminded)
        assert _overdue_reminders(tb) == [
            f"⚠️ 任务「{TITLE}」（华东一组）已于 2026-12-05 12:00 截止，你还没有完成。"
            "现在补上仍会记录，发送 /tasks 开始。"
        ]
        assert "还没通过：小陈" in tb.last(TRAINER)
    async with TeamBot(settings, clock, api) as tb:
        await run_job(tb, jobs.REPLAN)
        assert reminder_jobs(tb) == set()
        assert len(_overdue_reminders(tb)) == 1


async def test_the_hourly_replan_sends_a_reminder_whose_time_has_come(tb: TeamBot) -> None:
    await tb.assign()
    tb.clock.now = START + dt.timedelta(days=2, hours=13)  # Saturday 01:00 UTC, due Sunday
    await run_job(tb, jobs.REPLAN)

    async def reminded() -> bool:
        return tb.last(REP).startswith("⏰ 提醒")

    await eventually(reminded)
    assert tb.last(REP) == (
        f"⏰ 提醒：任务「{TITLE}」（华东一组）将于 {DUE} 截止，及格线 0 分。发送 /tasks 开始练习。"
    )


async def test_a_rep_who_blocked_the_bot_is_logged_and_the_rest_is_sent(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    clock, api = Clock(), BotApi()
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.assign(due="48小时")
    clock.advance(hours=49)
    caplog.set_level(logging.INFO, logger="bot.telegram")
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=REP)
    async with TeamBot(settings, clock, api) as tb:

        async def summary_sent() -> bool:
            return tb.last(TRAINER).startswith("📊 任务")

        await eventually(summary_sent)
        assert _overdue_reminders(tb) == []
        assert tb.api.unexpected == []
    blocked = [r.getMessage() for r in caplog.records if "blocked or removed" in r.getMessage()]
    assert blocked == [
        f"team.reminder.overdue not delivered to chat {REP} (blocked or removed): "
        "Forbidden: bot was blocked by the user"
    ]


def _board_posts(tb: TeamBot) -> list[str]:
    return [t for t in tb.texts(GROUP) if t.startswith("📊 本周排行榜")]


async def test_the_weekly_board_is_posted_once_per_week(settings: Settings) -> None:
    clock, api = Clock(), BotApi()
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.say(TRAINER, "/linkgroup", chat=GROUP)
        await run_job(tb, jobs.BOARDS)  # Thursday: not yet
        assert _board_posts(tb) == []
    clock.now = dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC)  # Friday 19:00 in Shanghai
    async with TeamBot(settings, clock, api) as tb:

        async def posted() -> bool:
            return len(_board_posts(tb)) == 1

        await eventually(posted)  # the check that runs as the bot starts
        await run_job(tb, jobs.BOARDS)
        assert _board_posts(tb) == [
            "📊 本周排行榜\n\n<b>华东一组 · 本周排行榜</b>\n"
            "这段时间还没有评过分的练习。\n排名规则：/help"
        ]
    async with TeamBot(settings, clock, api) as tb:
        await run_job(tb, jobs.BOARDS)
        assert len(_board_posts(tb)) == 1
        clock.advance(days=7)
        await run_job(tb, jobs.BOARDS)
        assert len(_board_posts(tb)) == 2


async def test_the_weekly_board_in_the_group_ranks_the_reps_with_a_chart(tb: TeamBot) -> None:
    await tb.assign()
    await tb.play_task(REP)
    async with tb.bot.services.db.session() as s:
        # Played "this week" on the test clock (the session was stamped with the real time).
        await s.execute(update(PracticeSessionRow).values(created_at=START))
    await tb.say(TRAINER, "/linkgroup", chat=GROUP)
    tb.clock.now = dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC)  # Friday 19:00 in Shanghai
    await run_job(tb, jobs.BOARDS)
    (post,) = _board_posts(tb)
    assert re.search(r"\n1\. 小陈 — 积分 [\d.]+ · 练习 1 次\n排名规则：/help$", post)
    chart = tb.api.calls_to("sendPhoto", GROUP)[-1]
    assert chart.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
