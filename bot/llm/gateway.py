"""The one door to any OpenAI-compatible provider: `openai.AsyncOpenAI` with a `base_url`.

Transport retries (429 honouring `Retry-After`, 5xx, timeouts, dropped connections) are the
SDK's own bounded exponential backoff (`max_retries`); this layer adds what the SDK cannot
know: which structured-output mode the provider accepts (a refusal is recognised by what the
provider says, whatever the status, then remembered per model), usage and latency per call
(estimated, and marked so, when the provider reports none), streams that end without a finish
reason, and the translation of every provider failure into a `ProviderError` carrying a
catalog code. The API key is handed to the SDK and never logged or put into an error.

Every call streams, even when the caller wants the whole reply: a CPU model writes 3–15
tokens a second, so a whole-call timeout either kills a healthy reply or waits minutes on a
dead one. Instead the first token must come within `timeout` and each later piece within
`token_gap` of the one before.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx2
import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionChunk

from bot.errors import ProviderError
from bot.llm.structured import FALLBACK_ORDER, ConcreteMode, StructuredMode, response_format
from bot.llm.tokens import estimate_messages, estimate_tokens

log = logging.getLogger(__name__)
Message = dict[str, str]
NO_KEY = "not-needed"  # local servers (Ollama, vLLM) take no key, but the SDK wants one
CLIENT_SLOT, SIDE_SLOT = 0, 1  # prompt-cache slots: the client's, and the judge's and coach's


@dataclass(frozen=True)
class GatewayConfig:
    """How to reach the provider."""

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 300.0  # until the first token (a CPU model reads a long prompt first)
    connect_timeout: float = 10.0
    max_retries: int = 2
    structured: StructuredMode = "auto"
    token_gap: float = 60.0  # between two streamed pieces
    # llama.cpp's own server (`llama-server --parallel 2`) keeps one prompt cache per slot:
    # pin the client to one slot and the judge and coach to another, so neither evicts it.
    prompt_slots: bool = False


@dataclass(frozen=True)
class Usage:
    """Tokens and time one or more calls cost."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    latency_ms: int = 0
    calls: int = 0
    estimated: bool = False  # the provider reported no usage: tokens counted by `tokens.py`

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cached_tokens + other.cached_tokens,
            self.latency_ms + other.latency_ms,
            self.calls + other.calls,
            self.estimated or other.estimated,
        )

    def as_dict(self) -> dict[str, int]:
        """Plain form for `ClientReply.usage` / `Judgement.usage`."""
        plain = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "latency_ms": self.latency_ms,
            "calls": self.calls,
        }
        if self.estimated:
            plain["estimated"] = 1
        return plain


def _usage(raw: Any, started: float, prompt: Sequence[Message] = (), text: str = "") -> Usage:
    latency = round((time.monotonic() - started) * 1000)
    if raw is None or not (
        getattr(raw, "prompt_tokens", 0) or getattr(raw, "completion_tokens", 0)
    ):
        # No figures from the provider (llama.cpp and others do not report usage on streams):
        # count them ourselves, so monthly caps still hold, and say the figures are estimates.
        return Usage(estimate_messages(prompt), estimate_tokens(text), 0, latency, 1, True)
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
    """A streamed reply: iterate for text pieces; afterwards read `usage` and `complete`.

    The first piece must arrive within `first_wait` seconds of the request, each later one
    within `gap` of the one before; a stream that stalls longer counts as broken off.
    """

    def __init__(
        self,
        source: AsyncIterator[Any],
        started: float,
        closer: Any = None,
        prompt: Sequence[Message] = (),
        first_wait: float = 300.0,
        gap: float = 60.0,
    ) -> None:
        self._source = source
        self._closer = closer  # closes the HTTP response of a stream given up on
        self._started = started
        self._prompt = prompt
        self._first_wait = first_wait
        self._gap = gap
        self.usage = Usage()
        self.finish_reason: str | None = None
        self.broken = False
        self.text = ""
        self.first_token_ms: int | None = None
        self.fault: str | None = None  # "garbled", "dropped" or "stalled" when broken

    @property
    def complete(self) -> bool:
        """The provider said the reply was finished (not cut off by a drop or a limit)."""
        return self.finish_reason == "stop" and not self.broken

    async def _next(self) -> Any:
        if self.first_token_ms is None:
            wait = self._first_wait - (time.monotonic() - self._started)
        else:
            wait = self._gap
        async with asyncio.timeout(max(wait, 0.001)):
            return await anext(self._source)

    async def __aiter__(self) -> AsyncIterator[str]:
        raw_usage: Any = None
        try:
            while True:
                try:
                    chunk = await self._next()
                except StopAsyncIteration:
                    break
                raw_usage = getattr(chunk, "usage", None) or raw_usage
                for choice in getattr(chunk, "choices", None) or []:
                    piece = getattr(choice.delta, "content", None)
                    if piece:
                        if self.first_token_ms is None:
                            self.first_token_ms = round((time.monotonic() - self._started) * 1000)
                        self.text += piece
                        yield piece
                    if choice.finish_reason:
                        self.finish_reason = choice.finish_reason
        except (openai.APIError, httpx2.HTTPError, ValueError, TimeoutError) as exc:
            # A dropped connection, a stalled server or a garbled event: keep what arrived.
            log.warning("stream broke off: %s", type(exc).__name__)
            self.broken = True
            self.fault = (
                "stalled"
                if isinstance(exc, TimeoutError)
                else "garbled"
                if isinstance(exc, ValueError)
                else "dropped"
            )
        finally:
            self.usage = _usage(raw_usage, self._started, self._prompt, self.text)
            if self.broken and self._closer is not None:
                try:
                    await self._closer()
                except (openai.APIError, httpx2.HTTPError, OSError):
                    log.info("closing a broken stream failed")


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


