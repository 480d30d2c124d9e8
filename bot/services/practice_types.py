"""What the practice use case hands to adapters: sessions, turn results, hints, progress,
and the input rules every adapter applies the same way."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from bot.domain.engine import HintCode, TurnPlan
from bot.domain.lang import Lang
from bot.domain.scenario import Dimension, Scenario
from bot.domain.session import ClientState, Phase, PracticeSession
from bot.domain.transcript import Transcript
from bot.errors import InputRejected

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Characters that show nothing: zero-width and bidi marks (format, Cf), and the blank fillers.
_FILLERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
MAX_PLAN_CHARS = 2000


class HintCoach(Protocol):
    """A model coach for the current moment (see `bot.llm.coach.LLMCoach`)."""

    label: str

    async def hint(
        self,
        scenario: Scenario,
        state: ClientState,
        transcript: Transcript,
        engine_hint: tuple[HintCode, dict[str, str]],
        lang: Lang,
    ) -> tuple[str | None, dict[str, int]]:
        """Hint text (None if unusable) and what the call cost."""
        ...


@dataclass(frozen=True)
class Started:
    """A session and the scenario it plays."""

    session: PracticeSession
    scenario: Scenario


@dataclass(frozen=True)
class InProgress:
    """The rep's session in progress by id and phase: enough to route their next message."""

    session_id: str
    phase: Phase


@dataclass(frozen=True)
class PlayContext:
    """A scenario resolved for a team (an assignment or a team scenario), access already checked.

    Only the training services build one (bot.services.assignments, scenario_upload); the
    session then belongs to the team, which is what makes it visible to the team's trainers.
    """

    scenario: Scenario
    team_id: int | None  # None: a trainer's private test play of an unsaved draft
    assignment_id: int | None = None


@dataclass(frozen=True)
class TurnResult:
    """The client's answer to one rep message; for a duplicate delivery, the answer it got
    then (stored), so an adapter that never sent it can send it now."""

    session: PracticeSession
    scenario: Scenario
    reply: str
    plan: TurnPlan | None = None
    duplicate: bool = False
    notice: str | None = None  # a catalog key to show once, e.g. the spend cap was reached

    @property
    def ended(self) -> bool:
        """The meeting is over and the session is waiting to be graded."""
        return self.session.phase == Phase.ENDED


@dataclass(frozen=True)
class Hint:
    """The coach's hint: a catalog key with parameters, or ready text from a model coach."""

    code: str
    params: dict[str, str]
    text: str | None = None


@dataclass(frozen=True)
class ProgressPoint:
    """One graded session on a rep's progress chart."""

    at: dt.datetime
    scenario_id: str
    overall: int
    scores: dict[Dimension, float]


def visible(text: str) -> bool:
    """Whether the text shows anything (a message of zero-width characters is empty)."""
    return any(
        not ch.isspace() and ch not in _FILLERS and unicodedata.category(ch) != "Cf" for ch in text
    )


def clean_message(text: str | None, limit: int) -> str:
    """The rep's message ready to play, or `InputRejected` with a reason the rep can act on."""
    cleaned = _CONTROL.sub("", text or "").strip()
    if not visible(cleaned):
        raise InputRejected("error.input_empty")
    if len(cleaned) > limit:
        raise InputRejected("error.input_too_long", length=len(cleaned), limit=limit)
    return cleaned
