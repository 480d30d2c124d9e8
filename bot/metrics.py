"""What a serving worker counts, in the Prometheus text format (prometheus-client).

One registry per process (`metrics()`), filled from the few seams everything passes: the
update processor (updates handled, handler latency), the usage ledger (every model call:
latency, tokens, errors per role and model), reminder jobs, and the Bot API rate limiter
(429s). `serve` in `bot.telegram.ops` exposes it on METRICS_PORT.
"""

from __future__ import annotations

from functools import lru_cache

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0)


class Metrics:
    """The counters and histograms, on their own registry (tests build a fresh one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "trainer_updates_handled",
            "Telegram updates by outcome: handled; duplicate (dropped by the inbox); error (an "
            "unexpected error while handling, also counted as handled).",
            ["outcome"],
            registry=r,
        )
        self.handler_seconds = Histogram(
            "trainer_handler_seconds",
            "Time to handle one update, from its turn in its chat to done.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_seconds = Histogram(
            "trainer_llm_call_seconds",
            "Model call latency per role and model.",
            ["role", "model"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_tokens = Counter(
            "trainer_llm_tokens",
            "Model tokens per role, model and kind (prompt, completion).",
            ["role", "model", "kind"],
            registry=r,
        )
        self.llm_errors = Counter(
            "trainer_llm_errors",
            "Failed model calls per role, model and error.",
            ["role", "model", "error"],
            registry=r,
        )
        self.reminders = Counter(
            "trainer_reminders_sent",
            "Reminders and weekly boards sent, by kind.",
            ["kind"],
            registry=r,
        )
        self.flood_waits = Counter(
            "trainer_telegram_429",
            "429 Too Many Requests answers from the Bot API, by method.",
            ["method"],
            registry=r,
        )

    def text(self) -> bytes:
        """Everything, in the Prometheus text exposition format."""
        return generate_latest(self.registry)


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    """This process's metrics (`metrics.cache_clear()` gives a test fresh ones)."""
    return Metrics()
