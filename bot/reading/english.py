"""What each English sentence does: asks, reflects the other side's meaning, or tells them.

Motivational-interviewing coding (MITI 4.2.1) sorts a listener's sentences into questions,
reflections (simple: restating; complex: adding meaning, feeling or both sides) and giving
information or advice. Sales calls go wrong the same way counselling does: the "righting
reflex" of telling the other side what they should do instead of playing back what they said.
Rules here read one sentence at a time, because a long turn can hold a reflection and advice.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.domain.lang import latin_words
from bot.reading.lexicon import Lexicon, lexicon

# Fillers a speaker starts with; "so" among them marks a summary ("Okay, so you...").
_LEAD = re.compile(
    r"^(?:(?:okay|ok|um+|uh+|mm+-?hmm|mm+|hmm+|uh-huh|yeah|yes|right|so|and|but|well|alright|"
    r"all right|sure|now|i see|oh|great|good|got it|gotcha|wow|cool|sounds good|you know|"
    r"i mean|like)[\s,.!-]+)+",
    re.IGNORECASE,
)
_STUTTER = re.compile(r"\b([a-z']+)(?:-\1\b)+")
_DASHES = re.compile(r"[-—–]{1,2}(?=\s|$)|(?<=\s)[-—–]{1,2}|^[-—–]+")
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\s+[—–]+\s+|--")
# Subjects that open a statement about the other person or what they said.
_ABOUT_THEM = frozenset(("you", "you're", "you've", "you'd", "you'll"))
# fmt: off
_SUMMARY_SUBJECTS = _ABOUT_THEM | frozenset((
    "it", "it's", "that", "that's", "this", "there", "there's", "they", "they're", "the", "she",
    "she's", "he", "he's", "what", "part", "on", "not", "when", "if", "because", "having",
    "being", "something", "some", "a", "all", "kind", "sort", "even", "just", "maybe",
    "perhaps", "both",
))
_AUX = frozenset((
    "do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "have",
    "has", "should", "may", "might", "shall", "am", "isn't", "aren't", "don't", "doesn't",
    "didn't", "won't", "wouldn't", "can't", "couldn't", "haven't", "hasn't", "wasn't",
    "weren't", "shouldn't",
))
# fmt: on
# Intensifiers between a subject and its modal ("you really do need to") hide the advice.
_HEDGE = re.compile(
    r"\b(you|we|they|she|he|i)\s+(?:(?:really|just|definitely|probably|actually|also|still|"
    r"certainly|absolutely|seriously|do|does|kind of|sort of)\s+)+"
)
_WH = frozenset(("what", "how", "why", "where", "when", "who", "whom", "which", "whose"))
_OPEN_WH = frozenset(("what", "how", "why"))


@dataclass(frozen=True)
class Act:
    """What one sentence (or a whole turn, when combined) does."""

    questions: int = 0
    open_questions: int = 0
    reflection: bool = False
    complex_reflection: bool = False
    advice: bool = False
    parrot: bool = False


def clean(sentence: str) -> str:
    """Lower-case, straight apostrophes, stutters ("the-the") and trailing dashes removed."""
    low = sentence.lower().replace("’", "'").strip()
    low = _STUTTER.sub(r"\1", low)
    return _DASHES.sub(" ", low).strip()


def split(text: str) -> list[str]:
    """Sentences of an English turn; a dash break ("I was-- You know") starts a new one."""
    return [s.strip(" -—–") for s in _SPLIT.split(text) if s.strip(" -—–")]


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset(lexicon("en").stopwords)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content(text: str) -> set[str]:
    """Stems of the content words (no function words, no short words)."""
    return {_stem(w) for w in latin_words(text) if w not in _stopwords() and len(w) > 2}


@functools.cache
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern matching any of the phrases as whole words (none when empty)."""
    if not phrases:
        return re.compile(r"(?!)")
    body = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z'])(?:{body})(?![a-z'])")


def _phrase(low: str, phrases: tuple[str, ...]) -> bool:
    return phrase_pattern(phrases).search(low) is not None


def _found(low: str, phrases: tuple[str, ...]) -> list[str]:
    if not _phrase(low, phrases):
        return []
    return [p for p in phrases if _phrase(low, (p,))]


@dataclass(frozen=True)
class Heard:
    """The client's last turn, as the rep's sentences are compared with it."""

    text: str = ""
    stems: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> Heard:
        """Read the client's turn once for every sentence of the reply."""
        return cls(clean(text), frozenset(content(text)))

    def new(self, phrases: list[str]) -> bool:
        """Whether any phrase is the rep's own, not words the client just used."""
        return any(p not in self.text for p in phrases)


