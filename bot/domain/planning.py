"""The planning rules that read the conversation, not one word: objections that follow what the
rep did, facts the rep already names, rules cited at the client, and when time runs short.

`engine.plan_turn` calls these; they take the reading of the turn (`Cues`) as it is.
"""

from __future__ import annotations

import itertools
import re
from typing import Literal

from bot.domain.cues import Cues, sentences
from bot.domain.facts import FactKey
from bot.domain.scenario import Objection, Scenario
from bot.domain.session import ClientState

CLOSED_REVEALS_PER_STAGE = 2
RAPPORT = ("empathy", "reflection", "open_question")
_EN_WORD = re.compile(r"[a-z][a-z-]{3,}")


def _han(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff]", "", text)


def _grams(text: str, n: int) -> set[str]:
    han = _han(text)
    return {han[i : i + n] for i in range(len(han) - n + 1)}


def _pairs(text: str) -> set[tuple[str, str]]:
    words = _EN_WORD.findall(text.lower())
    return set(itertools.pairwise(words))


def named_facts(scenario: Scenario, text: str) -> list[FactKey]:
    """Facts the rep shows they already know: a marker, or the case's own words for it
    (「数字城管二期」 names the project a rep read in the brief)."""
    found: list[FactKey] = []
    for key, fact in scenario.facts.items():
        if scenario.language == "zh":
            shared = bool(_grams(fact.value, 4) & _grams(text, 4))
            if key == "project" and not shared:
                # 「办税厅那批智能终端」 names 「办税服务厅智能办税终端项目」 in other order
                own = _grams(fact.value, 2) - _grams(_agency(scenario), 2)
                shared = len(own & _grams(text, 2)) >= 3
        else:
            shared = bool(_pairs(fact.value) & _pairs(text))
            if key == "project" and not shared:
                # «the tributary stations account» names «the tributary … network, 24 stations»
                from bot.reading.english import content

                common = {w for w in content(fact.value) & content(text) if len(w) >= 5}
                shared = len(common) >= 2
        if shared or any(m.lower() in text.lower() for m in fact.markers):
            found.append(key)
    return found


def _echo(text: str, heard: str, lang: str) -> float:
    """How much of the rep's wording is the client's own, played back."""
    if lang == "zh":
        mine, theirs = _grams(text, 2), _grams(heard, 2)
    else:
        mine = set(_EN_WORD.findall(text.lower()))
        theirs = set(_EN_WORD.findall(heard.lower()))
    return len(mine & theirs) / len(mine) if mine else 0.0


def rule_cited(cues: Cues, text: str, heard: str) -> bool:
    """The rep cites a rule at the client: a regulation read in the turn, said as a statement,
    and not mostly the client's own words played back (「明年的预算」 echoed is not a lecture)."""
    if not cues.regulation:
        return False
    statements = [s for s in sentences(text, cues.lang) if not s.rstrip().endswith(("？", "?"))]
    return bool(statements) and _echo(text, heard, cues.lang) < 0.5


def triggers(cues: Cues, text: str, heard: str) -> set[str]:
    """Which objection triggers this turn fires, by what the rep did."""
    fired = {"any"}
    if cues.payment_ask:
        fired.add("payment_ask")
    if cues.pressure or cues.threat:
        fired.add("pressure")
    if rule_cited(cues, text, heard):
        fired.add("regulation")
    return fired


def _apology_answers(objection: Objection) -> bool:
    """An apology answers push-back about the company's own conduct (raised on a payment ask)."""
    return objection.trigger == "payment_ask" or "apology" in objection.resolved_by


def preempted(scenario: Scenario, state: ClientState, cues: Cues, fired: set[str]) -> str | None:
    """An objection the rep's apology or admission has already answered before it was raised."""
    owned = cues.apology or "apology" in state.stage_seen
    if not owned:
        return None
    for objection in scenario.objections:
        done = objection.id in state.objections_raised
        if not done and objection.trigger in fired and _apology_answers(objection):
            return objection.id
    return None


