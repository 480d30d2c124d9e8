"""Telegram's flood limits, for the fake Bot API: about 30 messages a second overall, about one
a second in a private chat, 20 a minute in a group; a call over a limit gets 429 with
`retry_after`.

Telegram documents these as guidance, not exact rules, and lets a chat burst briefly; each
limit here is a token bucket (a rate and a burst). Only what posts or changes a message counts:
every `send…` method that posts one (text, photo, document, voice, audio, video, sticker,
media group, poll, …), copies and forwards, and every `editMessage…`; not the typing action,
drafts, callback answers, downloads or polling. The overall 30/s is Telegram's guidance for
sending messages to many chats, so it counts posts; a chat's own limit counts edits as well
(an edited message is re-rendered in that chat). Written from Telegram's FAQ, not from the
bot's limiter (`bot/telegram/limits.py`), so the two can be checked against each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

NOT_MESSAGES = frozenset({"sendChatAction", "sendMessageDraft"})


def posts(method: str) -> bool:
    """A method that puts a new message in a chat."""
    return method not in NOT_MESSAGES and method.startswith(("send", "copy", "forward"))


def edits(method: str) -> bool:
    """A method that changes a message already in a chat."""
    return method.startswith("editMessage") or method == "stopPoll"


@dataclass
class Bucket:
    """`rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0: one is free now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend a token (call after `wait` said 0)."""
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now


@dataclass
class FloodLimits:
    """The limits and what they refused; not thread-safe (the fake calls it under its lock)."""

    overall_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 20.0
    refused: int = 0
    refused_by_method: dict[str, int] = field(default_factory=dict)
    _overall: Bucket | None = None
    _chats: dict[int, Bucket] = field(default_factory=dict)

    def check(self, method: str, chat_id: object, private: bool, now: float) -> int | None:
        """None if the call may go ahead (its tokens are spent), else the seconds to wait."""
        post = posts(method)
        if not (post or edits(method)):
            return None
        if self._overall is None:
            self._overall = Bucket(self.overall_per_second, self.overall_per_second)
        buckets = [self._overall] if post else []
        if isinstance(chat_id, int):
            buckets.append(self._chats.setdefault(chat_id, self._chat_bucket(private)))
        if not buckets:
            return None
        wait = max(b.wait(now) for b in buckets)
        if wait > 0:
            self.refused += 1
            self.refused_by_method[method] = self.refused_by_method.get(method, 0) + 1
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return None

    def _chat_bucket(self, private: bool) -> Bucket:
        if private:
            return Bucket(self.private_per_second, self.private_burst)
        return Bucket(self.group_per_minute / 60, self.group_per_minute)
