"""A trainer drafts a new team scenario in chat: from a description through the author model
(the drafting loop: strict loader, at most two repairs), or from the short questionnaire when no
model is configured. A draft is only text until the trainer saves it; saving stores it as the
team's next version through the same door as an upload, and a test play is private.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.lang import Lang
from bot.domain.roles import Action
from bot.domain.scenario import Scenario
from bot.errors import ProviderError, ScenarioInvalid
from bot.scenarios.loader import parse_scenario
from bot.scenarios.quick_case import build_from_chat
from bot.services.access import Access
from bot.services.practice import PlayContext, PracticeService, Started
from bot.services.scenario_draft import Draft, ScenarioDrafter
from bot.services.scenario_upload import TeamScenarioService, Uploaded
from bot.services.usage import ModelCall, UsageLedger
from bot.storage.database import Database

SOURCE = "draft.yaml"
_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([a-z0-9][a-z0-9-]*)['\"]?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Checked:
    """A draft the strict loader accepted (or the problems it found)."""

    text: str
    scenario: Scenario | None
    error: ScenarioInvalid | None = None


class ScenarioStudio:
    """Drafting, revising, test-playing and saving a trainer's new scenario."""

    def __init__(
        self,
        db: Database,
        access: Access,
        uploads: TeamScenarioService,
        practice: PracticeService,
        clock: Clock,
        drafter: ScenarioDrafter | None = None,
        ledger: UsageLedger | None = None,
    ) -> None:
        self.db = db
        self.access = access
        self.uploads = uploads
        self.practice = practice
        self.clock = clock
        self.drafter = drafter
        self.ledger = ledger

    @property
    def model(self) -> str | None:
        """The author model's name, or None when drafting falls back to the questionnaire."""
        return self.drafter.model if self.drafter else None

    async def allowed(self, actor: int, team_id: int) -> None:
        """`AccessDenied` unless the actor may add scenarios to this team."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.UPLOAD_SCENARIO)

    async def draft(self, actor: int, team_id: int, description: str, lang: Lang) -> Draft:
        """The model's draft of a description; `ProviderError` if the model fails."""
        await self.ready(actor, team_id)
        draft = await self._drafter().draft(description, lang)
        await self._spent(actor, team_id, draft)
        return self._own_id(draft)

    async def revise(
        self, actor: int, team_id: int, current: str, changes: str, lang: Lang
    ) -> Draft:
        """The draft with the trainer's change requests, through the same loop."""
        await self.ready(actor, team_id)
        draft = await self._drafter().revise(current, changes, lang)
        await self._spent(actor, team_id, draft)
        return self._own_id(draft)

    async def ready(self, actor: int, team_id: int) -> None:
        """`ProviderError` if the actor's model budget for the month is spent (or no model)."""
        await self.allowed(actor, team_id)
        self._drafter()
        if self.ledger is not None and not await self.ledger.allows(actor):
            raise ProviderError("tg.studio.over_cap")  # the month's token cap is reached

    async def _spent(self, actor: int, team_id: int, draft: Draft) -> None:
        """Count the drafting calls in the spend ledger, like every other role's."""
        if self.ledger is None or self.drafter is None:
            return
        call = ModelCall("author", self.drafter.model, draft.usage, ok=draft.ok)
        await self.ledger.record(call, user_id=actor, team_id=team_id)

    def _own_id(self, draft: Draft) -> Draft:
        """A draft that took a shipped scenario's id (models copy the example) gets its own, so
        saving it adds a team scenario instead of being refused."""
        if draft.scenario is None or self.uploads.team_scenarios.shipped(draft.scenario.id) is None:
            return draft
        own = f"{draft.scenario.id[:56]}-team"
        text = _ID_LINE.sub(f"id: {own}", draft.text, count=1)
        return Draft(text, parse_scenario(text, SOURCE), draft.attempts, draft.errors)

    def _drafter(self) -> ScenarioDrafter:
        if self.drafter is None:
            raise ProviderError("llm.error.misconfigured")
        return self.drafter

    def from_answers(self, answers: dict[str, str]) -> Checked:
        """The questionnaire's scenario, checked by the strict loader."""
        text, _ = build_from_chat(answers, self._today())
        return check(text)

    def _today(self) -> dt.date:
        return self.clock().date()

    async def save(self, actor: int, team_id: int, text: str) -> Uploaded:
        """Store the draft as the team's next version of its scenario (as an upload would)."""
        return await self.uploads.upload(actor, team_id, text, SOURCE)

    async def try_out(self, actor: int, team_id: int, text: str, replace: bool = False) -> Started:
        """Play the unsaved draft privately: no team sees the session, nothing is stored but it."""
        await self.allowed(actor, team_id)
        scenario = parse_scenario(text, SOURCE)
        return await self.practice.start(
            actor, scenario.id, replace, context=PlayContext(scenario, None)
        )


def check(text: str) -> Checked:
    """A YAML text through the strict loader."""
    try:
        return Checked(text, parse_scenario(text, SOURCE))
    except ScenarioInvalid as exc:
        return Checked(text, None, exc)
