"""Grading use case: the configured judge, with the offline judge as a safety net."""

from __future__ import annotations

import logging

from bot.domain.grading import grade
from bot.domain.lang import Lang
from bot.domain.ports import Judge
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.domain.transcript import Transcript
from bot.errors import ProviderError

log = logging.getLogger(__name__)


class GradingService:
    """Grades transcripts; if the model judge fails, the offline judge still grades."""

    def __init__(self, judge: Judge, fallback: Judge | None = None) -> None:
        self.judge = judge
        self.fallback = fallback

    async def grade(
        self,
        transcript: Transcript,
        scenario: Scenario | None = None,
        plan: str | None = None,
        lang: Lang = "zh",
        pass_mark: int | None = None,
    ) -> Scorecard:
        """A scorecard for the transcript, in the interface language `lang`."""
        try:
            return await grade(self.judge, transcript, scenario, plan, lang, pass_mark)
        except ProviderError:
            if self.fallback is None:
                raise
            log.warning("model judge failed; grading offline instead")
            return await grade(self.fallback, transcript, scenario, plan, lang, pass_mark)
