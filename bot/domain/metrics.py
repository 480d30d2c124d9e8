"""Deterministic metrics, computed from the transcript alone before any judge is asked.

They are shown to the rep, bound the judge's scores, and drive the offline judge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang, detect_language, units
from bot.domain.scenario import Scenario
from bot.domain.speech import SpeechMetrics, speech_metrics
from bot.domain.transcript import Transcript
from bot.reading import Reading
from bot.reading import facts as told_facts
from bot.reading.port import read_transcript
from bot.reading.text import has

Status = Literal["specific", "vague", "missed"]


@dataclass(frozen=True)
class RepTurnNote:
    """The reading of one rep turn, with its number."""

    number: int
    text: str
    cues: Reading
    prev_client: str = ""


@dataclass(frozen=True)
class Metrics:
    """What any reader can count in a transcript."""

    language: Lang
    rep_turns: int
    client_turns: int
    rep_units: int
    client_units: int
    talk_share: float
    questions: int
    open_questions: int
    reflections: int
    complex_reflections: int
    distorted: int
    parrots: int
    advice: int
    empathy: int
    pressure: int
    threats: int
    veiled_threats: int
    sarcasm: int
    injections: int
    apologies: int
    directives: int
    regulation: int
    value: int
    longest_rep_turn: int
    mean_rep_turn: float
    checklist: dict[FactKey, Status]
    commitment: bool
    plan_coverage: int | None
    case: bool = False
    small_talk: int = 0
    case_questions: int = 0
    case_open: int = 0
    notes: tuple[RepTurnNote, ...] = field(default=(), repr=False)
    speech: SpeechMetrics | None = None  # only when the rep spoke (voice notes)

    @property
    def facts_uncovered(self) -> list[FactKey]:
        """Checklist items answered specifically."""
        return [k for k, v in self.checklist.items() if v == "specific"]

    @property
    def reflection_ratio(self) -> float:
        """Reflections per question (MITI: 1.0 is fair, 2.0 good)."""
        return self.reflections / self.questions if self.questions else float(self.reflections)

    @property
    def complex_share(self) -> float:
        """Share of reflections that are complex (MITI: 40% is fair, 50% good)."""
        return self.complex_reflections / self.reflections if self.reflections else 0.0

    @property
    def open_share(self) -> float:
        """Share of questions that are open."""
        return self.open_questions / self.questions if self.questions else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used in `trainer grade --json` and storage."""
        data = asdict(self)
        data.pop("notes")
        data.pop("speech")
        if self.speech is not None:
            data["speech"] = self.speech.as_dict()
        data["talk_share"] = round(self.talk_share, 3)
        data["mean_rep_turn"] = round(self.mean_rep_turn, 1)
        data["facts_uncovered"] = self.facts_uncovered
        data["reflection_ratio"] = round(self.reflection_ratio, 2)
        data["complex_share"] = round(self.complex_share, 2)
        # Numbered by the rep's turns, as the scorecard's evidence is.
        data["against_turns"] = [
            i for i, n in enumerate(self.notes, start=1) if counts_against(n.cues)
        ]
        return data


def counts_against(r: Reading) -> bool:
    """A turn that is evidence of what went wrong (never quoted with a ✓)."""
    return (
        r.pressure
        or r.advice
        or r.vague
        or r.injection
        or r.reflection_kind
        in (
            "distorted",
            "parrot",
        )
    )


def annotate(
    transcript: Transcript, lang: Lang, scenario: Scenario | None = None
) -> tuple[RepTurnNote, ...]:
    """A reading of every rep turn, each against the dialogue before it and the reply after."""
    keywords = (
        {k: tuple(f.keywords) for k, f in scenario.facts.items()} if scenario is not None else {}
    )
    return tuple(
        RepTurnNote(
            number, transcript.turns[number - 1].text, reading, transcript.client_before(number)
        )
        for number, reading in read_transcript(transcript, lang, keywords)
    )


def _reply_to(transcript: Transcript, number: int) -> str | None:
    if number < len(transcript.turns) and transcript.turns[number].speaker == "client":
        return transcript.turns[number].text
    return None


def checklist(
    transcript: Transcript, notes: tuple[RepTurnNote, ...], lang: Lang, scenario: Scenario | None
) -> dict[FactKey, Status]:
    """The five preparation questions as specific / vague / missed.

    With a scenario: specific when the client actually told the fact (a marker of its value
    appears in a client turn), vague when the rep asked about it without getting it. Without
    one: specific when the client stated it concretely (asked or not), answered the rep's
    question about it concretely, or confirmed the rep's concrete statement of the project;
    vague when asked about without a concrete answer. A rep's claim
    that things "were settled" asks nothing and earns nothing.
    """
    result: dict[FactKey, Status] = {}
    client_text = "\n".join(t.text for t in transcript.client_turns())
    told = set().union(*(told_facts.told(t.text, lang) for t in transcript.client_turns()))
    for note in notes:
        reply = _reply_to(transcript, note.number)
        if reply and told_facts.confirms(reply, lang) and told_facts.concrete(note.text, lang):
            told |= told_facts.told(note.text, lang) & note.cues.touched
        if reply and told_facts.states_project(note.text, reply, lang):
            told.add("project")
        if reply and told_facts.concrete(reply, lang):
            told |= note.cues.asks_about  # asked, and answered with something specific
    for key in FACT_KEYS:
        asked = any(key in n.cues.asks_about for n in notes)
        if scenario is not None:
            fact = scenario.facts[key]
            said = any(m in client_text for m in fact.markers)
            result[key] = "specific" if said else ("vague" if asked else "missed")
            continue
        result[key] = "specific" if key in told else ("vague" if asked else "missed")
    return result


