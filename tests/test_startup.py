"""Start-up does only what it needs: heavy libraries load when used, migrations when due."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from bot.settings import ROOT
from bot.storage.database import Database, alembic_config, head_revision


def test_the_bot_starts_without_matplotlib_openpyxl_or_alembic() -> None:
    probe = (
        "import sys; import bot.telegram.app, bot.composition, bot.cli.main; "
        "print(sorted(m for m in ('matplotlib', 'openpyxl', 'alembic') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_head_read_from_the_files_is_alembics() -> None:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head_revision() == head


async def test_a_database_at_head_is_not_migrated_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Alembic ran on a database already at head")

    monkeypatch.setattr(command, "upgrade", refuse)
    await db.migrate()  # the fixture migrated it: nothing to do
