"""Which rep turn to coach, and how: the turn whose change would raise the weakest dimension
most, read through each turn's `Reading`.

Dimensions are tried from the weakest up (a dimension at `GOOD` or above needs no rewording).
For each, only some turns can be fixed and each fix has a kind (a catalog suffix under
`coach.rewrite.` and `coach.why.`):

- never a turn with nothing to respond to yet: the rep's first message to each person, unless
  that person had already said more than an opening line (`OPENING_UNITS`);
- never a turn that already does what the fix asks (a reflection is not told to reflect, a
  question about the acceptance standard is not told to ask it, a complete next step is not
  told to propose one);
- a question about one of the five facts only at a stage whose persona knows it
  (`Scenario.knows`): the office clerk is not asked who signs the payment off; if the rep never
  reached that person, the gatekeeper turn is coached to get through to them instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.domain.facts import FactKey
from bot.domain.lang import units
from bot.domain.metrics import Metrics, RepTurnNote, counts_against
from bot.domain.scenario import Dimension, Scenario
from bot.domain.scoring import listening_parts
from bot.domain.transcript import Transcript
from bot.offline.names import address
from bot.reading.text import sentences
from bot.reading.types import TONE_ORDER

GOOD = 4.5
OPENING_UNITS = 15  # a client line longer than this says something a rep can answer
SAID_UNITS = 40  # how much of the client's words a reflection quotes back
WORTH_REFLECTING = 6  # a shorter client line (「你说什么？」) has nothing to play back
TIE = 0.25  # dimensions this close are equally weak; then the fix that helps more wins
# How many dimensions a fix lifts: a calm line instead of a pressing one lifts persuasion and
# composure (and listening); every other fix lifts the one it is chosen for.
REACH = {"pressure": 2, "gate_pressure": 2}


@dataclass(frozen=True)
class Target:
    """The turn to reword, the dimension it fixes, the fix's kind and what fills its text."""

    note: RepTurnNote
    ordinal: int  # the rep's own turn number, as the scorecard shows it
    dimension: Dimension
    kind: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Turn:
    note: RepTurnNote
    ordinal: int
    stage: int | None  # index into the scenario's stages; None in a written transcript
    respondable: bool
    said: str  # the client's words right before this turn


def _said(text: str, lang: str) -> str:
    """The client's point in a few words: its longest sentence, cut at `SAID_UNITS`."""
    parts = sentences(text, "zh" if lang == "zh" else "en") or [text]
    point = max(parts, key=units).strip().rstrip("。！？.!?")
    if units(point) <= SAID_UNITS:
        return point
    return point[:SAID_UNITS] if lang == "zh" else " ".join(point.split()[:SAID_UNITS])


def _turns(m: Metrics, transcript: Transcript, scenario: Scenario | None) -> list[_Turn]:
    """Every rep turn with its stage and whether the client had said anything to answer.

    The rep's first message answers only the opening line (a greeting, the secretary's
    「请问您找哪位？」) unless, in a written transcript, the client had said more than that. The
    first message to the next person follows a conversation, so it can be coached, but a
    person's opening line is never played back as if it were their concern.
    """
    stage_ids = [s.id for s in scenario.stages] if scenario is not None else []
    seen: set[int | None] = set()
    found: list[_Turn] = []
    for ordinal, note in enumerate(m.notes, start=1):
        turn = transcript.turns[note.number - 1]
        stage = stage_ids.index(turn.stage) if turn.stage in stage_ids else None
        before = transcript.turns[: note.number - 1]
        last = next((t.text for t in reversed(before) if t.speaker == "client"), "")
        heard = sum(units(t.text) for t in before if t.speaker == "client")
        respondable = bool(found) or (stage is None and heard > OPENING_UNITS)
        opening = stage is not None and stage not in seen
        said = "" if opening else _said(last, m.language)
        found.append(_Turn(note, ordinal, stage, respondable, said))
        seen.add(stage)
    return found


def _knows(scenario: Scenario | None, stage: int | None, key: FactKey) -> bool:
    """Whether the person at that turn can answer about `key` (unknown: assume so)."""
    return scenario is None or stage is None or scenario.knows(stage, key)


def _worth(turn: _Turn) -> int:
    """What a turn already earned: 2 for a question about one of the five answers, 1 for a
    faithful reflection or an open question, 0 otherwise."""
    cues = turn.note.cues
    return 2 if cues.asks_about else 1 if cues.reflection or cues.open_question else 0


def _name(scenario: Scenario | None, stage: int | None) -> str:
    """How the rep would address the person at that turn (王科长, 小刘, Dr. Liang)."""
    return address(scenario, stage) if scenario and stage is not None else ""


def _listening(m: Metrics, turns: list[_Turn]) -> tuple[_Turn, str] | None:
    parts = listening_parts(m)
    weakest = min(parts, key=lambda k: parts[k])
    picks: dict[str, Callable[[_Turn], bool]] = {
        "directive": lambda t: t.note.cues.advice,
        # A reflection that checks (「…，对吗？」) is good listening, not a closed question.
        "closed": lambda t: (
            t.note.cues.question and not (t.note.cues.open_question or t.note.cues.reflection)
        ),
        "monologue": lambda t: (
            not t.note.cues.question and t.note.cues.units >= 2 * max(1.0, m.mean_rep_turn)
        ),
        "reflect": lambda t: not t.note.cues.reflection and units(t.said) >= WORTH_REFLECTING,
    }
    order = {
        "directive": ("directive", "reflect", "closed"),
        "talk_share": ("monologue", "reflect", "closed"),
        "open": ("closed", "reflect"),
    }.get(weakest, ("reflect", "closed", "monologue"))
    for kind in order:
        chosen = [t for t in turns if picks[kind](t)]
        if kind == "reflect":
            # The client line most worth playing back: the one that said the most.
            chosen.sort(key=lambda t: -units(t.said))
        if chosen:
            return chosen[0], kind
    return None


