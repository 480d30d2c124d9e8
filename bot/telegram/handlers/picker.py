"""/practice: the paged scenario picker, the brief card and the prepare step."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.domain.scenario import Scenario
from bot.domain.session import Phase
from bot.scenarios.coverage import Filter, filter_from_words
from bot.services.practice import Started
from bot.services.users import Person
from bot.telegram import inputs, keyboards, picker_keys
from bot.telegram.buttons import stale
from bot.telegram.handlers.play import show_opening
from bot.telegram.render import edit_html
from bot.telegram.runtime import NEW_MESSAGES, App, Context, chat_id, rep, say
from bot.views.text import brief_text, short_brief_text

FILTER = "picker_filter"


def _argument(update: Update) -> str:
    return keyboards.parse(update.callback_query.data if update.callback_query else None)[1]


def _scenario(context: Context, token: str) -> Scenario | None:
    return keyboards.find_scenario(context.runtime.services.scenarios, token)


async def _choices(context: Context, person: Person) -> list[picker_keys.Choice]:
    """The shipped scenarios, then the own scenarios of the rep's teams, narrowed by the
    filter the rep gave with /practice (if any)."""
    rt = context.runtime
    own = await rt.training.uploads.of_my_teams(person.id)
    found = [picker_keys.Choice(s) for s in rt.services.scenarios.all()] + [
        picker_keys.Choice(s, team_id, name) for team_id, name, s in own
    ]
    chosen = (context.user_data or {}).get(FILTER)
    return [c for c in found if chosen.keeps(c.scenario)] if isinstance(chosen, Filter) else found


async def send_picker(update: Update, context: Context, person: Person, page: int = 0) -> None:
    """The first (or given) page of scenarios."""
    rt = context.runtime
    choices = await _choices(context, person)
    if not choices:
        narrowed = isinstance((context.user_data or {}).get(FILTER), Filter) and bool(
            rt.services.scenarios.all()
        )
        key = "tg.picker_no_match" if narrowed else "tg.picker_empty"
        await say(update, context, rt.t(person.language, key))
        return
    page = max(0, min(page, keyboards.pages(len(choices)) - 1))
    text = picker_keys.text(rt.catalog, person.language, choices, page)
    keys = picker_keys.keys(rt.catalog, person.language, choices, page)
    await say(update, context, html.escape(text), keys)


async def send_brief(update: Update, context: Context, person: Person, started: Started) -> None:
    """The case card with the rubric, and the plan / skip buttons."""
    rt, lang = context.runtime, person.language
    card = brief_text(started.scenario, rt.catalog, lang, html=True)
    text = f"{card}\n\n{html.escape(rt.t(lang, 'tg.prepare_hint'))}"
    await say(update, context, text, keyboards.prepare(rt.catalog, lang, started.session.id))


async def practice(update: Update, context: Context) -> None:
    """/practice [完美型 久拖不决 3星 预防…]: the scenario picker, optionally filtered."""
    person = await rep(update, context)
    chosen, unknown = filter_from_words(context.args or [], context.runtime.catalog)
    if unknown:
        text = context.runtime.t(person.language, "tg.picker_unknown_filter", word=unknown[0])
        await say(update, context, html.escape(text))
        return
    if context.user_data is not None:
        context.user_data[FILTER] = chosen
    await send_picker(update, context, person)


async def turn_page(update: Update, context: Context) -> None:
    """◀ / ▶ in the picker: show another page in the same message."""
    person = await rep(update, context)
    rt = context.runtime
    choices = await _choices(context, person)
    page = min(inputs.page(_argument(update)), keyboards.pages(len(choices)) - 1)
    text = picker_keys.text(rt.catalog, person.language, choices, page)
    keys = picker_keys.keys(rt.catalog, person.language, choices, page)
    query = update.callback_query
    if query is None or query.message is None:
        return
    await edit_html(context.bot, chat_id(update), query.message.message_id, html.escape(text), keys)


async def send_short_brief(
    update: Update, context: Context, person: Person, started: Started
) -> None:
    """A scenario played before: its short card, with the full one a button away."""
    rt, lang = context.runtime, person.language
    card = short_brief_text(started.scenario, rt.catalog, lang, html=True)
    text = f"{card}\n\n{html.escape(rt.t(lang, 'loop.retry_hint'))}"
    keys = keyboards.prepare(rt.catalog, lang, started.session.id, full_brief=True)
    await say(update, context, text, keys)


async def _open(update: Update, context: Context, replace: bool, short: bool = False) -> None:
    person = await rep(update, context)
    scenario = _scenario(context, _argument(update))
    if scenario is None:
        await stale(update, context)
        return
    started = await context.runtime.practice.start(person.id, scenario.id, replace=replace)
    await (send_short_brief if short else send_brief)(update, context, person, started)


async def pick(update: Update, context: Context) -> None:
    """A scenario button (or "practise again"): open a session at its brief."""
    await _open(update, context, replace=False)


async def retry(update: Update, context: Context) -> None:
    """ "Practise again": a new session of the same scenario at its short card."""
    await _open(update, context, replace=False, short=True)


async def full_brief(update: Update, context: Context) -> None:
    """ "Full case card": the short card becomes the whole brief, in the same message."""
    person = await rep(update, context)
    rt, lang = context.runtime, person.language
    found = await rt.practice.current(person.id)
    query = update.callback_query
    if (
        found is None
        or found.session.id != _argument(update)
        or found.session.phase not in (Phase.BRIEF, Phase.PREPARE)
        or query is None
        or query.message is None
    ):
        await stale(update, context)
        return
    card = brief_text(found.scenario, rt.catalog, lang, html=True)
    text = f"{card}\n\n{html.escape(rt.t(lang, 'tg.prepare_hint'))}"
    keys = keyboards.prepare(rt.catalog, lang, found.session.id)
    await edit_html(context.bot, chat_id(update), query.message.message_id, text, keys)


async def start_anew(update: Update, context: Context) -> None:
    """ "Abandon it and start anew": replace the session in progress with the chosen one."""
    await _open(update, context, replace=True)


async def drop(update: Update, context: Context) -> None:
    """ "Abandon it": give the session up and show the picker."""
    person = await rep(update, context)
    await context.runtime.practice.abandon(person.id, _argument(update))
    await say(update, context, context.runtime.t(person.language, "tg.cancelled"))
    await send_picker(update, context, person)


async def write_plan(update: Update, context: Context) -> None:
    """ "Write a plan": the next message is the plan."""
    person = await rep(update, context)
    started = await context.runtime.practice.prepare(person.id, _argument(update))
    if started.session.phase != Phase.PREPARE:
        await stale(update, context)  # the brief of a session already played or over
        return
    await say(update, context, context.runtime.t(person.language, "tg.prepare_prompt"))


async def skip(update: Update, context: Context) -> None:
    """ "Skip": start the conversation without a plan."""
    person = await rep(update, context)
    result = await context.runtime.practice.begin(person.id, _argument(update))
    await show_opening(update, context, person, result, planned=False)


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE  # practice is personal (see guide.py)
    application.add_handler(CommandHandler("practice", practice, filters=private))
    for verb, callback in (
        (keyboards.PAGE, turn_page),
        (keyboards.PICK, pick),
        (keyboards.RETRY, retry),
        (keyboards.BRIEF, full_brief),
        (keyboards.NEW, start_anew),
        (keyboards.DROP, drop),
        (keyboards.PREPARE, write_plan),
        (keyboards.SKIP, skip),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=keyboards.pattern(verb)))
