"""Language facts the core needs: which language a text is in, and how long it is."""

from __future__ import annotations

import re
from typing import Literal, get_args

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def cjk_count(text: str) -> int:
    """Number of CJK ideographs in the text."""
    return len(_CJK.findall(text))


def latin_words(text: str) -> list[str]:
    """Latin-script words (and numbers) in the text, lower-cased."""
    return [w.lower().replace("’", "'") for w in _LATIN_WORD.findall(text)]


def units(text: str) -> int:
    """Length that compares across languages: one unit per CJK character or Latin word.

    Talk share and "longest message" use it so a Chinese and an English rep are measured alike.
    """
    return cjk_count(text) + len(latin_words(text))


def detect_language(text: str) -> Lang:
    """Chinese when CJK characters outweigh Latin words, English otherwise."""
    return "zh" if cjk_count(text) >= len(latin_words(text)) and cjk_count(text) > 0 else "en"


def parse_lang(value: str | None, default: Lang = "zh") -> Lang:
    """Map a locale tag such as 'zh-hans' or 'en-US' onto a supported language."""
    if not value:
        return default
    head = value.lower().replace("_", "-").split("-")[0]
    for lang in LANGS:
        if head == lang:
            return lang
    return default
