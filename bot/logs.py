"""Logging set-up with a filter that keeps secrets (bot token, API key, webhook secret, the
database password) out of every record; plain text or JSON lines with the update's context."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings

MASK = "***"


class RedactSecrets(logging.Filter):
    """Replaces any known secret value in a log record's message and arguments."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in the fully formatted message (including exception text)."""
        if not self._secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class QuietNetworkErrors(logging.Filter):
    """Telegram's own network-failure records keep their one-line message but lose the
    traceback: an unreachable API is an operator's configuration or network problem, told in
    one clear line, not a page of library internals."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Strip the traceback from telegram.* records caused by a network error."""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and record.name.startswith("telegram"):
            names = {cls.__name__ for cls in type(exc).__mro__}
            if names & {"NetworkError", "TimedOut"}:
                record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
                record.args = ()
                record.exc_info = None
                record.exc_text = None
        return True


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings (the database password too)."""
    values = [
        settings.telegram_bot_token,
        settings.openai_api_key,
        settings.telegram_webhook_secret,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    try:
        password = make_url(settings.database_url.strip()).password
    except (ArgumentError, ValueError):
        password = None  # a malformed URL is reported elsewhere, without its text
    if password:
        found.append(str(password))
    return found


_BOUND: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "log_context", default=None
)


def _fields() -> dict[str, Any]:
    return _BOUND.get() or {}


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add fields (update_id, chat, user, session) to every record logged inside."""
    token = _BOUND.set({**_fields(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _BOUND.reset(token)


def bind(**fields: Any) -> None:
    """Add fields to the records of the rest of this task (e.g. the session, once known)."""
    _BOUND.set({**_fields(), **{k: v for k, v in fields.items() if v is not None}})


class JsonLines(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, the bound context, exc if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (after the redacting filter has run)."""
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    settings: Settings, stream: TextIO | None = None, level: str | None = None
) -> None:
    """Root logging to a stream, with secrets redacted on every handler."""
    handler = logging.StreamHandler(stream)
    if settings.log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(QuietNetworkErrors())
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((level or settings.log_level).upper())
    for noisy in ("httpx", "httpcore", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
