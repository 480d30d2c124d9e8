"""The lexical reader: a whole `Reading` of a rep turn from word lists and sentence form.

It needs no model and is always available; the model reader falls back to it.
"""

from __future__ import annotations

import re

from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang, detect_language, units
from bot.reading import asks as chinese_asks
from bot.reading import chinese, english, tone
from bot.reading import focus as case_talk
from bot.reading.injection import addressed_to_grader
from bot.reading.lexicon import Lexicon, ReplyWords, lexicon
from bot.reading.normalize import normalize
from bot.reading.text import clauses, has, matches, sentences, shared, strip_phrases
from bot.reading.types import Dialogue, Proposal, QuestionForm, Reading, ReflectionKind, ReplyKind


def _proposal(
    text: str,
    tone_name: str,
    lex: Lexicon,
    lang: Lang,
    client: str = "",
    fact_seeking: frozenset[str] = frozenset(),
) -> Proposal:
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
        if sentence in fact_seeking:
            continue  # 「还有没有别的领导可以签？」 asks who signs; it proposes no step
        if lang == "zh" and client and shared(sentence, client, lang)[1] >= 0.6:
            continue  # the client's own sequence played back (「先解决对接，再组织验收」) is theirs
        if (
            lang == "zh"
            and has(
                strip_phrases(sentence, ("麻烦",)), (*lex.reflection.feeling, *lex.empathy), lang
            )
            and not matches(strip_phrases(sentence, p.not_dates), p.date_patterns)
        ):
            continue  # 「您心里肯定打鼓，怕又落个不懂规矩」 acknowledges; it proposes nothing
        if (
            lang == "zh"
            and sentence.startswith(lex.reflection.markers)
            and not has(
                strip_phrases(sentence, ("稳定",)),
                (*lex.reflection.attributed, *lex.reflection.firm),
                lang,
            )
        ):
            continue  # 「主任的意思是再跑三个月，稳定了才安排验收」 plays back the client's plan
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


def _own_keys(
    asked_sentences: tuple[str, ...], own: dict[FactKey, tuple[str, ...]]
) -> frozenset[FactKey]:
    """The facts a scenario names in its own words (its project's name, its people)."""
    low = " ".join(asked_sentences).lower()
    return frozenset(k for k in FACT_KEYS if any(w.lower() in low for w in own.get(k, ())))


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
    if lang == "zh":
        return _read_reply_zh(text, lex)
    defer = has(text, lex.defer, lang)
    # "can't promise" defers: a refusal word inside a deferral phrase is not a no.
    refuse = has(strip_phrases(text, lex.defer), lex.refuse, lang)
    accept = has(text, lex.accept, lang)
    if refuse and not (accept and not has(text, lex.refuse, lang)):
        return "refuse"
    if defer:
        return "defer"
    return "accept" if accept else "other"


def _read_reply_zh(text: str, lex: ReplyWords) -> ReplyKind:
    """A Chinese reply read clause by clause.

    A yes is a commitment, not a polite 好/行: a bare 好 followed by a condition or a
    postponement (「行，汛期过了你再联系我」「可以是可以，但…」) defers; a yes that carries the
    step or a time (「报告下周一给我」「下午吧」「材料你先备齐送过去没问题」) accepts even when
    the client hedges on something else after it. What follows 但/不过 decides over a courteous
    head (「可以理解你们的难处，但先付六成是不可能的」 refuses).
    """
    text = strip_phrases(text, lex.not_accept)
    parts = [c for c in re.split(r"[,，。!?！？;；…\s]+", text) if c]

    def kind(clause: str) -> tuple[bool, bool, bool, bool]:
        plain = strip_phrases(clause, lex.not_defer)
        defer = has(plain, lex.defer, "zh")
        no = strip_phrases(strip_phrases(plain, lex.defer), lex.not_refuse)
        refuse = has(no, lex.refuse, "zh") or matches(no, lex.refuse_patterns)
        accept = has(clause, lex.accept, "zh")
        # a hedge on the outcome (不敢打包票) is not a postponement of the step (回头再说)
        postpone = defer and has(strip_phrases(plain, lex.hedge), lex.defer, "zh")
        return accept, defer, refuse, postpone

    read = [kind(c) for c in parts]
    turn = next(
        (i for i, c in enumerate(parts) if i and c.startswith(lex.but)),
        next((i for i, c in enumerate(parts) if has(c, lex.condition, "zh")), None),
    )
    if turn is not None:
        head, tail = read[:turn], read[turn:]
        if any(p for *_, p in tail):
            return "defer"  # 「好，不过下周二不行，下个月再看吧」
        if any(r for _, _, r, _ in tail):
            return "refuse"
        if any(a for a, *_ in head) and not any(r for _, _, r, _ in head):
            return "defer"  # 「定时间可以，但前提是…」
    refused = any(r for _, _, r, _ in read)
    postponed = any(p for *_, p in read)
    if not postponed and any(matches(c, lex.counter_patterns) for c in parts):
        return "accept"  # 「周二不行，改周四下午吧」: a counter-time agrees to the step
    if refused and not postponed:
        return "refuse"
    if postponed:
        return "defer"
    committed = any(
        a and not d and _carries_step(parts[i], lex) for i, (a, d, _, _) in enumerate(read)
    )
    if any(d for _, d, _, _ in read):
        return "accept" if committed else "defer"
    return "accept" if any(a for a, *_ in read) else "other"


