"""The JobQueue side of training: reminders, the weekly group boards and the staff menus.

PTB's JobQueue keeps nothing across restarts, so nothing here is the source of truth: at start
(`start`, from `post_init`) the reminders still owed are read back from the database and
scheduled, each job named by its reminder's key so scheduling twice is harmless; the plan is
re-read every hour (reps who joined after an assignment, clock jumps). A fired job asks
`ReminderService.fire`, which records the reminder before returning it, so it goes out at
most once even if two jobs (or two workers) fire it. Weekly boards are checked every few
minutes and claimed per team and week in the database (`ReminderService.due_boards`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable
from typing import Any

from telegram.ext import JobQueue

from bot.domain.reminders import Reminder
from bot.health import BEAT_EVERY, worker_name
from bot.metrics import metrics
from bot.storage.heartbeats import beat
from bot.telegram import menus, team_text
from bot.telegram.delivery import deliver, post
from bot.telegram.runtime import App, Context, Runtime

log = logging.getLogger("bot.telegram")

REPLAN_EVERY = dt.timedelta(hours=1)
BOARDS_EVERY = dt.timedelta(minutes=10)
MENUS_EVERY = dt.timedelta(hours=1)
REPLAN, BOARDS, MENUS = "reminders:replan", "boards:weekly", "menus:staff"
HEARTBEAT = "worker:heartbeat"
# APScheduler drops a job whose time passed more than a second ago (its default grace), which
# is what a job due "now" is by the time the scheduler starts, or after the machine slept.
LATE_OK = {"misfire_grace_time": None}


def runtime_of(application: App) -> Runtime:
    """The runtime `post_init` just set up."""
    return application.bot_data.started()


def job_name(reminder: Reminder) -> str:
    """The job's name: the reminder's key (assignment, recipient, kind)."""
    assignment, user, kind = reminder.key
    return f"reminder:{assignment}:{user}:{kind}"


def schedule(queue: JobQueue[Any], reminders: Iterable[Reminder], now: dt.datetime) -> int:
    """Schedule each reminder at its time (those due at once); how many jobs were added.

    A reminder that already has a job is left alone unless it is due now and its job waits for
    later (the clock jumped): then it runs now, and `fire` still sends it only once.
    """
    added = 0
    for reminder in reminders:
        name = job_name(reminder)
        existing = queue.get_jobs_by_name(name)
        due = reminder.due(now)
        if existing and not due:
            continue
        for job in existing:
            job.schedule_removal()
        delay = 0.0 if due else (reminder.at - now).total_seconds()
        queue.run_once(fire, when=delay, data=reminder, name=name, job_kwargs=LATE_OK)
        added += 1
    return added


async def fire(context: Context) -> None:
    """A reminder's time has come: send what the service says is still owed."""
    job = context.job
    if job is None or not isinstance(job.data, Reminder):
        return
    rt = context.runtime
    notices = await rt.training.reminders.fire(job.data)
    await deliver(context.bot, rt.catalog, notices)
    if notices:
        metrics().reminders.labels(job.data.kind.value).inc(len(notices))


async def replan(context: Context) -> None:
    """Read the reminders still owed back from the database and schedule the missing ones."""
    rt = context.runtime
    reminders = await rt.training.reminders.pending()
    if context.job_queue is not None:
        added = schedule(context.job_queue, reminders, rt.training.reminders.clock())
        log.info("reminders: %d owed, %d newly scheduled", len(reminders), added)


async def post_boards(context: Context) -> None:
    """Post each weekly board whose time has come (Friday 18:00, team time) to its group."""
    rt = context.runtime
    for item in await rt.training.reminders.due_boards():
        t = team_text.Texts(rt.catalog, item.lang)
        text = t("tg.team.weekly_post") + "\n\n" + team_text.board(t, item.board, "")
        chart = await team_text.board_chart(t, item.board, "") if item.board.lines else None
        await post(context.bot, item.chat_id, text, chart)
        metrics().reminders.labels("weekly_board").inc()


async def refresh_menus(context: Context) -> None:
    """Give every trainer and operator their command menu (only those not set yet)."""
    rt = context.runtime
    known = context.bot_data.menus
    default = rt.services.settings.default_language
    for telegram_id, role in await rt.training.reminders.staff():
        if known.get(telegram_id) == role:
            continue
        if await menus.set_staff(context.bot, rt.catalog, default, telegram_id, role):
            known[telegram_id] = role


async def heartbeat(context: Context) -> None:
    """Write this worker's heartbeat (read by `trainer health`)."""
    rt = context.runtime
    settings = rt.services.settings
    mode = "webhook" if settings.telegram_webhook_url else "polling"
    async with rt.services.db.session() as s:
        await beat(s, worker_name(settings), mode, os.getpid(), rt.started_at)


async def start(application: App) -> None:
    """Schedule the reminders still owed now; re-plan hourly; check boards and menus regularly."""
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue (install python-telegram-bot[job-queue]): no reminders")
        return
    queue.run_once(heartbeat, when=0, name=HEARTBEAT, job_kwargs=LATE_OK)
    queue.run_repeating(heartbeat, interval=BEAT_EVERY, first=BEAT_EVERY, name=HEARTBEAT)
    training = runtime_of(application).training
    reminders = await training.reminders.pending()
    added = schedule(queue, reminders, training.reminders.clock())
    log.info("reminders: %d owed, %d scheduled", len(reminders), added)
    queue.run_repeating(replan, interval=REPLAN_EVERY, first=REPLAN_EVERY, name=REPLAN)
    for callback, every, name in (
        (refresh_menus, MENUS_EVERY, MENUS),
        (post_boards, BOARDS_EVERY, BOARDS),
    ):
        # Once as soon as the bot runs, then regularly.
        queue.run_once(callback, when=0, name=name, job_kwargs=LATE_OK)
        queue.run_repeating(callback, interval=every, first=every, name=name)
