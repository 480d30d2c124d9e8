"""DATABASE_URL checked before anything connects, and connection failures named: each newcomer
mistake becomes one error naming DATABASE_URL, what is wrong and a correct example."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import TrainerError

EXAMPLE = "sqlite+aiosqlite:///data/trainer.db · postgresql+asyncpg://user:password@localhost:5432/trainer"
_ASYNC = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_ALIASES = {"postgres": "postgresql", "pgsql": "postgresql", "sqlite3": "sqlite"}


class DatabaseUrlInvalid(TrainerError):
    """DATABASE_URL cannot work as written (the code says why)."""

    code = "error.db_url_malformed"
    exit_code = 2


class DatabaseUnreachable(DatabaseUrlInvalid):
    """DATABASE_URL is well formed, but the database behind it cannot be used."""

    exit_code = 1


def check_url(url: str, default: str | None = None) -> URL:
    """The parsed URL, or DatabaseUrlInvalid saying what is wrong with it.

    A SQLite file must be in a directory that exists (nothing is created silently), except
    the `default` location, whose directory is created here.
    """
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise DatabaseUrlInvalid(example=EXAMPLE) from None
    backend = _ALIASES.get(parsed.get_backend_name(), parsed.get_backend_name())
    shown = parsed.render_as_string(hide_password=True)
    if backend not in _ASYNC:
        raise DatabaseUrlInvalid("error.db_url_unsupported", url=shown, backend=backend)
    wanted = _ASYNC[backend]
    if parsed.drivername != wanted:
        fixed = parsed.set(drivername=wanted).render_as_string(hide_password=True)
        raise DatabaseUrlInvalid("error.db_url_driver", url=shown, fixed=fixed)
    if backend == "postgresql" and importlib.util.find_spec("asyncpg") is None:
        raise DatabaseUrlInvalid("error.db_driver_missing", url=shown)
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().parent
        if url == default:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise DatabaseUrlInvalid("error.db_dir_missing", url=shown, dir=folder)
    return parsed


def connect_error(exc: BaseException, url: str) -> DatabaseUnreachable | None:
    """What a failure to reach the database means for DATABASE_URL (None: something else)."""
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    shown = parsed.render_as_string(hide_password=True)
    for cause in _chain(exc):
        name = type(cause).__name__
        if name == "InvalidCatalogNameError":
            return DatabaseUnreachable("error.db_missing", url=shown, name=parsed.database)
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return DatabaseUnreachable("error.db_login", url=shown, user=parsed.username or "")
        if isinstance(cause, ConnectionRefusedError):
            return DatabaseUnreachable("error.db_unreachable", url=shown, where=where)
        if isinstance(cause, socket.gaierror | TimeoutError):
            return DatabaseUnreachable("error.db_unreachable", url=shown, where=where)
        if parsed.get_backend_name() == "sqlite" and "unable to open database" in str(cause):
            return DatabaseUnreachable("error.db_cannot_open", url=shown)
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        cause = stack.pop()
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        for nxt in (getattr(cause, "orig", None), cause.__cause__, cause.__context__):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
        if isinstance(cause, BaseExceptionGroup):
            stack.extend(cause.exceptions)
