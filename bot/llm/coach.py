"""The LLM coach: a hint for the current moment, and a better wording for the weakest turn.

The coach is never told a fact's value before the rep has earned it, and its words pass the
same leak guard as the client's; a hint that fails the guard is dropped for the rule-based one.
"""

from __future__ import annotations

import logging
import secrets
from difflib import SequenceMatcher

from bot.domain.engine import HintCode
from bot.domain.lang import Lang
from bot.domain.scenario import Scenario
from bot.domain.session import ClientState
from bot.domain.transcript import Transcript
from bot.i18n import Catalog
from bot.llm.gateway import SIDE_SLOT, Gateway
from bot.llm.guard import guard_for, tokens
from bot.llm.prompts import Prompts, transcript_lines

log = logging.getLogger(__name__)
MAX_TOKENS = 300
MAX_CHARS = 400


def _clean(text: str) -> str:
    """The model's words without quotes or labels around them, bounded in length."""
    cleaned = text.strip().strip("\"'“”「」").strip()
    for label in ("Hint:", "提示：", "提示:", "改写：", "Rewrite:"):
        cleaned = cleaned.removeprefix(label).strip()
    return cleaned[:MAX_CHARS]


SAME_WORDING = 0.9  # a rewording this similar to the original is the original


def differs(rewrite: str, original: str) -> bool:
    """Whether a rewording says it differently (compared in tokens, punctuation ignored)."""
    new, old = tokens(rewrite), tokens(original)
    if not new:
        return False
    return SequenceMatcher(None, new, old, autojunk=False).ratio() < SAME_WORDING


class LLMCoach:
    """Hints and rewordings from a chat model."""

    def __init__(self, gateway: Gateway, prompts: Prompts, model: str, catalog: Catalog) -> None:
        self.gateway = gateway
        self.prompts = prompts
        self.model = model
        self.catalog = catalog
        self.label = f"llm:{model}"

    async def hint(
        self,
        scenario: Scenario,
        state: ClientState,
        transcript: Transcript,
        engine_hint: tuple[HintCode, dict[str, str]],
        lang: Lang,
    ) -> tuple[str | None, dict[str, int]]:
        """A hint for now, or None when the model's words failed the guard."""
        code, params = engine_hint
        t = self.catalog.t
        shown = {k: (t(lang, f"fact.{v}") if k == "fact" else v) for k, v in params.items()}
        if "needs" in shown:
            shown["needs"] = ", ".join(t(lang, f"need.{n}") for n in params["needs"].split(","))
        shown.pop("objection", None)
        objections = {o.id: o.says for o in scenario.objections}
        open_objections = state.open_objections()
        nonce = secrets.token_hex(8)
        prompt = self.prompts.render(
            "coach_hint.j2",
            lang=lang,
            scenario=scenario,
            persona=scenario.stages[state.stage].persona,
            mood=state.mood,
            patience=state.patience,
            earned=[t(lang, f"fact.{k}") for k in state.earned],
            missing=[t(lang, f"fact.{k}") for k in scenario.facts if k not in state.earned],
            objection=objections.get(open_objections[0], "") if open_objections else "",
            engine_hint=t(lang, code, **shown),
            nonce=nonce,
            turns=transcript_lines(transcript),
        )
        text, usage = await self._ask(prompt)
        leak = guard_for(scenario, state.earned, transcript, "").check(text) if text else None
        if leak is not None:
            log.warning("guard dropped a coach hint: %s %s", leak.kind, leak.item)
            return None, usage
        return text or None, usage

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
        """A better wording of one rep turn (numbered over the transcript) for the person the rep
        was speaking to, or None when it failed the guard."""
        nonce = secrets.token_hex(8)
        stage = transcript.turns[turn_number - 1].stage
        person = next(
            (s.persona for s in (scenario.stages if scenario else []) if s.id == stage), None
        )
        prompt = self.prompts.render(
            "coach_rewrite.j2",
            lang=lang,
            problem=problem,
            persona=f"{person.name}, {person.role}" if person else "",
            example=example,
            nonce=nonce,
            turns=transcript_lines(transcript),
            turn_number=turn_number,
            original=transcript.turns[turn_number - 1].text,
        )
        text, usage = await self._ask(prompt)
        original = transcript.turns[turn_number - 1].text
        if text and not differs(text, original):
            log.info("the coach's rewording is the rep's own line; not offered")
            return None, usage
        if text and scenario is not None:
            leak = guard_for(scenario, uncovered, transcript, "").check(text)
            if leak is not None:
                log.warning("guard dropped a rewording: %s %s", leak.kind, leak.item)
                return None, usage
        return text or None, usage

    async def _ask(self, prompt: str) -> tuple[str, dict[str, int]]:
        """The model's cleaned words for one prompt, and what the call cost."""
        done = await self.gateway.complete(
            self.model,
            [{"role": "user", "content": prompt}],
            temperature=0.3,
            max_tokens=MAX_TOKENS,
            slot=SIDE_SLOT,
        )
        return _clean(done.text), done.usage.as_dict()
