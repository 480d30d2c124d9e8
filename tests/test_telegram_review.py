"""Review, boards and export through the real Application: a trainer opens a rep's task
session, comments (the rep receives it), corrects a score (the board follows, the audit trail
shows it), exports CSV and XLSX; and nobody gets another team's data with forged buttons."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from bot.i18n import Catalog
from bot.telegram.keyboards import scenario_token
from tests.support.team_bot import (
    OTHER_TRAINER,
    REP,
    REP2,
    TRAINER,
    Setup,
    TeamBot,
    with_played_task,
)

CATALOG = Catalog.load()
TITLE = "区卫健委信息系统二期尾款"
NOT_MEMBER = CATALOG.t("zh", "team.denied.not_member")
TRAINER_ONLY = CATALOG.t("zh", "team.denied.trainer_only")


def board_text(tb: TeamBot, chat: int) -> str:
    """The newest board the bot sent in a chat (the chart image follows it)."""
    return next(t for t in reversed(tb.texts(chat)) if t.startswith("<b>华东一组 · "))


@pytest.fixture
def tb_setup() -> Setup:
    """`tb` is a team whose rep has played and finished an assigned task."""
    return with_played_task


async def test_review_lists_the_teams_sessions_and_opens_transcript_and_scorecard(
    tb: TeamBot,
) -> None:
    await tb.say(TRAINER, "/review")
    listing = tb.last(TRAINER)
    assert listing.startswith(
        "<b>「华东一组」最近的练习</b>\n1. 小陈 · 「区卫健委信息系统二期尾款」· "
    )
    assert re.search(r" · \d+ 分 ✅$", listing)
    await tb.tap(TRAINER, label="1")
    opened = tb.last(TRAINER)
    assert opened.startswith(
        f"<b>小陈 · 「{TITLE}」· 已评分 · 共 1 轮</b>\n\n<b>对话记录</b>\n<b>小刘</b>："
    )
    assert "#1 <b>小陈</b>：王科长您好" in opened
    assert f"<b>评分卡 · {TITLE}</b>" in opened


async def test_a_comment_reaches_the_rep_and_stays_on_the_session(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    await tb.tap(TRAINER, label="点评")
    assert tb.last(TRAINER).startswith("请发送给 小陈 的点评")
    await tb.say(TRAINER, "开场不错，下次先问清楚验收人是谁。")
    assert tb.last(TRAINER) == "点评已保存，并发给了 小陈。"
    assert tb.last(REP) == (
        f"💬 培训师 张老师 点评了你的练习「{TITLE}」：\n开场不错，下次先问清楚验收人是谁。"
    )
    await tb.tap(TRAINER, label="1")
    assert "<b>点评</b>\n张老师（" in tb.last(TRAINER)
    assert "）：开场不错，下次先问清楚验收人是谁。" in tb.last(TRAINER)


async def test_a_corrected_score_changes_the_board_and_is_kept_in_the_trail(tb: TeamBot) -> None:
    await tb.say(REP, "/board")
    await tb.tap(REP, label="全部时间")
    before = re.search(r"1\. 小陈 — 积分 ([\d.]+) · 练习 1 次", board_text(tb, REP))
    assert before, board_text(tb, REP)
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    await tb.tap(TRAINER, label="改分")
    await tb.tap(TRAINER, label="倾听力")
    assert re.fullmatch(r"「倾听力」现在是 [\d.]+ 分，改成：", tb.last(TRAINER))
    await tb.tap(TRAINER, data="rvs:")  # the score row: first button is 1
    assert tb.last(TRAINER).startswith("把「倾听力」从 ")
    await tb.say(TRAINER, "复述做得不够，客户说的验收问题没有接住。")
    changed = re.fullmatch(
        r"已修改：「倾听力」([\d.]+) → 1，总分现在是 (\d+) 分 (✅|❌)。排行榜按修改后的分数计算。",
        tb.last(TRAINER),
    )
    assert changed, tb.last(TRAINER)
    assert tb.last(REP) == (
        f"✏️ 培训师 张老师 把你的「倾听力」从 {changed.group(1)} 分改为 1 分。\n"
        f"理由：复述做得不够，客户说的验收问题没有接住。\n总分现在是 {changed.group(2)} 分。"
    )
    await tb.say(REP, "/board")
    await tb.tap(REP, label="全部时间")
    after = re.search(r"1\. 小陈 — 积分 ([\d.]+) · 练习 1 次", board_text(tb, REP))
    assert after and float(after.group(1)) == float(changed.group(2))  # ★3: factor 1.0
    assert float(after.group(1)) < float(before.group(1))
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    assert re.search(
        r"<b>改分记录</b>\n\S+ \S+ 张老师：倾听力 [\d.]+ → 1，"
        r"理由：复述做得不够，客户说的验收问题没有接住。",
        tb.last(TRAINER),
    )


async def test_a_made_up_score_is_not_taken(tb: TeamBot) -> None:
    training = tb.bot.services.training
    trainer = await tb.user_id(TRAINER)
    (team,) = await training.teams.managed(trainer)
    (session,) = await training.review.sessions(trainer, team.id)
    await tb.say(TRAINER, "/review")
    for score in ("9", "abc"):
        await tb.forge(TRAINER, f"rvs:{session.id}:listening:{score}")
        assert tb.api.calls_to("answerCallbackQuery")[-1].text == CATALOG.t("zh", "loop.stale")
    await tb.say(TRAINER, "这句话不是理由")
    assert tb.last(TRAINER) == CATALOG.t("zh", "tg.no_session")


async def test_the_board_is_a_bar_chart_with_the_ranking_as_its_caption(tb: TeamBot) -> None:
    await tb.say(REP, "/board")
    board = tb.api.sent(REP)[-1]
    assert str(board["caption"]).startswith("<b>华东一组 · 本周排行榜</b>\n")
    chart = tb.api.calls_to("sendPhoto", REP)[-1]
    assert chart.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
    await tb.tap(REP, label="全部时间")
    await tb.tap(REP, label="说服力")
    assert re.search(
        r"华东一组 · 全部时间 · 说服力</b>\n1\. 小陈 — 水平 [\d.]+ · 练习 1 次", board_text(tb, REP)
    )


async def test_export_sends_a_csv_with_bom_and_an_xlsx(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/export")
    await tb.tap(TRAINER, label="全部时间")
    csv_call, xlsx_call = tb.api.calls_to("sendDocument", TRAINER)[-2:]
    assert csv_call.text == "全部时间 · 1 条练习记录"
    data = csv_call.files["document"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["成员", "用户编号", "场景", "场景编号"]
    rep = str(await tb.user_id(REP))
    assert rows[1][:4] == ["小陈", rep, TITLE, "district-health-tail-payment"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_call.files["document"]))
    assert book.sheetnames == ["练习记录", "任务完成情况"]
    assert book["练习记录"]["A2"].value == "小陈"
    tasks = [c.value for c in book["任务完成情况"][2]]
    assert tasks[1:3] == [TITLE, "小陈"]
    assert "已通过" in tasks


async def test_a_rep_cannot_open_the_trainers_doors_with_made_up_buttons(tb: TeamBot) -> None:
    training = tb.bot.services.training
    trainer = await tb.user_id(TRAINER)
    (team,) = await training.teams.managed(trainer)
    (session,) = await training.review.sessions(trainer, team.id)
    for data in (
        f"rv:{team.id}:0",
        f"rvo:{session.id}",
        f"rvc:{session.id}",
        f"rvd:{session.id}",
        f"rvs:{session.id}:listening:5",
        f"ex:{team.id}:all",
        f"tma:{team.id}",
        "sm:1",
        f"asg:{team.id}",
        f"inv:{team.id}:0:t",
        f"invl:{team.id}",
        f"ulk:{team.id}",
    ):
        sent = len(tb.texts(REP))
        await tb.forge(REP, data)
        assert tb.texts(REP)[sent:] == [TRAINER_ONLY], data


async def test_another_teams_trainer_gets_a_refusal_for_every_forged_button(tb: TeamBot) -> None:
    code = await tb.team(reps=(REP2,), name="华南二组", trainer=OTHER_TRAINER)
    training = tb.bot.services.training
    trainer = await tb.user_id(TRAINER)
    (team,) = await training.teams.managed(trainer)
    (session,) = await training.review.sessions(trainer, team.id)
    (assigned,) = await training.assignments.assignments(trainer, team.id)
    ours = await training.teams.invites(trainer, team.id)
    token = scenario_token("district-health-tail-payment")
    for data in (
        f"tm:{team.id}",
        f"tmm:{team.id}",
        f"inv:{team.id}:7:r",
        f"invl:{team.id}",
        f"rvk:{ours[0].code}",
        f"ulk:{team.id}",
        f"lg:{team.id}",
        f"tma:{team.id}",
        f"sm:{assigned.assignment.id}",
        f"asg:{team.id}",
        f"bd:{team.id}:all:t:",
        f"bd:{team.id}:all:s:{token}",
        f"bdl:{team.id}:week",
        f"ex:{team.id}:all",
        f"rv:{team.id}:0",
        f"rvo:{session.id}",
        f"rvc:{session.id}",
        f"rvd:{session.id}",
        f"rvx:{session.id}:listening",
        f"rvs:{session.id}:listening:5",
        f"ups:{team.id}",
        f"tp:{team.id}:{token}",
        f"tm:{team.id}x",
    ):
        sent = len(tb.texts(OTHER_TRAINER))
        await tb.forge(OTHER_TRAINER, data)
        assert tb.texts(OTHER_TRAINER)[sent:] == [NOT_MEMBER], data
    assert code  # the other team exists, with its own rep
    sent = len(tb.texts(REP2))
    await tb.forge(REP2, f"tk:{assigned.assignment.id}")
    assigned_text = CATALOG.t(
        "zh", "team.error.assignment_not_found", assignment=assigned.assignment.id
    )
    assert tb.texts(REP2)[sent:] == [assigned_text]
