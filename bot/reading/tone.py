"""Tone, empathy, apology, advice and rule citing: who asserts what, and whether it is echoed.

A sanction word is a threat only when the rep's side asserts it: not negated (「我们不会起诉」),
not an echo of the client's own story (「投诉都打到局里了」), not inside a question the client
asked. Veiled threats hint at a consequence; sarcasm praises to mock; pressure demands.
"""

from __future__ import annotations

import re

from bot.domain.lang import Lang
from bot.reading.lexicon import Lexicon
from bot.reading.text import clauses, found, has, matches, sentences, shared, strip_phrases
from bot.reading.types import Tone

_EN_AGENT = re.compile(
    r"\b(?:we|i)(?:'ll| will| are going to|'re going to|'m going to| shall|'d| would)\b"
    r"|\b(?:my|our) (?:company|firm|management|boss|ceo)\b"
    r"|\bour (?:lawyers?|legal|attorneys?)\b|\bor (?:else|we)\b|\botherwise\b|\bunless\b"
)
# The rep's side as the subject of what follows ("we", "I'll", "my company", "our legal team").
_EN_SELF = re.compile(
    r"\b(?:we|i|we'll|i'll|we'd|i'd|we're|i'm|we've|i've|us|me)\b"
    r"|\b(?:my|our) (?:company|firm|side|management|boss|ceo|headquarters|head office)\b"
)
# Who or what the step is aimed at: the client's failure, or the client.
_EN_GRIEVANCE = re.compile(
    r"\b(?:this|that|it|you|your (?:bureau|department|office|unit|team|agency)|the (?:matter|"
    r"delay|delays|arrears|overdue|debt|case|issue|situation|non-?payment)|non-?payment)\b"
)
_EN_NEGATED = re.compile(
    r"\b(?:not|never|no|don't|won't|wouldn't|isn't|aren't|can't|cannot|shouldn't|no intention|"
    r"no plan|nobody|rather not|hope not|hope we don't|hope it doesn't)\b|n't\b"
)


_GUESS = re.compile(r"\s+(?:be|have been|feel|seem)\b")


def _negated(clause: str, word: str, lex: Lexicon, lang: Lang) -> bool:
    at = clause.lower().find(word)
    before = clause.lower()[max(0, at - 8) : at] if at >= 0 else ""
    return has(before, lex.tone.negators, lang)


def _asserted(clause: str, word: str, client: str, lex: Lexicon, lang: Lang) -> bool:
    """Whether the rep's side says it will do `word` (not negated, not an echo)."""
    t = lex.tone
    if _negated(clause, word, lex, lang):
        return False
    # A sanction word the client just used is an echo of their story unless the rep owns it.
    echoed = word in client.lower() and (lang == "zh" or word in t.echo_sanctions)
    agent = has(clause, t.rep_side, lang) or has(clause, t.conditions, lang)
    if lang == "zh" and echoed:
        # An echoed word counts only with the rep's side right next to it: 「我们去投诉」.
        at = clause.find(word)
        near = clause[max(0, at - 10) : at]
        return any(p in near for p in ("我们", "我就", "我直接", "我去", "我要", "公司"))
    if lang == "en":
        # "you end up having to go to court" describes; "we'll take you to court" threatens.
        return _EN_AGENT.search(clause.lower()) is not None
    return agent or not echoed


def is_threat(text: str, client: str, lex: Lexicon, lang: Lang) -> bool:
    """A concrete sanction the rep's side names."""
    for clause in clauses(text) if lang == "zh" else sentences(text, lang):
        if clause.rstrip().endswith("?") and not has(clause, lex.tone.conditions, lang):
            continue
        for word in found(clause, lex.tone.sanctions, lang):
            if _asserted(clause, word.lower(), client, lex, lang):
                return True
    return False


def _inflected(verb: str) -> str:
    """A verb with its -s/-ed/-ing forms ("report" → reports, reported, reporting)."""
    head, _, rest = verb.partition(" ")
    stem = head[:-1] if head.endswith("e") else head
    forms = rf"(?:{re.escape(head)}|{re.escape(head)}s|{re.escape(stem)}ed|{re.escape(stem)}ing)"
    return forms + (rf"\s+{re.escape(rest)}" if rest else "")


def _rep_agent(before: str) -> bool:
    """Whether the rep's side is the subject right before a verb, not negated and not "you"."""
    agents = list(_EN_SELF.finditer(before))
    if not agents:
        return False
    after_agent = before[agents[-1].end() :]
    if _EN_NEGATED.search(after_agent):
        return False
    return re.search(r"\byou\b|\byou'(?:ll|d|re)\b", after_agent) is None


def escalation(text: str, client: str, lex: Lexicon) -> Tone | None:
    """English escalation read by meaning: "threat" when the rep's side says it will take a
    step aimed at the client to an authority ("we will report this to the finance bureau"),
    "veiled_threat" when its legal side is already at work or a consequence is hinted
    ("think carefully about what happens next"). Negated steps ("we would never go to
    lawyers"), reported speech ("you said your lawyers…") and questions are not threats; an
    authority the client just named counts only with the rep's side as the agent.
    """
    t = lex.tone
    found_tone: Tone | None = None
    for sentence in sentences(text, "en"):
        low = sentence.lower().replace("’", "'").strip()
        if low.endswith("?") and not has(low, t.conditions, "en"):
            continue
        if has(low, t.reported, "en"):
            continue
        for verb in (*t.escalation_verbs, *t.step_verbs):
            for hit in re.finditer(rf"(?<![a-z']){_inflected(verb)}(?![a-z'])", low):
                before, after = low[: hit.start()], low[hit.end() :]
                if not _rep_agent(before[-60:]) or not has(after, t.authorities, "en"):
                    continue
                aimed = _EN_GRIEVANCE.search(after.split(" to ")[0] + " ") is not None
                hostile = has(after, (*t.adversarial, *t.sanctions), "en")
                if hostile or (aimed and verb in t.escalation_verbs):
                    return "threat"
                if aimed or verb in t.escalation_verbs:
                    found_tone = "veiled_threat"
        for party in found(low, t.legal_parties, "en"):
            at = low.find(party)
            owner = low[max(0, at - 12) : at]
            if re.search(r"\b(?:our|my)\s+(?:\w+\s+)?$", owner) is None:
                continue
            rest = low[at + len(party) : at + len(party) + 40]
            if has(rest, t.legal_work, "en") and not _EN_NEGATED.search(rest[:20]):
                found_tone = found_tone or "veiled_threat"
        if matches(low, t.veiled_patterns) and not _EN_NEGATED.search(low.split("what")[0][-12:]):
            found_tone = found_tone or "veiled_threat"
    return found_tone


