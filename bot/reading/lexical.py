"""The lexical reader: a whole `Reading` of a rep turn from word lists and sentence form.

It needs no model and is always available; the model reader falls back to it.
"""

from __future__ import annotations

from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang, detect_language, units
from bot.reading import chinese, english, tone
from bot.reading import focus as case_talk
from bot.reading.injection import addressed_to_grader
from bot.reading.lexicon import Lexicon, lexicon
from bot.reading.normalize import normalize
from bot.reading.text import clauses, has, matches, sentences, strip_phrases
from bot.reading.types import Dialogue, Proposal, QuestionForm, Reading, ReflectionKind, ReplyKind


def _proposal(text: str, tone_name: str, lex: Lexicon, lang: Lang) -> Proposal:
    """Date, person and action of the next step the turn puts on the table.

    Parts are read per sentence; a date in the sentence right after a step counts for it
    (「我把材料送过来。周三上午行吗？」), a date elsewhere in the turn does not.
    """
    p = lex.proposal
    parts = sentences(text, lang)
    best = Proposal()
    for i, sentence in enumerate(parts):
        if lang == "zh" and chinese.asks_for_information(sentence, lex):
            continue  # 「验收标准是啥？」 asks; it puts no step on the table
        if lang == "en" and english.asks_wh(sentence):
            continue
        core = strip_phrases(sentence.lower(), p.not_dates)
        following = strip_phrases(parts[i + 1].lower(), p.not_dates) if i + 1 < len(parts) else ""
        acted = strip_phrases(core, (*p.not_actions, *lex.tone.sanctions))
        action = has(acted, p.actions, lang)
        date = matches(core, p.date_patterns) or (
            action and matches(following, p.date_patterns) and not has(following, p.actions, lang)
        )
        person_text = strip_phrases(core, (*p.not_persons, *lex.reflection.markers))
        person = has(person_text, p.persons, lang) or matches(person_text, p.person_patterns)
        if not action and not (date and person):
            continue  # a date in passing (「上个月就说下周了」) is no next step
        score = date + person + action
        if score > best.date + best.person + best.action:
            best = Proposal(date, person, action, has(acted, p.payment_actions, lang))
    return best


def _asks_about(
    asked_sentences: tuple[str, ...], lex: Lexicon, lang: Lang, own: dict[FactKey, tuple[str, ...]]
) -> frozenset[FactKey]:
    """The facts whose content a question seeks (a topic word outside a question is not asked)."""
    keys: set[FactKey] = set()
    for sentence in asked_sentences:
        found_keys: set[FactKey] = set()
        for focus in _focus(sentence, lex, lang):
            found_keys |= _topics_in(focus, lex, lang, own)
        keys |= found_keys or _topics_in(sentence, lex, lang, own)
    return frozenset(keys)


def _focus(sentence: str, lex: Lexicon, lang: Lang) -> list[str]:
    """The clauses that carry the ask (「通过验收以后，付款一般怎么走？」 → the second only)."""
    if lang != "zh":
        return [sentence]
    q = lex.question
    parts = clauses(sentence)
    asking = [c for c in parts if has(c, (*q.anywhere, *q.open, *q.imperative, "请教"), lang)]
    return asking or parts[-1:]


def _topics_in(
    sentence: str, lex: Lexicon, lang: Lang, own: dict[FactKey, tuple[str, ...]]
) -> set[FactKey]:
    low = sentence.lower()
    strong = {
        k
        for k in FACT_KEYS
        if has(low, lex.topics[k].strong, lang)
        or matches(low, lex.topics[k].patterns)
        or any(w.lower() in low for w in own.get(k, ()))
    }
    if "acceptance_person" in strong and "payment_owner" in strong:
        accepting = any(w in low for w in ("验", "评审", "复核", "accept", "sign off", "sign-off"))
        strong.discard("payment_owner" if accepting else "acceptance_person")
    if not strong:
        weak = {k for k in FACT_KEYS if has(low, lex.topics[k].weak, lang)}
        strong = weak if len(weak) == 1 else set()
    return strong


def _touched(text: str, lex: Lexicon, lang: Lang) -> frozenset[FactKey]:
    low = text.lower()
    return frozenset(
        k for k in FACT_KEYS if has(low, (*lex.topics[k].strong, *lex.topics[k].weak), lang)
    )


def read_reply(reply: str, lang: Lang) -> ReplyKind:
    """How the client answers: accept, defer or refuse (the caller knows a step was asked)."""
    lex = lexicon(lang).reply
    text = normalize(reply).lower()
    if not text.strip():
        return "other"
    head, _, tail = text.partition(",") if lang == "zh" else (text, "", "")
    defer = has(text, lex.defer, lang)
    # 「说不准」 "can't promise" defer: a refusal word inside a deferral phrase is not a no.
    refuse = has(strip_phrases(text, lex.defer), lex.refuse, lang)
    accept = has(text, lex.accept, lang)
    if lang == "zh" and accept and has(tail, lex.but, lang) and not refuse:
        return "defer"  # 「定时间可以，但前提…」
    if refuse and not (accept and has(head, lex.accept, lang) and not has(head, lex.refuse, lang)):
        return "refuse"
    if defer:
        return "defer"
    return "accept" if accept else "other"


