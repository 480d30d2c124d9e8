"""The benchmark's model: an OpenAI-compatible server that streams each client reply over a
fixed time, in its own process (so it does not share the benchmark's interpreter lock).

    .venv/bin/python bench/fake_llm.py --port 8900 --first-token 0.3 --latency 1.0 --chunks 8

The first piece comes after `--first-token` seconds and the last at `--latency`. A rep message
carrying a marker `〔chat:n〕` is answered with the same marker, so the benchmark can tell which
rep message each reply belongs to (a reply in the wrong order is counted as reordered), in
words that share nothing with other turns': the same sentence every turn was stopped by the
bot's guard (mostly words already said in the session) and replaced by a line of the bot's
own, and the marker went with it — the "reordered" turns this benchmark used to count.
Anything that is not the client (judge, coach) is answered by the test fake's default persona
at once. `--log FILE` appends each client call's marker and messages, one JSON line each (the
benchmark's prompt-prefix share).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_openai import STATE_DELIMITER, default_reply

MARKER = re.compile(r"〔((?:\d+:)?\d+)〕")  # 〔chat:n〕, or 〔n〕
COMMON = 0x4E00, 0x4E00 + 3000  # CJK ideographs to draw words from


def words_for(mark: str, n: int) -> str:
    """Words of a turn sharing no run of four with any other turn: the bot's guard stops a
    reply that is mostly words already said in the session (the rep's or its own)."""
    draw = random.Random(f"{mark}/{n}")
    first, second = ("".join(chr(draw.randrange(*COMMON)) for _ in range(k)) for k in (10, 14))
    return f"嗯，{first}{mark}。{second}。"


def client_reply(body: dict[str, Any]) -> tuple[str, str] | None:
    """(words, state) for a client turn, echoing the rep's marker; None for any other call."""
    scripted = default_reply(body)
    if STATE_DELIMITER not in scripted:
        return None
    users = [str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"]
    found = MARKER.findall(users[-1]) if users else []
    mark = f"〔{found[-1]}〕" if found else ""
    words = words_for(mark, len(users))
    if Handler.log is not None:
        entry = {"mark": found[-1] if found else "", "messages": body.get("messages", [])}
        with Handler.lock:
            Handler.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            Handler.log.flush()
    state = scripted.split(STATE_DELIMITER, 1)[1]
    return words, f"\n{STATE_DELIMITER}{state}"


class Handler(BaseHTTPRequestHandler):
    """`POST /v1/chat/completions`, streamed or not."""

    protocol_version = "HTTP/1.0"  # one request per connection; a stream ends when it closes
    first_token = 0.3
    latency = 1.0
    chunks = 8
    log: TextIO | None = None
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        """`/v1/models`."""
        self._json({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        """A completion: the client's words streamed over `latency`, anything else at once."""
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        client = client_reply(body)
        if not body.get("stream"):
            content = "".join(client) if client else default_reply(body)
            message = {"role": "assistant", "content": content}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            self._json({"id": "b", "object": "chat.completion", "choices": [choice]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words, state = client or (default_reply(body), "")
        step = max(1, -(-len(words) // self.chunks))
        pieces = [words[i : i + step] for i in range(0, len(words), step)]
        pieces[-1] += state
        started = time.monotonic()
        gap = (self.latency - self.first_token) / max(1, len(pieces) - 1) if client else 0.0
        for n, piece in enumerate(pieces):
            if client:
                due = started + self.first_token + n * gap
                time.sleep(max(0.0, due - time.monotonic()))
            self._event({"choices": [{"index": 0, "delta": {"content": piece}}]})
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self._event("[DONE]")

    def _event(self, data: object) -> None:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        self.wfile.write(f"data: {text}\n\n".encode())
        self.wfile.flush()

    def _json(self, data: object) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--first-token", type=float, default=0.3)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--log", type=Path, default=None, help="append client calls here")
    args = parser.parse_args()
    if args.log is not None:
        Handler.log = args.log.open("a", encoding="utf-8")
    Handler.first_token, Handler.latency, Handler.chunks = (
        args.first_token,
        args.latency,
        args.chunks,
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
