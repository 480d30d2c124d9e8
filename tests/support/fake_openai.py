"""A fake OpenAI-compatible server on 127.0.0.1 for tests and benchmarks.

Real HTTP (stdlib `ThreadingHTTPServer` in a background thread, so it serves both async tests
and CLI runs that start their own event loop): `POST /v1/chat/completions` with and without
streaming (SSE), `GET /v1/models`, `POST /v1/audio/transcriptions` (multipart; real audio is
checked and measured, the words are scripted with `hear(...)`) and `POST /v1/audio/speech`
(espeak-ng's rendering as Ogg/Opus; see `tests/support/speech.py`). Replies are scripted per
call (`script(...)`), or come from a default persona that plays the client, the judge and the
coach plausibly. Every request is recorded. Faults: latency, timeouts, 429 with Retry-After,
500, malformed JSON bodies, truncated streams, and providers that reject a `response_format`
type.

Run it alone for a benchmark: `python -m tests.support.fake_openai --port 8900 --latency 0.2`.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from tests.support.speech import (
    Heard,
    Upload,
    looks_like_audio,
    parse_multipart,
    probe_seconds,
    speech_bytes,
)

Fault = Literal["timeout", "rate_limit", "server_error", "malformed", "truncate", "bad_request"]
STATE_DELIMITER = "<<<STATE>>>"
DIMENSIONS = ("listening", "persuasion", "preparation", "composure", "next_step")


@dataclass
class Reply:
    """One scripted answer: content, or a fault; optional latency and usage figures."""

    content: str = ""
    fault: Fault | None = None
    retry_after: str | None = None
    delay: float = 0.0
    chunk_chars: int = 6
    gate_after: int | None = None  # stream this many chunks, then wait for `fake.gate`
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None


@dataclass
class Recorded:
    """A request the server received."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float

    @property
    def messages(self) -> list[dict[str, str]]:
        """The chat messages sent."""
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """All message contents joined (for assertions on what the model was told)."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


def default_reply(body: dict[str, Any]) -> str:
    """The built-in persona: a stalling official, a middling judge, a short coach."""
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    if STATE_DELIMITER in text:
        english = "Reply in English" in text
        line = (
            "I see. Go on, but please keep it brief."
            if english
            else "嗯，你说的情况我知道了。你接着说，不过要简短一点。"
        )
        state = {
            "mood_change": 0,
            "facts_revealed": [],
            "stage_change": False,
            "meeting_ended": False,
            "commitment": None,
        }
        return f"{line}\n{STATE_DELIMITER}\n{json.dumps(state)}"
    if body.get("response_format") or '"dimensions"' in text:
        dims = {
            d: {"reasoning": "fake judge", "evidence": [], "score": 3, "tip": "fake tip"}
            for d in DIMENSIONS
        }
        return json.dumps({"dimensions": dims}, ensure_ascii=False)
    return "先问清楚验收现在卡在哪一步，再谈付款的事。"


class FakeOpenAI:
    """Start with `with FakeOpenAI() as fake:`; point the SDK at `fake.url`."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests: list[Recorded] = []
        self.reject_formats: set[str] = set()
        # How a refused format is answered: 400 like OpenAI, or 500 with pydantic's words
        # like llama.cpp's server ("Input should be 'text' or 'json_object'").
        self.reject_status = 400
        self.reports_usage = True  # False: like llama.cpp, never send usage on a stream
        self.reject_stream_options = False
        self._script: deque[Reply] = deque()
        self._heard: deque[Heard] = deque()
        self.uploads: list[Upload] = []  # audio sent to /audio/transcriptions
        self.refuse_verbose = False  # True: like models that only answer json/text
        self.speech_requests: list[dict[str, Any]] = []  # bodies sent to /audio/speech
        self._seen_prefixes: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.gate = threading.Event()  # a test opens it to let a gated stream finish
        self.waiting = threading.Event()  # set while a gated stream is held mid-way
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, ending in /v1 as the SDK wants it."""
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue replies for the next calls, in order (strings are plain content)."""
        with self._lock:
            self._script.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def hear(self, *answers: Heard | str) -> None:
        """Queue what the next transcriptions return, in order (strings are the words)."""
        with self._lock:
            self._heard.extend(a if isinstance(a, Heard) else Heard(a) for a in answers)

    def _next_heard(self) -> Heard:
        with self._lock:
            return self._heard.popleft() if self._heard else Heard("您好，我是华信科技的小陈。")

    @property
    def pending(self) -> int:
        """Scripted replies not yet used."""
        return len(self._script)

    def _next(self) -> Reply | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _record(self, item: Recorded) -> None:
        with self._lock:
            self.requests.append(item)

    def _cached(self, body: dict[str, Any]) -> int:
        """Simulated prompt caching: the system prompt is cached after its first use."""
        messages = body.get("messages", [])
        prefix = str(messages[0].get("content", "")) if messages else ""
        with self._lock:
            hit = prefix in self._seen_prefixes
            self._seen_prefixes.add(prefix)
        return len(prefix) // 2 if hit else 0

    def start(self) -> FakeOpenAI:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any handler still waiting out a delay."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait(self, seconds: float) -> None:
        """Server-side latency that ends early when the server stops."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _usage(body: dict[str, Any], content: str, reply: Reply, cached: int) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    prompt = reply.prompt_tokens if reply.prompt_tokens is not None else max(1, prompt_chars // 2)
    completion = (
        reply.completion_tokens
        if reply.completion_tokens is not None
        else max(1, len(content) // 2)
    )
    cache = reply.cached_tokens if reply.cached_tokens is not None else min(cached, prompt)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cache},
    }


class _Handler(BaseHTTPRequestHandler):
    owner: FakeOpenAI
    protocol_version = "HTTP/1.0"  # one request per connection; SSE ends when it closes

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `requests`, not stderr."""

    def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": {"message": message, "type": "fake", "code": status}}, headers)

    def do_GET(self) -> None:
        """`/v1/models`: the models the fake pretends to host."""
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self._error(404, "not found")

    def _transcription(self, raw: bytes) -> None:
        """`/v1/audio/transcriptions`: a multipart upload of real audio, a scripted answer."""
        owner = self.owner
        fields, (name, kind, data) = parse_multipart(self.headers.get("Content-Type", ""), raw)
        seconds = probe_seconds(data) if looks_like_audio(data) else None
        with owner._lock:
            owner.uploads.append(Upload(fields, name, kind, data, seconds))
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner._record(Recorded(self.path, {**fields, "file": name}, headers, time.monotonic()))
        if not fields.get("model"):
            self._error(400, "model is required")
            return
        if not looks_like_audio(data) or seconds is None:
            self._error(
                400, "Invalid file format. Supported formats: flac, mp3, mp4, ogg, wav, webm"
            )
            return
        if fields.get("response_format") == "verbose_json" and owner.refuse_verbose:
            self._error(400, "response_format 'verbose_json' is not supported by this model")
            return
        heard = owner._next_heard()
        owner.wait(owner.latency)
        if heard.fault == "timeout":
            owner.wait(30.0)
            return
        if heard.fault == "server_error":
            self._error(500, "internal error")
            return
        if heard.fault == "bad_request":
            self._error(400, "could not decode audio")
            return
        if heard.fault == "garbage":
            junk = b"<html>502 Bad Gateway</html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(junk)))
            self.end_headers()
            self.wfile.write(junk)
            return
        usage = {"type": "duration", "seconds": max(1, round(seconds))}
        fmt = fields.get("response_format", "json")
        if fmt == "verbose_json":
            timed = heard.segments or [(0.0, seconds, heard.text)]
            segments = []
            for i, seg in enumerate(timed):
                segment = {"id": i, "start": seg[0], "end": seg[1], "text": seg[2]}
                if len(seg) > 3:
                    segment["speaker"] = seg[3]
                segments.append(segment)
            text = "".join(str(seg[2]) for seg in timed)
            verbose = {
                "task": "transcribe",
                "language": fields.get("language", ""),
                "duration": seconds,
                "text": text,
                "segments": segments,
                "usage": usage,
            }
            self._json(200, verbose)
            return
        text = heard.text or "".join(str(seg[2]) for seg in heard.segments or [])
        self._json(200, {"text": text, "usage": usage})

    def _speech(self, body: dict[str, Any]) -> None:
        """`/v1/audio/speech`: the input spoken (Ogg/Opus by espeak-ng when installed)."""
        owner = self.owner
        with owner._lock:
            owner.speech_requests.append(body)
        text = str(body.get("input", ""))
        if not body.get("model") or not text:
            self._error(400, "model and input are required")
            return
        audio = speech_bytes(text, str(body.get("voice", "")))
        self.send_response(200)
        self.send_header("Content-Type", "audio/ogg" if audio[:4] == b"OggS" else "audio/wav")
        self.send_header("Content-Length", str(len(audio)))
        self.end_headers()
        self.wfile.write(audio)

    def do_POST(self) -> None:
        """`/v1/chat/completions`: scripted or default replies, faults injected on request;
        `/v1/audio/transcriptions` and `/v1/audio/speech` for voice."""
        length = int(self.headers.get("Content-Length") or 0)
        if re.search(r"/v1/audio/transcriptions/?$", self.path):
            self._transcription(self.rfile.read(length))
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._error(400, "invalid JSON body")
            return
        owner = self.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner._record(Recorded(self.path, body, headers, time.monotonic()))
        if re.search(r"/v1/audio/speech/?$", self.path):
            self._speech(body)
            return
        if not re.search(r"/v1/chat/completions/?$", self.path):
            self._error(404, f"no route {self.path}")
            return
        fmt = (body.get("response_format") or {}).get("type")
        if fmt in owner.reject_formats:
            if owner.reject_status == 500:
                said = "response_format.type: Input should be 'text' or 'json_object'"
                self._error(500, said)
            else:
                self._error(owner.reject_status, f"response_format type {fmt} is not supported")
            return
        if body.get("stream_options") and owner.reject_stream_options:
            self._error(400, "stream_options is not supported")
            return
        reply = owner._next() or Reply(default_reply(body))
        owner.wait(owner.latency + reply.delay)
        if reply.fault == "timeout":
            owner.wait(30.0)
            return
        if reply.fault == "rate_limit":
            self._error(429, "rate limited", {"Retry-After": reply.retry_after or "1"})
            return
        if reply.fault == "server_error":
            self._error(500, "internal error")
            return
        if reply.fault == "bad_request":
            self._error(400, "bad request")
            return
        content = reply.content or default_reply(body)
        usage = _usage(body, content, reply, owner._cached(body))
        if body.get("stream"):
            self._stream(body, content, reply, usage)
        else:
            self._complete(body, content, reply, usage)

    def _complete(
        self, body: dict[str, Any], content: str, reply: Reply, usage: dict[str, Any]
    ) -> None:
        if reply.fault == "malformed":
            raw = b'{"id": "chatcmpl-fake", "choices": [{"message": {"content": "'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return
        self._json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            },
        )

    def _event(self, data: dict[str, Any] | str) -> None:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        self.wfile.write(f"data: {text}\n\n".encode())
        self.wfile.flush()

    def _stream(
        self, body: dict[str, Any], content: str, reply: Reply, usage: dict[str, Any]
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
        }
        step = max(1, reply.chunk_chars)
        pieces = [content[i : i + step] for i in range(0, len(content), step)]
        if reply.fault == "truncate":
            pieces = pieces[: max(1, len(pieces) // 2)]
        first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        self._event({**base, "choices": [first]})
        for i, piece in enumerate(pieces):
            if reply.gate_after is not None and i == reply.gate_after:
                self.owner.waiting.set()
                self.owner.gate.wait(10.0)
                self.owner.waiting.clear()
            delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
            self._event({**base, "choices": [delta]})
        if reply.fault == "truncate":
            return  # the connection closes: no finish reason, no [DONE]
        if reply.fault == "malformed":
            self.wfile.write(b"data: {not json\n\n")
            return
        self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage") and self.owner.reports_usage:
            self._event({**base, "choices": [], "usage": usage})
        self._event("[DONE]")


def main() -> None:
    """Serve until interrupted (for benchmarks against a local fake provider)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each reply")
    args = parser.parse_args()
    fake = FakeOpenAI(latency=args.latency)

    class Handler(_Handler):
        owner = fake

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"fake OpenAI-compatible server at http://127.0.0.1:{args.port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