def _requests(text: str, form: QuestionForm, tone_name: str, step: Proposal) -> bool:
    """Whether the turn asks the client for a step or a commitment (or demands one)."""
    return step.any or tone_name != "calm"


def _english(
    text: str, client: str, lex: Lexicon
) -> tuple[QuestionForm, int, int, ReflectionKind, bool, tuple[str, ...]]:
    acts = english.read_turn(text, client, lex)
    form: QuestionForm = "open" if acts.open_questions else ("closed" if acts.questions else "none")
    kind: ReflectionKind = (
        "complex"
        if acts.complex_reflection and acts.reflection
        else "simple"
        if acts.reflection
        else "parrot"
        if acts.parrot
        else "none"
    )
    heard = english.Heard.of(client)
    asked = tuple(
        s for s in sentences(text, "en") if english.read_sentence(s, heard, lex).questions
    )
    return form, acts.questions, acts.open_questions, kind, acts.advice, asked


def read(dialogue: Dialogue) -> Reading:
    """Read the rep's turn against what the client said before it."""
    raw = dialogue.rep
    lang = dialogue.lang or detect_language(raw)
    lex = lexicon(lang)
    text = normalize(raw)
    client = normalize(dialogue.client_last())
    tone_name = tone.tone(text, client, lex, lang)
    calm = tone_name == "calm"
    if lang == "zh":
        asked = chinese.read_questions(text, lex)
        form, n_q, n_open = asked.form, asked.questions, asked.open_questions
        kind = chinese.reflection(text, client, asked, lex)
        advice = tone.advice(text, client, lex, lang)
        asked_sentences = asked.sentences
        rhetorical = tone_name == "sarcasm" or (
            tone_name in ("veiled_threat", "threat") and asked.check_only
        )
    else:
        form, n_q, n_open, kind, advice, asked_sentences = _english(text, client, lex)
        # English advice is read per sentence by `english` (the client's own words excluded).
        rhetorical = tone_name == "sarcasm"
    if rhetorical and form != "none":
        form, n_q, n_open, asked_sentences = "none", 0, 0, ()
    if tone_name == "sarcasm" and kind in ("simple", "complex", "parrot"):
        kind = "none"  # a mocking echo is read by its tone
    step = _proposal(text, tone_name, lex, lang)
    if tone_name == "threat":
        # An ultimatum names a deadline and a step, never a partner: it is no agreed next step.
        step = Proposal(step.date, False, step.action, step.payment)
    reply: ReplyKind = "other"
    if dialogue.next_client is not None and (_requests(text, form, tone_name, step) or advice):
        reply = read_reply(dialogue.next_client, lang)
    n_units = units(text)
    low = text.lower()
    asks = _asks_about(asked_sentences, lex, lang, dialogue.fact_keywords)
    empathy = tone.empathy(text, lex, lang, calm)
    rule = tone.cites_rule(text, client, lex, lang)
    substantive = bool(n_q or asks or empathy or kind != "none" or rule or step.date)
    filler_heavy = has(low, lex.filler, lang) and n_units < 20
    introduce = has(low, lex.introduce, lang)
    return Reading(
        lang=lang,
        units=n_units,
        question_form=form,
        questions=n_q,
        open_questions=n_open,
        asks_about=asks,
        touched=_touched(text, lex, lang) | asks,
        reflection_kind=kind,
        empathy=empathy,
        apology=tone.apology(text, lex, lang, calm),
        tone=tone_name,
        advice=advice,
        cites_rule=rule,
        next_step=step,
        reply=reply,
        courtesy=has(low, lex.courtesy, lang),
        introduce=introduce,
        purpose=has(low, lex.purpose, lang),
        payment_ask=has(low, lex.payment_ask, lang),
        value=has(low, lex.value, lang) and calm,
        meta=has(low, lex.meta, lang),
        injection=addressed_to_grader(raw),
        vague=not substantive and not introduce and (n_units < 6 or filler_heavy),
        directive=advice or tone_name == "pressure",
        small_talk=case_talk.small_talk(
            asked_sentences,
            normalize(dialogue.client_said()),
            client,
            lex,
            lang,
            tuple(w for ws in dialogue.fact_keywords.values() for w in ws),
        ),
        names_case=has(low, lex.case_talk.markers, lang),
        takes_up=case_talk.takes_up(text, normalize(dialogue.client_said()), lex, lang),
        fact_finding=min(n_q - n_open, case_talk.seeks_content(asked_sentences, lex, lang)),
    )


def clause_count(text: str) -> int:
    """How many clauses a turn has (used to size quotes)."""
    return len(clauses(text))
