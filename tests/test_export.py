"""Export through the service door: CSV a Chinese Excel opens cleanly, and XLSX read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from bot.domain.periods import Period
from bot.errors import InvalidRequest
from tests.support.world import World

SCENARIO = "district-health-tail-payment"
BOM = b"\xef\xbb\xbf"
HOSTILE_NAME = '=HYPERLINK("http://evil","点我")'
HOSTILE_CELL = "'" + HOSTILE_NAME  # shown as text, never evaluated
DUE = dt.datetime(2026, 12, 6, 23, 59)  # the team's wall clock, as a date cell
HEADERS_ZH = [
    "成员",
    "用户编号",
    "场景",
    "场景编号",
    "版本",
    "难度",
    "开始时间",
    "状态",
    "轮数",
    "总分",
    "是否通过",
    "倾听力",
    "说服力",
    "准备",
    "心态",
    "推进",
    "交易项目是什么",
    "项目验收人是谁",
    "验收标准是什么",
    "付款方式和日期",
    "付款责任人是谁",
    "说话占比（%）",
    "分数被修改",
    "改分记录（原分 → 新分、改分人、理由）",
    "培训师点评",
    "任务编号",
    "任务状态",
]


async def _results(world: World) -> tuple[int, int, str]:
    """A team where 小陈 passed an assignment this month and a rep with a hostile name failed
    one last month; returns the trainer, the team and 小陈's session id."""
    trainer, team = await world.trainer(600, "张老师")
    chen = await world.rep(700, "小陈", trainer, team)
    hostile = await world.rep(701, HOSTILE_NAME, trainer, team)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    aid = assigned.assignment.id
    sid = await world.complete(chen, await world.training.assignments.start(chen, aid), 4.0)
    last_month = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    await world.complete(
        hostile, await world.training.assignments.start(hostile, aid), 2.0, at=last_month
    )
    return trainer, team, sid


async def test_csv_has_a_bom_chinese_headers_and_the_months_sessions(world: World) -> None:
    trainer, team, _ = await _results(world)
    exported = await world.training.exports.export(trainer, team, Period.MONTH, "csv")
    assert exported.data.startswith(BOM)
    assert exported.filename == "team1-month-20261203.csv"
    assert exported.media_type == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS_ZH
    assert len(rows) == 2  # last month's session is outside the period
    line = dict(zip(rows[0], rows[1], strict=True))
    assert {k: line[k] for k in ("成员", "场景", "开始时间", "状态", "总分", "是否通过")} == {
        "成员": "小陈",
        "场景": "区卫健委信息系统二期尾款",
        "开始时间": "2026-12-03 12:00",
        "状态": "已评分",
        "总分": "75",
        "是否通过": "是",
    }
    assert line["倾听力"] == "4.0"
    assert line["任务状态"] == "已通过"
    assert line["交易项目是什么"] in ("✓ 具体", "◐ 模糊", "✗ 遗漏")
    assert line["说话占比（%）"].isdigit()  # a whole percentage, not a fraction like 0.494


async def test_all_time_csv_neutralises_a_formula_in_a_display_name(world: World) -> None:
    trainer, team, _ = await _results(world)
    exported = await world.training.exports.export(trainer, team, Period.ALL, "csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [HOSTILE_CELL, "小陈"]


async def test_xlsx_holds_sessions_and_assignment_status_sheets(world: World) -> None:
    trainer, team, _sid = await _results(world)
    exported = await world.training.exports.export(trainer, team, Period.ALL, "xlsx")
    assert exported.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(exported.data))
    assert book.sheetnames == ["练习记录", "任务完成情况"]
    sessions = book["练习记录"]
    assert [c.value for c in sessions[1]] == HEADERS_ZH
    assert sessions.max_row == 3
    assert (sessions["A3"].value, sessions["J3"].value, sessions["K3"].value) == ("小陈", 75, "是")
    assert sessions["G3"].value == dt.datetime(2026, 12, 3, 12, 0)  # a real date cell
    assert sessions["G3"].number_format == "yyyy-mm-dd hh:mm"
    assert sessions["A2"].value == HOSTILE_CELL
    assert sessions["A2"].data_type == "s"  # text, never a formula
    tasks = book["任务完成情况"]
    assert [[c.value for c in row] for row in tasks.iter_rows()] == [
        [
            "任务编号",
            "场景",
            "成员",
            "截止时间",
            "及格线",
            "最少练习次数",
            "已评分次数",
            "最高分",
            "任务状态",
            "是否逾期完成",
        ],
        [1, "区卫健委信息系统二期尾款", "小陈", DUE, 60, 1, 1, 75, "已通过", "否"],
        [
            1,
            "区卫健委信息系统二期尾款",
            HOSTILE_CELL,
            DUE,
            60,
            1,
            1,
            25,
            "未通过",
            "否",
        ],
    ]


async def test_export_speaks_the_trainers_language(world: World) -> None:
    trainer, team, _ = await _results(world)
    exported = await world.training.exports.export(trainer, team, Period.MONTH, "xlsx", "en")
    book = load_workbook(io.BytesIO(exported.data))
    assert book.sheetnames == ["Sessions", "Assignments"]
    header = [c.value for c in book["Sessions"][1]]
    assert header[:5] == ["Member", "User id", "Scenario", "Scenario id", "Version"]
    assert book["Sessions"]["C2"].value == "District health bureau — phase-2 final payment"


async def test_an_unknown_format_is_refused(world: World) -> None:
    trainer, team, _ = await _results(world)
    with pytest.raises(InvalidRequest) as caught:
        await world.training.exports.export(trainer, team, Period.ALL, "pdf")  # type: ignore[arg-type]
    assert caught.value.code == "team.error.export_format"


async def test_export_carries_user_ids_comments_and_corrections(world: World) -> None:
    trainer, team, sid = await _results(world)
    review = world.training.review
    await review.comment(trainer, sid, "开场不错，下次先问清楚验收人是谁。")
    await review.override(trainer, sid, "listening", 2.5, "复述不够")
    exported = await world.training.exports.export(trainer, team, Period.MONTH, "csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["用户编号"] == str(await world.user(700, "小陈"))
    assert line["倾听力"] == "2.5"
    assert re.fullmatch(
        r"倾听力 4 → 2\.5（张老师，2026-12-\d\d \d\d:\d\d）理由：复述不够",
        line["改分记录（原分 → 新分、改分人、理由）"],
    )
    assert line["培训师点评"].startswith("张老师（2026-12-")
    assert line["培训师点评"].endswith("）：开场不错，下次先问清楚验收人是谁。")