_REJECTED = (openai.BadRequestError, openai.UnprocessableEntityError)
# What providers say when they do not take a `response_format` (or `stream_options`): llama.cpp
# answers json_schema with HTTP 500 "Input should be 'text' or 'json_object'", others 400/422.
_FORMAT_WORDS = re.compile(
    r"response_format|json_schema|json_object|structured output|'text'|grammar", re.IGNORECASE
)
_STREAM_OPTION_WORDS = re.compile(r"stream_options|include_usage", re.IGNORECASE)


def _says(exc: Exception, words: re.Pattern[str]) -> bool:
    """Whether a provider's error names what it refused (any status: some send 500)."""
    if not isinstance(exc, openai.APIStatusError):
        return False
    said = f"{exc.message} {exc.body!s}"
    return bool(words.search(said))


def _rejected_format(exc: Exception) -> bool:
    """A refusal of the requested structured-output mode, by what the provider says."""
    return _says(exc, _FORMAT_WORDS) or isinstance(exc, _REJECTED)


_REJECTED_FORMAT = _rejected_format  # kept under its old name for readers of older notes


def sdk_client(config: GatewayConfig, read: float | None = None) -> AsyncOpenAI:
    """The SDK client every role uses on one endpoint: key, base URL, timeouts, retries."""
    return AsyncOpenAI(
        api_key=config.api_key or NO_KEY,
        base_url=config.base_url,
        timeout=httpx2.Timeout(
            config.timeout if read is None else read, connect=config.connect_timeout
        ),
        max_retries=config.max_retries,
    )


class Gateway:
    """Chat completions on any OpenAI-compatible endpoint, one model per call."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        # headers may wait for the first token
        self._client = sdk_client(config, read=max(config.timeout, config.token_gap))
        # The SDK imports its chat resources on first use (~50 ms of module code): take them
        # now, at start-up, rather than in the first rep's turn.
        self._completions = self._client.chat.completions
        self._modes: dict[str, ConcreteMode] = {}
        self._refused: dict[str, set[ConcreteMode]] = {}
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
        slot: int | None = None,
    ) -> Completion:
        """One reply; with `schema`, asked for JSON in the mode the provider accepts."""
        if schema is None:
            return await self._collect(model, messages, temperature, max_tokens, None, slot)
        known = self.mode_for(model)
        refused = self._refused.setdefault(model, set())
        modes = (known,) if known else tuple(m for m in FALLBACK_ORDER if m not in refused)
        for i, mode in enumerate(modes):
            fmt = response_format(mode, *schema)
            try:
                done = await self._collect(model, messages, temperature, max_tokens, fmt, slot)
            except openai.APIError as exc:
                if not _rejected_format(exc) or i + 1 == len(modes):
                    raise _failure(exc) from None
                log.info("model %s refused response_format=%s; trying the next mode", model, mode)
                refused.add(mode)
                continue
            self._modes.setdefault(model, mode)
            return done
        raise ProviderError("llm.error.misconfigured")  # pragma: no cover (modes never empty)

    async def _collect(
        self,
        model: str,
        messages: Sequence[Message],
        temperature: float,
        max_tokens: int | None,
        fmt: dict[str, Any] | None,
        slot: int | None,
    ) -> Completion:
        """A streamed call read to its end; a format refusal is raised as the SDK's error."""
        stream = await self._open(model, messages, temperature, max_tokens, fmt, slot)
        async for _ in stream:
            pass
        if stream.broken:
            garbled = stream.fault == "garbled"
            raise ProviderError("llm.error.malformed" if garbled else "llm.error.unavailable")
        return Completion(stream.text, stream.usage, stream.finish_reason)

    async def stream(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        temperature: float = 0.7,
        max_tokens: int | None = None,
        slot: int | None = None,
    ) -> TextStream:
        """Start a streamed reply (the request is retried by the SDK until the stream opens)."""
        try:
            return await self._open(model, messages, temperature, max_tokens, None, slot)
        except openai.APIError as exc:
            raise _failure(exc) from None

    async def _open(
        self,
        model: str,
        messages: Sequence[Message],
        temperature: float,
        max_tokens: int | None,
        fmt: dict[str, Any] | None,
        slot: int | None,
    ) -> TextStream:
        """Open a stream; the SDK's error comes out when the format was refused."""
        extra: dict[str, Any] = {}
        if fmt is not None:
            extra["response_format"] = fmt
        if max_tokens is not None:
            extra["max_tokens"] = max_tokens
        if self.config.prompt_slots and slot is not None:
            extra["extra_body"] = {"id_slot": slot, "cache_prompt": True}
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
                    await self._completions.create(**kwargs),
                )
            except openai.APIError as exc:
                if with_usage and _says(exc, _STREAM_OPTION_WORDS):
                    log.info("provider refused stream_options; streaming without usage")
                    self._stream_usage = False
                    continue
                if fmt is not None and _rejected_format(exc):
                    raise  # `complete` tries the next structured-output mode
                raise _failure(exc) from None
            except (httpx2.HTTPError, ValueError) as exc:
                raise _failure(exc) from None
            return TextStream(
                aiter(source),
                started,
                getattr(source, "close", None),
                list(messages),
                self.config.timeout,
                self.config.token_gap,
            )
        raise ProviderError("llm.error.misconfigured")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
