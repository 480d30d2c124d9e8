"""Questions and reflections in a Chinese turn, read sentence by sentence.

A question is read from its form: a question mark, a final particle (吗/呢/不/没), a question
word that is not used indefinitely (「出点什么问题」 is not a question), or an imperative ask
(「说说…」「给个准话」). A reflection is judged against what the client actually said: the
share of the rep's content that comes from the client's last turn, whether it adds a feeling
or stake (complex), copies it nearly verbatim or is an empty formula (parrot), or hardens the
client's hedges, changes their numbers, minimises or accuses (distorted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reading.lexicon import Lexicon
from bot.reading.text import clauses, has, matches, numbers, sentences, shared, strip_phrases
from bot.reading.types import QuestionForm, ReflectionKind

_QUOTE_MARKS = '“”"「」『』'


@dataclass(frozen=True)
class Asked:
    """The questions of a turn."""

    form: QuestionForm = "none"
    questions: int = 0
    open_questions: int = 0
    sentences: tuple[str, ...] = ()
    check_only: bool = True


# 「怎么样都可以」「什么都行」: a wh-word under 都/也 is "any", not a question word.
_INDEFINITE = re.compile(r"(?:什么|怎么样|怎么|哪|谁|多少)[^,。!?]{0,4}(?:都|也)")
# 「怎么投的重要参考」: a wh-clause modifying a noun is no question.
_MODIFIER = re.compile(r"(?:怎么|什么|哪|为什么)[^,。!?、]{0,4}的[^,。!?]{1,8}$")


def _embedded(sentence: str, lex: Lexicon) -> bool:
    """A wh-word inside a statement (「公司会怎么处理我就管不了了」「这个项目怎么处理，会上领导
    会定」): no question mark, no final particle, and the wh-clause is followed by more."""
    if "?" in sentence:
        return False
    q = lex.question
    core = strip_phrases(sentence, q.not_question).rstrip("。!,~～ ")
    if core.endswith((*q.final_particles, *q.closed_check, "呀", "啊", "嘛")) or has(
        core, (*q.imperative, "请问", "还是"), "zh"
    ):
        return False
    if _INDEFINITE.search(core) or _MODIFIER.search(core):
        return True
    parts = clauses(core)
    if len(parts) < 2 or has(parts[-1], q.anywhere, "zh"):
        return False
    return any(has(c, q.anywhere, "zh") for c in parts[:-1])


def _is_question(sentence: str, lex: Lexicon) -> bool:
    q = lex.question
    core = strip_phrases(sentence, q.not_question)
    body = core.rstrip("。!,~～ 🙂😂🙏👍[]捂脸哈")
    if not body:
        return False
    if has(core, q.rhetorical, "zh"):
        return False
    if sentence.rstrip().endswith("?") or "?" in sentence:
        return True
    if _embedded(sentence, lex):
        return False
    if re.search(r"是[^,。!?]{1,14}还是", core):
        return True  # 「您那边是按一期验收还是二期验收呀」: a choice asked without a mark
    if body.endswith((*q.final_particles, *q.closed_check)) or has(core, q.imperative, "zh"):
        return True
    if has(core, q.conditional, "zh"):
        return False
    return has(core, q.anywhere, "zh")


def asks_for_information(sentence: str, lex: Lexicon) -> bool:
    """A wh-question (who, what, how): it asks for a fact, it does not propose a step."""
    wh = ("什么", "啥", "谁", "哪", "怎么", "咋", "多少", "几", "何时", "多久", "为什么")
    return _is_question(sentence, lex) and has(
        strip_phrases(sentence, lex.question.not_question), wh, "zh"
    )


def _is_open(sentence: str, lex: Lexicon) -> bool:
    q = lex.question
    sentence = strip_phrases(sentence, q.not_question)
    if has(sentence, q.open, "zh"):
        # 「怎么样」 closing a proposal asks for a yes.
        tags = ("您看怎么样", "你看怎么样", "这样怎么样", "您看如何", "你看如何")
        return not (
            has(sentence, tags, "zh") and not has(strip_phrases(sentence, tags), q.open, "zh")
        )
    return False


def read_questions(text: str, lex: Lexicon) -> Asked:
    """Count the questions of a turn and decide none/closed/open."""
    asked = [s for s in sentences(text, "zh") if _is_question(s, lex)]
    opened = [s for s in asked if _is_open(s, lex)]
    form: QuestionForm = "open" if opened else ("closed" if asked else "none")
    check_only = all(
        s.rstrip("?。! ").endswith(lex.question.closed_check) and not _is_open(s, lex)
        for s in asked
    )
    return Asked(form, len(asked), len(opened), tuple(asked), check_only)


def _hardens(rep: str, client: str, lex: Lexicon) -> bool:
    """The rep states firmly what the client only hedged (可能 → 答应, 一半 → 主要)."""
    r = lex.reflection
    rep = strip_phrases(rep, r.not_firm)
    firm_new = [w for w in r.firm if w in rep and w not in client]
    return bool(firm_new) and has(client, r.hedges, "zh")


def _misheard(rep: str, client: str, known: str = "") -> bool:
    """A number the rep attributes to the client that the client never said (a number the rep
    already named earlier, 「尾款七十万」, is the case, not a mishearing)."""
    mine, theirs = numbers(rep) - numbers(known), numbers(client)
    return bool(theirs) and bool(mine - theirs) and not (numbers(rep) & theirs)


def reflection(
    text: str, client: str, asked: Asked, lex: Lexicon, known: str = ""
) -> ReflectionKind:
    """What kind of reflection the turn holds, judged against the client's last words."""
    r = lex.reflection
    if not client.strip():
        return "none"
    best: ReflectionKind = "none"
    order = ("none", "parrot", "simple", "complex")
    for sentence in sentences(text, "zh"):
        kind = _sentence_reflection(sentence, client, asked, lex, known)
        if kind == "distorted":
            return "distorted"
        if order.index(kind) > order.index(best):
            best = kind
    if best in ("none", "parrot") and has(text, r.empty_formulas, "zh"):
        return "parrot"  # 「您的意思我明白」: points at the client's words, carries none of them
    return best


