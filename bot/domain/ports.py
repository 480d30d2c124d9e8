"""The two model seams: who plays the client and who judges. Offline, LLM and test fakes
all implement these."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.engine import TurnPlan
from bot.domain.lang import Lang
from bot.domain.metrics import Metrics
from bot.domain.scenario import Dimension, Scenario
from bot.domain.scorecard import DimensionScore, Rewording
from bot.domain.session import ClientState
from bot.domain.transcript import Transcript

DeltaSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class ClientTurn:
    """Everything a client model needs to voice one reply."""

    scenario: Scenario
    before: ClientState
    after: ClientState
    plan: TurnPlan | None
    transcript: Transcript
    seed: str


@dataclass(frozen=True)
class ClientReply:
    """The client's words, what it reported of its own state, and what the call cost."""

    text: str
    report: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)


class ClientModel(Protocol):
    """Plays the government client."""

    label: str

    async def reply(self, turn: ClientTurn, on_delta: DeltaSink | None = None) -> ClientReply:
        """Voice the planned move; stream pieces of text to `on_delta` as they come."""
        ...


@dataclass(frozen=True)
class JudgeRequest:
    """What a judge grades."""

    transcript: Transcript
    metrics: Metrics
    scenario: Scenario | None
    plan: str | None
    lang: Lang


@dataclass(frozen=True)
class Judgement:
    """A judge's raw scores, before evidence checks and bounds."""

    label: str
    dimensions: dict[Dimension, DimensionScore]
    rewording: Rewording | None = None
    usage: dict[str, int] = field(default_factory=dict)


class Judge(Protocol):
    """Scores a conversation against the rubric."""

    async def judge(self, request: JudgeRequest) -> Judgement:
        """Score every dimension with quotes and a tip."""
        ...
