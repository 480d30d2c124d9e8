"""Grading use case: the configured judge, with the offline judge as a safety net, and the
coach's better wording for the weakest turn."""

from __future__ import annotations

import dataclasses
import logging
from typing import Protocol

from bot.domain.grading import scorecard_for
from bot.domain.lang import Lang
from bot.domain.ports import Judge, Judgement, JudgeRequest
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.domain.transcript import Transcript
from bot.errors import ProviderError
from bot.services.usage import ModelCall, UsageSink

log = logging.getLogger(__name__)


class Rewriter(Protocol):
    """A coach that can reword one rep turn (see `bot.llm.coach.LLMCoach`)."""

    label: str

    async def rewrite(
        self,
        transcript: Transcript,
        scenario: Scenario | None,
        turn_number: int,
        problem: str,
        uncovered: list[str],
        lang: Lang,
        example: str = "",
    ) -> tuple[str | None, dict[str, int]]:
        """A better wording, or None; and what the call cost."""
        ...


class _Metered:
    """Passes a request to a judge and keeps what the call cost (one per grading)."""

    def __init__(self, judge: Judge) -> None:
        self.judge_ = judge
        self.label = getattr(judge, "label", "judge")
        self.usage: dict[str, int] = {}

    async def judge(self, request: JudgeRequest) -> Judgement:
        judgement = await self.judge_.judge(request)
        self.usage = dict(judgement.usage)
        return judgement


async def _noop(_call: ModelCall) -> None:
    return None


class GradingService:
    """Grades transcripts; if the model judge fails, the offline judge still grades."""

    def __init__(
        self, judge: Judge, fallback: Judge | None = None, coach: Rewriter | None = None
    ) -> None:
        self.judge = judge
        self.fallback = fallback
        self.coach = coach

    async def grade(
        self,
        transcript: Transcript,
        scenario: Scenario | None = None,
        plan: str | None = None,
        lang: Lang = "zh",
        pass_mark: int | None = None,
        *,
        offline: bool = False,
        on_usage: UsageSink | None = None,
        committed: bool | None = None,
    ) -> Scorecard:
        """A scorecard for the transcript, in the interface language `lang`.

        `offline` grades with the fallback judge alone (a spend cap was reached); `on_usage`
        hears about every model call made; `committed` is the client engine's commitment
        decision in a played session (None for a written transcript).
        """
        sink = on_usage or _noop
        judge = self.fallback if offline and self.fallback is not None else self.judge
        metered = _Metered(judge)
        try:
            card = await scorecard_for(
                metered, transcript, scenario, plan, lang, pass_mark, committed=committed
            )
        except ProviderError as exc:
            await sink(ModelCall("judge", metered.label, ok=False, error=exc.code))
            if self.fallback is None or judge is self.fallback:
                raise
            log.warning("model judge failed; grading offline instead")
            return await scorecard_for(
                self.fallback, transcript, scenario, plan, lang, pass_mark, committed=committed
            )
        if metered.usage:
            await sink(ModelCall("judge", metered.label, metered.usage))
        if self.coach is None or offline or card.rewording is None:
            return card
        return await self._reword(card, transcript, scenario, lang, sink)

    async def _reword(
        self,
        card: Scorecard,
        transcript: Transcript,
        scenario: Scenario | None,
        lang: Lang,
        sink: UsageSink,
    ) -> Scorecard:
        """The coach's wording in place of the stock one; the stock one stays if it fails."""
        assert self.coach is not None and card.rewording is not None
        weak = card.rewording
        uncovered: list[str] = [k for k, v in card.checklist.items() if v == "specific"]
        line = transcript.rep_turn(weak.turn)  # the card counts rep turns, the prompt all
        if line is None:
            return card
        try:
            # What to fix and why (the dimension it lifts), with the stock wording as a model.
            text, usage = await self.coach.rewrite(
                transcript,
                scenario,
                line.number,
                weak.why or weak.suggestion,
                uncovered,
                lang,
                example=weak.suggestion,
            )
        except ProviderError as exc:
            await sink(ModelCall("coach", self.coach.label, ok=False, error=exc.code))
            return card
        await sink(ModelCall("coach", self.coach.label, usage))
        if not text:
            return card
        return dataclasses.replace(card, rewording=dataclasses.replace(weak, suggestion=text))
