"""A practice session's phases and the client's state, with every transition in one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.facts import FactKey
from bot.domain.lang import Lang
from bot.domain.transcript import Transcript
from bot.errors import WrongPhase

MOOD_MIN, MOOD_MAX = -3, 3


class Phase(StrEnum):
    """Where a session is: brief → prepare → play → ended → graded (or abandoned)."""

    BRIEF = "brief"
    PREPARE = "prepare"
    PLAY = "play"
    ENDED = "ended"
    GRADED = "graded"
    ABANDONED = "abandoned"


TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.BRIEF: frozenset({Phase.PREPARE, Phase.PLAY, Phase.ABANDONED}),
    Phase.PREPARE: frozenset({Phase.PLAY, Phase.ABANDONED}),
    Phase.PLAY: frozenset({Phase.ENDED, Phase.ABANDONED}),
    Phase.ENDED: frozenset({Phase.GRADED}),
    Phase.GRADED: frozenset(),
    Phase.ABANDONED: frozenset(),
}
ACTIVE_PHASES = frozenset({Phase.BRIEF, Phase.PREPARE, Phase.PLAY, Phase.ENDED})


class EndReason(StrEnum):
    """Why the meeting ended."""

    REP_ENDED = "rep_ended"
    PATIENCE = "patience"
    OFFENDED = "offended"
    BUDGET = "budget"
    COMMITMENT = "commitment"


@dataclass(frozen=True)
class ClientState:
    """What the client feels and has given away so far."""

    stage: int = 0
    mood: int = 0
    patience: int = 0
    earned: tuple[FactKey, ...] = ()
    asked: tuple[FactKey, ...] = ()
    objections_raised: tuple[str, ...] = ()
    objections_settled: tuple[str, ...] = ()
    stage_seen: tuple[str, ...] = ()
    commitment: str | None = None
    rep_turns: int = 0
    ended: EndReason | None = None
    named: tuple[FactKey, ...] = ()  # facts the rep showed they already know (「数字城管二期」)
    warned: bool = False  # this stage's persona has said time is nearly up
    closed_reveals: int = 0  # facts this stage told to bare closed questions
    last_objection: str | None = None  # raised in the client's last reply
    put_off: tuple[FactKey, ...] = ()  # asked as the client raised an objection; told once settled

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for storage."""
        data = dataclasses.asdict(self)
        data["ended"] = self.ended.value if self.ended else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClientState:
        """Rebuild from `to_dict` output, ignoring keys from older versions."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in (
            "earned",
            "asked",
            "objections_raised",
            "objections_settled",
            "stage_seen",
            "named",
            "put_off",
        ):
            values[key] = tuple(values.get(key, ()))
        values["ended"] = EndReason(values["ended"]) if values.get("ended") else None
        return cls(**values)

    def open_objections(self) -> list[str]:
        """Objections raised and not yet settled."""
        return [o for o in self.objections_raised if o not in self.objections_settled]


@dataclass
class PracticeSession:
    """One attempt at one scenario by one rep."""

    id: str
    user_id: int
    scenario_id: str
    scenario_version: int
    language: Lang
    phase: Phase = Phase.BRIEF
    plan: str | None = None
    client: ClientState = field(default_factory=ClientState)
    transcript: Transcript = field(default_factory=Transcript)
    end_reason: EndReason | None = None
    team_id: int | None = None  # played in a team (its trainers see it, its spend is counted)

    def move_to(self, phase: Phase) -> None:
        """Change phase, refusing any move the state machine does not allow."""
        if phase not in TRANSITIONS[self.phase]:
            raise WrongPhase(current=self.phase.value, wanted=phase.value)
        self.phase = phase

    def require(self, *phases: Phase) -> None:
        """Raise `WrongPhase` unless the session is in one of `phases`."""
        if self.phase not in phases:
            raise WrongPhase(current=self.phase.value, wanted="|".join(p.value for p in phases))

    @property
    def active(self) -> bool:
        """Still in progress (not graded nor abandoned)."""
        return self.phase in ACTIVE_PHASES

    def awaiting_reply(self) -> bool:
        """The last turn is the rep's: a client reply is owed (e.g. after a crash)."""
        turns = self.transcript.turns
        return self.phase == Phase.PLAY and bool(turns) and turns[-1].speaker == "rep"
