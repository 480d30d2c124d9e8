"""The operator's `trainer team` commands, end to end on a SQLite file."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli.main import app
from bot.composition import container
from bot.settings import get_settings

SCENARIO = "district-health-tail-payment"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database file and an operator, configured the way an operator would (.env vars)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "1000, 1001")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    return tmp_path


def _team_with_a_session() -> int:
    """Trainer 600 (granted by the CLI already) builds a team; a rep plays an assignment."""

    async def build() -> int:
        async with container(get_settings()) as c:
            trainer = (await c.users.telegram(600, "张老师", "zh")).id
            rep = (await c.users.telegram(700, "小陈", "zh")).id
            team = await c.training.teams.create_team(trainer, "华东一组")
            link = await c.training.teams.invite(trainer, team.id, "huikuan_bot")
            await c.training.teams.join(rep, link.code)
            assigned = await c.training.assignments.assign(trainer, team.id, SCENARIO, "3d")
            started = await c.training.assignments.start(rep, assigned.assignment.id)
            await c.practice.begin(rep, started.session.id)
            await c.practice.reply(rep, started.session.id, "您好，请问验收进展到哪一步了？")
            await c.practice.finish(rep, started.session.id, "zh")
            return team.id

    return asyncio.run(build())


def test_an_operator_grants_a_trainer_who_builds_a_team_and_exports_it(env: Path) -> None:
    runner = CliRunner()
    granted = runner.invoke(app, ["team", "grant-trainer", "600", "--name", "张老师"])
    assert granted.exit_code == 0, granted.output
    assert granted.output.strip() == "已把 Telegram 用户 600 设为培训师，对方现在可以创建团队了。"
    team = _team_with_a_session()
    out = env / "results.xlsx"
    exported = runner.invoke(app, ["team", "export", "--team", str(team), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert exported.output.strip() == f"已导出 1 条练习记录到 {out}"
    book = load_workbook(io.BytesIO(out.read_bytes()))
    assert book["练习记录"]["A2"].value == "小陈"


def test_the_cli_leaves_the_names_people_use_on_telegram_alone(env: Path) -> None:
    async def names(*telegram_ids: int) -> list[str]:
        async with container(get_settings()) as c:
            return [(await c.users.telegram(t, "", None)).name for t in telegram_ids]

    async def write_to_the_bot() -> None:
        async with container(get_settings()) as c:
            await c.users.telegram(1000, "王总", "zh")
            await c.users.telegram(600, "张老师", "zh")

    asyncio.run(write_to_the_bot())
    granted = CliRunner().invoke(app, ["team", "grant-trainer", "600"])
    assert granted.exit_code == 0, granted.output
    assert asyncio.run(names(1000, 600)) == ["王总", "张老师"]


def test_without_operators_the_cli_says_what_to_set(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["team", "export", "--team", "1", "--format", "csv"])
    assert result.exit_code == 1
    assert "ADMIN_TELEGRAM_IDS" in result.output


def test_a_team_the_operator_cannot_see_is_refused_cleanly(env: Path) -> None:
    result = CliRunner().invoke(app, ["team", "export", "--team", "42", "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.strip() == "You are not in this team, so you cannot see its data."