def addresses(
    objection: Objection, state: ClientState, cues: Cues, text: str, adjacent: bool = True
) -> bool:
    """Whether the turn is about this objection: on its words, owning it, or (`adjacent`)
    answering it right after it was raised."""
    if cues.apology and _apology_answers(objection):
        return True
    if adjacent and state.last_objection == objection.id:
        return True
    if cues.lang == "zh":
        return len(_grams(objection.says, 2) & _grams(text, 2)) >= 4
    if _pairs(objection.says) & _pairs(text):
        return True
    from bot.reading.english import content

    # «data you can defend … bad readings» answers «readings … data I can't trust»
    return len({w for w in content(objection.says) & content(text) if len(w) >= 4}) >= 2


def settled(scenario: Scenario, state: ClientState, cues: Cues, text: str) -> str | None:
    """The open objection this turn settles, by behaviour that addresses it."""
    kinds = set(cues.kinds()) | ({"apology"} if cues.apology else set())
    for objection in scenario.objections:
        if objection.id not in state.open_objections():
            continue
        behaviour = kinds & (set(objection.resolved_by) - {"next_step"})
        if behaviour and addresses(objection, state, cues, text):
            return objection.id
        if cues.apology and addresses(objection, state, cues, text):
            return objection.id  # 「对不起，我刚才太急了」 right after 「你是来吵架的？」
        # a date proposal settles only when it is about the objection, not merely after it;
        # a remedy offered for what the client raised (「我把等保测评报告送给信息中心」 to a
        # doubt about data security) answers it whatever the scenario lists
        offer = cues.proposes_next_step or cues.has_action
        calm = not (cues.pressure or cues.threat)
        if offer and calm and addresses(objection, state, cues, text, adjacent=False):
            return objection.id
        # an open question about the concern right after it is raised (「哪些地方还让您不太
        # 满意？」) is listening, not dodging; a question about the money is not
        exploring = cues.open_question and not cues.payment_ask and calm
        listening = {"empathy", "reflection", "open_question"} & set(objection.resolved_by)
        if exploring and listening and state.last_objection == objection.id:
            return objection.id
    return None


def interrogated(state: ClientState, cues: Cues, told: int = 0) -> bool:
    """A bare closed question from a rep who has shown no interest in the person: after a
    couple of facts given that way, the client stops answering them."""
    bare = cues.question and not cues.open_question and not (cues.empathy or cues.reflection)
    rapport = any(k in state.stage_seen for k in RAPPORT)
    return bare and not rapport and state.closed_reveals + told >= CLOSED_REVEALS_PER_STAGE


def gate_seen(
    scenario: Scenario, state: ClientState, cues: Cues, named: tuple[FactKey, ...]
) -> frozenset[str]:
    """What a gatekeeper counts as shown, by meaning: courtesy and a word of understanding
    serve each other (「打扰了」, 「辛苦了，我能理解」), and naming the project or the payment
    says what the visit is for."""
    seen = set(state.stage_seen) | set(cues.kinds())
    if state.stage < len(scenario.stages) - 1:
        if seen & {"courtesy", "empathy"}:
            seen |= {"courtesy", "empathy"}
        if named or state.named or cues.payment_ask or cues.topics:
            seen.add("purpose")
    return frozenset(seen)


def _case_text(scenario: Scenario) -> str:
    b = scenario.brief
    return " ".join((scenario.title, scenario.summary, b.client, b.history, *b.known, b.goal))


