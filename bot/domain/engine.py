"""The client's rules: how one rep message moves mood, patience, facts, stage and commitment.

The engine, not a language model, decides what the rep has earned. Any client model (the
offline script or an LLM) only puts the decided `TurnPlan` into words.

Rules, per rep turn (mood runs from -3 to +3):
- patience drops by 1; pressure costs 1 more, a threat 2 more, vague talk 1 more;
  a reflection of the client's words gives 1 back (listening buys time);
- a threat costs 2 mood, pressure or meta talk ("你是AI吗") 1; empathy or a reflection adds 1;
  settling an open objection adds 1;
- a fact is told when the rep asks about its topic in the right stage, with one of the
  behaviours its rule names (this turn, or empathy/reflection shown earlier in the stage),
  its prerequisite facts told (earlier, or earlier in the same reply), and mood at or above
  its minimum; at most two per turn;
- a stage (e.g. the secretary) is passed once the behaviours it needs have been seen in it,
  the facts it requires are known and mood is high enough; the next person starts at their
  own `entry_mood` when the scenario sets one (a new person does not share the last one's mood);
- a fact is told only by a persona who knows it (its own stage, or a stage given a `voices`
  line); asked of anyone else, the client names who knows; a prerequisite (`after:`) the rep
  already names (「数字城管二期」) counts as met; after two facts given to bare closed questions
  with no interest shown in the person, such questions get a reason, not a fact;
- an objection is raised on an ask (never on a proposed next step, never as the client
  leaves) and replaces that turn's answers: facts asked in the same breath are held back;
  triggers read what the rep did (a rule cited at the client, not the client's words played
  back); an apology or admission pre-empts or settles one about the company's conduct; an
  objection settles only on a turn that addresses it, and a settled one never comes back;
- a concrete next step (date + person + action) is accepted when the required facts are
  known, mood is high enough and no objection is open; the meeting then closes;
- the meeting ends when patience runs out, mood hits -3, or the turn budget is spent; the
  client warns once before leaving (patience or budget down to one turn), and never leaves on
  the turn that gave the last fact the commitment needs (the rep gets a turn to propose).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from bot.domain import planning
from bot.domain.facts import FactKey
from bot.domain.scenario import Scenario
from bot.domain.session import MOOD_MAX, MOOD_MIN, ClientState, EndReason
from bot.reading import Reading as Cues

Reaction = Literal["meta", "threat", "pressure", "vague", "warm", "neutral"]
CommitOutcome = Literal["accepted", "declined"]
MAX_REVEALS_PER_TURN = 2


@dataclass(frozen=True)
class TurnPlan:
    """What the client will do in reply to one rep message."""

    cues: Cues
    reaction: Reaction
    mood_delta: int = 0
    patience_delta: int = -1
    reveal: tuple[FactKey, ...] = ()
    deflect: tuple[FactKey, ...] = ()
    repeat: tuple[FactKey, ...] = ()
    advance: bool = False
    objection: str | None = None
    settled: str | None = None
    commitment: CommitOutcome | None = None
    commitment_missing: tuple[str, ...] = ()
    end: EndReason | None = None
    refer: tuple[FactKey, ...] = ()  # asked of a persona who does not know it: who does
    held: tuple[FactKey, ...] = ()  # not told to a bare closed-question interrogation
    preempted: str | None = None  # an objection the rep's admission answered before it came
    warn: bool = False  # say time is nearly up
    named: tuple[FactKey, ...] = ()  # facts the rep showed they already know
    aside: bool = False  # a bubble written to the previous stage's persona
    gate_wants: tuple[str, ...] = ()  # what the gatekeeper still needs to hear
    confirm: tuple[FactKey, ...] = ()  # a told fact the rep checks back («so it's X, right?»)
    waits_on: tuple[FactKey, ...] = ()  # untold prerequisites of a fact held back for order


def initial_state(scenario: Scenario) -> ClientState:
    """The client before the meeting starts."""
    return ClientState(stage=0, mood=0, patience=scenario.patience_of(0))


def _reaction(cues: Cues) -> Reaction:
    if cues.meta:
        return "meta"
    if cues.threat:
        return "threat"
    if cues.pressure:
        return "pressure"
    if cues.vague:
        return "vague"
    if cues.empathy or cues.reflection:
        return "warm"
    return "neutral"


def _mood_and_patience(cues: Cues, reaction: Reaction) -> tuple[int, int]:
    mood = {"meta": -1, "threat": -2, "pressure": -1}.get(reaction, 0)
    patience = -1 - {"threat": 2, "pressure": 1, "vague": 1, "meta": 1}.get(reaction, 0)
    if reaction not in ("threat", "pressure", "meta") and (cues.empathy or cues.reflection):
        mood += 1
    if cues.reflection and reaction == "warm":
        patience += 1
    return mood, patience


def asked_facts(
    scenario: Scenario, cues: Cues, text: str, told_project: bool = False
) -> list[FactKey]:
    """Facts whose topic the message raises, the most specific ask first.

    A fact counts as asked when a specific phrase for it appears (「验收标准」), when the
    scenario lists one of its own keywords, or when a question touches only that topic in
    general words (「付款一般怎么走？」); a general word shared by two topics (「验收」) is
    too vague to count for either, unless the question's own clause or its question word
    says which («who leads the final acceptance?» asks for a person).

    Order: the scenario's own words for a fact (its author's, the most precise), then the
    reader's specific topics, then general words; a prerequisite asked in the same breath
    comes before what depends on it.
    """
    low = text.lower()
    topics = set(cues.topics) - planning.off_focus(cues, text)
    weak_only = cues.touched - topics
    unambiguous = weak_only if cues.question and len(weak_only) == 1 and not topics else set()
    if cues.question and not topics and not unambiguous and len(weak_only) > 1:
        unambiguous = planning.focus_facts(cues, text) & weak_only
    ranked: list[tuple[int, FactKey]] = []
    for key, fact in scenario.facts.items():
        own = any(k.lower() in low for k in fact.keywords)
        if own or key in topics or key in unambiguous:
            ranked.append((0 if own else 1 if key in topics else 2, key))
    keys = [k for _, k in sorted(ranked, key=lambda r: r[0])]
    twins = planning.process_twins(scenario, cues, text, keys, ranked)
    keys = list(dict.fromkeys(twins))
    if "project" in keys and "project" not in topics and len(keys) > 1 and told_project:
        keys.remove("project")  # once told, the project is the context of a question, not its ask
    ordered: list[FactKey] = []
    for key in keys:
        for dep in scenario.facts[key].earn.after:
            if dep in keys and dep not in ordered:
                ordered.append(dep)
        if key not in ordered:
            ordered.append(key)
    return ordered


def _can_tell(
    scenario: Scenario,
    state: ClientState,
    key: FactKey,
    kinds: frozenset[str],
    mood: int,
    earned: list[FactKey],
) -> bool:
    rule = scenario.facts[key].earn
    if state.stage < scenario.fact_stage(key) or not scenario.knows(state.stage, key):
        return False
    if any(dep not in earned and dep not in state.named for dep in rule.after):
        return False
    # rapport shown earlier in the stage (an open question, empathy, a reflection) stays shown:
    # a rep who has listened need not repeat the ritual before each question
    shown = kinds | {k for k in state.stage_seen if k in planning.RAPPORT}
    return any(by in shown for by in rule.by) and mood >= rule.min_mood


def _objection(scenario: Scenario, state: ClientState, fired: set[str]) -> str | None:
    if state.stage != len(scenario.stages) - 1:
        return None
    for objection in scenario.objections:
        if objection.id not in state.objections_raised and objection.trigger in fired:
            return objection.id
    return None


def _commitment(
    scenario: Scenario, state: ClientState, cues: Cues, mood: int, still_open: list[str]
) -> tuple[CommitOutcome | None, tuple[str, ...]]:
    rule = scenario.commitment
    parts = {"date": cues.has_date, "person": cues.has_person, "action": cues.has_action}
    final_stage = state.stage == len(scenario.stages) - 1
    whole = (
        cues.proposal if len(set(rule.needs)) == len(parts) else all(parts[p] for p in rule.needs)
    )
    if not final_stage or not whole:
        return None, ()
    missing = [f"fact:{k}" for k in rule.requires_facts if k not in state.earned]
    if mood < rule.min_mood:
        missing.append("mood")
    missing += [f"objection:{o}" for o in still_open]
    return ("declined", tuple(missing)) if missing else ("accepted", ())


def plan_turn(
    scenario: Scenario, state: ClientState, cues: Cues, text: str, heard: str = ""
) -> TurnPlan:
    """Decide the client's move for one rep message (`heard`: the client's last words)."""
    gate = state.stage < len(scenario.stages) - 1
    if gate and cues.purpose and not planning.about_the_case(scenario, cues, text):
        cues = dataclasses.replace(cues, purpose=False)  # small talk states no purpose
    reaction = _reaction(cues)
    mood_delta, patience_delta = _mood_and_patience(cues, reaction)
    kinds = cues.kinds()
    calm = reaction not in ("threat", "meta")
    settled = planning.settled(scenario, state, cues, text) if calm else None
    fired = planning.triggers(cues, text, heard)
    final = state.stage == len(scenario.stages) - 1
    preempted = planning.preempted(scenario, state, cues, fired) if calm and final else None
    mood_delta += 1 if settled or preempted else 0
    mood = max(MOOD_MIN, min(MOOD_MAX, state.mood + mood_delta))
    # what the rep names, and the project when the client itself has named it (「是为智慧教室
    # 的事来的吧？」): an `after: project` rule does not ask the rep to establish it again
    heard_project = planning.client_named_project(scenario, state, heard)
    found: list[FactKey] = planning.named_facts(scenario, text)
    if heard_project:
        found.append("project")
    named = tuple(k for k in dict.fromkeys(found) if k not in state.named)
    state_now = dataclasses.replace(state, named=(*state.named, *named))

    reveal: list[FactKey] = []
    deflect: list[FactKey] = []
    repeat: list[FactKey] = []
    confirm: list[FactKey] = []
    waits: list[FactKey] = []
    refer: list[FactKey] = []
    held: list[FactKey] = []
    earned: list[FactKey] = list(state.earned)
    asked = asked_facts(scenario, cues, text, "project" in state.earned)
    if not asked and cues.question and "project" in planning.named_facts(scenario, text):
        # «How have the water-quality monitoring stations been doing?»: asked about the
        # project by its name, the client tells what it knows of it
        asked = ["project"]
    if reaction != "meta":
        for key in asked:
            if key in state.earned:
                if not cues.question or cues.proposes_next_step:
                    continue  # a proposal that names it is not asking
                if planning.seeks_information(text, cues.lang):
                    repeat.append(key)  # asked again
                else:
                    confirm.append(key)  # 「您的意思是……对吧？」 checks what was said
            elif state.stage >= scenario.fact_stage(key) and not scenario.knows(state.stage, key):
                refer.append(key)
            elif len(reveal) < MAX_REVEALS_PER_TURN and _can_tell(
                scenario, state_now, key, kinds, mood, earned
            ):
                if planning.interrogated(state, cues, told=len(reveal)):
                    held.append(key)
                    continue
                reveal.append(key)
                earned.append(key)
            elif not cues.proposes_next_step:  # a proposal naming a topic is not asking it
                deflect.append(key)
                waits += [
                    d
                    for d in scenario.facts[key].earn.after
                    if d not in earned and d not in state_now.named and d not in waits
                ]

    if (settled or preempted) and reaction != "meta":
        # the question set aside for the objection gets its answer once the objection is met
        for key in state.put_off:
            known = key == "project" and key in state_now.named  # no need to say it back
            if key in earned or known or len(reveal) >= MAX_REVEALS_PER_TURN:
                continue
            if _can_tell(scenario, state_now, key, kinds, mood, earned):
                reveal.append(key)
                earned.append(key)
                deflect = [k for k in deflect if k != key]

    stage = scenario.stages[state.stage]
    seen = planning.gate_seen(scenario, state, cues, named)
    advance = bool(
        stage.advance
        and calm
        and set(stage.advance.needs) <= seen
        and mood >= stage.advance.min_mood
        and all(f in earned for f in stage.advance.requires_facts)
    )

    # A client who pushes back does not answer in the same breath; objections come on asks,
    # not on a proposed next step, and not once the rep has owned the fault.
    objection = None
    if not (settled or preempted or cues.proposes_next_step):
        objection = _objection(scenario, state, fired)
    if objection:
        reveal, deflect = [], [*reveal, *deflect]
    still_open = [o for o in state.open_objections() if o != settled]
    if objection:
        still_open.append(objection)
    after_reveal = dataclasses.replace(state, earned=(*state.earned, *reveal))
    commitment, missing = _commitment(scenario, after_reveal, cues, mood, still_open)

    end = _end(scenario, state, mood, patience_delta, commitment, advance)
    needed = set(scenario.commitment.requires_facts) or set(scenario.facts)
    last_fact = reveal and needed <= set(earned)
    if end == EndReason.PATIENCE and (last_fact or not state.warned):
        # the client warns before leaving, and after the last fact the rep gets a turn to
        # sum up and propose
        end, patience_delta = None, 1 - state.patience
    elif end == EndReason.BUDGET and last_fact:
        end = None
    if end is not None:
        objection = None  # a leaving client says goodbye, not a new objection
    left = state.patience + patience_delta
    warn = end is None and not advance and planning.warn_now(scenario, state, left)
    return TurnPlan(
        cues=cues,
        reaction=reaction,
        mood_delta=mood - state.mood,
        patience_delta=patience_delta,
        reveal=tuple(reveal),
        deflect=tuple(deflect),
        repeat=tuple(repeat),
        confirm=tuple(confirm),
        waits_on=tuple(w for w in waits if w not in reveal),
        advance=advance,
        objection=objection,
        settled=settled,
        commitment=commitment,
        commitment_missing=missing,
        end=end,
        refer=tuple(refer),
        held=tuple(held),
        preempted=preempted,
        warn=warn,
        named=named,
        gate_wants=() if advance else tuple(planning.gate_missing(scenario, seen, state.stage)),
    )


def plan_aside(cues: Cues) -> TurnPlan:
    """A bubble written to the persona of a stage the rep has just left: that persona answers
    it in passing, and the person now in the room is not charged for it."""
    return TurnPlan(cues=cues, reaction=_reaction(cues), patience_delta=0, aside=True)


def _end(
    scenario: Scenario,
    state: ClientState,
    mood: int,
    patience_delta: int,
    commitment: CommitOutcome | None,
    advance: bool,
) -> EndReason | None:
    if commitment == "accepted":
        return EndReason.COMMITMENT
    if mood <= MOOD_MIN:
        return EndReason.OFFENDED
    if state.rep_turns + 1 >= scenario.turn_budget:
        return EndReason.BUDGET
    if not advance and state.patience + patience_delta <= 0:
        return EndReason.PATIENCE
    return None


def apply(scenario: Scenario, state: ClientState, plan: TurnPlan, rep_text: str) -> ClientState:
    """The client state after a planned turn."""
    if plan.aside:
        return dataclasses.replace(state, rep_turns=state.rep_turns + 1)
    kinds = tuple(sorted(plan.cues.kinds() | ({"apology"} if plan.cues.apology else set())))
    seen: tuple[str, ...]
    mood = state.mood + plan.mood_delta
    warned, closed = state.warned or plan.warn, state.closed_reveals
    if plan.reveal and not plan.cues.open_question:
        closed += len(plan.reveal)
    if plan.advance:
        nxt = scenario.stages[state.stage + 1]
        stage, patience, seen = state.stage + 1, scenario.patience_of(state.stage + 1), ()
        mood = nxt.entry_mood if nxt.entry_mood is not None else mood
        warned, closed = False, 0
    else:
        cap = scenario.patience_of(state.stage)
        stage = state.stage
        patience = max(0, min(cap, state.patience + plan.patience_delta))
        seen = tuple(sorted(set(state.stage_seen) | set(kinds)))
    raised = tuple(o for o in (plan.preempted, plan.objection) if o)
    settled = tuple(o for o in (plan.preempted, plan.settled) if o)
    asked = tuple(
        k for k in (*state.asked, *plan.deflect, *plan.refer, *plan.held) if k not in plan.reveal
    )
    return ClientState(
        stage=stage,
        mood=mood,
        patience=patience,
        earned=(*state.earned, *plan.reveal),
        asked=tuple(dict.fromkeys(asked)),
        objections_raised=state.objections_raised + raised,
        objections_settled=state.objections_settled + settled,
        stage_seen=seen,
        commitment=rep_text if plan.commitment == "accepted" else state.commitment,
        rep_turns=state.rep_turns + 1,
        ended=plan.end,
        named=(*state.named, *plan.named),
        warned=warned,
        closed_reveals=closed,
        last_objection=plan.objection,
        put_off=_put_off(state, plan),
    )


def _put_off(state: ClientState, plan: TurnPlan) -> tuple[FactKey, ...]:
    """Facts the rep asked as an objection took over the turn, kept until it is settled."""
    if plan.objection:
        return tuple(dict.fromkeys((*state.put_off, *plan.deflect)))
    if plan.settled or plan.preempted:
        return ()
    return tuple(k for k in state.put_off if k not in plan.reveal)


HintCode = Literal[
    "hint.stage_needs",
    "hint.settle_objection",
    "hint.ask_fact",
    "hint.fact_needs_rapport",
    "hint.propose_next_step",
    "hint.calm_down",
]


def next_hint(scenario: Scenario, state: ClientState) -> tuple[HintCode, dict[str, str]]:
    """The most useful next move, as a message key and its parameters (no fact values)."""
    if state.mood <= -1:
        return "hint.calm_down", {}
    stage = scenario.stages[state.stage]
    if stage.advance:
        missing = [n for n in stage.advance.needs if n not in state.stage_seen]
        return "hint.stage_needs", {"needs": ",".join(missing or stage.advance.needs)}
    if state.open_objections():
        return "hint.settle_objection", {"objection": state.open_objections()[0]}
    for key in scenario.facts:
        gone = state.stage >= scenario.fact_stage(key) and not scenario.knows(state.stage, key)
        if key in state.earned or gone:  # no use asking someone who cannot know it
            continue
        if key in state.asked:
            return "hint.fact_needs_rapport", {"fact": key}
        return "hint.ask_fact", {"fact": key}
    return "hint.propose_next_step", {}
