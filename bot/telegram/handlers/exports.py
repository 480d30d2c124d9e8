"""/export: a team's sessions, scores, dimensions, checklist and task status for a period, as
CSV (UTF-8 with BOM, so Excel shows Chinese) and XLSX documents."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.export import Format
from bot.telegram import keyboards, team_keys
from bot.telegram.runtime import NEW_MESSAGES, App, Context, chat_id, rep, say
from bot.telegram.staff import args, number, one_team, period_from, texts

FORMATS: tuple[Format, ...] = ("csv", "xlsx")


async def export(update: Update, context: Context) -> None:
    """/export: which team (if I run several), then which period."""
    person = await rep(update, context)
    rt = context.runtime
    mine = await rt.training.teams.managed(person.id)
    team = await one_team(update, context, person, mine, team_keys.EXPORT, "")
    if team is not None:
        keys = team_keys.periods(rt.catalog, person.language, team_keys.EXPORT, team.id)
        await say(update, context, texts(context, person)("tg.team.export_period"), keys)


async def send(update: Update, context: Context) -> None:
    """A period button (or a team button): both files for that team and period."""
    person = await rep(update, context)
    rt = context.runtime
    team_id, period = args(update, 2)
    if not period:  # a team button: ask for the period first
        keys = team_keys.periods(rt.catalog, person.language, team_keys.EXPORT, number(team_id))
        await say(update, context, texts(context, person)("tg.team.export_period"), keys)
        return
    chosen = period_from(period)
    for fmt in FORMATS:
        exported = await rt.training.exports.export(
            person.id, number(team_id), chosen, fmt, person.language
        )
        caption = texts(context, person).plain(
            "tg.team.exported",
            period=rt.t(person.language, f"team.period.{chosen.value}"),
            rows=exported.rows,
        )
        document = InputFile(exported.data, filename=exported.filename)
        await context.bot.send_document(chat_id(update), document, caption=caption)


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("export", export, filters=private))
    application.add_handler(CallbackQueryHandler(send, pattern=keyboards.pattern(team_keys.EXPORT)))