def _pressing(turns: list[_Turn]) -> _Turn | None:
    harsh = [t for t in turns if t.note.cues.pressure]
    return min(harsh, key=lambda t: TONE_ORDER.index(t.note.cues.tone), default=None)


def _preparation(
    m: Metrics, turns: list[_Turn], scenario: Scenario | None
) -> tuple[_Turn, str, dict[str, str]] | None:
    for key, status in m.checklist.items():
        if status == "specific":
            continue
        knows = [t for t in turns if _knows(scenario, t.stage, key)]
        fits = [t for t in knows if key not in t.note.cues.asks_about]
        # Replace what went wrong before what was neutral, and a good line (a reflection, a
        # question about another answer) last: changing it would lose what it earned.
        fits.sort(key=lambda t: (_worth(t), not counts_against(t.note.cues)))
        if fits:
            return fits[0], f"ask.{key}", {"fact": key}
        if scenario is not None and not knows:
            owner = scenario.fact_stage(key)
            ahead = [t for t in turns if t.stage is not None and t.stage < owner]
            if ahead:
                return ahead[-1], "through", {"who": address(scenario, owner), "fact": key}
    return None


def _next_step(m: Metrics, turns: list[_Turn]) -> tuple[_Turn, str] | None:
    if m.commitment:
        return None
    for i, t in enumerate(turns):
        cues = t.note.cues
        if cues.next_step.action and cues.reply in ("defer", "refuse"):
            # Coach the answer to the "no": the rep's next line, else the proposal itself.
            after = turns[i + 1] if i + 1 < len(turns) else t
            if not after.note.cues.next_step.complete:
                return after, "after_no"
            return t, "after_no"
    last_stage = turns[-1].stage if turns else None
    closing = [t for t in turns if t.stage == last_stage and not t.note.cues.next_step.complete]
    # The last line that asked for none of the five answers: replacing it loses no answer.
    idle = [t for t in closing if not t.note.cues.asks_about] or closing
    return (idle[-1], "propose") if idle else None


def target(
    m: Metrics,
    scores: Mapping[Dimension, float],
    transcript: Transcript,
    scenario: Scenario | None,
    weights: Mapping[Dimension, float] | None = None,
) -> Target | None:
    """The rep turn whose change would raise the weakest dimension most, and how to change it."""
    turns = [
        t for t in _turns(m, transcript, scenario) if t.respondable and not t.note.cues.injection
    ]
    if not turns:
        return None
    weight = weights or {}
    options: list[tuple[float, int, float, Target]] = []
    for dim in scores:
        if scores[dim] >= GOOD:
            continue
        found = _fix(dim, m, turns, scenario)
        if found is None:
            continue
        turn, kind, params = _at_the_door(scenario, *found)
        params = {
            "name": _name(scenario, turn.stage),
            "said": turn.said,
            "score": f"{scores[dim]:g}",
            **params,
        }
        tier = round(scores[dim] / TIE)
        options.append(
            (
                tier,
                -REACH.get(kind, 1),
                -weight.get(dim, 0.0),
                Target(turn.note, turn.ordinal, dim, kind, params),
            )
        )
    options.sort(key=lambda o: o[:3])
    return options[0][3] if options else None


def _at_the_door(
    scenario: Scenario | None, turn: _Turn, kind: str, params: dict[str, str]
) -> tuple[_Turn, str, dict[str, str]]:
    """A fix fitted to a gatekeeper (a person who knows none of the five facts, before the one
    who does): not a question about the payment they cannot answer, but getting through to
    that person; a pressing line to them becomes a courteous ask for a slot."""
    if scenario is None or turn.stage is None or kind == "through":
        return turn, kind, params
    if any(scenario.knows(turn.stage, key) for key in scenario.facts):
        return turn, kind, params
    ahead = [
        i
        for i in range(turn.stage + 1, len(scenario.stages))
        if any(scenario.knows(i, key) for key in scenario.facts)
    ]
    if not ahead:
        return turn, kind, params
    who = address(scenario, ahead[0])
    return turn, ("gate_pressure" if kind == "pressure" else "gate"), {"who": who}


def _fix(
    dim: Dimension, m: Metrics, turns: list[_Turn], scenario: Scenario | None
) -> tuple[_Turn, str, dict[str, str]] | None:
    """The turn that fixes `dim` best, the kind of fix and what fills its text."""
    if dim == "listening":
        found = _listening(m, turns)
        return (*found, {}) if found else None
    if dim in ("persuasion", "composure"):
        harsh = _pressing(turns)
        if harsh is not None:
            return harsh, "pressure", {}
        if dim == "composure":
            return None
        asking = [t for t in turns if not (t.note.cues.value or t.note.cues.regulation)]
        paying = [t for t in asking if t.note.cues.payment_ask] or asking[-1:]
        return (paying[0], "value", {}) if paying else None
    if dim == "preparation":
        return _preparation(m, turns, scenario)
    step = _next_step(m, turns)
    return (*step, {}) if step else None
