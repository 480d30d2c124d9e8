"""Deterministic metrics, computed from the transcript alone before any judge is asked.

They are shown to the rep, bound the judge's scores, and drive the offline judge.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.domain.cues import Cues, analyze
from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang, detect_language, units
from bot.domain.lexicon import lexicon
from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript

Status = Literal["specific", "vague", "missed"]

_CONCRETE_ZH = re.compile(
    r"\d|[一二三四五六七八九十]+\s*[月日号天]|周[一二三四五六日天]|月底|年底|处长|科长|主任|局长|"
    r"部长|书记|财务|会计|出纳|经办|报告|指标|清单|国库|集中支付|分期|验收单|签字"
)
_CONCRETE_EN = re.compile(
    r"\d|monday|tuesday|wednesday|thursday|friday|director|chief|manager|finance|officer|"
    r"report|checklist|treasury|installment|committee|signed|sign-off",
    re.IGNORECASE,
)
_AGREE = {
    "zh": ("好", "可以", "行", "没问题", "就这么定", "同意", "就按", "安排", "定了"),
    "en": ("okay", "ok", "fine", "sure", "agreed", "deal", "yes", "will do", "let's do"),
}
_REFUSE = {
    "zh": ("不行", "不可以", "不能", "再说", "研究研究", "研究一下", "没法", "不好说", "回头"),
    "en": ("no", "can't", "cannot", "not possible", "later", "we'll see", "not sure"),
}


@dataclass(frozen=True)
class RepTurnNote:
    """The cues of one rep turn, with its number."""

    number: int
    text: str
    cues: Cues
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
    advice: int
    empathy: int
    pressure: int
    threats: int
    directives: int
    regulation: int
    value: int
    longest_rep_turn: int
    mean_rep_turn: float
    checklist: dict[FactKey, Status]
    commitment: bool
    plan_coverage: int | None
    notes: tuple[RepTurnNote, ...] = field(default=(), repr=False)

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
        data["talk_share"] = round(self.talk_share, 3)
        data["mean_rep_turn"] = round(self.mean_rep_turn, 1)
        data["facts_uncovered"] = self.facts_uncovered
        data["reflection_ratio"] = round(self.reflection_ratio, 2)
        data["complex_share"] = round(self.complex_share, 2)
        return data


def annotate(transcript: Transcript, lang: Lang) -> tuple[RepTurnNote, ...]:
    """Cues for every rep turn, each read against the client's words before it."""
    notes = []
    for turn in transcript.rep_turns():
        prev = transcript.client_before(turn.number)
        notes.append(RepTurnNote(turn.number, turn.text, analyze(turn.text, prev, lang), prev))
    return tuple(notes)


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in words)


def _concrete(text: str, lang: Lang) -> bool:
    return bool((_CONCRETE_ZH if lang == "zh" else _CONCRETE_EN).search(text))


def checklist(
    transcript: Transcript, notes: tuple[RepTurnNote, ...], lang: Lang, scenario: Scenario | None
) -> dict[FactKey, Status]:
    """The five preparation questions as specific / vague / missed.

    With a scenario: specific when the client actually told the fact (a marker of its value
    appears in a client turn), vague when the rep only touched the topic. Without one: specific
    when the rep asked about it and the answer (or the rep's own confirmation) was concrete.
    """
    result: dict[FactKey, Status] = {}
    client_text = "\n".join(t.text for t in transcript.client_turns())
    for key in FACT_KEYS:
        touched = [n for n in notes if key in n.cues.touched]
        if scenario is not None:
            fact = scenario.facts[key]
            extra = [n for n in notes if any(k.lower() in n.text.lower() for k in fact.keywords)]
            told = any(m in client_text for m in fact.markers)
            result[key] = "specific" if told else ("vague" if touched or extra else "missed")
            continue
        asked = [n for n in notes if key in n.cues.topics]
        answered = any(
            _concrete(transcript.turns[n.number].text, lang)
            for n in asked
            if n.number < len(transcript.turns) and transcript.turns[n.number].speaker == "client"
        )
        confirmed = any(_concrete(n.text, lang) for n in asked)
        if asked and (answered or confirmed):
            result[key] = "specific"
        else:
            result[key] = "vague" if touched else "missed"
    return result


def _commitment(
    transcript: Transcript, notes: tuple[RepTurnNote, ...], lang: Lang, scenario: Scenario | None
) -> bool:
    if scenario is not None and any(
        scenario.commitment.accept in t.text for t in transcript.client_turns()
    ):
        return True
    for note in notes:
        if not note.cues.proposes_next_step or note.number >= len(transcript.turns):
            continue
        reply = transcript.turns[note.number]
        agreed = _has_any(reply.text, _AGREE[lang]) and not _has_any(reply.text, _REFUSE[lang])
        if reply.speaker == "client" and agreed:
            return True
    return False


def plan_coverage(plan: str | None, lang: Lang) -> int | None:
    """How many of the five questions the written plan addresses (None when skipped)."""
    if not plan or not plan.strip():
        return None
    lex = lexicon(lang)
    low = plan.lower()
    return sum(
        any(w in low for w in (*lex.topics_strong[k], *lex.topics_weak[k])) for k in FACT_KEYS
    )


def compute_metrics(
    transcript: Transcript,
    scenario: Scenario | None = None,
    plan: str | None = None,
    lang: Lang | None = None,
) -> Metrics:
    """Every deterministic metric for a transcript (and the rep's plan, if any)."""
    if lang is None:
        lang = (
            scenario.language
            if scenario
            else detect_language(" ".join(t.text for t in transcript.rep_turns()))
        )
    notes = annotate(transcript, lang)
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
        advice=sum(c.advice for c in cues),
        empathy=sum(c.empathy for c in cues),
        pressure=sum(c.pressure for c in cues),
        threats=sum(c.threat for c in cues),
        directives=sum(c.directive for c in cues),
        regulation=sum(c.regulation for c in cues),
        value=sum(c.value for c in cues),
        longest_rep_turn=max((c.units for c in cues), default=0),
        mean_rep_turn=rep_units / len(notes) if notes else 0.0,
        checklist=checklist(transcript, notes, lang, scenario),
        commitment=_commitment(transcript, notes, lang, scenario),
        plan_coverage=plan_coverage(plan, lang),
        notes=notes,
    )
