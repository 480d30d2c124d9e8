"""Which of the five facts a client turn actually tells, read from its content."""

from __future__ import annotations

import re

from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang
from bot.reading.lexicon import lexicon
from bot.reading.normalize import normalize
from bot.reading.text import has, matches

_CONCRETE = {
    "zh": re.compile(
        r"\d|[一二三四五六七八九十两]+\s*[月日号天期成]|周[一二三四五六日天]|月底|年底|开春|明年|处长|科长|"
        r"主任|局长|部长|书记|院长|[张王李赵刘陈孙周吴郑何][局科主处工]|财务|会计|出纳|经办|报告|指标|清单|"
        r"国库|集中支付|分期|验收单|签字|专家|测评|对照表|第三方|预算|额度|财政|[\w]{2,}(?:系统|平台|项目)"
    ),
    "en": re.compile(
        r"\d|monday|tuesday|wednesday|thursday|friday|director|chief|manager|finance|officer|"
        r"report|checklist|treasury|installment|committee|signed|sign-off|budget|[A-Z]{2,}-\d|"
        r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
        r"forty|sixty|ninety)\b|certificate|weeks?\b|months?\b|dr\.|mr\.|ms\.|mrs\.",
        re.IGNORECASE,
    ),
}
_CONFIRM = {
    "zh": ("对", "是", "没错", "就是", "嗯"),
    "en": ("yes", "right", "correct", "that's it"),
}


def concrete(text: str, lang: Lang) -> bool:
    """Whether a turn names something specific: a date, a person, a document, a number."""
    return bool(_CONCRETE[lang].search(normalize(text)))


def told(text: str, lang: Lang) -> frozenset[FactKey]:
    """Facts a client turn states with concrete content (「财务科李科长经办，孙局签字」)."""
    lex = lexicon(lang)
    folded = normalize(text).lower()
    if not concrete(folded, lang):
        return frozenset()
    keys = set()
    for key in FACT_KEYS:
        topic = lex.topics[key]
        if has(folded, topic.strong, lang) or matches(folded, topic.patterns):
            keys.add(key)
    owner = re.search(
        r"(?:签字|签批|审批|经办|拍板|批了|签了|说了算|管)|\b(?:signs|approves|authori[sz]es|decides)\b",
        folded,
    )
    accept = "验收" in folded or "accept" in folded
    if owner and not accept:
        keys.add("payment_owner")
    if owner and accept:
        keys.add("acceptance_person")
    return frozenset(keys)


def states_project(rep: str, reply: str, lang: Lang) -> bool:
    """The rep named the project concretely and the client took it up (confirmed or echoed).

    The project is the one fact a rep knows before the meeting; the other four must come
    from the client.
    """
    from bot.reading.text import shared

    lex = lexicon(lang).topics["project"]
    named = has(normalize(rep).lower(), (*lex.strong, *lex.weak), lang) and concrete(rep, lang)
    return named and (
        confirms(reply, lang) or shared(normalize(reply), normalize(rep), lang)[0] >= 2
    )


def confirms(text: str, lang: Lang) -> bool:
    """Whether a client turn opens by confirming what the rep just stated."""
    head = normalize(text).strip().lower()[:6]
    return any(head.startswith(w) for w in _CONFIRM[lang])
