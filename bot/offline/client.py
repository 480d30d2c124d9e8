"""The offline scripted client: voices the engine's `TurnPlan` from the scenario and a phrase bank.

Deterministic (the same session and turn give the same words), never echoes the rep, and avoids
repeating a line it has already said in the session.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from importlib import resources
from typing import cast

import yaml

from bot.domain.engine import TurnPlan
from bot.domain.lang import LANGS, Lang
from bot.domain.ports import ClientReply, ClientTurn, DeltaSink
from bot.domain.scenario import LineKind, Objection, Scenario, Stage
from bot.domain.session import EndReason

# libyaml's safe loader (several times faster) where PyYAML was built with it.
_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

Bank = dict[str, object]
_CHUNK = re.compile(r"(?<=[，。！？,.!?…])")


def load_phrases() -> dict[Lang, Bank]:
    """Read the bundled phrase banks (once, from the composition root)."""
    banks: dict[Lang, Bank] = {}
    for lang in LANGS:
        text = resources.files("bot.offline").joinpath(f"phrases_{lang}.yaml").read_text("utf-8")
        banks[lang] = cast(Bank, yaml.load(text, Loader=_LOADER))
    return banks


@dataclass
class _Picker:
    """Chooses lines deterministically, preferring ones not yet said in this session."""

    bank: Bank
    stage: Stage
    rng: random.Random
    said: str

    def options(self, kind: LineKind, temperament: str | None = None) -> list[str]:
        if kind in self.stage.lines:
            return list(self.stage.lines[kind])
        entry = self.bank.get(kind, [])
        if isinstance(entry, dict):
            return list(entry.get(temperament or "default") or entry.get("default") or [])
        return list(cast(list[str], entry))

    def pick(self, kind: LineKind, temperament: str | None = None) -> str:
        options = self.options(kind, temperament)
        if not options:
            return ""
        fresh = [o for o in options if o not in self.said] or options
        return self.rng.choice(fresh)


class OfflineClient:
    """A `ClientModel` that needs no network: rules decide, a phrase bank speaks."""

    label = "offline"

    def __init__(self, phrases: dict[Lang, Bank]) -> None:
        self._phrases = phrases

    def opening(self, scenario: Scenario) -> str:
        """The first words of the first stage."""
        return scenario.stages[0].opening

    async def reply(self, turn: ClientTurn, on_delta: DeltaSink | None = None) -> ClientReply:
        """Voice the plan, streaming it phrase by phrase."""
        text = self.compose(turn)
        if on_delta is not None:
            for piece in _CHUNK.split(text):
                if piece:
                    await on_delta(piece)
        return ClientReply(text=text, report={"source": "offline"})

    def compose(self, turn: ClientTurn) -> str:
        """The reply's words for a planned move."""
        scenario, plan = turn.scenario, turn.plan
        if plan is None:
            return self.opening(scenario)
        stage = scenario.stages[turn.before.stage]
        said = "\n".join(t.text for t in turn.transcript.client_turns())
        rng = random.Random(f"{turn.seed}:{len(turn.transcript)}")
        pick = _Picker(self._phrases[scenario.language], stage, rng, said)
        body: list[str] = []
        if plan.settled:
            body.append(_objection(scenario, plan.settled).settled)
        body += [scenario.facts[k].reveal for k in plan.reveal]
        if not plan.objection:
            body += _deflections(scenario, turn, plan, pick)
        if plan.repeat and not (plan.reveal or plan.deflect):
            body.append(pick.pick("repeat"))
        if plan.objection:
            body.append(_objection(scenario, plan.objection).says)
        body += _commitment(scenario, plan, pick)
        if plan.advance and stage.advance:
            # a new voice takes over: put the next person on a line of their own
            body += [stage.advance.line, "\n" + scenario.stages[turn.before.stage + 1].opening]
        opener = _opener(plan, pick, bool(body))
        if not body and plan.end is None and plan.reaction in ("neutral", "warm"):
            body.append(pick.pick("stall", scenario.temperament))
        parts = [opener, *body, *_ending(plan, pick)]
        joiner = "" if scenario.language == "zh" else " "
        return joiner.join(p for p in parts if p).strip()


def _objection(scenario: Scenario, objection_id: str) -> Objection:
    return next(o for o in scenario.objections if o.id == objection_id)


def _opener(plan: TurnPlan, pick: _Picker, has_body: bool) -> str:
    """How the client first reacts to the rep's manner, before the substance."""
    if plan.reaction in ("meta", "threat", "pressure", "vague"):
        return pick.pick(plan.reaction)
    if plan.reaction == "warm":
        return pick.pick("ack_warm")
    return "" if has_body else pick.pick("ack_neutral")


def _deflections(scenario: Scenario, turn: ClientTurn, plan: TurnPlan, pick: _Picker) -> list[str]:
    if not plan.deflect:
        return []
    if plan.reveal:
        return [pick.pick("deflect_more")]
    key = plan.deflect[0]
    if turn.before.stage < scenario.fact_stage(key):
        return [pick.pick("deflect_stage")]
    if turn.after.mood < scenario.facts[key].earn.min_mood:
        return [pick.pick("deflect_mood")]
    return [pick.pick("deflect")]


def _commitment(scenario: Scenario, plan: TurnPlan, pick: _Picker) -> list[str]:
    if plan.commitment == "accepted":
        return [scenario.commitment.accept]
    if plan.commitment != "declined":
        return []
    missing = plan.commitment_missing
    reason: LineKind
    if any(m.startswith("objection:") for m in missing):
        reason = "decline_objection"
    elif "mood" in missing:
        reason = "decline_mood"
    else:
        reason = "decline_facts"
    return [scenario.commitment.decline, pick.pick(reason)]


def _ending(plan: TurnPlan, pick: _Picker) -> list[str]:
    kinds: dict[EndReason, LineKind] = {
        EndReason.PATIENCE: "end_patience",
        EndReason.OFFENDED: "end_offended",
        EndReason.BUDGET: "end_budget",
    }
    return [pick.pick(kinds[plan.end])] if plan.end is not None and plan.end in kinds else []
