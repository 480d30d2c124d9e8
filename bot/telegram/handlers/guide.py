"""/help: the commands this user has and how the leaderboard ranks; and, in a group, a short
pointer to the private chat for commands whose answers are personal."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.telegram import team_text
from bot.telegram.menus import TRAINER_COMMANDS
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say
from bot.telegram.staff import texts

# Answered only in private: practice, transcripts, scores, exports and tasks are not for a
# group's eyes (a group hears only what a trainer links it for: new assignments, weekly boards).
PRIVATE_ONLY = (
    *(c for c in TRAINER_COMMANDS if c != "linkgroup"),
    "tasks",
    "board",
    "grant",
    "help",
    "practice",
    "history",
    "me",
    "hint",
    "end",
    "cancel",
)


async def guide(update: Update, context: Context) -> None:
    """/help: commands by role, then the leaderboard formula."""
    person = await rep(update, context)
    role = await context.runtime.training.teams.standing(person.id)
    await say(update, context, team_text.guide(texts(context, person), role))


async def private_only(update: Update, context: Context) -> None:
    """A personal command sent in a group: answer that it works in the private chat."""
    person = await rep(update, context)
    await say(update, context, texts(context, person)("tg.team.private_only"))


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("help", guide, filters=private))
    application.add_handler(
        CommandHandler(
            list(PRIVATE_ONLY), private_only, filters=NEW_MESSAGES & filters.ChatType.GROUPS
        )
    )
