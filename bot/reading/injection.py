"""Text addressed to the grader rather than the client: prompt injection in a transcript.

Such a line is never evidence for the rep; the rubric counts it against them.
"""

from __future__ import annotations

from bot.reading.lexicon import lexicon
from bot.reading.normalize import normalize
from bot.reading.text import matches


def addressed_to_grader(text: str) -> bool:
    """Whether a turn carries instructions or a verdict meant for the grader (any language)."""
    folded = normalize(text)
    return matches(folded, lexicon("zh").injection) or matches(folded, lexicon("en").injection)