def _head(word: str) -> str:
    """The word before an apostrophe: "what's" → "what"."""
    return word.split("'")[0]


def _about_them(words: list[str], lex: Lexicon) -> bool:
    """Whether a "you" statement gives the client's view ("you feel", "you've tried").

    "You're a mom now" or "your number is very high" also start with "you", but they are
    verdicts on the client rather than their view played back, and low-quality counselling is
    full of them.
    """
    if words[0] not in _ABOUT_THEM:
        return False
    return any(w in lex.reflection.perspective or w.endswith("ing") for w in words[1:3])


def _asks(low: str, core: str, words: list[str], lex: Lexicon) -> tuple[bool, bool, bool]:
    """(question, open question, inverted): word order or a question mark."""
    first = words[0]
    inverted = _head(first) in _WH or first in _AUX or _phrase(core, lex.question.openers)
    question = low.endswith("?") or (inverted and len(words) > 2 and not low.endswith("!"))
    opened = question and (
        _head(first) in _OPEN_WH
        or _phrase(core, _multiword(lex.question.open))
        or (first not in _AUX and any(_head(w) in _OPEN_WH for w in words))
    )
    return question, opened, inverted


def asks_wh(sentence: str) -> bool:
    """A question opening with a wh-word: it asks for a fact rather than proposing a step."""
    words = latin_words(clean(sentence))
    return bool(words) and sentence.rstrip().endswith("?") and _head(words[0]) in _WH


@functools.cache
def _multiword(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in phrases if " " in p)


def _tells(low: str, first: str, question: bool, heard: Heard, lex: Lexicon) -> bool:
    """Advice, warnings, facts or arguing that the client did not ask for or bring up.

    Asking leave first ("would it be okay if I shared...") is the listening way to inform.
    """
    if _phrase(low, lex.advice.permission):
        return False
    plain = _HEDGE.sub(r"\1 ", low)
    told = heard.new(_found(plain, lex.advice.phrases)) or heard.new(
        _found(low, lex.advice.information)
    )
    imperative = first in lex.advice.imperatives and not question
    return (told and not question) or _phrase(low, lex.advice.leading) or imperative


def read_sentence(sentence: str, heard: Heard, lex: Lexicon) -> Act:
    """Classify one sentence, given the client's last turn."""
    low = clean(sentence)
    lead = _LEAD.match(low)
    core = low[lead.end() :] if lead else low
    words = latin_words(core)
    if not words:
        return Act()
    summary = lead is not None and re.search(r"\bso\b", lead.group(0)) is not None
    question, opened, inverted = _asks(low, core, words, lex)
    advice = _tells(low, words[0], question, heard, lex)
    mine = content(core)
    shared = mine & heard.stems
    # Played back: most of the sentence's content words are the client's, or a short
    # fragment made only of them ("Two max.").
    echo = (len(shared) >= 2 and len(shared) >= 0.5 * len(mine)) or (
        len(words) <= 5 and bool(mine) and mine <= heard.stems
    )
    statement = not (inverted and question)
    reflection = not advice and (
        _phrase(low, lex.reflection.markers)
        or (statement and _about_them(words, lex))
        or (statement and summary and words[0] in _SUMMARY_SUBJECTS)
        or (statement and echo)
    )
    # Complex: adds feeling, meaning or both sides, or says it mostly in new words.
    complex_reflection = reflection and (
        _phrase(low, lex.reflection.complex_markers)
        or (len(mine) >= 4 and len(shared) < 0.3 * len(mine))
    )
    # A near-complete copy of the client's turn, or a formula with nothing in it, is parroting.
    copied = len(mine) >= 4 and mine <= heard.stems and len(shared) >= 0.7 * len(heard.stems)
    empty = _phrase(low, lex.reflection.empty_formulas) and len(mine - heard.stems) <= 1
    parrot = statement and not complex_reflection and (copied or empty)
    return Act(
        questions=int(question),
        open_questions=int(opened),
        reflection=reflection,
        complex_reflection=complex_reflection,
        advice=advice,
        parrot=parrot,
    )


def read_turn(text: str, prev_client: str, lex: Lexicon) -> Act:
    """Combine the sentences of a turn: counts add up, behaviours are present or not."""
    heard = Heard.of(prev_client)
    acts = [read_sentence(s, heard, lex) for s in split(text)]
    return Act(
        questions=sum(a.questions for a in acts),
        open_questions=sum(a.open_questions for a in acts),
        reflection=any(a.reflection and not a.parrot for a in acts),
        complex_reflection=any(a.complex_reflection for a in acts),
        advice=any(a.advice for a in acts),
        parrot=any(a.parrot for a in acts) and not any(a.reflection and not a.parrot for a in acts),
    )
