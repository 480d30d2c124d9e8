"""What one rep turn means: the typed reading every grader and the client engine consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.domain.facts import FactKey
from bot.domain.lang import Lang

QuestionForm = Literal["none", "closed", "open"]
ReflectionKind = Literal["none", "simple", "complex", "distorted", "parrot"]
Tone = Literal["calm", "pressure", "sarcasm", "veiled_threat", "threat"]
ReplyKind = Literal["accept", "defer", "refuse", "other"]
TONE_ORDER: tuple[Tone, ...] = ("threat", "veiled_threat", "sarcasm", "pressure", "calm")
Speaker = Literal["rep", "client"]


@dataclass(frozen=True)
class Line:
    """One earlier turn of the dialogue."""

    speaker: Speaker
    text: str


@dataclass(frozen=True)
class Dialogue:
    """What a reader sees: the turns before the rep's, the rep's turn, the client's reply."""

    rep: str
    context: tuple[Line, ...] = ()
    next_client: str | None = None
    lang: Lang | None = None
    fact_keywords: dict[FactKey, tuple[str, ...]] = field(default_factory=dict)

    def client_last(self) -> str:
        """The client's words right before the rep's turn (a burst of turns joined)."""
        words: list[str] = []
        for line in reversed(self.context):
            if line.speaker != "client":
                break
            words.insert(0, line.text)
        return "\n".join(words)

    def client_said(self) -> str:
        """Everything the client said before this turn."""
        return "\n".join(line.text for line in self.context if line.speaker == "client")


@dataclass(frozen=True)
class Proposal:
    """A next step put on the table: when, who, what."""

    date: bool = False
    person: bool = False
    action: bool = False
    payment: bool = False  # the step is on the payment path (not just being let in)

    @property
    def complete(self) -> bool:
        """A concrete next step: a date, a person and an action."""
        return self.date and self.person and self.action

    @property
    def any(self) -> bool:
        """At least one part of a next step."""
        return self.date or self.person or self.action


@dataclass(frozen=True)
class Reading:
    """Everything the deterministic layer reads in one rep turn.

    The typed fields answer the questions a trainer asks (did the rep ask, reflect, threaten,
    propose; did the client accept). The boolean properties below are the names the client
    engine's scenario rules use (`by:`, `needs:`).
    """

    lang: Lang
    units: int
    question_form: QuestionForm = "none"
    questions: int = 0
    open_questions: int = 0
    asks_about: frozenset[FactKey] = frozenset()
    touched: frozenset[FactKey] = frozenset()
    reflection_kind: ReflectionKind = "none"
    empathy: bool = False
    apology: bool = False
    tone: Tone = "calm"
    advice: bool = False
    cites_rule: bool = False
    next_step: Proposal = Proposal()
    reply: ReplyKind = "other"
    courtesy: bool = False
    introduce: bool = False
    purpose: bool = False
    payment_ask: bool = False
    value: bool = False
    meta: bool = False
    injection: bool = False
    vague: bool = False
    directive: bool = False
    small_talk: bool = False  # asks, but only small talk, a greeting or for someone at the door
    names_case: bool = False  # names the matter: a payment owed, an invoice, the contract
    takes_up: bool = False  # builds on the client's last words (a follow-up, not a new topic)
    fact_finding: int = 0  # closed wh-questions (「哪位领导签字？」): discovery on the case
    source: str = "lexical"

    @property
    def question(self) -> bool:
        """At least one question was asked."""
        return self.question_form != "none"

    @property
    def open_question(self) -> bool:
        """At least one open question was asked."""
        return self.question_form == "open"

    @property
    def reflection(self) -> bool:
        """A faithful reflection (simple or complex): what counts for listening."""
        return self.reflection_kind in ("simple", "complex")

    @property
    def complex_reflection(self) -> bool:
        """A reflection that adds meaning, feeling or the stake."""
        return self.reflection_kind == "complex"

    @property
    def distorted(self) -> bool:
        """Claims the client said what they did not: counts against listening."""
        return self.reflection_kind == "distorted"

    @property
    def threat(self) -> bool:
        """A named sanction or a hinted one."""
        return self.tone in ("threat", "veiled_threat")

    @property
    def pressure(self) -> bool:
        """Anything but calm: demands, sarcasm, threats."""
        return self.tone != "calm"

    @property
    def regulation(self) -> bool:
        """A contract clause or a rule invoked."""
        return self.cites_rule

    @property
    def topics(self) -> frozenset[FactKey]:
        """The facts the turn asks about (the engine's name)."""
        return self.asks_about

    @property
    def has_date(self) -> bool:
        """A specific day, time or deadline is named."""
        return self.next_step.date

    @property
    def has_person(self) -> bool:
        """A specific person or unit who will do the step."""
        return self.next_step.person

    @property
    def has_action(self) -> bool:
        """A step that moves the matter forward."""
        return self.next_step.action

    @property
    def proposal(self) -> bool:
        """A concrete next step: date, person and action."""
        return self.next_step.complete

    @property
    def proposes_next_step(self) -> bool:
        """A concrete next step: date, person and action."""
        return self.next_step.complete

    def kinds(self) -> frozenset[str]:
        """The named behaviours present, as used in scenario rules (`by:`, `needs:`)."""
        names = {
            "question": self.question,
            "open_question": self.open_question,
            "reflection": self.reflection,
            "empathy": self.empathy,
            "courtesy": self.courtesy,
            "pressure": self.pressure,
            "threat": self.threat,
            "regulation": self.cites_rule,
            "introduce": self.introduce,
            "purpose": self.purpose,
            "payment_ask": self.payment_ask,
            "value": self.value,
            "next_step": self.proposes_next_step,
        }
        return frozenset(k for k, v in names.items() if v)
