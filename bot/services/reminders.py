"""The system side of training: reminders, weekly group boards, who gets the trainer menu.

No acting user here: the bot's job queue calls these, never a chat handler. The job queue
keeps nothing itself: at start (and after each new assignment) it asks `pending()` for the
reminders still owed and schedules each at its time; when one comes due it calls `fire()`,
which records it before returning the notice, so a restart or a second worker can never send
it twice (at most once: a crash between recording and sending drops it rather than repeat it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.assignment import TaskStatus, Terms, progress
from bot.domain.board_week import due_week
from bot.domain.clock import system_clock
from bot.domain.lang import Lang, parse_lang
from bot.domain.periods import Clock, Period
from bot.domain.reminders import LEAD, Due, Reminder, ReminderKind, plan
from bot.domain.roles import Role
from bot.scenarios.team_scenarios import TeamScenarios
from bot.services.access import Access
from bot.services.completion import assignment_info, pending_reps, summarize
from bot.services.leaderboard import Board, compute_board
from bot.services.notices import Link, Notice, notice_to
from bot.storage.database import Database
from bot.storage.team_repository import TeamRecord
from bot.storage.unit import Unit

CATCH_UP = dt.timedelta(days=7)
"""Reminders missed while the bot was down are still sent if the due date is this recent."""
MAX_NAMES = 20


@dataclass(frozen=True)
class Post:
    """A board to post in a team's linked group chat."""

    chat_id: int
    lang: Lang
    board: Board


class ReminderService:
    """Plans and fires reminders; builds the weekly group boards."""

    def __init__(
        self,
        db: Database,
        access: Access,
        scenarios: TeamScenarios,
        clock: Clock = system_clock,
        lead: dt.timedelta = LEAD,
    ) -> None:
        self.db = db
        self.access = access
        self.scenarios = scenarios
        self.clock = clock
        self.lead = lead

    async def pending(self) -> list[Reminder]:
        """Every reminder still owed, soonest first (rebuilt from the database each call)."""
        now = self.clock()
        async with self.db.unit() as u:
            repo = u.training
            rows = await repo.all_assignments(since=now - CATCH_UP)
            pending = await pending_reps(u, rows, now)
            items = [
                Due(
                    row.id,
                    row.due_at,
                    row.created_at,
                    row.created_by,
                    tuple(u.id for u in pending[row.id]),
                )
                for row in rows
            ]
            sent = await repo.sent_reminders([row.id for row in rows])
        return plan(items, sent, now, self.lead)

    async def fire(self, reminder: Reminder) -> list[Notice]:
        """Record a due reminder as handled and return what to send (nothing if no longer apt)."""
        now = self.clock()
        if not reminder.due(now):
            return []  # fired early (a clock skew): the next planning schedules it again
        async with self.db.unit() as u:
            repo = u.training
            row = await repo.assignment(reminder.assignment_id)
            user = await u.teams.user(reminder.user_id)
            if row is None or user is None:
                return []
            if reminder.kind != ReminderKind.SUMMARY:
                terms = Terms(row.due_at, row.pass_mark, row.min_attempts)
                mine = (await repo.attempts([row.id])).get((row.id, user.id), [])
                stale = reminder.kind == ReminderKind.DUE_SOON and now >= row.due_at
                if stale or progress(terms, mine, now).status == TaskStatus.PASSED:
                    await repo.claim_reminder(reminder.key, "skipped")
                    return []
            if not await repo.claim_reminder(reminder.key, "sent"):
                return []
            lang = parse_lang(user.language)
            if reminder.kind == ReminderKind.SUMMARY:
                summary = await summarize(u, self.scenarios, row, now)
                unfinished = [
                    m.name for m in summary.members if m.progress.status != TaskStatus.PASSED
                ]
                counts = {k.value: v for k, v in summary.counts.items()}
                notice = notice_to(
                    user,
                    "team.reminder.summary",
                    opens=Link("summary", summary.assignment.id),
                    team=summary.assignment.team_name,
                    title=summary.assignment.title(lang),
                    total=len(summary.members),
                    unfinished=("、" if lang == "zh" else ", ").join(unfinished[:MAX_NAMES]) or "—",
                    **counts,
                )
            else:
                info = await assignment_info(u, self.scenarios, row)
                notice = notice_to(
                    user,
                    f"team.reminder.{reminder.kind.value}",
                    opens=Link("task", info.id),
                    team=info.team_name,
                    title=info.title(lang),
                    due=info.due_local,
                    pass_mark=info.pass_mark,
                    task=info.id,
                )
        return [notice] if notice else []

    async def weekly_boards(self) -> list[Post]:
        """This week's board for every team with a linked group chat."""
        now = self.clock()
        async with self.db.unit() as u:
            return [await _post(u, team, now) for team in await u.teams.teams_with_chat()]

    async def due_boards(self) -> list[Post]:
        """Boards whose weekly posting time (Friday 18:00, team time) has come, not yet posted.

        Each team's week is recorded before its board is returned, so a restart or a second
        worker never posts the same week twice (at most once, like `fire`).
        """
        now = self.clock()
        async with self.db.unit() as u:
            repo = u.teams
            posts = []
            for team in await repo.teams_with_chat():
                week = due_week(now, team.time_zone)
                assert team.chat_id is not None
                if week is not None and await repo.claim_weekly_board(team.id, week, team.chat_id):
                    posts.append(await _post(u, team, now))
            return posts

    async def staff(self) -> list[tuple[int, Role]]:
        """Telegram ids that get the trainer (or operator) command menu."""
        async with self.db.unit() as u:
            repo = u.teams
            trainers = {u.telegram_id for u in await repo.trainer_grants()}
            trainers |= {u.telegram_id for u in await repo.team_trainers()}
        operators = self.access.operators
        result = [(tid, Role.OPERATOR) for tid in sorted(operators)]
        result += [(tid, Role.TRAINER) for tid in sorted(t for t in trainers if t is not None)]
        return [
            (tid, role) for tid, role in result if role == Role.OPERATOR or tid not in operators
        ]


async def _post(u: Unit, team: TeamRecord, now: dt.datetime) -> Post:
    """A team's board for this week, in the language of the trainer who created the team."""
    assert team.chat_id is not None
    creator = await u.teams.user(team.created_by)
    board = await compute_board(u, team, Period.WEEK, now)
    return Post(team.chat_id, parse_lang(creator.language if creator else None), board)
