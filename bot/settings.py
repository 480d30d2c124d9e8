"""Typed settings from the environment (and `.env`); every variable is listed in `.env.example`."""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.lang import Lang
from bot.llm.structured import StructuredMode

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
"""The expert-labelled eval sets: `../shared/eval/` beside the repository, wherever one runs."""
APP_NAME = "huikuan-trainer"


def shipped(folder: str) -> Path:
    """A folder of shipped files: the repository's own in a checkout, else the wheel's copy."""
    checkout = ROOT / folder
    if (ROOT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return PACKAGE / "shipped" / folder


def data_dir() -> Path:
    """Where the default SQLite file lives: the platform's per-user data directory.

    Linux and the BSDs: `$XDG_DATA_HOME/huikuan-trainer` (default `~/.local/share/...`);
    macOS: `~/Library/Application Support/huikuan-trainer`; Windows: `%LOCALAPPDATA%\\...`.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / APP_NAME


def default_database_url() -> str:
    """SQLite in the user data directory (`DATABASE_URL` overrides)."""
    return f"sqlite+aiosqlite:///{(data_dir() / 'trainer.db').as_posix()}"


_ENDPOINT_SUFFIXES = (
    "/chat/completions",
    "/completions",
    "/audio/transcriptions",
    "/audio/speech",
)
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts
# What @BotFather hands out: the bot's numeric id, a colon, ~35 letters, digits, _ and -.
_BOT_TOKEN = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{20,100}")
BOT_TOKEN_SHAPE = (
    "格式应为 <数字>:<约 35 个字母、数字、_ 或 ->，不含空格，例如 123456789:AAH…；"
    "在 Telegram 向 @BotFather 发送 /newbot 获取 / "
    "expected <digits>:<about 35 letters, digits, _ or -> with no spaces, like 123456789:AAH…; "
    "get one from @BotFather in Telegram with /newbot"
)


def normalize_base_url(url: str) -> str:
    """An OpenAI-compatible base URL as the SDK wants it: no trailing slash, no endpoint path.

    Operators paste `https://host/v1/`, or the full `.../v1/chat/completions` from a provider's
    docs; both would make the SDK call a wrong path, so they are cut back to `https://host/v1`.
    """
    cleaned = url.strip().rstrip("/")
    for suffix in _ENDPOINT_SUFFIXES:
        if cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)].rstrip("/")
    return cleaned


SECRET_FILES = ("telegram_bot_token", "openai_api_key", "telegram_webhook_secret", "database_url")
"""Settings that may come from a file named by `<NAME>_FILE` instead (e.g. /run/secrets/…)."""


def _read_secret(variable: str, path: str) -> str:
    """A secret file's content, stripped; a readable error naming the variable otherwise."""
    try:
        return Path(path).read_text("utf-8").strip()
    except OSError as exc:
        raise ValueError(f"{variable}: cannot read {path} ({exc.strerror})") from None


class Settings(BaseSettings):
    """Everything the composition root needs to build the product."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    default_language: Lang = "zh"
    scenarios_dir: Path = Field(default_factory=lambda: shipped("scenarios"))
    prompts_dir: Path = Field(default_factory=lambda: shipped("prompts"))
    max_message_chars: int = Field(default=1000, ge=50, le=4000)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object a line, context bound
    # Operations: this worker's name in the heartbeat table (the host name when unset) and the
    # side port serving /healthz and /metrics (off when unset).
    worker_name: str | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_listen: str = "127.0.0.1"

    # Training side: operators by Telegram user id (comma-separated), teams' default zone.
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    team_time_zone: str = "Asia/Shanghai"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    # Webhook mode (polling when unset): the public URL Telegram posts updates to, the secret
    # it must send back in X-Telegram-Bot-Api-Secret-Token, and where to listen locally.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)

    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    llm_model_client: str | None = None
    llm_model_judge: str | None = None
    llm_model_coach: str | None = None
    llm_model_author: str | None = None  # drafts scenarios; the judge's model when unset
    llm_model_reader: str | None = None  # reads rep turns; falls back to the judge's model
    # Streamed calls: the first token within LLM_TIMEOUT_SECONDS (a CPU model reads a 2,000
    # token prompt first), then each piece within LLM_TOKEN_GAP_SECONDS of the one before.
    llm_timeout_seconds: float = Field(default=300.0, gt=0, le=1800)
    llm_token_gap_seconds: float = Field(default=60.0, gt=0, le=600)
    llm_prompt_slots: bool = False
    llm_connect_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    llm_max_retries: int = Field(default=2, ge=0, le=6)
    llm_structured_output: StructuredMode = "auto"
    llm_judge_samples: int = Field(default=1, ge=1, le=5)
    llm_client_temperature: float = Field(default=0.7, ge=0, le=2)
    llm_monthly_token_cap: int | None = Field(default=None, ge=0)
    llm_user_monthly_token_cap: int | None = Field(default=None, ge=0)
    # Voice notes: the speech-to-text model on an OpenAI-compatible /audio/transcriptions
    # endpoint (voice notes are refused with a note saying so when unset), its own base URL
    # when it is not OPENAI_BASE_URL, and the longest recording heard.
    stt_model: str | None = None
    stt_base_url: str | None = None
    voice_max_seconds: int = Field(default=600, ge=5, le=7200)
    # /voice on: the client's replies also spoken by a model on an OpenAI-compatible
    # /audio/speech endpoint (espeak-ng offline when unset), with a voice per persona gender.
    tts_model: str | None = None
    tts_base_url: str | None = None
    tts_voice: str = "alloy"
    tts_voice_female: str = "nova"
    tts_voice_male: str = "onyx"

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, data: object) -> object:
        """`<NAME>_FILE` (Docker and systemd secrets) for each secret left unset; and
        DATABASE_PASSWORD_FILE put into DATABASE_URL."""
        if not isinstance(data, dict):
            return data
        for name in SECRET_FILES:
            path = os.environ.get(f"{name.upper()}_FILE", "").strip()
            if path and not str(data.get(name) or "").strip():
                data[name] = _read_secret(f"{name.upper()}_FILE", path)
        password = os.environ.get("DATABASE_PASSWORD_FILE", "").strip()
        url = str(data.get("database_url") or "").strip()
        if password and url:
            from sqlalchemy.engine import make_url

            secret = _read_secret("DATABASE_PASSWORD_FILE", password)
            data["database_url"] = (
                make_url(url).set(password=secret).render_as_string(hide_password=False)
            )
        return data

    @field_validator(
        "telegram_bot_token", "openai_api_key", "telegram_webhook_secret", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_is_default_store(cls, value: object) -> object:
        return default_database_url() if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token", mode="after")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _BOT_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(BOT_TOKEN_SHAPE)  # the token itself is never echoed
        return value

    @field_validator(
        "llm_monthly_token_cap", "llm_user_monthly_token_cap", "metrics_port", mode="before"
    )
    @classmethod
    def _blank_cap_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openai_base_url", "stt_base_url", "tts_base_url", mode="after")
    @classmethod
    def _normal_base_url(cls, value: str | None) -> str | None:
        return normalize_base_url(value) if value else value

    @field_validator(
        "openai_base_url",
        "telegram_api_base_url",
        "telegram_webhook_url",
        "llm_model_client",
        "llm_model_judge",
        "llm_model_coach",
        "llm_model_author",
        "llm_model_reader",
        "stt_model",
        "stt_base_url",
        "tts_model",
        "tts_base_url",
        "worker_name",
        mode="before",
    )
    @classmethod
    def _blank_str_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("team_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @property
    def reader_model(self) -> str | None:
        """The model that reads rep turns: LLM_MODEL_READER, else the judge's model."""
        return self.llm_model_reader or self.llm_model_judge

    @property
    def tts_url(self) -> str | None:
        """Where replies are spoken: TTS_BASE_URL, else OPENAI_BASE_URL."""
        return self.tts_base_url or self.openai_base_url

    @property
    def stt_url(self) -> str | None:
        """Where speech is transcribed: STT_BASE_URL, else OPENAI_BASE_URL."""
        return self.stt_base_url or self.openai_base_url

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL "
                "(1-256 characters: letters, digits, _ and -)"
            )
        secret = self.telegram_webhook_secret
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and -")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` to reset."""
    return Settings()
