"""How every `trainer` command runs: settings read once with a readable failure, the
interface language checked, and errors translated once (a domain error is one localized line;
anything unexpected is one line plus a crash file, never a traceback in the terminal)."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import traceback
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from bot.domain.lang import LANGS, Lang, parse_lang
from bot.errors import TrainerError
from bot.i18n import Catalog
from bot.logs import RedactSecrets, secrets_of
from bot.settings import Settings, get_settings

log = logging.getLogger("bot.cli")

LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Interface language: zh or en (default: DEFAULT_LANGUAGE)."),
]


def load_settings() -> Settings:
    """The settings, or a readable line and exit code 2 when one is invalid."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors(include_input=False)[0]
        # Users set environment variables (or .env lines), so the variable is named, not the field.
        name = str(first["loc"][0]).upper() if first["loc"] else ""
        reason = first["msg"].removeprefix("Value error, ")
        where = f"{name}: " if name else ""
        typer.echo(f"配置错误 / invalid setting: {where}{reason}", err=True)
        raise typer.Exit(2) from None


def interface_lang(value: str | None, settings: Settings) -> Lang:
    """The --lang value (or the default), refusing languages the product does not speak."""
    if value is not None and value.lower().replace("_", "-").split("-")[0] not in LANGS:
        typer.echo(f"--lang: {value!r} 不支持 / not supported (zh, en)", err=True)
        raise typer.Exit(2)
    return parse_lang(value, settings.default_language)


def run_command(coro: Coroutine[Any, Any, int], lang: Lang) -> None:
    """Run a command; translate errors once: domain errors to a line, anything else logged."""
    try:
        code = asyncio.run(coro)
    except TrainerError as exc:
        typer.echo(Catalog.load().error(lang, exc.code, exc.params), err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("\n" + Catalog.load().t(lang, "console.interrupted"), err=True)
        raise typer.Exit(130) from None
    except BrokenPipeError:
        raise  # handled in main(): the reader of our output went away
    except Exception as exc:  # noqa: BLE001 (the one place an unexpected error becomes a line + a crash file)
        path = _crash_report(exc)
        log.error("unexpected %s; traceback in %s", type(exc).__name__, path)
        catalog = Catalog.load()
        typer.echo(
            f"{catalog.t(lang, 'error.generic')} {catalog.t(lang, 'cli.crash_log', path=path)}",
            err=True,
        )
        raise typer.Exit(1) from None
    raise typer.Exit(code)


def _crash_report(exc: BaseException) -> Path:
    """The traceback, secrets masked, in a private temporary file: the operator can read it,
    the terminal shows one line."""
    text = "".join(traceback.format_exception(exc))
    text = RedactSecrets(secrets_of(get_settings())).redact(text)
    fd, name = tempfile.mkstemp(prefix="trainer-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name)
