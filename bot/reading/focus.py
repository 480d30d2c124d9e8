"""Whether a rep's questions are about the case, and whether they seek content.

Listening is attention to the client's situation. A question counts toward it when it is about
the matter (one of the five facts, the payment, the client's process, difficulty or concern) or
follows what the client said (shares content with the client's words, or refers back to their
last turn). Small talk (the weather, the office plants, the weekend), a greeting phrased as a
question and asking for someone at the door (「王科长在不」 "is Dr. Liang in?") are courtesy,
not listening. A wh-question about a fact (「最后是哪位领导签字？」 "who signs?") seeks content
the rep needs: the reader calls it closed (one fact), the listening score counts it as
discovery.
"""

from __future__ import annotations

from bot.domain.lang import Lang
from bot.reading import chinese, english
from bot.reading.lexicon import Lexicon
from bot.reading.text import grams, has, matches, sentences, strip_phrases


def _gatekeeping(sentence: str, lex: Lexicon, lang: Lang) -> bool:
    c = lex.case_talk
    low = sentence.lower().strip()
    return has(low, c.gatekeeping, lang) or matches(low, c.gatekeeping_patterns)


def _follows(sentence: str, client_said: str, client_last: str, lex: Lexicon, lang: Lang) -> bool:
    """Shares content with the client's words, or refers back to their last turn."""
    c = lex.case_talk
    if lang == "zh":
        mine = grams(strip_phrases(sentence, c.generic), lang)
        theirs = grams(strip_phrases(client_said, c.generic), lang)
        if len(mine & theirs) >= 2:
            return True
        return bool(client_last.strip()) and has(sentence, c.follow_up, lang)
    mine = grams(sentence, lang) - set(c.generic)
    if mine & grams(client_said, lang):
        return True
    return bool(client_last.strip()) and has(sentence, c.follow_up, lang)


def _topical(sentence: str, lex: Lexicon, lang: Lang, keywords: tuple[str, ...]) -> bool:
    low = sentence.lower()
    words = [w for t in lex.topics.values() for w in (*t.strong, *t.weak)]
    return (
        has(low, (*words, *lex.payment_ask, *lex.case_talk.situation), lang)
        or any(matches(low, t.patterns) for t in lex.topics.values())
        or any(k.lower() in low for k in keywords)
    )


def about_case(
    sentence: str,
    client_said: str,
    client_last: str,
    lex: Lexicon,
    lang: Lang,
    keywords: tuple[str, ...] = (),
) -> bool:
    """Whether one asked sentence is about the case or the client's words (not small talk)."""
    if _gatekeeping(sentence, lex, lang):
        return False
    if _topical(sentence, lex, lang, keywords):
        return True
    return _follows(sentence, client_said, client_last, lex, lang)


def small_talk(
    asked: tuple[str, ...],
    client_said: str,
    client_last: str,
    lex: Lexicon,
    lang: Lang,
    keywords: tuple[str, ...] = (),
) -> bool:
    """The turn asks, and none of its questions is about the case or the client's words."""
    if not asked:
        return False
    return not any(about_case(s, client_said, client_last, lex, lang, keywords) for s in asked)


def seeks_content(asked: tuple[str, ...], lex: Lexicon, lang: Lang) -> int:
    """How many of the asked sentences are wh-questions (who, when, which, how much)."""
    if lang == "zh":
        return sum(chinese.asks_for_information(s, lex) for s in asked)
    return sum(english.asks_wh(s) for s in asked)


def takes_up(text: str, client_said: str, lex: Lexicon, lang: Lang) -> bool:
    """Whether a sentence of the turn builds on what the client has said: it shares at least
    two content units with the client's words, and they are a fair part (a fifth) of that
    sentence, so a monologue that happens to repeat a few of the client's words does not
    count while a long turn that opens by playing the client back does."""
    if not client_said.strip():
        return False
    c = lex.case_talk
    if lang == "zh":
        theirs = grams(strip_phrases(client_said, c.generic), lang)
    else:
        theirs = grams(client_said, lang)
    for sentence in sentences(text, lang):
        if lang == "zh":
            mine = grams(strip_phrases(sentence, c.generic), lang)
        else:
            mine = grams(sentence, lang) - set(c.generic)
        common = len(mine & theirs)
        if common >= 2 and common >= 0.2 * len(mine):
            return True
    return False
