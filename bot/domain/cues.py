"""What one rep message does: asks, reflects, empathises, presses, proposes a next step.

The offline client, the engine's fact rules and the deterministic metrics all read the same
`Cues`, so what the client reacted to is exactly what the scorecard counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.english_acts import Act, content, phrase_pattern, read_turn
from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang, cjk_count, detect_language, units
from bot.domain.lexicon import Lexicon, lexicon

_SENTENCE_ZH = re.compile(r"(?<=[。！？!?；;…\n])")
# Titles and "e.g." end in a full stop without ending the sentence ("Good afternoon, Dr. Liang").
_SENTENCE_EN = re.compile(
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"(?<=[.!?;\n])\s+"
)
_ZH_NOT_QUESTION = (
    "没什么",
    "不怎么",
    "什么都",
    "怎么也",
    "无论",
    "不管",
    "哪里哪里",
    "多少有",
    "几乎",
)
# 投诉 / 媒体 are threats only when the rep is the one who would complain (not when the rep
# reflects the client's own complaints).
_THREAT_ZH = re.compile(
    r"(?:我|我们|我司|我们公司)[^。！？]{0,8}(?:投诉|媒体|记者)|投诉(?:你|您)|去投诉"
)
# "我们不是来追究责任的" is reassurance, not a threat: drop negated spans before looking.
_NEGATED_ZH = re.compile(
    r"(?:不是|不会|不想|不打算|并非|绝不|无意|没打算|不至于)[^，。！？,.!?；;]{0,10}"
)
_DATE_ZH = re.compile(
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]"
    r"|(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号](?:前|之前|以前)?"
    r"|(?:下|本|这)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天]"
    r"|明天|后天|本周|下周|这周|月底|月初|月中|本月|下个月|下月|年底前|年前|节前"
    r"|\d{1,3}\s*(?:天|日|个工作日)(?:内|之内|以内)"
    r"|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}"
)
_DATE_EN = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|this week"
    r"|end of (?:the )?month|end of (?:the )?week|within \d+ (?:business |working )?days"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}"
    r"|\d{1,2}(?:st|nd|rd|th)|\d{1,2}/\d{1,2}|\d{4}-\d{1,2}-\d{1,2})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cues:
    """Everything the deterministic layer notices in one rep message."""

    lang: Lang
    units: int
    questions: int = 0
    open_questions: int = 0
    reflection: bool = False
    complex_reflection: bool = False
    advice: bool = False
    empathy: bool = False
    courtesy: bool = False
    pressure: bool = False
    threat: bool = False
    directive: bool = False
    regulation: bool = False
    introduce: bool = False
    purpose: bool = False
    payment_ask: bool = False
    value: bool = False
    has_date: bool = False
    proposal: bool = False
    has_person: bool = False
    has_action: bool = False
    meta: bool = False
    vague: bool = False
    apology: bool = False  # owns a fault or apologises (「是我们做得不到位」, "I'm sorry we")
    topics: frozenset[FactKey] = field(default_factory=frozenset)
    touched: frozenset[FactKey] = field(default_factory=frozenset)

    @property
    def question(self) -> bool:
        """At least one question was asked."""
        return self.questions > 0

    @property
    def open_question(self) -> bool:
        """At least one open question was asked."""
        return self.open_questions > 0

    @property
    def proposes_next_step(self) -> bool:
        """A concrete next step: a date, a person and an action in one sentence."""
        return self.proposal

    def kinds(self) -> frozenset[str]:
        """The named behaviours present, as used in scenario rules (`by:`, `needs:`)."""
        names = {
            "question": self.question,
            "open_question": self.open_question,
            "reflection": self.reflection,
            "empathy": self.empathy,
            "courtesy": self.courtesy,
            "pressure": self.pressure or self.threat,
            "threat": self.threat,
            "regulation": self.regulation,
            "introduce": self.introduce,
            "purpose": self.purpose,
            "payment_ask": self.payment_ask,
            "value": self.value,
            "next_step": self.proposes_next_step,
        }
        return frozenset(k for k, v in names.items() if v)


# An apology or admission of the company's fault; a negated one (「不是我们的责任」) is not.
_APOLOGY_ZH = re.compile(
    r"(?<!不是)(?:道歉|抱歉|对不起|我们的错|(?:我们|我们公司|我司|公司)(?:也)?有责任"
    r"|是我们(?:做得)?不(?:到位|对|好)|我们做得不够|我们没做好|是我们的问题|我们的问题"
    r"|当初不该|给您添麻烦|我们认|我们来担)"
)
_APOLOGY_EN = re.compile(
    r"\b(?:i'm sorry|i am sorry|we're sorry|we are sorry|i apologi[sz]e|we apologi[sz]e|apologies"
    r"|our fault|my fault|we let you down|we dropped the ball|that was on us|you're right, and)",
    re.IGNORECASE,
)


def _has(text: str, phrases: tuple[str, ...], lang: Lang) -> bool:
    """Whether any phrase occurs: substrings in Chinese, whole words in English."""
    if lang == "zh":
        return any(p in text for p in phrases)
    return phrase_pattern(phrases).search(text) is not None


def sentences(text: str, lang: Lang) -> list[str]:
    """Split a message into sentences, keeping their end punctuation."""
    splitter = _SENTENCE_ZH if lang == "zh" else _SENTENCE_EN
    return [s.strip() for s in splitter.split(text) if s.strip()]


def _zh_question(sentence: str, lex: Lexicon) -> tuple[bool, bool]:
    if sentence.endswith(("？", "?")):
        is_q = True
    else:
        core = sentence
        for phrase in _ZH_NOT_QUESTION:
            core = core.replace(phrase, "")
        is_q = any(w in core for w in lex.question_words if w not in ("么", "呢", "几"))
        is_q = is_q or core.rstrip("。！!，, ").endswith(("吗", "呢", "么"))
    if not is_q:
        return False, False
    return True, any(w in sentence for w in lex.open_question_words)


def _bigrams(text: str) -> set[str]:
    han = "".join(ch for ch in text if cjk_count(ch))
    return {han[i : i + 2] for i in range(len(han) - 1)}


def echo_share(rep: str, client: str, lang: Lang) -> tuple[int, float]:
    """How much of the rep's wording comes from the client's last turn: (shared, share)."""
    if not client:
        return 0, 0.0
    if lang == "zh":
        mine, theirs = _bigrams(rep), _bigrams(client)
    else:
        mine, theirs = content(rep), content(client)
    if not mine:
        return 0, 0.0
    shared = len(mine & theirs)
    return shared, shared / len(mine)


def _zh_acts(text: str, low: str, prev_client: str, lex: Lexicon) -> Act:
    """Questions and reflections in Chinese: marker phrases, or the client's words played back.

    Chinese has no sentence-level reader yet: advice is the directive list alone, and a
    reflection is complex only by a marker phrase (the Chinese list is still empty).
    """
    questions = open_questions = 0
    for sentence in sentences(text, "zh"):
        is_q, is_open = _zh_question(sentence, lex)
        questions += is_q
        open_questions += is_q and is_open
    reflection = _has(low, lex.reflection_markers, "zh")
    if not reflection:
        shared, share = echo_share(text, prev_client, "zh")
        reflection = shared >= 3 and share >= 0.3 and ("您" in text or "你" in text)
    complex_reflection = reflection and _has(low, lex.complex_markers, "zh")
    return Act(
        questions, open_questions, reflection, complex_reflection, _has(low, lex.directive, "zh")
    )


def analyze(text: str, prev_client: str = "", lang: Lang | None = None) -> Cues:
    """Read one rep message (and the client's turn before it) into cues."""
    lang = lang or detect_language(text)
    lex = lexicon(lang)
    low = text.lower()
    n_units = units(text)
    if lang == "zh":
        acts = _zh_acts(text, low, prev_client, lex)
    else:
        acts = read_turn(text, prev_client, lex)
    topics = frozenset(k for k in FACT_KEYS if _has(low, lex.topics_strong[k], lang))
    touched = topics | frozenset(k for k in FACT_KEYS if _has(low, lex.topics_weak[k], lang))
    asserted = _NEGATED_ZH.sub("", low) if lang == "zh" else low
    threat = _has(asserted, lex.threat, lang) or (
        lang == "zh" and bool(_THREAT_ZH.search(_NEGATED_ZH.sub("", text)))
    )
    directive = _has(low, lex.directive, lang)
    pressure = (
        threat or _has(low, lex.pressure, lang) or (directive and _has(low, lex.payment_ask, lang))
    )
    reflection = not pressure and acts.reflection
    empathy = not threat and _has(low, lex.empathy, lang)
    value = _has(low, lex.value, lang)
    regulation = _has(low, lex.regulation, lang)
    introduce = _has(low, lex.introduce, lang)
    purpose = _has(low, lex.purpose, lang)
    date_re = _DATE_ZH if lang == "zh" else _DATE_EN
    has_date = bool(date_re.search(text))
    proposal = any(
        date_re.search(s)
        and _has(s.lower(), lex.action, lang)
        and _has(s.lower(), lex.person, lang)
        for s in sentences(text, lang)
    )
    substantive = (
        acts.questions or topics or empathy or reflection or value or regulation or has_date
    )
    filler_heavy = _has(low, lex.filler, lang) and n_units < 20
    return Cues(
        lang=lang,
        units=n_units,
        questions=acts.questions,
        open_questions=acts.open_questions,
        reflection=reflection,
        complex_reflection=reflection and acts.complex_reflection,
        advice=acts.advice or pressure,
        empathy=empathy,
        courtesy=_has(low, lex.courtesy, lang),
        pressure=pressure,
        threat=threat,
        directive=directive,
        regulation=regulation,
        introduce=introduce,
        purpose=purpose,
        payment_ask=_has(low, lex.payment_ask, lang),
        value=value,
        has_date=has_date,
        proposal=proposal,
        has_person=_has(low, lex.person, lang),
        has_action=_has(low, lex.action, lang),
        meta=_has(low, lex.meta, lang),
        vague=not substantive and not introduce and (n_units < 6 or filler_heavy),
        apology=bool((_APOLOGY_ZH if lang == "zh" else _APOLOGY_EN).search(text)),
        topics=topics,
        touched=touched,
    )
