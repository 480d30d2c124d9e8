"""The services reach storage only through repositories and their records (issue 18): no
module in bot/services imports SQLAlchemy or an ORM row class."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.storage.registry import Base

SERVICES = Path(__file__).resolve().parent.parent / "bot" / "services"
ROWS = {mapper.class_.__name__ for mapper in Base.registry.mappers}


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every import in a file (name None for `import module`)."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_a_service_imports_neither_sqlalchemy_nor_a_row(path: Path) -> None:
    imports = _imports(path)
    assert [m for m, _ in imports if m.split(".")[0] == "sqlalchemy"] == []
    assert [n for m, n in imports if m.startswith("bot.storage") and n in ROWS] == []
    assert [m for m, _ in imports if m in ("bot.storage.models", "bot.storage.teams")] == []
