"""Logging: secrets never appear; Telegram network failures are one line, not a traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from telegram.error import NetworkError

from bot.logs import configure_logging
from bot.settings import Settings


@pytest.fixture
def captured(settings: Settings) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    secret = settings.model_copy(
        update={
            "openai_api_key": SecretStr("sk-live-abcdef123456"),
            "telegram_bot_token": SecretStr("123456:SECRETtoken"),
        }
    )
    configure_logging(secret, stream, level="INFO")
    try:
        yield stream
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


def test_secrets_are_masked_in_messages_and_tracebacks(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    try:
        raise RuntimeError("call with key sk-live-abcdef123456 failed")
    except RuntimeError:
        log.exception("posting to /bot123456:SECRETtoken/getMe")
    text = captured.getvalue()
    assert "sk-live-abcdef123456" not in text
    assert "SECRETtoken" not in text
    assert "Traceback" in text
    assert "/bot***/getMe" in text


def test_a_telegram_network_error_is_logged_in_one_line(captured: io.StringIO) -> None:
    log = logging.getLogger("telegram.ext")
    try:
        raise NetworkError("httpx.ConnectError: All connection attempts failed")
    except NetworkError:
        log.exception("Network Retry Loop: Failed run number 0 of 0. Aborting.")
    lines = captured.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        "Aborting. (NetworkError: httpx.ConnectError: All connection attempts failed)"
    )


def test_our_own_errors_keep_their_traceback(captured: io.StringIO) -> None:
    try:
        raise NetworkError("lost")
    except NetworkError:
        logging.getLogger("bot.telegram").exception("handler failed")
    assert "Traceback" in captured.getvalue()
