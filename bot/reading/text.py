"""Matching helpers shared by the lexical readers: sentences, phrases, shared content."""

from __future__ import annotations

import functools
import re

from bot.domain.lang import Lang, cjk_count, latin_words

_SENTENCE_ZH = re.compile(
    r"(?<=[。!?;…\n！？；])(?!\.)|(?<=\.\.\.)(?![.,。!?])|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
)
_SENTENCE_EN = re.compile(
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"(?<=[.!?;\n])\s+"
)
_CLAUSE = re.compile(r"[,，、:;。!?…\n]+")
# Function characters that carry no content when comparing the rep's words with the client's.
_ZH_FUNCTION = set("的了吗呢吧啊呀嘛么着过也都就还又在是有和与及或而且但您你我他她它们这那个些一")


def sentences(text: str, lang: Lang) -> list[str]:
    """Split a message into sentences, keeping their end punctuation."""
    splitter = _SENTENCE_ZH if lang == "zh" else _SENTENCE_EN
    return [s.strip() for s in splitter.split(text) if s and s.strip()]


def clauses(text: str) -> list[str]:
    """Comma-level pieces of a sentence."""
    return [c.strip() for c in _CLAUSE.split(text) if c.strip()]


@functools.cache
def _word_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    if not phrases:
        return re.compile(r"(?!)")
    body = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z'])(?:{body})(?![a-z'])")


@functools.cache
def compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Regexes from a lexicon, compiled once."""
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def has(text: str, phrases: tuple[str, ...], lang: Lang) -> bool:
    """Whether any phrase occurs: substrings in Chinese, whole words in English."""
    if lang == "zh":
        low = text.lower()
        return any(p in low for p in phrases)
    return _word_pattern(phrases).search(text.lower()) is not None


def found(text: str, phrases: tuple[str, ...], lang: Lang) -> list[str]:
    """The phrases that occur in the text."""
    return [p for p in phrases if has(text, (p,), lang)]


def matches(text: str, patterns: tuple[str, ...]) -> bool:
    """Whether any regex matches."""
    return any(p.search(text) for p in compiled(patterns))


def strip_phrases(text: str, phrases: tuple[str, ...]) -> str:
    """The text with every phrase removed (longest first)."""
    for p in sorted(phrases, key=len, reverse=True):
        text = text.replace(p, "")
    return text


def grams(text: str, lang: Lang) -> set[str]:
    """Content units: Chinese character pairs without function characters, English stems."""
    if lang == "en":
        from bot.reading.english import content

        return content(text)
    han = "".join(ch for ch in text if cjk_count(ch) or ch.isdigit())
    pairs = {han[i : i + 2] for i in range(len(han) - 1)}
    return {p for p in pairs if not (p[0] in _ZH_FUNCTION and p[1] in _ZH_FUNCTION)}


def shared(rep: str, client: str, lang: Lang) -> tuple[int, float, float]:
    """Content shared with the client's words: (count, share of rep's, share of client's)."""
    mine, theirs = grams(rep, lang), grams(client, lang)
    if not mine or not theirs:
        return 0, 0.0, 0.0
    common = len(mine & theirs)
    return common, common / len(mine), common / len(theirs)


def numbers(text: str) -> set[str]:
    """Numbers written in digits or Chinese numerals (to catch 两千 heard as 两万)."""
    return set(
        re.findall(
            r"\d+(?:\.\d+)?|[一二三四五六七八九十两百千万]{1,6}(?:万|千|百|个|天|月|年|成|点)", text
        )
    )


def words(text: str) -> list[str]:
    """Latin words, lower-cased."""
    return latin_words(text)
