"""Logging set-up with a filter that keeps secrets (bot token, API key) out of every record."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

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
    """Every secret value in the settings."""
    values = [
        settings.telegram_bot_token,
        settings.openai_api_key,
        settings.telegram_webhook_secret,
    ]
    return [v.get_secret_value() for v in values if v is not None]


def configure_logging(
    settings: Settings, stream: TextIO | None = None, level: str | None = None
) -> None:
    """Root logging to a stream, with secrets redacted on every handler."""
    handler = logging.StreamHandler(stream)
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
