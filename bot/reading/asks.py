"""Which of the five facts a Chinese question seeks, read from its structure.

A topic word alone decides nothing: 「验收是谁负责？」 and 「验收标准是什么？」 share 验收, and the
question word picks the aspect. So a question is read as *domain* × *aspect*:

- the domain is what the question is about — acceptance (验收), payment (付款) or the project
  itself (scope, phase, contract). It is taken from the clause that carries the question word,
  else the rest of the sentence, else the rest of the turn, else what the client just said
  (「老周是哪个科的？」 after 「验收的事你找老周」 is about acceptance). When a clause names two
  domains, the one named last is the topic (「从验收完到钱付出去，要经过哪几步？」 is about
  payment; 「付款前验收还差什么？」 about acceptance).
- the aspect is what the question word asks for: a person or unit (谁/哪位/哪个科室), a time
  (什么时候/哪天), a process or method (怎么走/哪几步/分期), or contents (哪些/什么/还差/要补).

acceptance × person → acceptance_person; acceptance × contents → acceptance_standard; acceptance ×
time maps to no key (the data set's rule: when acceptance happens is a schedule, not a fact);
payment × person → payment_owner; payment × time/process/terms → payment_terms; project ×
contents/choice → project. A yes/no question counts only when it names the fact's content (a
signer: 「还有没有别的领导可以签？」; a required report: 「还要不要单独出报告？」; a schedule:
「先付六成，剩下的验收后付？」); a yes/no *request* to act (「能不能把验收报告签了？」) seeks no
fact. The words are in `data/zh.yaml` under `asks`.
"""

from __future__ import annotations

import re

from bot.domain.facts import FactKey
from bot.reading.lexicon import AskWords, Lexicon
from bot.reading.text import clauses, has, strip_phrases

Domain = str  # "acceptance" | "payment" | "project"

# 「谁签字谁就得经得起查」: 谁 … 谁 is "whoever", not a question word.
_WHOEVER = re.compile(r"谁[^,。!?谁]{1,8}谁|谁(?:也|都)")
# 「是同意还是不同意」 is a yes/no question dressed as a choice.
_YES_NO_CHOICE = re.compile(r"还是不|还是没")


def _domains(text: str, words: AskWords) -> list[Domain]:
    """The domains a text names, in the order of their last mention."""
    last: dict[Domain, int] = {}
    for name, phrases in (
        ("acceptance", words.acceptance),
        ("payment", words.payment),
        ("project", words.project),
    ):
        for p in phrases:
            at = text.rfind(p)
            if at >= 0:
                last[name] = max(last.get(name, -1), at + len(p))
    for p in words.payment_patterns:
        for m in re.finditer(p, text):
            last["payment"] = max(last.get("payment", -1), m.end())
    return sorted(last, key=lambda d: last[d])


def _topic(candidates: list[Domain], words: AskWords, text: str) -> Domain | None:
    if not candidates:
        return None
    if "project" in candidates and has(text, words.phases, "zh"):
        return "project"  # 「按一期验收还是二期验收？」 asks which phase the deal covers
    named = [d for d in candidates if d != "project"] or candidates
    return named[-1]


def _aspects(sentence: str, words: AskWords, closed: bool) -> set[str]:
    s = _WHOEVER.sub("", sentence)
    found: set[str] = set()
    person_noun = has(s, words.person_nouns, "zh") or any(
        re.search(p, s) for p in words.person_patterns
    )
    if has(s, words.person_wh, "zh") or (
        closed
        and person_noun
        and has(s, words.sign_verbs, "zh")
        and not has(s, words.request_forms, "zh")
    ):
        found.add("person")
    if has(s, words.time_wh, "zh"):
        found.add("time")
    if has(s, words.process_wh, "zh") or has(s, words.term_items, "zh"):
        found.add("process")
    content = has(strip_phrases(s, (*words.person_wh, *words.time_wh)), words.content_wh, "zh")
    if (
        content
        or has(s, words.conditions, "zh")
        or (has(s, words.ask_verbs, "zh") and _domains(strip_phrases(s, words.not_domain), words))
        or (closed and has(s, words.standard_items, "zh") and has(s, words.need, "zh"))
    ):
        found.add("contents")
    if "还是" in s and not _YES_NO_CHOICE.search(s) and not found:
        found.add("choice")
    return found


def _map(domain: Domain, aspects: set[str], sentence: str, words: AskWords) -> set[FactKey]:
    keys: set[FactKey] = set()
    if domain == "acceptance":
        if "person" in aspects:
            keys.add("acceptance_person")
        if aspects & {"contents", "process", "choice"} and (
            "person" not in aspects or has(sentence, words.standard_items, "zh")
        ):
            keys.add("acceptance_standard")
    elif domain == "payment":
        if "person" in aspects:
            keys.add("payment_owner")
        if aspects & {"time", "process"} or (
            aspects & {"contents", "choice"} and "person" not in aspects
        ):
            keys.add("payment_terms")
    elif domain == "project" and aspects & {"contents", "choice", "process"}:
        keys.add("project")
    return keys


def asks_about(
    asked: tuple[str, ...], turn: str, client: str, context: str, lex: Lexicon
) -> set[FactKey]:
    """The fact keys the asked sentences of a turn seek (see the module docstring)."""
    words = lex.asks
    keys: set[FactKey] = set()
    for sentence in asked:
        if sentence.startswith(words.reflection_openers):
            continue  # 「您是说局长不想付了？」 checks a reading of the client, it seeks no fact
        core = strip_phrases(sentence, lex.question.not_question)
        closed = not has(_WHOEVER.sub("", core), words.wh, "zh")
        if not _aspects(core, words, closed):
            if (
                closed
                and _topic(_domains(core, words), words, core) == "project"
                and not has(core, words.request_forms, "zh")
            ):
                keys.add("project")  # 「项目还好吧？」 asks how the deal stands
            continue
        rest_of_turn = turn.replace(sentence, " ")
        asking = [c for c in clauses(core) if _aspects(c, words, closed)] or [core]
        for clause in asking:
            aspects = _aspects(clause, words, closed) or _aspects(core, words, closed)
            domain: Domain | None = None
            for scope in (clause, core, rest_of_turn, client, context):
                if (
                    scope is client
                    and "contents" in aspects
                    and has(core, (*words.standard_items, *words.blockers), "zh")
                ):
                    # 「整改要做到什么程度才算合格？」「您觉得主要卡在哪？」: the rep's own words
                    # ask what must still be met, whatever the client last talked about
                    break
                scope = strip_phrases(scope, words.not_domain)
                domain = _topic(_domains(scope, words), words, scope)
                if domain is not None:
                    break
            if (
                domain is None
                and "contents" in aspects
                and (has(core, words.standard_items, "zh") or has(core, words.blockers, "zh"))
            ):
                # 「校准记录具体要补哪些？」「您觉得主要卡在哪些地方？」: what is still missing
                # before it can pass, when nothing in the dialogue names payment or the project
                domain = "acceptance"
            if domain is None and "person" in aspects and has(clause, words.sign_verbs, "zh"):
                domain = "payment"  # 「最后是哪位领导拍板签字？」: who decides is who pays
            if domain is not None:
                keys |= _map(domain, aspects, clause, words)
    return keys