def is_veiled(text: str, client: str, lex: Lexicon, lang: Lang) -> bool:
    """A hinted escalation or consequence (「法务已经在看」「您自己掂量」)."""
    for clause in sentences(text, lang):
        for word in found(clause, lex.tone.veiled, lang):
            if word.lower() in client.lower() or _negated(clause, word.lower(), lex, lang):
                continue
            if clause.rstrip().endswith("?") and word in ("看着办", "看着办吧"):
                continue
            return True
    return False


def is_sarcastic(text: str, client: str, lex: Lexicon, lang: Lang) -> bool:
    """Mockery dressed as praise, an exaggerated comparison, or a mocking echo."""
    t = lex.tone
    if has(text, t.sarcasm, lang) or matches(text, t.sarcasm_patterns):
        return True
    if any(e in text for e in t.mock_emoji) and not has(text, lex.empathy, lang):
        return has(text, ("忙", "忘", "不急", "拖", "等", "busy", "forgot", "wait"), lang)
    if lang == "zh" and client:
        # 「积极推进，嗯，积极推进了一年半了」: the client's phrase thrown back with its age.
        parts = clauses(text)
        return len(parts) >= 2 and parts[0] in client and parts[0] in "".join(parts[1:])
    return False


def is_pressure(text: str, lex: Lexicon, lang: Lang) -> bool:
    """Demands, one-sided deadlines, refusing the client's no, assumptive closes."""
    t = lex.tone
    if has(text, t.assumptive, lang):
        return True
    text = strip_phrases(text, t.not_pressure)
    for clause in clauses(text) if lang == "zh" else sentences(text, lang):
        for word in found(clause, t.pressure, lang):
            before = clause.lower()[: max(0, clause.lower().find(word))]
            after = clause.lower()[clause.lower().find(word) + len(word) :]
            if lang == "en" and word == "must" and _GUESS.match(after):
                continue  # "that must be frustrating" guesses a feeling; it demands nothing
            own = (
                lang == "zh" and ("我们" in before or before.endswith("我")) and "您" not in before
            )
            if not own and not _negated(clause, word, lex, lang):
                return True
    return False


def tone(text: str, client: str, lex: Lexicon, lang: Lang) -> Tone:
    """The strongest tone present (threat > veiled threat > sarcasm > pressure > calm)."""
    escalated = escalation(text, client, lex) if lang == "en" else None
    if escalated == "threat" or is_threat(text, client, lex, lang):
        return "threat"
    if escalated == "veiled_threat" or is_veiled(text, client, lex, lang):
        return "veiled_threat"
    if is_sarcastic(text, client, lex, lang):
        return "sarcasm"
    return "pressure" if is_pressure(text, lex, lang) else "calm"


def empathy(text: str, lex: Lexicon, lang: Lang, calm: bool) -> bool:
    """Sincere recognition of the client's difficulty (never a lever for pressure)."""
    if not calm:
        return False
    core = text
    for phrase in sorted(lex.empty_empathy, key=len, reverse=True):
        core = core.replace(phrase, "")
    return has(core, lex.empathy, lang)


def apology(text: str, lex: Lexicon, lang: Lang, calm: bool) -> bool:
    """An apology for, or admission of, a fault on the rep's side."""
    a = lex.apology
    if has(text, a.admissions, lang):
        return calm
    low = text.lower()
    for word in found(text, a.words, lang):
        at = low.find(word)
        after = low[at + len(word) : at + len(word) + 8]
        if not has(after, a.ritual_after, lang) and calm:
            return True
    return False


def advice(text: str, client: str, lex: Lexicon, lang: Lang) -> bool:
    """Unasked telling: how the client should run their process, or a lecture on rules."""
    a = lex.advice
    if has(client, a.asked_for, lang) or has(text, a.permission, lang):
        return False
    if has(text, a.lecture, lang):
        return True
    for clause in sentences(text, lang):
        if has(clause, lex.apology.admissions, lang):
            continue  # 「有话应该先跟您沟通」 in an apology is the rep's own fault, not advice
        for phrase in found(clause, a.phrases, lang):
            rest = clause[clause.lower().find(phrase) + len(phrase) :]
            if not has(rest, a.demand_objects, lang):
                return True
    return False


def cites_rule(text: str, client: str, lex: Lexicon, lang: Lang) -> bool:
    """A contract clause, law, regulation or fiscal rule invoked by the rep."""
    if has(text, lex.not_rules, lang) and not has(
        re.sub("|".join(map(re.escape, lex.not_rules)) or "(?!)", "", text), lex.rules, lang
    ):
        return False
    own = [w for w in found(text, lex.rules, lang) if w not in client.lower()]
    if own:
        return True
    return bool(found(text, lex.rules, lang)) and shared(text, client, lang)[1] < 0.5