def _addressed(sentence: str) -> bool:
    """Whether a sentence is about the client's side (您, 大家, 换谁, the office)."""
    return any(w in sentence for w in ("您", "你", "大家", "换谁", "局里", "科里", "谁都"))


def _about_self(sentence: str) -> bool:
    """Whether a sentence is the rep speaking of their own side (我找…, 我们公司…)."""
    return sentence.startswith(("我", "咱们公司", "本公司"))


def _sentence_reflection(
    sentence: str, client: str, asked: Asked, lex: Lexicon, known: str = ""
) -> ReflectionKind:
    r = lex.reflection
    marked = has(sentence, r.markers, "zh")
    body = strip_phrases(sentence, (*r.markers, *r.empty_formulas))
    body = body.strip(_QUOTE_MARKS + ",。!?:;….、 ")
    if not body or set(body) <= set("嗯好的行对是哦明白理解收到我您你"):
        return "parrot" if marked else "none"  # 「您的意思是……我理解您……」 says nothing
    if _interprets(sentence, client, lex) or (
        shared(body, client, "zh")[0] >= 1 and _firms_up(sentence, client, lex)
    ):
        return "distorted"  # a reading or a commitment the client never gave
    p = lex.proposal
    if matches(body, p.date_patterns) and has(body, p.actions, "zh") and not marked:
        return "none"  # 「我们今天就签」 puts the rep's own step forward; it plays nothing back
    if not marked and _about_self(body) and not _addressed(body):
        return "none"  # 「我找王科长」 answers 「您找哪位？」 with the rep's own errand
    count, mine, theirs = shared(body, client, "zh")
    is_question = sentence in asked.sentences
    tagged = sentence.rstrip("?。! ").endswith(lex.question.closed_check)
    if is_question and not tagged and not marked:
        return "none"  # a question quoting the client to clarify is not a reflection
    firm = has(strip_phrases(body, r.not_firm), r.firm, "zh") or has(body, r.accusation, "zh")
    if marked and firm and count >= 1 and (has(client, r.hedges, "zh") or mine < 0.5):
        return "distorted"
    if marked and is_question and mine < 0.34 and _puts_words(body, client, lex):
        return "distorted"  # 「您是说局长不想付这笔钱了？」: words put in the client's mouth
    if (
        marked
        and count == 0
        and has(strip_phrases(body, r.not_firm), (*r.firm, *r.attributed), "zh")
    ):
        return "distorted"  # 「您是说局长已经答应这周就付款了」 after 「先把发票开过来」
    if count >= 1 and has(body, r.minimisers, "zh") and not has(client, r.minimisers, "zh"):
        return "distorted"  # 「一个小时而已嘛」: the client's trouble made small
    feeling = [w for w in r.feeling if w in body and w not in client]
    echoes = count >= r.min_shared and (mine >= r.echo_share or count >= r.min_shared + 1)
    if not (echoes or (marked and count >= 1)):
        if _interprets(sentence, client, lex):
            return "distorted"  # 「意思就是…压根不打算给了呗」: a reading the client never gave
        if feeling and _addressed(sentence) and (not is_question or tagged):
            return "complex"  # the unspoken feeling or stake, in the rep's own words
        return "none"
    if (
        _hardens(body, client, lex)
        or _misheard(body, client, known)
        or has(body, r.accusation, "zh")
        or (has(body, r.minimisers, "zh") and not has(client, r.minimisers, "zh"))
    ):
        return "distorted"
    if _interprets(sentence, client, lex) or _firms_up(sentence, client, lex):
        return "distorted"
    if feeling and (not is_question or tagged):
        return "complex"
    if mine >= r.parrot_share and theirs >= 0.4:
        return "parrot"
    if _copies(body, client):
        return "parrot"  # 「今年真拿不出来，好，我知道了」: the client's clause handed back
    if has(body, r.springboard, "zh"):
        return "none"  # 「统筹考虑可不行」: the client's words as a springboard for a counter
    return "simple"


