"""The training tables: migration 0004 matches the models on SQLite and PostgreSQL, and the
team catalogs say the same things in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.domain.assignment import TaskStatus
from bot.domain.reminders import ReminderKind
from bot.domain.session import Phase
from bot.i18n import Catalog, placeholders
from bot.storage.database import Database, alembic_config
from bot.storage.registry import Base

TEAM_TABLES = {
    "teams",
    "trainer_grants",
    "team_invites",
    "team_members",
    "team_scenarios",
    "assignments",
    "reminders_sent",
    "session_comments",
    "score_overrides",
}


async def test_migrations_leave_no_drift_from_the_models(db: Database) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_migration_0004_downgrades_to_the_core_schema_and_back(db: Database) -> None:
    def tables(conn: Connection) -> set[str]:
        return set(inspect(conn).get_table_names())

    def step(conn: Connection, target: str) -> None:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = conn
        (command.downgrade if target == "0001" else command.upgrade)(cfg, target)

    async with db.engine.begin() as conn:
        await conn.run_sync(step, "0001")
        assert await conn.run_sync(tables) & TEAM_TABLES == set()
        columns = await conn.run_sync(
            lambda c: {col["name"] for col in inspect(c).get_columns("practice_sessions")}
        )
        assert {"team_id", "assignment_id"} & columns == set()
        await conn.run_sync(step, "head")
        assert await conn.run_sync(tables) >= TEAM_TABLES


def test_team_messages_exist_in_both_languages_with_the_same_placeholders(
    catalog: Catalog,
) -> None:
    zh = {k for k in catalog.keys("zh") if k.startswith("team.")}
    en = {k for k in catalog.keys("en") if k.startswith("team.")}
    assert zh == en
    mismatched = [
        k for k in zh if placeholders(catalog.raw("zh", k)) != placeholders(catalog.raw("en", k))
    ]
    assert mismatched == []


def test_every_team_message_key_the_code_uses_is_in_the_catalog(catalog: Catalog) -> None:
    root = Path(__file__).resolve().parent.parent / "bot"
    used: set[str] = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r"\"(team\.[a-z_]+\.[a-z_]+)\"", path.read_text("utf-8")))
    dynamic = {  # keys built at run time from a prefix and an enum value
        f"team.{group}.{name}"
        for group, names in {
            "status": [s.value for s in TaskStatus],
            "phase": [p.value for p in Phase],
            "reminder": [k.value for k in ReminderKind],
            "denied": ["trainer_only", "operator_only", "not_member"],
        }.items()
        for name in names
    }
    assert len(used) > 30
    assert sorted(k for k in used | dynamic if not catalog.has(k)) == []
