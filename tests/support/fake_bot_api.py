"""A fake Telegram Bot API over real HTTP on 127.0.0.1, for end-to-end tests and benchmarks.

Point the bot at it with `TELEGRAM_API_BASE_URL=<server.base_url>` and the token
`server.api.token`; feed users' updates with `server.api.deliver(server.api.text(...))` and
wait on what the bot sent with `server.api.wait_for(...)`.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.support.bot_api import BotApi
from tests.support.chaos import Reset


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Form fields and uploaded files from a request body (urlencoded, multipart or JSON)."""
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            data = part.get_payload(decode=True)
            payload = data if isinstance(data, bytes) else b""
            if part.get_filename():
                files[name] = payload
            else:
                fields[name] = payload.decode("utf-8")
        return fields, files
    if content_type.startswith("application/json"):
        decoded = json.loads(body or b"{}")
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in decoded.items()}, {}
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: a small reply is not held for the peer's ACK
    server: _Server

    def _answer(self) -> None:
        path = unquote(urlsplit(self.path).path)  # PTB percent-encodes file paths (the token's ':')
        prefix, _, method = path.rpartition("/")
        api = self.server.api
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        file_prefix = f"/file/bot{api.token}/"
        if path.startswith(file_prefix):
            self._send(*api.download(path.removeprefix(file_prefix)), "application/octet-stream")
            return
        if prefix != f"/bot{api.token}":
            status, reply = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        else:
            fields, files = parse_body(self.headers.get("Content-Type") or "", body)
            fields.update(parse_qsl(urlsplit(self.path).query))
            try:
                status, reply = api.handle(method, fields, files)
            except Reset:
                self.close_connection = True  # hang up without an answer
                return
        self._send(status, json.dumps(reply, ensure_ascii=False).encode("utf-8"))

    def _send(self, status: int, data: bytes, kind: str = "application/json") -> None:
        # Status line, headers and body in one write: written apart, the body waits for the
        # client's delayed ACK of the headers (~40 ms a response), which is the fake's cost,
        # not the bot's.
        phrase = self.responses.get(status, ("",))[0]
        head = (
            f"{self.protocol_version} {status} {phrase}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.wfile.write(head.encode("latin-1") + data)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read calls from `api.calls`."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: BotApi

    def handle_error(self, request: object, client_address: object) -> None:
        """A bot killed mid-request leaves a dead socket behind: not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FakeBotApiServer:
    """The HTTP server, started on a free port in a background thread."""

    def __init__(self, api: BotApi | None = None) -> None:
        self.api = api or BotApi()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self.api
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL (PTB appends the token)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/bot"

    def start(self) -> FakeBotApiServer:
        """Start serving."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and wake every waiting request."""
        self.api.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