def _carries_step(clause: str, lex: ReplyWords) -> bool:
    """Whether a yes names the step or a time, not just 好/行/可以 on its own."""
    rest = strip_phrases(clause, (*lex.bare_accept, "吧", "啊", "呀", "那", "嗯"))
    return len(rest) >= 2 or has(clause, lex.go_ahead, "zh")


def _requests(text: str, tone_name: str, step: Proposal, lex: Lexicon, lang: Lang) -> bool:
    """Whether the turn asks the client for a step or a commitment (or demands one).

    A threat or a veiled threat is no request, unless it is an ultimatum whose condition is a
    payment step (「月底前不进入支付流程，我们就申请仲裁」「审计结束前还不付，我们就起诉」) or it
    comes with a demand (「必须这个月」); sarcasm asks for nothing unless it demands too.
    """
    pressing = tone.is_pressure(text, lex, lang)
    if tone_name in ("threat", "veiled_threat"):
        pays = has(text, lex.payment_ask, lang) or re.search(r"(?<![应对交])付", text) is not None
        ultimatum = (step.date and step.payment) or (has(text, lex.tone.conditions, lang) and pays)
        return ultimatum or (tone_name == "veiled_threat" and pressing)
    if tone_name == "sarcasm":
        return pressing
    return step.any or pressing


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
        earlier = normalize(
            "\n".join(line.text for line in dialogue.context if line.speaker == "rep")
        )
        kind = chinese.reflection(text, client, asked, lex, earlier)
        advice = tone.advice(text, client, lex, lang)
        if advice and kind == "simple":
            kind = "none"  # the client's words restated only to tell them what to do
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
    if (
        tone_name == "calm"
        and kind == "distorted"
        and (
            matches(text, lex.proposal.date_patterns)
            or has(
                strip_phrases(text, lex.reflection.not_firm),
                (*lex.reflection.attributed, *lex.reflection.firm),
                lang,
            )
        )
    ):
        # 「那就是说您答应下个月一定付了」: a commitment assumed in the client's name pushes
        tone_name, calm = "pressure", False
    if tone_name == "sarcasm" and kind in ("simple", "complex", "parrot"):
        kind = "none"  # a mocking echo is read by its tone
    context = "\n".join(line.text for line in reversed(dialogue.context))
    fact_seeking = (
        frozenset(
            sentence
            for sentence in asked_sentences
            if not has(sentence, lex.asks.request_forms, lang)
            and chinese_asks.asks_about((sentence,), text, client, normalize(context), lex)
        )
        if lang == "zh"
        else frozenset()
    )
    step = _proposal(text, tone_name, lex, lang, client, fact_seeking)
    if tone_name == "sarcasm":
        step = Proposal()  # mockery puts no step on the table
    if tone_name == "threat":
        # An ultimatum names a deadline and a step, never a partner: it is no agreed next step.
        step = Proposal(step.date, False, step.action, step.payment)
    reply: ReplyKind = "other"
    if dialogue.next_client is not None and (_requests(text, tone_name, step, lex, lang) or advice):
        reply = read_reply(dialogue.next_client, lang)
    n_units = units(text)
    low = text.lower()
    if lang == "zh":
        asks = frozenset(
            chinese_asks.asks_about(asked_sentences, text, client, normalize(context), lex)
        ) | _own_keys(asked_sentences, dialogue.fact_keywords)
    else:
        asks = _asks_about(asked_sentences, lex, lang, dialogue.fact_keywords)
    empathy = tone.empathy(text, lex, lang, calm)
    if lang == "zh" and calm:
        if kind == "parrot" and has(text, lex.reflection.empty_formulas, lang):
            empathy = (
                False  # 「您的难处我理解，我理解。」 names the difficulty and says nothing of it
            )
        elif kind == "complex" and has(text, lex.strain, lang) and "您" in text:
            empathy = True  # the client's unspoken strain put into words is recognition
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
