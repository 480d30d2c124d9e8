"""The one door to any OpenAI-compatible provider: `openai.AsyncOpenAI` with a `base_url`.

Transport retries (429 honouring `Retry-After`, 5xx, timeouts, dropped connections) are the
SDK's own bounded exponential backoff (`max_retries`); this layer adds what the SDK cannot
know: which structured-output mode the provider accepts (tried once per model, then
remembered), usage and latency per call, streams that end without a finish reason, and the
translation of every provider failure into a `ProviderError` carrying a catalog code.
The API key is handed to the SDK and never logged or put into an error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx2
import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from bot.errors import ProviderError
from bot.llm.structured import FALLBACK_ORDER, ConcreteMode, StructuredMode, response_format

log = logging.getLogger(__name__)
Message = dict[str, str]
NO_KEY = "not-needed"  # local servers (Ollama, vLLM) take no key, but the SDK wants one


@dataclass(frozen=True)
class GatewayConfig:
    """How to reach the provider."""

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    connect_timeout: float = 10.0
    max_retries: int = 2
    structured: StructuredMode = "auto"


@dataclass(frozen=True)
class Usage:
    """Tokens and time one or more calls cost."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    latency_ms: int = 0
    calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cached_tokens + other.cached_tokens,
            self.latency_ms + other.latency_ms,
            self.calls + other.calls,
        )

    def as_dict(self) -> dict[str, int]:
        """Plain form for `ClientReply.usage` / `Judgement.usage`."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "latency_ms": self.latency_ms,
            "calls": self.calls,
        }


def _usage(raw: Any, started: float) -> Usage:
    latency = round((time.monotonic() - started) * 1000)
    if raw is None:
        return Usage(latency_ms=latency, calls=1)
    details = getattr(raw, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    # DeepSeek reports cache hits in its own field.
    cached = cached or getattr(raw, "prompt_cache_hit_tokens", None) or 0
    return Usage(
        int(getattr(raw, "prompt_tokens", 0) or 0),
        int(getattr(raw, "completion_tokens", 0) or 0),
        int(cached),
        latency,
        1,
    )


@dataclass(frozen=True)
class Completion:
    """One finished reply."""

    text: str
    usage: Usage
    finish_reason: str | None


class TextStream:
    """A streamed reply: iterate for text pieces; afterwards read `usage` and `complete`."""

    def __init__(self, source: AsyncIterator[Any], started: float) -> None:
        self._source = source
        self._started = started
        self.usage = Usage()
        self.finish_reason: str | None = None
        self.broken = False

    @property
    def complete(self) -> bool:
        """The provider said the reply was finished (not cut off by a drop or a limit)."""
        return self.finish_reason == "stop" and not self.broken

    async def __aiter__(self) -> AsyncIterator[str]:
        raw_usage: Any = None
        try:
            async for chunk in self._source:
                raw_usage = getattr(chunk, "usage", None) or raw_usage
                for choice in getattr(chunk, "choices", None) or []:
                    piece = getattr(choice.delta, "content", None)
                    if piece:
                        yield piece
                    if choice.finish_reason:
                        self.finish_reason = choice.finish_reason
        except (openai.APIError, httpx2.HTTPError, ValueError) as exc:
            # A dropped connection or a garbled event mid-stream: keep what arrived.
            log.warning("stream broke off: %s", type(exc).__name__)
            self.broken = True
        finally:
            self.usage = _usage(raw_usage, self._started)


def _failure(exc: Exception) -> ProviderError:
    """The provider failure as a catalog-coded error (status and class only, for the log)."""
    status = getattr(exc, "status_code", None)
    log.warning("provider call failed: %s status=%s", type(exc).__name__, status)
    if isinstance(
        exc, openai.AuthenticationError | openai.PermissionDeniedError | openai.NotFoundError
    ):
        return ProviderError("llm.error.misconfigured", status=status or "")
    if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return ProviderError("llm.error.misconfigured", status=status or "")
    if isinstance(exc, openai.APIResponseValidationError | ValueError):
        return ProviderError("llm.error.malformed")
    return ProviderError("llm.error.unavailable", status=status or "")


_REJECTED_FORMAT = (openai.BadRequestError, openai.UnprocessableEntityError)


class Gateway:
    """Chat completions on any OpenAI-compatible endpoint, one model per call."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self._client = AsyncOpenAI(
            api_key=config.api_key or NO_KEY,
            base_url=config.base_url,
            timeout=httpx2.Timeout(config.timeout, connect=config.connect_timeout),
            max_retries=config.max_retries,
        )
        self._modes: dict[str, ConcreteMode] = {}
        self._stream_usage = True

    def mode_for(self, model: str) -> ConcreteMode | None:
        """The structured-output mode this model is known to accept, if found yet."""
        if self.config.structured != "auto":
            return self.config.structured
        return self._modes.get(model)

    async def complete(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        schema: tuple[str, dict[str, Any]] | None = None,
    ) -> Completion:
        """One reply; with `schema`, asked for JSON in the mode the provider accepts."""
        if schema is None:
            return await self._call(model, messages, temperature, max_tokens, None)
        known = self.mode_for(model)
        modes = (known,) if known else FALLBACK_ORDER
        for i, mode in enumerate(modes):
            fmt = response_format(mode, *schema)
            try:
                done = await self._call(model, messages, temperature, max_tokens, fmt)
            except _REJECTED_FORMAT as exc:
                if i + 1 == len(modes):
                    raise _failure(exc) from None
                log.info("model %s rejected response_format=%s; trying the next mode", model, mode)
                continue
            self._modes.setdefault(model, mode)
            return done
        raise ProviderError("llm.error.misconfigured")  # pragma: no cover (modes never empty)

    async def _call(
        self,
        model: str,
        messages: Sequence[Message],
        temperature: float,
        max_tokens: int | None,
        fmt: dict[str, Any] | None,
    ) -> Completion:
        extra: dict[str, Any] = {}
        if fmt is not None:
            extra["response_format"] = fmt
        if max_tokens is not None:
            extra["max_tokens"] = max_tokens
        started = time.monotonic()
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": list(messages),
            "temperature": temperature,
            **extra,
        }
        try:
            reply = cast(ChatCompletion, await self._client.chat.completions.create(**kwargs))
        except _REJECTED_FORMAT as exc:
            if fmt is not None:
                raise  # `complete` tries the next structured-output mode
            raise _failure(exc) from None
        except (openai.APIError, httpx2.HTTPError, ValueError) as exc:
            raise _failure(exc) from None
        choices = getattr(reply, "choices", None) or []
        if not choices:
            raise ProviderError("llm.error.malformed")
        first = choices[0]
        text = getattr(first.message, "content", None) or ""
        return Completion(text, _usage(getattr(reply, "usage", None), started), first.finish_reason)

    async def stream(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        temperature: float = 0.7,
        max_tokens: int | None = None,
    ) -> TextStream:
        """Start a streamed reply (the request is retried by the SDK until the stream opens)."""
        extra: dict[str, Any] = {}
        if max_tokens is not None:
            extra["max_tokens"] = max_tokens
        started = time.monotonic()
        for with_usage in (True, False) if self._stream_usage else (False,):
            options = {"stream_options": {"include_usage": True}} if with_usage else {}
            kwargs: dict[str, Any] = {
                "model": model,
                "messages": list(messages),
                "temperature": temperature,
                "stream": True,
                **options,
                **extra,
            }
            try:
                source = cast(
                    AsyncStream[ChatCompletionChunk],
                    await self._client.chat.completions.create(**kwargs),
                )
            except _REJECTED_FORMAT as exc:
                if not with_usage or "stream_options" not in str(exc):
                    raise _failure(exc) from None
                log.info("provider rejected stream_options; streaming without usage")
                self._stream_usage = False
                continue
            except (openai.APIError, httpx2.HTTPError, ValueError) as exc:
                raise _failure(exc) from None
            return TextStream(aiter(source), started)
        raise ProviderError("llm.error.misconfigured")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
