"""Speech to text on any OpenAI-compatible `/audio/transcriptions` endpoint (OpenAI's whisper-1
or gpt-4o-mini-transcribe, a provider serving SenseVoice or Whisper, a local faster-whisper or
whisper.cpp server), through the same SDK, timeouts and retries as the other roles.

The audio goes as it came (Telegram's Ogg/Opus is accepted by these endpoints as it is); the
session's language is the hint. Usage is what the provider reports (tokens for the gpt-4o
models, seconds for whisper-1); when it reports tokens of neither kind, the audio is counted as
`AUDIO_TOKENS_PER_SECOND` prompt tokens a second and the text as `tokens.py` estimates it,
marked as estimated, so the monthly caps hold for speech too.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx2
import openai

from bot.domain.audio import MIME
from bot.domain.call import Segment, sentences
from bot.errors import VoiceRejected
from bot.llm.gateway import GatewayConfig, sdk_client
from bot.llm.tokens import estimate_tokens

log = logging.getLogger(__name__)
# OpenAI bills gpt-4o audio input at about 10 tokens a second (600 a minute): the estimate for
# providers that report no tokens.
AUDIO_TOKENS_PER_SECOND = 10


@dataclass(frozen=True)
class Heard:
    """A transcript and what producing it cost."""

    text: str
    usage: dict[str, int]


def _usage(raw: Any, seconds: float, text: str, started: float) -> dict[str, int]:
    latency = round((time.monotonic() - started) * 1000)
    prompt = int(getattr(raw, "input_tokens", 0) or 0) if raw is not None else 0
    completion = int(getattr(raw, "output_tokens", 0) or 0) if raw is not None else 0
    if prompt or completion:
        return {"prompt_tokens": prompt, "completion_tokens": completion, "latency_ms": latency}
    return {
        "prompt_tokens": round(seconds * AUDIO_TOKENS_PER_SECOND),
        "completion_tokens": estimate_tokens(text),
        "latency_ms": latency,
        "estimated": 1,
    }


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _label(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _failure(exc: Exception) -> VoiceRejected:
    """A provider failure as a catalog-coded error (status and class only, for the log)."""
    status = getattr(exc, "status_code", None)
    log.warning("transcription failed: %s status=%s", type(exc).__name__, status)
    if isinstance(
        exc, openai.AuthenticationError | openai.PermissionDeniedError | openai.NotFoundError
    ):
        return VoiceRejected("voice.misconfigured")
    if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return VoiceRejected("voice.not_audio")  # the provider could not decode it
    return VoiceRejected("voice.unavailable")


class Transcriber:
    """One model on one OpenAI-compatible endpoint that turns speech into text."""

    def __init__(self, config: GatewayConfig, model: str) -> None:
        self.model = model
        self.label = model
        self._client = sdk_client(config)

    async def transcribe(self, data: bytes, kind: str, seconds: float, language: str) -> Heard:
        """The words in the audio; `VoiceRejected` if the provider fails or hears nothing."""
        started = time.monotonic()
        try:
            result = await self._client.audio.transcriptions.create(
                model=self.model,
                file=(f"speech.{kind}", data, MIME.get(kind, "application/octet-stream")),
                language=language,
                response_format="json",
            )
        except (openai.APIError, httpx2.HTTPError) as exc:
            raise _failure(exc) from None
        except ValueError:  # a body that is not the JSON it should be
            log.warning("transcription answered with an unreadable body")
            raise VoiceRejected("voice.unavailable") from None
        text = str(getattr(result, "text", "") or "").strip()
        usage = _usage(getattr(result, "usage", None), seconds, text, started)
        return Heard(text, usage)

    async def transcribe_call(
        self, data: bytes, kind: str, seconds: float, language: str | None
    ) -> tuple[list[Segment], dict[str, int]]:
        """A recording's timed (and, where the endpoint labels them, attributed) segments;
        plain text cut into sentences where the endpoint gives no segments."""
        started = time.monotonic()
        upload = (f"call.{kind}", data, MIME.get(kind, "application/octet-stream"))
        hint: dict[str, Any] = {"language": language} if language else {}
        try:
            try:
                result: Any = await self._client.audio.transcriptions.create(
                    model=self.model,
                    file=upload,
                    response_format="verbose_json",
                    timestamp_granularities=["segment"],
                    **hint,
                )
            except (openai.BadRequestError, openai.UnprocessableEntityError):
                log.info("verbose_json refused by %s; asking for plain json", self.model)
                result = await self._client.audio.transcriptions.create(
                    model=self.model, file=upload, response_format="json", **hint
                )
        except (openai.APIError, httpx2.HTTPError) as exc:
            raise _failure(exc) from None
        except ValueError:
            log.warning("transcription answered with an unreadable body")
            raise VoiceRejected("voice.unavailable") from None
        text = str(getattr(result, "text", "") or "").strip()
        raw_segments = getattr(result, "segments", None) or []
        segments = [
            Segment(
                str(getattr(s, "text", "") or ""),
                _number(getattr(s, "start", None)),
                _number(getattr(s, "end", None)),
                _label(getattr(s, "speaker", None)),
            )
            for s in raw_segments
        ] or sentences(text)
        duration = _number(getattr(result, "duration", None)) or max(seconds, 0.0)
        return segments, _usage(getattr(result, "usage", None), duration, text, started)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
