"""The LLM client persona: voices the engine's `TurnPlan` in character, streaming.

One streamed call per turn, in plain text on every provider: the words first, then a
delimiter line and a JSON state (see `speech.py`); JSON response modes would hold the words
back until the end. The engine has already decided the turn; the model's state report is
kept for analysis beside the engine's plan, with every disagreement listed, and never changes
what was earned. Unearned facts are never in the prompt; the guard still checks every word.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import secrets
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.engine import TurnPlan
from bot.domain.lang import Lang
from bot.domain.ports import ClientReply, ClientTurn, DeltaSink
from bot.domain.session import EndReason
from bot.errors import ProviderError
from bot.llm.gateway import CLIENT_SLOT, Gateway, Message, Usage
from bot.llm.guard import Leak, guard_for
from bot.llm.prompts import Prompts
from bot.llm.speech import DELIMITER, GuardedSpeech, split_reply
from bot.llm.structured import extract_json
from bot.offline.client import Bank, OfflineClient

log = logging.getLogger(__name__)
ATTEMPTS = 2  # one retry when a reply is cut off or empty before anything was shown
MAX_TOKENS = 600
_SCENE_START = {"zh": "（销售敲门进来）", "en": "(The sales rep knocks and comes in.)"}
_ENDINGS = {
    EndReason.PATIENCE: "end_patience",
    EndReason.OFFENDED: "end_offended",
    EndReason.BUDGET: "end_budget",
}


class ModelState(BaseModel):
    """What the model says it did this turn (read leniently; the engine's plan is the truth)."""

    model_config = ConfigDict(extra="ignore")

    mood_change: int = 0
    facts_revealed: list[str] = []
    stage_change: bool = False
    meeting_ended: bool = False
    commitment: str | None = None


def disagreements(
    plan: TurnPlan, state: ModelState, text: str, markers: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Where the model's account differs from the engine's plan (kept for analysis only)."""
    found: list[dict[str, Any]] = []

    def differ(name: str, model: object, engine: object) -> None:
        if model != engine:
            found.append({"field": name, "model": model, "engine": engine})

    differ("facts_revealed", sorted(set(state.facts_revealed)), sorted(plan.reveal))
    differ("stage_change", state.stage_change, plan.advance)
    differ("meeting_ended", state.meeting_ended, plan.end is not None)
    differ("commitment", state.commitment, plan.commitment)
    sign = (state.mood_change > 0) - (state.mood_change < 0)
    differ("mood_direction", sign, (plan.mood_delta > 0) - (plan.mood_delta < 0))
    unvoiced = [k for k in plan.reveal if not any(m in text for m in markers.get(k, []))]
    if unvoiced:
        found.append({"field": "reveal_not_voiced", "model": [], "engine": unvoiced})
    return found


class LLMClient:
    """A `ClientModel` backed by a chat model on any OpenAI-compatible endpoint."""

    def __init__(
        self,
        gateway: Gateway,
        prompts: Prompts,
        model: str,
        offline: OfflineClient,
        phrases: dict[Lang, Bank],
        temperature: float = 0.7,
    ) -> None:
        self.gateway = gateway
        self.prompts = prompts
        self.model = model
        self.offline = offline
        self.phrases = phrases
        self.temperature = temperature
        self.label = f"llm:{model}"

    def system_prompt(self, turn: ClientTurn) -> str:
        """The part stable through a stage: who the model is, rules, scenario, people (no
        hidden fact)."""
        return self.prompts.render(
            "client_system.j2",
            scenario=turn.scenario,
            stage=turn.scenario.stages[turn.before.stage],
            lang=turn.scenario.language,
            delimiter=DELIMITER,
        )

    def turn_prompt(self, turn: ClientTurn, nonce: str = "") -> str:
        """This turn's short notes from the engine's plan, then the rep's words verbatim."""
        scenario, plan = turn.scenario, cast(TurnPlan, turn.plan)
        stage = scenario.stages[turn.before.stage]
        nxt = scenario.stages[turn.before.stage + 1] if plan.advance else None
        commitment_line = ""
        if plan.commitment == "accepted":
            commitment_line = scenario.commitment.accept
        elif plan.commitment == "declined":
            commitment_line = scenario.commitment.decline
        objections = {o.id: o for o in scenario.objections}
        return self.prompts.render(
            "client_turn.j2",
            lang=scenario.language,
            rep_text=turn.transcript.turns[-1].text,
            persona=stage.persona,
            mood=turn.after.mood,
            mood_delta=plan.mood_delta,
            patience=turn.after.patience,
            reaction=plan.reaction,
            told=[scenario.facts[k].reveal for k in turn.before.earned],
            reveal=[scenario.facts[k].reveal for k in plan.reveal],
            deflect=[_topic(k, scenario.language) for k in plan.deflect],
            objection=objections[plan.objection].says if plan.objection else "",
            settled=objections[plan.settled].settled if plan.settled else "",
            commitment=plan.commitment or "",
            commitment_line=commitment_line,
            commitment_reasons=list(plan.commitment_missing),
            advance_line=stage.advance.line if nxt and stage.advance else "",
            next_persona=nxt.persona if nxt else stage.persona,
            next_opening=nxt.opening if nxt else "",
            end=plan.end.value if plan.end else "",
            delimiter=DELIMITER,
        )

    def messages(self, turn: ClientTurn, nonce: str) -> list[Message]:
        """System prompt, the conversation so far, then this turn (stable prefix first)."""
        msgs: list[Message] = [
            {"role": "system", "content": self.system_prompt(turn)},
            {"role": "user", "content": _SCENE_START[turn.scenario.language]},
        ]
        for past in turn.transcript.turns[:-1]:
            role = "assistant" if past.speaker == "client" else "user"
            if msgs[-1]["role"] == role:  # keep roles alternating for strict chat templates
                msgs[-1] = {"role": role, "content": f"{msgs[-1]['content']}\n{past.text}"}
            else:
                msgs.append({"role": role, "content": past.text})
        msgs.append({"role": "user", "content": self.turn_prompt(turn, nonce)})
        return msgs

    async def reply(self, turn: ClientTurn, on_delta: DeltaSink | None = None) -> ClientReply:
        """Voice the plan; stream checked sentences; fall back in character when needed."""
        if turn.plan is None:
            return await self.offline.reply(turn, on_delta)
        plan = turn.plan
        nonce = secrets.token_hex(8)
        messages = self.messages(turn, nonce)
        allowed = (*turn.before.earned, *plan.reveal)
        notes = messages[-1]["content"].removesuffix(turn.transcript.turns[-1].text)
        instructions = "\n".join(m["content"] for m in messages if m["role"] == "system")
        speaker = turn.scenario.stages[turn.before.stage].persona.name
        guard = guard_for(
            turn.scenario,
            allowed,
            turn.transcript,
            instructions,
            planned_lines(turn),
            speaker=speaker,
            notes=notes,
        )
        usage = Usage()
        report: dict[str, Any] = {"source": self.label, "attempts": 0}
        for attempt in range(1, ATTEMPTS + 1):
            report["attempts"] = attempt
            speech = GuardedSpeech(guard, on_delta, hold=plan.reaction == "meta")
            stream = await self.gateway.stream(
                self.model,
                messages,
                temperature=self.temperature,
                max_tokens=MAX_TOKENS,
                slot=CLIENT_SLOT,
            )
            async for piece in stream:
                await speech.feed(piece)
            usage = usage + stream.usage
            if not stream.complete and speech.leak is None:
                if speech.text:
                    log.warning("client reply cut off after text was shown")
                    raise ProviderError("llm.error.interrupted")
                report.setdefault("faults", []).append("cut_off")
                continue
            await speech.finish()
            words, state_text = split_reply(speech.raw)
            if not words and speech.leak is None:
                await speech.say_checked(_reply_in_json(state_text))
            if speech.leak is not None:
                await self._cover_leak(turn, speech, report)
            elif not speech.text:
                report.setdefault("faults", []).append("empty")
                continue
            await self._hand_over(turn, speech)
            return self._finish(turn, speech, state_text, usage, report)
        return await self._fallback(turn, on_delta, usage, report)

    async def _hand_over(self, turn: ClientTurn, speech: GuardedSpeech) -> None:
        """When the engine passes the rep to the next person, that person's first words are
        the scenario's own, said on a line of their own: the stage change never depends on
        the model remembering to voice it."""
        plan = cast(TurnPlan, turn.plan)
        if not plan.advance:
            return
        opening = turn.scenario.stages[turn.before.stage + 1].opening
        if opening not in speech.text:
            await speech.say("\n" + opening)

    async def _cover_leak(
        self, turn: ClientTurn, speech: GuardedSpeech, report: dict[str, Any]
    ) -> None:
        """Replace what leaked with in-character words; what was already shown stays."""
        leak = cast(Leak, speech.leak)
        log.warning("guard stopped a client reply: %s %s", leak.kind, leak.item)
        report["guard"] = {"kind": leak.kind, "item": leak.item, "kept_chars": len(speech.text)}
        if not speech.text:
            await speech.say(self.offline.compose(turn))
            return
        tail = self._rest_of_plan(turn, speech.text)
        if tail:
            joiner = "" if turn.scenario.language == "zh" else " "
            await speech.say(joiner + joiner.join(tail))

    def _rest_of_plan(self, turn: ClientTurn, shown: str) -> list[str]:
        """What the plan still owes after the words already shown: a fact, a concern, an
        acceptance, the gatekeeper's pass, an ending — and an official's evasion only where
        the plan evades or the rep stepped outside the scene. A leak cut into a hand-over
        ('…您进去吧。') is finished by the hand-over, not by 「这个我现在不好答」."""
        plan, scenario = cast(TurnPlan, turn.plan), turn.scenario
        seed = f"{turn.seed}:{len(turn.transcript)}"
        bank = self.phrases[scenario.language]
        stage = scenario.stages[turn.before.stage]
        lines: list[str] = []
        if plan.reaction == "meta":
            lines.append(pick(bank, "meta", seed))
        elif plan.deflect:
            lines.append(pick(bank, "deflect", seed))
        lines += [scenario.reveal_line(turn.before.stage, k) for k in plan.reveal]
        lines += planned_lines(turn)
        if plan.advance and stage.advance:
            lines.append(stage.advance.line)
        if plan.end in _ENDINGS:
            lines.append(pick(bank, _ENDINGS[plan.end], seed))
        return [line for line in dict.fromkeys(lines) if line and not _already_said(line, shown)]

    def _finish(
        self,
        turn: ClientTurn,
        speech: GuardedSpeech,
        state_text: str,
        usage: Usage,
        report: dict[str, Any],
    ) -> ClientReply:
        plan = cast(TurnPlan, turn.plan)
        parsed = extract_json(state_text) if state_text else None
        try:
            state = ModelState.model_validate(parsed) if parsed is not None else None
        except ValidationError:
            state = None
        if state is None:
            report["state_error"] = "missing" if parsed is None else "invalid"
        else:
            report["model_state"] = state.model_dump()
            markers: dict[str, list[str]] = {
                k: list(f.markers) for k, f in turn.scenario.facts.items()
            }
            report["disagreements"] = disagreements(plan, state, speech.text, markers)
        return ClientReply(text=speech.text, report=report, usage=usage.as_dict())

    async def _fallback(
        self, turn: ClientTurn, on_delta: DeltaSink | None, usage: Usage, report: dict[str, Any]
    ) -> ClientReply:
        """No usable words after a retry: the offline client voices the same plan."""
        report["fallback"] = "offline"
        offline = await self.offline.reply(turn, on_delta)
        return ClientReply(text=offline.text, report=report, usage=usage.as_dict())


def planned_lines(turn: ClientTurn) -> list[str]:
    """Scenario lines the engine planned for this turn (they may name what they settle)."""
    plan, scenario = cast(TurnPlan, turn.plan), turn.scenario
    lines = [o.says for o in scenario.objections if o.id == plan.objection]
    lines += [o.settled for o in scenario.objections if o.id == plan.settled]
    if plan.commitment == "accepted":
        lines.append(scenario.commitment.accept)
    return lines


def _topic(key: str, lang: Lang) -> str:
    names = {
        "zh": {
            "project": "项目情况",
            "acceptance_person": "验收由谁负责",
            "acceptance_standard": "验收标准和进展",
            "payment_terms": "付款方式和时间",
            "payment_owner": "付款由谁签批",
        },
        "en": {
            "project": "the project",
            "acceptance_person": "who signs off acceptance",
            "acceptance_standard": "the acceptance criteria and progress",
            "payment_terms": "how and when payment is made",
            "payment_owner": "who approves the payment",
        },
    }
    return names[lang].get(key, key)


def _reply_in_json(state_text: str) -> str:
    """Some providers answer in JSON even when asked not to: take its reply field."""
    data = extract_json(state_text) if state_text else None
    if not data:
        return ""
    for key in ("reply", "text", "content", "speech", "message"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def pick(bank: Bank, kind: str, seed: str) -> str:
    """A deterministic line from a phrase bank."""
    options = bank.get(kind, [])
    lines = list(options) if isinstance(options, list) else []
    return random.Random(seed).choice(lines) if lines else ""


def _already_said(line: str, shown: str) -> bool:
    """Whether the words shown already say `line`, perhaps in other words: most of its
    character pairs (Chinese) or word pairs (English) are there."""

    def pairs(text: str) -> set[str]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        if len(words) >= 3:
            return {f"{a} {b}" for a, b in itertools.pairwise(words)}
        chars = re.sub(r"\W", "", text)
        return {chars[i : i + 2] for i in range(len(chars) - 1)}

    wanted = pairs(line)
    return bool(wanted) and len(wanted & pairs(shown)) >= 0.6 * len(wanted)
