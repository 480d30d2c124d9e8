"""What the realism harness counts in one played session: content, repeats and contradictions.

Every count reads the client's words against the scenario and the engine's state, so the same
checks apply to the offline client and to a model voicing the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.engine import TurnPlan
from bot.domain.facts import FactKey
from bot.domain.scenario import Scenario
from bot.domain.session import ClientState, EndReason

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_ZH_TITLE = re.compile(
    r"([\u4e00-\u9fff])(副局长|局长|局|科长|主任|校长|院长|处长|书记|股长|会计|工|老师)"
)
_ZH_NUMBER = re.compile(
    r"\d+(?:\.\d+)?\s*(?:万|元|%|月|号|日|路|所|间|天|个)|[一二三四五六七八九十百两]+(?:万|路|所|间|天|号)"
)
_EN_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:T-\d+)\b")
_EN_NAME = re.compile(r"\b(?:Dr\.|Mr\.|Ms\.|Engineer|Director) [A-Z][a-z]+(?: [A-Z][a-z]+)?")
_QUOTED = re.compile(r"[「《]([^」》]{2,14})[」》]")
ALREADY = re.compile(
    r"刚才(?:不是)?(?:已经)?(?:说|讲)过|前面说了|我说过了"
    r"|already told|I said|as I said|I've told you",
    re.IGNORECASE,
)
WARNING = re.compile(
    r"抓紧|时间不多|只剩|最后(?:一个|几)|长话短说|还有个会|要走了|快到点|得走了|说重点"
    r"|running out of time|few (?:more )?minutes|wrap (?:this )?up|last question"
    r"|have to (?:go|leave)"
    r"|another meeting|keep it short|short on time|one more minute",
    re.IGNORECASE,
)


# The client says the rep has not got something yet: 「你都没弄清楚」, 「先把……说清楚」, "you
# don't even know who is responsible". A contradiction when the client has already told it.
DEMAND = re.compile(
    r"没(?:弄|搞|摸)清楚|还没(?:说|讲|捋|理)(?:清楚|顺)|得先(?:告诉我|说清)|谁负责什么|你连"
    r"|先把[^。！？]{1,16}(?:说|弄|摸|搞)清楚"
    r"|don't (?:even |yet )?know|haven't (?:even |yet )?(?:covered|sorted)|first tell me"
    r"|find out how",
    re.IGNORECASE,
)
_WHO = re.compile(r"谁|哪位|\bwho\b|responsible", re.IGNORECASE)


def demanded(sentence: str, lang: str) -> set[FactKey]:
    """The facts a demanding sentence says the rep lacks (by the reader's topic words)."""
    from bot.reading.lexicon import lexicon
    from bot.reading.text import has

    lex = lexicon("zh" if lang == "zh" else "en")
    low = sentence.lower()
    keys = {
        k
        for k, topic in lex.topics.items()
        if has(low, (*topic.strong, *topic.weak), "zh" if lang == "zh" else "en")
    }
    if _WHO.search(sentence):
        keys = (keys & {"acceptance_person", "payment_owner"}) or {
            "acceptance_person",
            "payment_owner",
        }
    return keys - {"project"}


def _grams(text: str, n: int) -> set[str]:
    han = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {han[i : i + n] for i in range(len(han) - n + 1)}


def scenario_text(s: Scenario) -> str:
    """Everything the scenario says, as one text."""
    parts = [s.brief.client, s.brief.history, *s.brief.known, s.brief.goal]
    for stage in s.stages:
        parts += [stage.persona.name, stage.persona.role, stage.opening]
        parts += [line for lines in stage.lines.values() for line in lines]
        if stage.advance:
            parts.append(stage.advance.line)
    for fact in s.facts.values():
        parts += [fact.value, fact.reveal]
    for objection in s.objections:
        parts += [objection.says, objection.settled]
    parts += [s.commitment.accept, s.commitment.decline]
    return "\n".join(parts)


def case_text(s: Scenario) -> str:
    """The case itself (brief, facts, objections): where a scenario's own words come from."""
    parts = [s.brief.history, *s.brief.known]
    parts += [f.value for f in s.facts.values()]
    parts += [o.says for o in s.objections]
    return "\n".join(parts)


def specific_terms(s: Scenario, others: list[Scenario], bank_text: str) -> set[str]:
    """People, amounts, dates, rules and case words that belong to this scenario alone."""
    text = scenario_text(s)
    terms: set[str] = set()
    for fact in s.facts.values():
        terms |= {m for m in fact.markers if len(m) >= 2}
        terms |= {k for k in fact.keywords if len(k) >= 2}
    terms |= {q for q in _QUOTED.findall(text) if q not in bank_text}
    if s.language == "zh":
        for stage in s.stages:
            terms.add(stage.persona.name)
        terms |= {a + b for a, b in _ZH_TITLE.findall(text) if a in _SURNAMES}
        terms |= {n.replace(" ", "") for n in _ZH_NUMBER.findall(text)}
        common = _grams(bank_text, 4).union(*(_grams(scenario_text(o), 4) for o in others))
        terms |= _grams(case_text(s), 4) - common
    else:
        for stage in s.stages:
            terms |= {w for w in re.findall(r"[A-Z][a-z]{2,}", stage.persona.name)}
        terms |= set(_EN_NAME.findall(text))
        terms |= {n for n in _EN_NUMBER.findall(text) if len(n) >= 2}
        terms |= set(
            re.findall(
                r"\b(?:January|February|March|April|May|June|July|August|"
                r"September|October|November|December)\b",
                text,
            )
        )
        terms |= set(re.findall(r"\b[a-z]+-[a-z]+\b", text)) - set(
            re.findall(r"\b[a-z]+-[a-z]+\b", bank_text)
        )
    return {t for t in terms if t.strip()}


def is_specific(reply: str, terms: set[str], lang: str) -> bool:
    """Whether a reply names something of the scenario."""
    flat = reply.replace(" ", "") if lang == "zh" else reply
    return any(t in flat for t in terms)


def sentences(text: str) -> list[str]:
    """A reply's sentences (the unit a repeated line is counted in)."""
    parts = re.split(r"(?<=[。！？!?])|(?<=\.)\s|\n", text)
    return [p.strip() for p in parts if p and _carries_content(p.strip())]


def _carries_content(sentence: str) -> bool:
    """Long enough to be a line rather than an interjection (「好的。」, "All right.", "Fine.")."""
    if sentence.isascii():
        return len(sentence.split()) >= 3
    return len(sentence) >= 5


_COUNTS = (
    "sessions", "replies", "specific", "repeated", "false_already", "reraised",
    "wrong_persona", "contradicted", "unwarned", "no_last_turn", "ignored", "demands",
)  # fmt: skip


@dataclass
class Tally:
    """Counts over one or more sessions."""

    sessions: int = 0
    replies: int = 0
    specific: int = 0
    repeated: int = 0
    false_already: int = 0
    reraised: int = 0
    wrong_persona: int = 0
    contradicted: int = 0
    unwarned: int = 0
    no_last_turn: int = 0
    ignored: int = 0  # an apology right after an objection, answered with the objection
    demands: int = 0  # the client says the rep lacks what the client already told
    ends: dict[str, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        """Fold another tally into this one."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, n in other.ends.items():
            self.ends[key] = self.ends.get(key, 0) + n


@dataclass
class Watch:
    """Checks one session turn by turn."""

    scenario: Scenario
    terms: set[str]
    tally: Tally = field(default_factory=Tally)
    said: set[str] = field(default_factory=set)
    replies: list[str] = field(default_factory=list)
    stage_start: int = 0  # index in `replies` of the current person's first reply
    settled_at: dict[str, int] = field(default_factory=dict)

    def turn(self, before: ClientState, after: ClientState, plan: TurnPlan, reply: str) -> None:
        """Count one client reply."""
        s, t = self.scenario, self.tally
        t.replies += 1
        t.specific += is_specific(reply, self.terms, s.language)
        for line in sentences(reply):
            t.repeated += line in self.said
            self.said.add(line)
        if ALREADY.search(reply):
            given = [s.facts[k] for k in before.earned]
            gist = any(m in reply for f in given for m in f.markers) or any(
                f.value[:12] in reply for f in given
            )
            t.false_already += not gist
        for objection in s.objections:
            if objection.id in before.objections_settled and objection.says in reply:
                t.reraised += 1
        if plan.objection and plan.objection in before.objections_settled:
            t.reraised += 1
        last = getattr(before, "last_objection", None)
        if getattr(plan.cues, "apology", False) and last in before.open_objections():
            t.ignored += plan.settled != last
        for key, fact in s.facts.items():
            if fact.reveal in reply and s.fact_stage(key) != before.stage:
                t.wrong_persona += 1
        known = set(before.earned) | set(before.named)
        for line in re.split(r"(?<=[。！？!?])|(?<=\.)\s", reply):
            if DEMAND.search(line):
                lacking = demanded(line, s.language)
                needed = set(s.commitment.requires_facts) or set(s.facts)
                # named facts all told, or a bare 「你先把情况摸清楚」 with everything needed told
                t.demands += (bool(lacking) and lacking <= known) or (
                    not lacking and needed <= known
                )
        committed = after.ended == EndReason.COMMITMENT
        if (s.commitment.accept in reply and not committed) or (
            committed and s.commitment.decline in reply
        ):
            t.contradicted += 1
        if after.ended in (EndReason.PATIENCE, EndReason.BUDGET):
            # warned once by the person now in the room, at any point before leaving (a
            # rambling rep may use up two or three more turns after 「你抓紧」)
            if not any(WARNING.search(r) for r in self.replies[self.stage_start :]):
                t.unwarned += 1
            needed = set(s.commitment.requires_facts)
            if needed and needed <= set(after.earned) and not needed <= set(before.earned):
                t.no_last_turn += 1
        if after.ended is not None:
            t.ends[after.ended.value] = t.ends.get(after.ended.value, 0) + 1
        self.replies.append(reply)
        if after.stage != before.stage:
            self.stage_start = len(self.replies)
