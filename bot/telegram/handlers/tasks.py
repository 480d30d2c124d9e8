"""Tasks: a rep's /tasks with their status, started from there; a trainer's view of a team's
assignments and of who has done each one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.users import Person
from bot.telegram import keyboards, team_keys, team_text
from bot.telegram.handlers.picker import send_brief
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say
from bot.telegram.staff import args, number, texts


async def tasks(update: Update, context: Context) -> None:
    """/tasks: my tasks across my teams, those needing action first, each startable."""
    person = await rep(update, context)
    t = texts(context, person)
    found = await context.runtime.training.assignments.tasks(person.id)
    if not found:
        await say(update, context, t("tg.team.tasks_empty"))
        return
    items = [(x.assignment.id, x.assignment.title(person.language)) for x in found]
    keys = team_keys.tasks(context.runtime.catalog, person.language, items)
    await say(update, context, team_text.tasks(t, found), keys)


async def _start(update: Update, context: Context, replace: bool) -> None:
    person = await rep(update, context)
    assignment = number(args(update, 1)[0])
    started = await context.runtime.training.assignments.start(person.id, assignment, replace)
    await send_brief(update, context, person, started)


async def start_linked(update: Update, context: Context, person: Person, assignment: int) -> None:
    """A task's deep link (from a group post): its brief, here in the private chat."""
    started = await context.runtime.training.assignments.start(person.id, assignment, False)
    await send_brief(update, context, person, started)


async def start_task(update: Update, context: Context) -> None:
    """A task button: its scenario (the version assigned) at the brief, graded by its pass mark."""
    await _start(update, context, replace=False)


async def start_task_anew(update: Update, context: Context) -> None:
    """ "Abandon it and start this": the session in progress gives way to the task."""
    await _start(update, context, replace=True)


async def assignments(update: Update, context: Context) -> None:
    """A team's assignments with how many reps passed, failed, are late or have not started."""
    person = await rep(update, context)
    t = texts(context, person)
    training = context.runtime.training
    team_id = number(args(update, 1)[0])
    info = await training.teams.team(person.id, team_id)
    found = await training.assignments.assignments(person.id, team_id)
    if not found:
        await say(update, context, t("tg.team.assignments_empty"))
        return
    keys = team_keys.assignments([s.assignment.id for s in found])
    await say(update, context, team_text.assignments(t, info, found), keys)


async def summary(update: Update, context: Context) -> None:
    """One assignment's completion summary: each rep's status, attempts and best score."""
    person = await rep(update, context)
    assignment = number(args(update, 1)[0])
    found = await context.runtime.training.assignments.summary(person.id, assignment)
    await say(update, context, team_text.summary(texts(context, person), found))


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("tasks", tasks, filters=private))
    for verb, handler in (
        (team_keys.TASK, start_task),
        (team_keys.TASK_ANEW, start_task_anew),
        (team_keys.ASSIGNMENTS, assignments),
        (team_keys.SUMMARY, summary),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=keyboards.pattern(verb)))
