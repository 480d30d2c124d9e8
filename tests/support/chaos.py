"""Faults at random on the Bot API's send methods, as a flaky network or an overloaded Telegram
gives them: 500 and 502 answers, and connections reset before any answer. Seeded, so a run can
be repeated; every fault is recorded. Attach with `api.chaos = Chaos(0.3)`."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from tests.support.bot_api import ApiError

KINDS = ("500", "502", "reset")
DESCRIPTIONS = {"500": "Internal Server Error", "502": "Bad Gateway"}


class Reset(Exception):
    """The connection closes before an answer (the adapter drops it: a network error)."""


def sends(method: str) -> bool:
    """The methods that put something in front of a user (every send, edit and answer)."""
    return method.startswith(("send", "edit", "answer"))


@dataclass
class Chaos:
    """Fails about `rate` of the calls to the methods `sends` picks, before they take effect."""

    rate: float
    seed: int = 0
    struck: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def strike(self, method: str) -> None:
        """Raise a fault for this call, or return to let it through."""
        if not sends(method):
            return
        with self._lock:
            if self._rng.random() >= self.rate:
                return
            kind = self._rng.choice(KINDS)
            self.struck.append((method, kind))
        if kind == "reset":
            raise Reset(method)
        raise ApiError(int(kind), DESCRIPTIONS[kind])
