"""Text as readers see it: NFKC, invisible characters removed, Traditional → Simplified."""

from __future__ import annotations

import functools
import re
import unicodedata

from opencc import OpenCC

# Zero-width, joiners and bidi controls: they hide words from any reader that looks for them.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


@functools.cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


@functools.lru_cache(maxsize=4096)  # each reader of a turn asks again for the same texts
def normalize(text: str) -> str:
    """The text every reader works on: full-width folded, invisibles dropped, Simplified."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _INVISIBLE.sub("", folded).replace("’", "'").replace("‘", "'")
    return str(_converter().convert(folded))