def _commitment(
    transcript: Transcript, notes: tuple[RepTurnNote, ...], scenario: Scenario | None
) -> bool:
    """A next step on the payment that the client's reply accepted (read, not word-matched).

    A gatekeeper letting the rep in is not one: the step must be on the payment path, and in
    a played session a turn recorded at an earlier stage than the last does not count.
    """
    last_stage = scenario.stages[-1].id if scenario is not None else None
    for note in notes:
        step = note.cues.next_step
        if not (step.action and (step.date or step.person)) or not step.payment:
            continue
        reply = transcript.turns[note.number] if note.number < len(transcript.turns) else None
        if reply is None or reply.speaker != "client":
            continue
        if reply.stage is not None and last_stage is not None and reply.stage != last_stage:
            continue
        if note.cues.reply == "accept":
            return True
    return False


def _payment_case(notes: tuple[RepTurnNote, ...], scenario: Scenario | None) -> bool:
    """Whether "about the case" is defined: a scenario, or a rep who names the matter (a
    payment owed, an invoice, the contract, acceptance: `case_talk.markers`) or asks about
    three of the five facts. A counselling transcript keeps every question."""
    if scenario is not None:
        return True
    asked = set().union(*(n.cues.asks_about for n in notes)) if notes else set()
    return any(n.cues.names_case for n in notes) or len(asked) >= 3


def plan_coverage(plan: str | None, lang: Lang) -> int | None:
    """How many of the five questions the written plan addresses (None when skipped)."""
    if not plan or not plan.strip():
        return None
    from bot.reading.lexicon import lexicon

    lex = lexicon(lang)
    return sum(has(plan, (*lex.topics[k].strong, *lex.topics[k].weak), lang) for k in FACT_KEYS)


def compute_metrics(
    transcript: Transcript,
    scenario: Scenario | None = None,
    plan: str | None = None,
    lang: Lang | None = None,
    committed: bool | None = None,
) -> Metrics:
    """Every deterministic metric for a transcript (and the rep's plan, if any).

    `committed` is the client engine's decision in a played session (a next step accepted);
    for a written transcript it is None and the readings of the client's replies decide.
    """
    if lang is None:
        lang = (
            scenario.language
            if scenario
            else detect_language(" ".join(t.text for t in transcript.rep_turns()))
        )
    notes = annotate(transcript, lang, scenario)
    rep_units = sum(n.cues.units for n in notes)
    client_units = sum(units(t.text) for t in transcript.client_turns())
    cues = [n.cues for n in notes]
    return Metrics(
        language=lang,
        rep_turns=len(notes),
        client_turns=len(transcript.client_turns()),
        rep_units=rep_units,
        client_units=client_units,
        talk_share=rep_units / (rep_units + client_units) if rep_units + client_units else 0.0,
        questions=sum(c.questions for c in cues),
        open_questions=sum(c.open_questions for c in cues),
        reflections=sum(c.reflection for c in cues),
        complex_reflections=sum(c.complex_reflection for c in cues),
        distorted=sum(c.distorted for c in cues),
        parrots=sum(c.reflection_kind == "parrot" for c in cues),
        advice=sum(c.advice for c in cues),
        empathy=sum(c.empathy for c in cues),
        pressure=sum(c.pressure for c in cues),
        threats=sum(c.tone == "threat" for c in cues),
        veiled_threats=sum(c.tone == "veiled_threat" for c in cues),
        sarcasm=sum(c.tone == "sarcasm" for c in cues),
        injections=sum(c.injection for c in cues),
        apologies=sum(c.apology for c in cues),
        directives=sum(c.directive for c in cues),
        regulation=sum(c.regulation for c in cues),
        value=sum(c.value for c in cues),
        longest_rep_turn=max((c.units for c in cues), default=0),
        mean_rep_turn=rep_units / len(notes) if notes else 0.0,
        checklist=checklist(transcript, notes, lang, scenario),
        commitment=_commitment(transcript, notes, scenario) if committed is None else committed,
        plan_coverage=plan_coverage(plan, lang),
        # Listening counts questions about the case: small talk, a greeting or asking for
        # someone is courtesy; a wh-question about a fact is discovery (`bot.reading.focus`).
        case=(case := _payment_case(notes, scenario)),
        small_talk=sum(c.small_talk for c in cues) if case else 0,
        case_questions=sum(c.questions for c in cues if not (case and c.small_talk)),
        case_open=sum(
            min(c.questions, c.open_questions + (c.fact_finding if case else 0))
            for c in cues
            if not (case and c.small_talk)
        ),
        notes=notes,
        speech=speech_metrics(transcript, lang),
    )
