"""Token counts estimated from text, for providers that report no usage (llama.cpp streams).

A documented upper estimate, not a tokenizer: every Chinese, Japanese or Korean character
counts as one token (BPE vocabularies of Qwen, DeepSeek and GPT-4o hold many two-character
words, so this over-counts Chinese by roughly a third), every run of Latin letters or digits
counts one token per four characters (rounded up), and any other visible character one token.
Each chat message adds four tokens for its role and separators. Over-counting is the safe side
for a monthly cap; figures counted this way are marked as estimated wherever they are stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

_PIECE = re.compile(
    r"(?P<cjk>[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])"
    r"|(?P<word>[A-Za-z0-9]+)"
    r"|(?P<other>\S)"
)
PER_MESSAGE = 4


@lru_cache(maxsize=4096)  # a request repeats the system prompt and every earlier turn
def estimate_tokens(text: str) -> int:
    """Estimated tokens in one text."""
    count = 0
    for m in _PIECE.finditer(text):
        word = m.group("word")
        count += -(-len(word) // 4) if word else 1
    return count


def estimate_messages(messages: Iterable[Mapping[str, str]]) -> int:
    """Estimated prompt tokens of a chat request."""
    return sum(PER_MESSAGE + estimate_tokens(str(m.get("content", ""))) for m in messages)
