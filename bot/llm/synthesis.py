"""Text to speech on any OpenAI-compatible `/audio/speech` endpoint (OpenAI's tts-1 or
gpt-4o-mini-tts, or a local server speaking the same API), asked for Opus so Telegram can send
it as a voice note. The same SDK settings (timeouts, retries) as the other roles.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import httpx2
import openai

from bot.errors import ProviderError
from bot.llm.gateway import GatewayConfig, sdk_client
from bot.llm.tokens import estimate_tokens

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spoken:
    """Audio for one reply and what it cost."""

    audio: bytes
    usage: dict[str, int]


class Synthesizer:
    """One speech model on one OpenAI-compatible endpoint."""

    def __init__(self, config: GatewayConfig, model: str) -> None:
        self.model = model
        self.label = model
        self._client = sdk_client(config)

    async def speak(self, text: str, voice: str) -> Spoken:
        """The text spoken (Ogg/Opus where the provider honours `response_format`)."""
        started = time.monotonic()
        try:
            response = await self._client.audio.speech.create(
                model=self.model, voice=voice, input=text, response_format="opus"
            )
            audio = response.content
        except (openai.APIError, httpx2.HTTPError) as exc:
            log.warning("speech failed: %s", type(exc).__name__)
            raise ProviderError("llm.error.unavailable") from None
        latency = round((time.monotonic() - started) * 1000)
        # Speech APIs bill by input characters; counted as the text's estimated tokens.
        usage = {"prompt_tokens": estimate_tokens(text), "latency_ms": latency, "estimated": 1}
        return Spoken(audio, usage)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