def about_the_case(scenario: Scenario, cues: Cues, text: str) -> bool:
    """Whether a turn speaks of the case at all: the project, the payment, a fact's topic, or
    the brief's own words (「办税厅那 16 台终端」). Small talk that happens to say 「……的事」
    (「孩子上学的事」) states no purpose for the visit."""
    if cues.payment_ask or cues.topics or cues.touched or named_facts(scenario, text):
        return True
    from bot.reading.lexicon import lexicon

    # the reader's purpose words but its loosest (「……的事」, 「为了」, "about the")
    loose = ("的事", "为了", "关于", "about the", "regarding")
    words = [w for w in lexicon(lex_lang(scenario.language)).purpose if w not in loose]
    if any(w.lower() in text.lower() for w in words):
        return True
    case = _case_text(scenario)
    if scenario.language == "zh":
        title = len(_grams(scenario.title, 2) & _grams(text, 2)) >= 2
        return title or len(_grams(case, 3) & _grams(text, 3)) >= 2
    from bot.reading.english import content

    people = content(" ".join(s.persona.name for s in scenario.stages))
    mine = {w for w in content(text) if len(w) >= 5} - people
    return len(mine & content(case)) >= 2


def gate_missing(scenario: Scenario, seen: frozenset[str], stage: int) -> list[str]:
    """What a gatekeeper still wants to hear, in the order it would ask."""
    advance = scenario.stages[stage].advance
    return [n for n in advance.needs if n not in seen] if advance else []


def warn_now(scenario: Scenario, state: ClientState, patience_left: int) -> bool:
    """Time to say the meeting is nearly over: one turn of patience or budget left."""
    budget_left = scenario.turn_budget - (state.rep_turns + 1)
    return not state.warned and (patience_left == 1 or budget_left == 1)


_WHO = re.compile(r"谁|哪位|哪个领导|哪个科室|\bwho(?:m|se)?\b", re.IGNORECASE)
_ASKING = re.compile(
    r"什么|啥|谁|哪|怎么|怎样|如何|多少|几|\b(?:what|who|whom|whose|which|how|when|where|why)\b",
    re.IGNORECASE,
)
# a clause ends at a comma, or at an «and» that starts another question («…, and who signs?»),
# not inside «between us and final acceptance»
_CLAUSE = re.compile(
    r"[,，;；:：]|\band\b(?=\s+(?:what|who|whom|how|when|where|which|why|is|are|do|does|did|"
    r"can|could|will|would|should)\b)",
    re.IGNORECASE,
)
PERSON_FACTS: frozenset[FactKey] = frozenset({"acceptance_person", "payment_owner"})


def _touches(clause: str, lang: str) -> set[FactKey]:
    from bot.reading.lexicon import lexicon  # the reader's topic words, not a second list
    from bot.reading.text import has

    lex = lexicon("zh" if lang == "zh" else "en")
    low = clause.lower()
    return {
        k
        for k, topic in lex.topics.items()
        if has(low, (*topic.strong, *topic.weak), lex_lang(lang))
    }


def lex_lang(lang: str) -> Literal["zh", "en"]:
    return "zh" if lang == "zh" else "en"


def asking_clauses(cues: Cues, text: str) -> list[str]:
    """The clauses of a turn's questions that carry a question word (the ask, not its
    context: «After sign-off, | how does the money get to us?»)."""
    found: list[str] = []
    for sentence in sentences(text, cues.lang):
        if not _ASKING.search(sentence) and not sentence.rstrip().endswith(("？", "?")):
            continue
        parts = [p for p in _CLAUSE.split(sentence) if p.strip()]
        found += [p for p in parts if _ASKING.search(p)] or parts[-1:]
    return found


def off_focus(cues: Cues, text: str) -> set[FactKey]:
    """English topics read only from a question's context clause («After sign-off, how does
    the money get to us?» does not ask who signs off). The Chinese reader already reads
    the asking clause."""
    if cues.lang == "zh" or not cues.question:
        return set()
    touched: set[FactKey] = set()
    for clause in asking_clauses(cues, text):
        touched |= _touches(clause, cues.lang)
    if not touched:
        return set()
    return set(cues.topics) - touched


