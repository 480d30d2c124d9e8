"""/board for reps and trainers: a team's board for this week / month / all time, overall, per
scenario or per dimension: one photo message (the bar chart, the ranking as its caption) whose
buttons switch it in place by editing the media."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.domain.periods import Period
from bot.services.users import Person
from bot.telegram import keyboards, team_keys, team_text
from bot.telegram.buttons import stale
from bot.telegram.render import photo_in_place
from bot.telegram.runtime import NEW_MESSAGES, App, Context, chat_id, rep, say
from bot.telegram.staff import args, number, one_team, period_from, texts


async def board(update: Update, context: Context) -> None:
    """/board: which team (if I am in several), then this week's board."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.my_teams(person.id)
    team = await one_team(
        update,
        context,
        person,
        mine,
        team_keys.BOARD,
        Period.WEEK.value,
        "t",
        "",
        empty="tg.team.no_teams_rep",
    )
    if team is not None:
        await _show(update, context, person, team.id, Period.WEEK, None, None)


async def chosen_board(update: Update, context: Context) -> None:
    """A board button: team, period, and optionally a scenario or a dimension."""
    person = await rep(update, context)
    team_id, period, kind, subject = args(update, 4)
    scenario = dimension = None
    if kind == "s":
        found = await context.runtime.training.uploads.scenarios(person.id, number(team_id))
        match = keyboards.find_scenario_in([e.scenario for e in found], subject)
        if match is None:
            await stale(update, context)
            return
        scenario = (match.id, match.title_in(person.language))
    elif kind == "d":
        dimension = subject
    await _show(update, context, person, number(team_id), period_from(period), scenario, dimension)


async def _show(
    update: Update,
    context: Context,
    person: Person,
    team_id: int,
    period: Period,
    scenario: tuple[str, str] | None,
    dimension: str | None,
) -> None:
    rt, t = context.runtime, texts(context, person)
    found = await rt.training.boards.board(
        person.id, team_id, period, scenario[0] if scenario else None, dimension
    )
    subject = scenario[1] if scenario else t.plain(f"dim.{dimension}") if dimension else ""
    keys = team_keys.board(rt.catalog, person.language, team_id, period)
    png = await team_text.board_chart(t, found, subject)
    caption = team_text.board_caption(t, found, subject)
    pressed = update.callback_query.message if update.callback_query else None
    await photo_in_place(context.bot, chat_id(update), pressed, png, caption, keys)


async def scenarios(update: Update, context: Context) -> None:
    """ "By scenario": one button per scenario the team can play."""
    person = await rep(update, context)
    team_id, period = args(update, 2)
    found = await context.runtime.training.uploads.scenarios(person.id, number(team_id))
    keys = team_keys.board_scenarios(
        number(team_id), period_from(period), [e.scenario for e in found], person.language
    )
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and query.message.photo:
        # The board's own message offers the scenarios, and their board replaces it.
        await context.bot.edit_message_reply_markup(
            chat_id(update), query.message.message_id, reply_markup=keys
        )
        return
    await say(update, context, texts(context, person)("tg.team.board_pick_scenario"), keys)


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("board", board, filters=private))
    application.add_handler(
        CallbackQueryHandler(chosen_board, pattern=keyboards.pattern(team_keys.BOARD))
    )
    application.add_handler(
        CallbackQueryHandler(scenarios, pattern=keyboards.pattern(team_keys.BOARD_SCENARIOS))
    )
