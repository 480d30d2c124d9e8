"""The scorecard as a rep sees it in Telegram: the card, then its radar chart with the
"practise again" and "better wording" buttons underneath."""

from __future__ import annotations

import dataclasses

from telegram import Update

from bot import charts
from bot.domain.rubric import DIMENSIONS
from bot.domain.scenario import Dimension
from bot.domain.scorecard import Scorecard
from bot.services.practice import Started
from bot.services.users import Person
from bot.telegram import keyboards
from bot.telegram.runtime import Context, chat_id, say
from bot.views.text import scorecard_text


def dimension_labels(context: Context, person: Person) -> dict[Dimension, str]:
    """The five dimension names in the rep's language."""
    rt = context.runtime
    return {d: rt.t(person.language, f"dim.{d}") for d in DIMENSIONS}


async def send_scorecard(
    update: Update,
    context: Context,
    person: Person,
    started: Started,
    card: Scorecard,
    comments: str = "",
    past: bool = False,
) -> None:
    """The card (split if long) and the trainer's `comments` (HTML), then the radar chart with
    the follow-up buttons (for a `past` session, its transcript and the comparison too)."""
    rt, lang = context.runtime, person.language
    title = started.scenario.title_in(lang)
    # The better wording sits behind its own button, so the card stays readable.
    body = dataclasses.replace(card, rewording=None)
    zone = rt.services.settings.team_time_zone
    text = scorecard_text(body, rt.catalog, lang, title=title, html=True, zone=zone)
    await say(update, context, "\n\n".join(p for p in (text, comments) if p))
    await _radar(update, context, person, started, card, past)


async def _radar(
    update: Update, context: Context, person: Person, started: Started, card: Scorecard, past: bool
) -> None:
    """The card's radar chart, captioned with the overall score, with the follow-up buttons."""
    rt, lang = context.runtime, person.language
    scores = {d: v.score for d, v in card.dimensions.items()}
    png = await charts.draw(
        charts.radar, scores, dimension_labels(context, person), rt.t(lang, "tg.radar_title")
    )
    markup = keyboards.after_card(
        rt.catalog, lang, started.scenario.id, started.session.id, card.rewording is not None, past
    )
    await context.bot.send_photo(
        chat_id(update),
        png,
        caption=rt.t(lang, "tg.chart_caption", score=card.overall),
        reply_markup=markup,
    )