def _copies(body: str, client: str) -> bool:
    """Every clause that echoes the client is a near-verbatim copy of the client's words."""
    echoing = [c for c in clauses(body) if shared(c, client, "zh")[0] >= 1]
    return bool(echoing) and all(
        shared(c, client, "zh")[1] >= 0.85 and shared(c, client, "zh")[0] >= 2 for c in echoing
    )


def _puts_words(body: str, client: str, lex: Lexicon) -> bool:
    """A check-back in the rep's own words counts against listening only when it puts
    something in the client's mouth: a negation the client did not voice (「您是觉得我们的
    设备质量不行？」 after 「用着还行」), a firm commitment, or a charge. A paraphrase with an
    inference («复核小组看到整改报告和现场效果才能签，对吧？» after 「复核也得他签字…东西一定
    要备齐」) is a complex reflection offered for correction, not a distortion."""
    r = lex.reflection
    # a refusal or a negative judgement the client did not voice (不行, 不想付, 没打算); the
    # check-back's own tag (对不对, 是不是) does not count, nor a worry named for the client
    # (「您也不想评审前出岔子」)
    plain = strip_phrases(body, lex.question.closed_check)
    denial = any(w in plain and w not in client for w in r.denials)
    loose = strip_phrases(body, r.not_firm)
    return (
        denial
        or has(loose, (*r.firm, *r.attributed), "zh")
        or has(body, (*r.accusation, *r.charged), "zh")
    )


def _interprets(sentence: str, client: str, lex: Lexicon) -> bool:
    """An interpretive opener carrying an accusation or a hardening the client never voiced
    (「按您这意思，退回来就是我们活该？」「那就是要推翻合同了呗」)."""
    r = lex.reflection
    if not has(sentence, r.interpretive, "zh"):
        return False
    charged = [w for w in (*r.accusation, *r.charged) if w in sentence and w not in client]
    return bool(charged)


def _firms_up(sentence: str, client: str, lex: Lexicon) -> bool:
    """A hedged or open-ended date turned into a commitment the client is said to have made
    (「下周吧」 → 「那下周一您就把款付了」; 「下周三之后」 → 「那就下周三验收」)."""
    r = lex.reflection
    if not matches(sentence, lex.proposal.date_patterns):
        return False
    if has(sentence, r.attributed, "zh") and has(client, (*r.hedges, "吧"), "zh"):
        return True
    for after in r.open_ended:
        for m in re.finditer(rf"([^,。!?\s]{{2,6}}){re.escape(after)}", client):
            for size in (3, 2):
                date = m.group(1)[-size:]
                if (
                    matches(date, lex.proposal.date_patterns)
                    and date in sentence
                    and date + after not in sentence
                ):
                    return True
    return False
