"""/newscenario's draft as a typed state machine: `StudioState` (stored as the draft's JSON)
and pure transitions — waiting for a description or change requests, the questionnaire's
answers (typed or pressed), a checked preview kept, the questionnaire started over. The
handlers in `handlers/studio.py` talk to the model and to Telegram around them."""

from __future__ import annotations

from pydantic import Field

from bot.domain.lang import Lang
from bot.errors import StaleButton
from bot.scenarios import quick_case
from bot.telegram.drafts import FlowState

DESCRIPTION, CHANGES = "description", "changes"
"""What free text the draft can wait for besides a questionnaire answer."""


class StudioState(FlowState):
    """A scenario being drafted for a team."""

    team: int
    team_name: str
    answers: dict[str, str] = Field(default_factory=dict)
    """The questionnaire's answers so far, by step."""
    yaml: str | None = None
    """The last checked draft (None: no preview yet)."""
    lang: Lang | None = None
    """The checked draft's language."""


def waiting(state: StudioState, what: str | None) -> StudioState:
    """The state waiting for `what` typed text (None: for a button)."""
    return state.model_copy(update={"awaits": what})


def composing(state: StudioState) -> bool:
    """Whether typed text (or a .txt file) is a description or change requests for the model."""
    return state.awaits in (DESCRIPTION, CHANGES)


def revising(state: StudioState) -> str | None:
    """The draft to change, when the text is change requests to an existing preview."""
    return state.yaml if state.awaits == CHANGES and state.yaml else None


def asking(state: StudioState) -> tuple[str | None, StudioState]:
    """The questionnaire's next step (None: all answered) and the state waiting for it: for
    typed text, or for a button when the step has choices."""
    step = quick_case.next_step(state.answers)
    if step is None:
        return None, state
    return step, waiting(state, None if quick_case.choices(step) else step)


def typed_answer(state: StudioState, text: str) -> StudioState | None:
    """A typed questionnaire answer (checked at its own step); None if no step waits for it."""
    step = quick_case.next_step(state.answers)
    if step is None or state.awaits != step:
        return None
    if step == "case":
        quick_case.split_case(text)  # a mistake is caught at this step
    elif step == "money":
        quick_case.parse_money(text)
    return _answered(state, step, text.strip())


def chosen_answer(state: StudioState, value: str) -> StudioState:
    """A pressed questionnaire answer; a choice of a step already answered is stale."""
    step = quick_case.next_step(state.answers)
    if step is None or value not in quick_case.choices(step):
        raise StaleButton()
    return _answered(state, step, value)


def _answered(state: StudioState, step: str, value: str) -> StudioState:
    return state.model_copy(update={"answers": {**state.answers, step: value}})


def previewed(state: StudioState, yaml: str, lang: Lang) -> StudioState:
    """A checked draft kept for the preview's buttons; no typed text is awaited."""
    return state.model_copy(update={"yaml": yaml, "lang": lang, "awaits": None})


def quiz_again(state: StudioState) -> StudioState:
    """The questionnaire from its first question (any preview dropped)."""
    return state.model_copy(update={"answers": {}, "yaml": None})
