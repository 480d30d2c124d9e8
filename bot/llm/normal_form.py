"""One form for every text the guard compares, so a retyped word is the same word.

NFKC folds full-width letters and digits (「ＡＩ」→「AI」) and compatibility forms; zero-width,
soft-hyphen and bidi control characters are dropped (「A\u200bI」→「AI」); Traditional
characters become Simplified (OpenCC's t2s table); case is folded. `compact` then drops every
space, dash and other separator, so a marker split or re-punctuated (「赵 敏」, `WJW 2025 017`,
a Unicode hyphen) still matches; `pinyin` spells a Chinese marker in Latin letters, so
"Zhao Min" is found too.
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


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """NFKC, invisible characters removed, Traditional → Simplified, lower case."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    if _HAN.search(text):
        text = _CONVERT.convert(text)
    return text.lower()


def compact(text: str) -> str:
    """`fold`, then only letters, digits and CJK characters (separators and spaces gone)."""
    return _SEPARATORS.sub("", fold(text))


def pinyin(text: str) -> str:
    """A Chinese text in toneless pinyin, syllables spaced ("赵敏" → "zhao min"); "" if it is
    not all Chinese characters (a code or an English name is matched as it is written)."""
    folded = compact(text)
    if not folded or not all(_HAN.match(ch) for ch in folded):
        return ""
    return " ".join(lazy_pinyin(folded))
