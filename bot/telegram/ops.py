"""The side port for operations: `GET /healthz` and `GET /metrics` on METRICS_PORT.

A few lines of asyncio rather than a web framework: two read-only paths, answered on the bot's
own event loop (so a stuck loop also stops answering /healthz, which is the point). It is not
the webhook port: that one faces Telegram through the TLS proxy, this one faces your scraper.
"""

from __future__ import annotations

import asyncio
import json
import logging

from bot.composition import Container
from bot.health import MAX_BEAT_AGE, database, heartbeat, worker_name
from bot.metrics import metrics

log = logging.getLogger(__name__)
READ_LIMIT = 8192
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"


class OpsServer:
    """Serves /healthz (database at head, this worker's heartbeat fresh) and /metrics."""

    def __init__(self, services: Container, host: str, port: int) -> None:
        self.services = services
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen (a port already taken is logged and the bot serves without it)."""
        try:
            self._server = await asyncio.start_server(self._serve, self.host, self.port)
        except OSError as exc:
            log.error("METRICS_PORT %s:%s cannot be opened: %s", self.host, self.port, exc)
            return
        log.info("health and metrics on http://%s:%s/healthz and /metrics", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def health(self) -> tuple[int, bytes]:
        """The /healthz answer: 200 with every check ok, else 503."""
        db = self.services.db
        worker = worker_name(self.services.settings)
        checks = [await database(db), await heartbeat(db, worker, db.now, MAX_BEAT_AGE)]
        healthy = all(c.ok for c in checks)
        body = {
            "healthy": healthy,
            "worker": worker,
            "checks": {c.name: {"ok": c.ok, **c.params} for c in checks},
        }
        return (200 if healthy else 503), json.dumps(body).encode()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            words = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            method, path = words[0], (words[1] if len(words) > 1 else "").split("?", 1)[0]
            status, kind, body = await self._answer(method, path)
            reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}.get(
                status, "Service Unavailable"
            )
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass  # a half-open or junk connection: nothing to answer
        finally:
            writer.close()

    async def _answer(self, method: str, path: str) -> tuple[int, str, bytes]:
        """The status, content type and body for a request line's method and path."""
        if method != "GET":
            return 405, "text/plain", b"GET only\n"
        if path == "/metrics":
            return 200, TEXT_FORMAT, metrics().text()
        if path == "/healthz":
            status, body = await self.health()
            return status, "application/json", body
        return 404, "text/plain", b"/healthz or /metrics\n"
