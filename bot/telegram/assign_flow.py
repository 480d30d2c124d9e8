"""The /assign set-up as a typed state machine: its state (`AssignState`, stored as the draft's
JSON), which question is open (`next_step`), and one pure transition per answer. No Telegram,
no database: the handlers in `handlers/assign.py` load the state, apply a transition, store
the result and ask what `next_step` names."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, model_validator

from bot.domain.periods import local_text, parse_due
from bot.errors import StaleButton
from bot.telegram import inputs
from bot.telegram.drafts import FlowState

Step = Literal["scenario", "member", "due", "mark", "attempts"]
STEPS: tuple[Step, ...] = ("scenario", "member", "due", "mark", "attempts")
TYPED: frozenset[Step] = frozenset({"due", "mark"})
"""The steps that also take typed text (the others wait for a button)."""
EVERYONE = 0
"""The target meaning "every rep of the team" (the "everyone" button sends 0)."""
BUTTON_STEPS: dict[str, Step] = {"m": "member", "d": "due", "k": "mark", "a": "attempts"}


class AssignState(FlowState):
    """What the trainer has chosen so far; None: not asked yet."""

    team: int
    team_name: str
    zone: str
    scenario: str | None = None
    title: str = ""
    default_mark: int = 0
    reps: dict[str, str] = Field(default_factory=dict)
    """The team's reps offered at the "who" step, by user id (as text: a JSON key)."""
    target: int | None = None
    """A rep's user id, or EVERYONE."""
    due: dt.datetime | None = None
    due_local: str = ""
    mark: int | None = None
    attempts: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Drafts stored before the state was typed kept the target as `member` (None was
        everyone, an absent key not asked yet): read that as `target`."""
        if isinstance(data, dict) and "member" in data and "target" not in data:
            member = data["member"]
            data = {**data, "target": EVERYONE if member is None else member}
        return data


def next_step(state: AssignState) -> Step | None:
    """The first question still open (None: everything is known, ask for confirmation)."""
    known: dict[Step, object] = {
        "scenario": state.scenario,
        "member": state.target,
        "due": state.due,
        "mark": state.mark,
        "attempts": state.attempts,
    }
    return next((s for s in STEPS if known[s] is None), None)


def asking(state: AssignState) -> tuple[Step | None, AssignState]:
    """The question to ask next, and the state waiting for it (typed text, or a button)."""
    step = next_step(state)
    return step, state.model_copy(update={"awaits": step if step in TYPED else None})


def choose_scenario(state: AssignState, scenario: str, title: str, pass_mark: int) -> AssignState:
    """A scenario picked: its pass mark becomes the default offered at the mark step."""
    chosen = {"scenario": scenario, "title": title, "default_mark": pass_mark}
    return state.model_copy(update=chosen)


def offer_reps(state: AssignState, reps: dict[int, str]) -> AssignState:
    """The reps the "who" step offers (only they, or everyone, can be chosen)."""
    return state.model_copy(update={"reps": {str(k): v for k, v in reps.items()}})


def choose_target(state: AssignState, value: str) -> AssignState:
    """A "who" button: everyone (0) or one of the reps offered; anything else is stale."""
    if value != str(EVERYONE) and value not in state.reps:
        raise StaleButton()
    return state.model_copy(update={"target": int(value)})


def set_due(state: AssignState, text: str, now: dt.datetime) -> AssignState:
    """A due date, read in the team's zone now, so a mistake is caught at this step."""
    due = parse_due(text, state.zone, now)
    return state.model_copy(update={"due": due, "due_local": local_text(due, state.zone)})


def due_missed(state: AssignState) -> AssignState:
    """The due date passed before confirming: ask for it again."""
    return state.model_copy(update={"due": None, "due_local": ""})


def set_mark(state: AssignState, text: str) -> AssignState:
    """A pass mark, pressed or typed: 0..100."""
    return state.model_copy(update={"mark": inputs.percent(text)})


def set_attempts(state: AssignState, value: str) -> AssignState:
    """A minimum number of graded attempts (a button)."""
    return state.model_copy(update={"attempts": inputs.count(value, 100)})


def answer(state: AssignState, step: Step, text: str, now: dt.datetime) -> AssignState:
    """The answer to `step` (a button's value or typed text) applied to the state."""
    if step == "member":
        return choose_target(state, text)
    if step == "due":
        return set_due(state, text, now)
    if step == "mark":
        return set_mark(state, text)
    if step == "attempts":
        return set_attempts(state, text)
    raise StaleButton()  # a scenario is chosen from the picker, never typed


def target_name(state: AssignState) -> str | None:
    """The chosen rep's name (None: everyone, or not chosen yet)."""
    if not state.target:
        return None
    return state.reps.get(str(state.target), "")
