"""One form for every text the guard compares, so a retyped word is the same word.

NFKC folds full-width letters and digits (「ＡＩ」→「AI」) and compatibility forms; zero-width,
soft-hyphen and bidi control characters are dropped (「A\u200bI」→「AI」); Traditional
characters become Simplified (OpenCC's t2s table); case is folded. `compact` then drops every
space, dash and other separator, so a marker split or re-punctuated (「赵 敏」, `WJW 2025 017`,
a Unicode hyphen) still matches; `pinyin` spells a Chinese marker in Latin letters, so
"Zhao Min" is found too.

Folding is cached at two levels, so the same scenario lines, prompt lines and transcript turns
are not re-converted on every turn: whole texts, and the pieces OpenCC converts one by one (it
splits a text at spaces and punctuation and converts each piece on its own, so converting the
pieces separately is exactly converting the text). `fold_part` folds one of several texts that
are read as one joined by newlines: `fold("\n".join(parts))` is
`"\n".join(fold_part(p, any(has_han(q) for q in parts)) for p in parts)`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC
from pypinyin import lazy_pinyin

_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f]"
)
_SEPARATORS = re.compile(r"[\W_]+")  # everything but letters, digits and CJK characters
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CONVERT = OpenCC("t2s")
# OpenCC's own list of the separators it converts between (none is part of a dictionary entry).
_PIECES: re.Pattern[str] | None = getattr(_CONVERT, "split_chars_re", None)


@lru_cache(maxsize=16384)
def _convert_piece(piece: str) -> str:
    return str(_CONVERT.convert(piece))


def _simplified(text: str) -> str:
    """`OpenCC("t2s").convert(text)`, piece by piece from a cache."""
    if _PIECES is None:
        return str(_CONVERT.convert(text))
    parts = _PIECES.split(text)
    for i in range(0, len(parts), 2):  # even items are text, odd ones the separators
        parts[i] = _convert_piece(parts[i])
    return "".join(parts)


@lru_cache(maxsize=8192)
def _plain(text: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def has_han(text: str) -> bool:
    """Whether `text` has a Chinese character once normalised (then it is converted)."""
    return _HAN.search(_plain(text)) is not None


@lru_cache(maxsize=8192)
def fold_part(text: str, simplify: bool) -> str:
    """`fold` with the Traditional → Simplified step decided by the caller (for a text read as
    one line of a longer one: the longer text decides)."""
    plain = _plain(text)
    return (_simplified(plain) if simplify else plain).lower()


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """NFKC, invisible characters removed, Traditional → Simplified, lower case."""
    return fold_part(text, has_han(text))


def compact(text: str) -> str:
    """`fold`, then only letters, digits and CJK characters (separators and spaces gone)."""
    return _SEPARATORS.sub("", fold(text))


@lru_cache(maxsize=4096)
def pinyin(text: str) -> str:
    """A Chinese text in toneless pinyin, syllables spaced ("赵敏" → "zhao min"); "" if it is
    not all Chinese characters (a code or an English name is matched as it is written)."""
    folded = compact(text)
    if not folded or not all(_HAN.match(ch) for ch in folded):
        return ""
    return " ".join(lazy_pinyin(folded))