def focus_facts(cues: Cues, text: str) -> set[FactKey]:
    """What a question asks when it touches several topics only in general words: the clause
    that carries the question word («Once acceptance is signed, how does the payment move?»
    asks about the payment), and of that, a person when it asks who («Who on your team leads
    the final acceptance?» asks for the acceptance person, not the criteria)."""
    if not cues.question:
        return set()
    found: set[FactKey] = set()
    for clause in asking_clauses(cues, text):
        touched = _touches(clause, cues.lang)
        if len(touched) > 1 and _WHO.search(clause):
            touched &= PERSON_FACTS
        elif len(touched) > 1:  # what/how of acceptance or payment: the process
            touched = {k for k in touched if _TWIN.get(k) not in touched}
        if len(touched) == 1:
            found |= touched
    return found


def seeks_information(text: str, lang: str) -> bool:
    """Whether a question asks for something (who, what, how), not only checks back what the
    rep understood («So the panel signs first, right?», 「您的意思是……对吧？」)."""
    asking = [
        s
        for s in sentences(text, lex_lang(lang))
        if s.rstrip().endswith(("？", "?")) or _ASKING.search(s)
    ]
    return any(_ASKING.search(s) for s in asking)


_TWIN: dict[FactKey, FactKey] = {
    "acceptance_person": "acceptance_standard",
    "payment_owner": "payment_terms",
}


def process_twins(
    scenario: Scenario,
    cues: Cues,
    text: str,
    keys: list[FactKey],
    ranked: list[tuple[int, FactKey]],
) -> list[FactKey]:
    """Acceptance and payment each have a who and a what: a question that asks what or how
    («What has to be met before you can sign off?») about a person's topic asks the process,
    and one that only asks who («Who has the final say on the payment?») about the process
    asks the person; the scenario's own keywords for a fact (rank 0) are kept as written."""
    if not cues.question or not seeks_information(text, cues.lang):
        return keys
    clauses = asking_clauses(cues, text)
    whos = [bool(_WHO.search(c)) for c in clauses]
    if all(whos) and clauses:
        twins = {v: k for k, v in _TWIN.items()}
    elif not any(whos):
        twins = _TWIN
    else:
        return keys  # «who signs, and what is needed?» asks both
    own = {k for rank, k in ranked if rank == 0}
    return [
        twins[k] if k in twins and k not in own and twins[k] in scenario.facts else k for k in keys
    ]


def topics_named(sentence: str, lang: str) -> set[FactKey]:
    """The facts a client's sentence speaks of, by the reader's topic words (a who names the
    people), the project aside: 「材料差什么你都没弄清楚」 speaks of the acceptance standard."""
    keys = _touches(sentence, lang)
    if _WHO.search(sentence):
        keys = (keys & PERSON_FACTS) or set(PERSON_FACTS)
    return keys - {"project"}


def _agency(scenario: Scenario) -> str:
    """The client's own names for itself (agency, roles, greetings): not the project."""
    roles = [st.persona.role for st in scenario.stages]
    return " ".join([scenario.brief.client, *roles, *(st.opening for st in scenario.stages)])


def client_named_project(scenario: Scenario, state: ClientState, heard: str) -> bool:
    """Whether the official's own last words named the project (「是为智慧教室的事来的吧？」,
    «Is this about the water-quality monitoring stations?»): then an `after: project` rule
    is met; the rep need not establish what the client has just said. The agency's name
    (「区卫健委办公室」 in a clerk's greeting) is not the project."""
    if not heard or state.stage != len(scenario.stages) - 1:
        return False
    fact = scenario.facts.get("project")
    if fact is None:
        return False
    if any(m.lower() in heard.lower() for m in (*fact.markers, *fact.keywords)):
        return True
    agency = _agency(scenario)
    if scenario.language == "zh":
        return bool((_grams(fact.value, 4) - _grams(agency, 4)) & _grams(heard, 4))
    return bool((_pairs(fact.value) - _pairs(agency)) & _pairs(heard))
