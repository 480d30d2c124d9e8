"""Settings fail fast with a readable reason instead of half-working."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_a_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET is required"):
        make(telegram_webhook_url="https://bot.example.com/tg")


def test_a_webhook_secret_telegram_would_reject_is_refused() -> None:
    with pytest.raises(ValidationError, match="only letters, digits"):
        make(telegram_webhook_url="https://bot.example.com/tg", telegram_webhook_secret="a b!")


def test_blank_values_from_env_example_mean_unset() -> None:
    settings = make(telegram_bot_token=" ", telegram_webhook_url="", openai_api_key="")
    assert (
        settings.telegram_bot_token,
        settings.telegram_webhook_url,
        settings.openai_api_key,
    ) == (
        None,
        None,
        None,
    )


def test_secrets_do_not_show_in_the_settings_repr() -> None:
    settings = make(
        telegram_bot_token="123456:SECRET-well-formed-token-abcdefgh",
        openai_api_key="sk-secret-value",
    )
    assert "SECRET" not in repr(settings)
    assert "sk-secret-value" not in repr(settings)


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    import re

    from bot.settings import ROOT

    text = (ROOT / ".env.example").read_text("utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert listed == {name.upper() for name in Settings.model_fields}
