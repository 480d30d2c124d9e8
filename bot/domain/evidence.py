"""Which of the rep's lines may justify which dimension (for every judge, offline or model).

A quote is evidence for a dimension only when its reading shows the behaviour the dimension is
about, read against the client's line before it:

- listening: a reflection (faithful or not), advice, or a question that is not small talk;
- persuasion: pressure, a rule cited, empathy, or value offered in a statement — a plain
  question (「您看我们怎么配合您比较好？」) persuades nobody;
- preparation: a question about one of the five facts, or a statement of one that is more
  than a bare confirmation (「对，就是 WJW-2025-017 这个项目。」 shows no preparation);
- composure: pressure, or empathy or an apology that is not small talk;
- next step: a dated step with an action — never a distorted reflection that claims a
  commitment the client did not give (「您是说局长已经答应这周就付款了。」).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.lang import Lang
from bot.domain.scenario import Dimension
from bot.reading import Reading, read_text

_CONFIRMATIONS = ("对", "是", "嗯", "好", "没错", "没问题", "yes", "yeah", "right", "ok", "sure")


def _bare_confirmation(text: str) -> bool:
    low = text.strip().lower()
    return low.startswith(_CONFIRMATIONS)


def _prepared(r: Reading, text: str) -> bool:
    if r.asks_about:
        return True
    return bool(r.touched) and not r.question and not _bare_confirmation(text)


SHOWS: dict[Dimension, Callable[[Reading, str], bool]] = {
    "listening": lambda r, _: (
        r.reflection or r.distorted or r.advice or (r.question and not r.small_talk)
    ),
    "persuasion": lambda r, _: (
        r.pressure or r.regulation or r.empathy or (r.value and not r.question)
    ),
    "preparation": _prepared,
    "composure": lambda r, _: r.pressure or ((r.empathy or r.apology) and not r.small_talk),
    "next_step": lambda r, _: (
        r.next_step.date and r.next_step.action and r.reflection_kind != "distorted"
    ),
}


def fits(dim: Dimension, quote: str, client_before: str, lang: Lang) -> bool:
    """Whether this line of the rep's shows the behaviour `dim` is about."""
    return SHOWS[dim](read_text(quote, client_before, lang), quote)
