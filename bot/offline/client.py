"""The offline scripted client: voices the engine's `TurnPlan` from the scenario and a phrase bank.

Deterministic (the same session and turn give the same words), never echoes the rep, never says
a line twice in a session, and fills the bank's {official}/{project}/{amount} slots from the
brief so its stock lines still name the case.
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
from bot.domain.planning import topics_named
from bot.domain.ports import ClientReply, ClientTurn, DeltaSink
from bot.domain.scenario import LineKind, Objection, Scenario, Stage
from bot.domain.session import EndReason
from bot.offline.names import address, case_words, gist

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
    """Chooses lines deterministically, never one already said in this session: the stage's
    own lines first, then the bank's for the persona's rank and temperament."""

    bank: Bank
    stage: Stage
    rng: random.Random
    said: str
    words: dict[str, str]
    gate: bool = False  # the persona is a gatekeeper (a clerk does not talk like a director)

    def _lines(self, section: object, kind: LineKind, temperament: str | None) -> list[str]:
        entry = section.get(kind, []) if isinstance(section, dict) else []
        if not isinstance(entry, dict):
            return list(cast(list[str], entry))
        keys = dict.fromkeys((temperament or "default", "default"))
        return [line for key in keys for line in entry.get(key) or []]

    def _bank(self, kind: LineKind, temperament: str | None) -> tuple[list[str], list[str]]:
        """The bank's lines that name the case, and its plain ones; a gatekeeper has its own
        (a clerk does not borrow a director's phrases)."""
        if self.gate:
            own = self._lines(self.bank.get("gate"), kind, temperament)
            if own:
                return [x for x in own if "{" in x], [x for x in own if "{" not in x]
        named = self._lines(self.bank.get("named"), kind, temperament)
        return named, self._lines(self.bank, kind, temperament)

    def pick(self, kind: LineKind, temperament: str | None = None, **extra: str) -> str:
        """A fresh line of a kind; most often one that names the case (a filled slot)."""
        words = _Slots({**self.words, **extra})
        own = list(self.stage.lines.get(kind, []))
        named, plain = self._bank(kind, temperament)
        naming = [line for line in own if "{" in line] + named
        groups = (naming, own, plain) if self.rng.random() < 0.7 else (own, plain, naming)
        for options in groups:
            filled = [o.format_map(words) for o in options]
            fresh = [o for o in filled if _fresh(o, self.said) and "{" not in o]
            if fresh:
                choice = self.rng.choice(fresh)
                self.said += "\n" + choice
                return choice
        return ""


_SENTENCE = re.compile(r"(?<=[。！？!?])|(?<=\.)\s")


def _fresh(line: str, said: str) -> bool:
    """No sentence of the line has been said in this session."""
    return not any(
        len(part.strip()) >= 5 and part.strip() in said for part in _SENTENCE.split(line)
    )


class _Slots(dict[str, str]):
    """Format slots: a slot the case cannot fill stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


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
        index = max(0, turn.before.stage - 1) if plan.aside else turn.before.stage
        stage = scenario.stages[index]
        said = "\n".join(t.text for t in turn.transcript.client_turns())
        rng = random.Random(f"{turn.seed}:{len(turn.transcript)}")
        gate = index < len(scenario.stages) - 1
        words = case_words(scenario, index)
        pick = _Picker(self._phrases[scenario.language], stage, rng, said, words, gate)
        joiner = "" if scenario.language == "zh" else " "
        if plan.aside:
            return joiner.join(p for p in (pick.pick("aside"),) if p) or words["next"]
        body: list[str] = []
        for objection_id in (plan.preempted, plan.settled):
            if objection_id:
                body.append(_objection(scenario, objection_id).settled)
        body += [scenario.reveal_line(index, k) for k in plan.reveal]
        if not plan.objection:
            body += _referrals(scenario, turn, plan, pick)
            body += _deflections(scenario, turn, plan, pick)
        if plan.confirm and not (plan.reveal or plan.deflect or plan.refer or plan.repeat):
            body.append(pick.pick("confirm"))
        if plan.repeat and not (plan.reveal or plan.deflect or plan.refer or plan.held):
            told = gist(scenario, plan.repeat[0])
            line = pick.pick("repeat", gist=told)
            stop = "。" if scenario.language == "zh" else "."
            body.append(line if told in line else f"{line}{told}{stop}")
        if plan.objection:
            body.append(_objection(scenario, plan.objection).says)
        body += _commitment(scenario, plan, pick, said, turn.after.earned)
        if plan.advance and stage.advance:
            # a new voice takes over: put the next person on a line of their own
            body += [stage.advance.line, "\n" + scenario.stages[index + 1].opening]
        body = [b for b in body if b]
        opener = _opener(plan, pick, bool(body))
        if not body and plan.end is None and plan.reaction in ("neutral", "warm", "vague"):
            body.append(_stall(scenario, plan, pick))
        if plan.warn:
            body.append(pick.pick("warn", scenario.temperament))
        parts = [opener, *body, *_ending(plan, pick)]
        text = joiner.join(p for p in parts if p).strip()
        if not text:  # every fitting line is said: a short sound, never silence
            text = rng.choice(self._phrases[scenario.language]["ack_neutral"])  # type: ignore[arg-type]
        return text


def _objection(scenario: Scenario, objection_id: str) -> Objection:
    return next(o for o in scenario.objections if o.id == objection_id)


def _opener(plan: TurnPlan, pick: _Picker, has_body: bool) -> str:
    """How the client first reacts to the rep's manner, before the substance."""
    if plan.reaction in ("meta", "threat", "pressure", "vague"):
        return pick.pick(plan.reaction)
    if plan.reaction == "warm":
        return pick.pick("ack_warm")
    return "" if has_body else pick.pick("ack_neutral")


def _stall(scenario: Scenario, plan: TurnPlan, pick: _Picker) -> str:
    """Nothing asked to answer: a gatekeeper asks for what it still needs, others stall."""
    if "introduce" in plan.gate_wants:
        return pick.pick("ask_who") or pick.pick("stall", scenario.temperament)
    if "purpose" in plan.gate_wants:
        return pick.pick("ask_why") or pick.pick("stall", scenario.temperament)
    if plan.reaction == "vague":
        return ""
    cues = plan.cues
    if cues.introduce and not (cues.purpose or cues.question or cues.payment_ask):
        # 「王科长您好，我是华信的小陈。」: a name and nothing yet to stall on; he asks what for.
        return pick.pick("ask_purpose") or pick.pick("stall", scenario.temperament)
    return pick.pick("stall", scenario.temperament)


def _referrals(scenario: Scenario, turn: ClientTurn, plan: TurnPlan, pick: _Picker) -> list[str]:
    """Who knows what this persona cannot tell, and a reason when a fact is held back."""
    lines: list[str] = []
    ahead = [k for k in plan.deflect if turn.before.stage < scenario.fact_stage(k)]
    for key in (*plan.refer, *ahead)[:1]:
        owner = address(scenario, scenario.owner(key))
        lines.append(pick.pick("refer", owner=owner))
    if plan.held:
        lines.append(pick.pick("interrogated"))
    return lines


def _topic(pick: _Picker, key: str) -> str:
    names = pick.bank.get("topic_names")
    return str(names.get(key, key)) if isinstance(names, dict) else key


def _deflections(scenario: Scenario, turn: ClientTurn, plan: TurnPlan, pick: _Picker) -> list[str]:
    """Why a fact is not told now, as the reason it really is: what has to come first, the
    client's own concern still open, or not yet enough trust (a neutral mood is no insult)."""
    here = [k for k in plan.deflect if turn.before.stage >= scenario.fact_stage(k)]
    if not here:
        return []
    if plan.reveal:
        return [pick.pick("deflect_more")]
    key = here[0]
    if plan.waits_on:
        line = pick.pick("deflect_order", first=_topic(pick, plan.waits_on[0]))
        if line:
            return [line]
    if turn.before.open_objections():
        return [pick.pick("deflect_objection") or pick.pick("deflect")]
    if turn.after.mood < scenario.facts[key].earn.min_mood:
        pushed = {"pressure", "threat"} & set(turn.before.stage_seen) or plan.reaction in (
            "pressure",
            "threat",
            "meta",
        )
        if turn.after.mood < 0 and pushed:  # 「等你把态度摆端正了」 only to a rep who pushed
            return [pick.pick("deflect_mood")]
        return [pick.pick("deflect_trust") or pick.pick("deflect")]
    return [pick.pick("deflect")]


def _commitment(
    scenario: Scenario, plan: TurnPlan, pick: _Picker, said: str, turn_earned: tuple[str, ...]
) -> list[str]:
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
    first = scenario.commitment.decline not in said
    spoken = topics_named(scenario.commitment.decline, scenario.language)
    if reason == "decline_facts" and spoken and spoken <= set(turn_earned):
        first = False  # the scenario's 「材料差什么你都没弄清楚」 after telling the materials
    # name what is really missing, never people or steps the client has already given
    gaps = [m.removeprefix("fact:") for m in missing if m.startswith("fact:")]
    extra = {"missing": _topic(pick, gaps[0])} if gaps else {}
    return [scenario.commitment.decline if first else "", pick.pick(reason, **extra)]


def _ending(plan: TurnPlan, pick: _Picker) -> list[str]:
    kinds: dict[EndReason, LineKind] = {
        EndReason.PATIENCE: "end_patience",
        EndReason.OFFENDED: "end_offended",
        EndReason.BUDGET: "end_budget",
    }
    return [pick.pick(kinds[plan.end])] if plan.end is not None and plan.end in kinds else []
