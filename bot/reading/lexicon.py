"""The words and thresholds each lexical reader uses, loaded from `data/<lang>.yaml`.

A sales trainer edits the YAML; these strict models refuse a misspelt key or a wrong type, so
a typo fails loudly when the bot starts instead of silently switching a rule off.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.domain.facts import FactKey
from bot.domain.lang import Lang
from bot.reading.normalize import normalize

Words = tuple[str, ...]
DATA = Path(__file__).parent / "data"


class Strict(BaseModel):
    """No unknown keys, no silent coercion surprises."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionWords(Strict):
    """How a sentence asks: marks, particles, question words, and what only looks like one."""

    final_particles: Words = ()
    anywhere: Words = ()
    open: Words = ()
    closed_check: Words = ()
    imperative: Words = ()
    not_question: Words = ()
    conditional: Words = ()
    rhetorical: Words = ()
    openers: Words = ()


class ReflectionWords(Strict):
    """Playing the client's words back, and the ways it goes wrong."""

    markers: Words = ()
    empty_formulas: Words = ()
    backchannels: Words = ()
    hedges: Words = ()
    firm: Words = ()
    not_firm: Words = ()
    minimisers: Words = ()
    accusation: Words = ()
    feeling: Words = ()
    perspective: Words = ()
    complex_markers: Words = ()
    interpretive: Words = ()
    charged: Words = ()
    attributed: Words = ()
    open_ended: Words = ()
    springboard: Words = ()
    denials: Words = ()
    echo_share: float = Field(0.35, ge=0, le=1)
    parrot_share: float = Field(0.8, ge=0, le=1)
    min_shared: int = Field(2, ge=1)


class ToneWords(Strict):
    """Threats, veiled threats, sarcasm and pressure; and what cancels them."""

    sanctions: Words = ()
    echo_sanctions: Words = ()
    rep_side: Words = ()
    conditions: Words = ()
    veiled: Words = ()
    sarcasm: Words = ()
    sarcasm_patterns: Words = ()
    pressure: Words = ()
    assumptive: Words = ()
    not_pressure: Words = ()
    negators: Words = ()
    mock_emoji: Words = ()
    # English escalation read by meaning: the rep's side as the agent of a step aimed at the
    # client (verb + authority), a legal party already at work, or a hinted consequence.
    escalation_verbs: Words = ()
    step_verbs: Words = ()
    adversarial: Words = ()
    authorities: Words = ()
    legal_parties: Words = ()
    legal_work: Words = ()
    veiled_patterns: Words = ()
    reported: Words = ()


class AdviceWords(Strict):
    """Telling the client how to run their own process (the righting reflex)."""

    phrases: Words = ()
    lecture: Words = ()
    asked_for: Words = ()
    permission: Words = ()
    demand_objects: Words = ()
    information: Words = ()
    imperatives: Words = ()
    leading: Words = ()


class ApologyWords(Strict):
    """Apology and admission of a fault on the rep's side, and ritual sorries."""

    words: Words = ()
    admissions: Words = ()
    ritual_after: Words = ()


class ProposalWords(Strict):
    """When, who and what of a next step; regexes where a list cannot say it."""

    date_patterns: Words = ()
    not_dates: Words = ()
    persons: Words = ()
    person_patterns: Words = ()
    not_persons: Words = ()
    actions: Words = ()
    not_actions: Words = ()
    payment_actions: Words = ()
    offers: Words = ()


class ReplyWords(Strict):
    """How the client answers a proposal or request."""

    accept: Words = ()
    defer: Words = ()
    refuse: Words = ()
    but: Words = ()
    condition: Words = ()
    hedge: Words = ()
    not_refuse: Words = ()
    refuse_patterns: Words = ()
    counter_patterns: Words = ()
    not_accept: Words = ()
    not_defer: Words = ()
    bare_accept: Words = ()
    go_ahead: Words = ()


class Topic(Strict):
    """Words that name one of the five facts (strong alone, weak only in a question)."""

    strong: Words = ()
    weak: Words = ()
    patterns: Words = ()


class AskWords(Strict):
    """What a question is about (domain) and what its question word asks for (aspect)."""

    acceptance: Words = ()
    payment: Words = ()
    payment_patterns: Words = ()
    project: Words = ()
    phases: Words = ()
    wh: Words = ()
    person_wh: Words = ()
    person_nouns: Words = ()
    sign_verbs: Words = ()
    person_patterns: Words = ()
    request_forms: Words = ()
    conditions: Words = ()
    not_domain: Words = ()
    time_wh: Words = ()
    process_wh: Words = ()
    term_items: Words = ()
    content_wh: Words = ()
    ask_verbs: Words = ()
    standard_items: Words = ()
    blockers: Words = ()
    need: Words = ()
    reflection_openers: Words = ()


class CaseTalk(Strict):
    """What makes a question about the case rather than small talk (see `bot.reading.focus`)."""

    markers: Words = ()
    situation: Words = ()
    gatekeeping: Words = ()
    gatekeeping_patterns: Words = ()
    generic: Words = ()
    follow_up: Words = ()


class Lexicon(Strict):
    """Every word list one language's reader needs."""

    question: QuestionWords
    reflection: ReflectionWords
    tone: ToneWords
    advice: AdviceWords
    apology: ApologyWords
    proposal: ProposalWords
    reply: ReplyWords
    topics: dict[FactKey, Topic]
    asks: AskWords = AskWords()
    empathy: Words = ()
    empty_empathy: Words = ()
    strain: Words = ()
    rules: Words = ()
    not_rules: Words = ()
    courtesy: Words = ()
    introduce: Words = ()
    purpose: Words = ()
    payment_ask: Words = ()
    value: Words = ()
    meta: Words = ()
    filler: Words = ()
    stopwords: Words = ()
    injection: Words = ()
    case_talk: CaseTalk = CaseTalk()


@functools.cache
def lexicon(lang: Lang) -> Lexicon:
    """The validated word lists for a language."""
    raw = yaml.safe_load((DATA / f"{lang}.yaml").read_text(encoding="utf-8"))
    return Lexicon.model_validate(_normalized(raw))


def preload() -> None:
    """Load every language's word lists now (at start-up), not in the first rep's turn."""
    for lang in get_args(Lang):
        lexicon(lang)


def _normalized(value: object) -> object:
    """Phrases folded the way turns are (a trainer may type full-width or Traditional)."""
    if isinstance(value, str):
        return normalize(value)
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    return value
