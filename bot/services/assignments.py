"""Assignments: a trainer assigns a scenario with a due date; reps see their tasks and start one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.assignment import Progress, TaskStatus, progress
from bot.domain.clock import system_clock
from bot.domain.lang import Lang, parse_lang
from bot.domain.periods import Clock, check_due, parse_due
from bot.domain.reminders import Due, Reminder, plan
from bot.domain.roles import Action, Role
from bot.errors import AccessDenied, AssignmentNotFound, InvalidRequest
from bot.scenarios.team_scenarios import TeamScenarios
from bot.services.access import Access
from bot.services.completion import (
    AssignmentInfo,
    AssignmentSummary,
    assignment_info,
    assignment_infos,
    summaries,
    summarize,
)
from bot.services.notices import Link, Notice, notice_to
from bot.services.practice import PlayContext, PracticeService, Started
from bot.storage.database import Database
from bot.storage.team_repository import TeamRecord, UserRecord
from bot.storage.training_repository import AssignmentRecord
from bot.storage.unit import Unit

MAX_MIN_ATTEMPTS = 20
# Tasks needing action come first.
_ORDER = {
    TaskStatus.OVERDUE: 0,
    TaskStatus.NOT_STARTED: 1,
    TaskStatus.IN_PROGRESS: 2,
    TaskStatus.FAILED: 3,
    TaskStatus.PASSED: 4,
}


@dataclass(frozen=True)
class Task:
    """One of a rep's tasks with their status."""

    assignment: AssignmentInfo
    progress: Progress


@dataclass(frozen=True)
class Assigned:
    """A new assignment, the notices it sends, and the reminders to schedule for it."""

    assignment: AssignmentInfo
    notices: list[Notice]
    reminders: list[Reminder]


class AssignmentService:
    """Assigning scenarios and doing them."""

    def __init__(
        self,
        db: Database,
        access: Access,
        scenarios: TeamScenarios,
        practice: PracticeService,
        clock: Clock = system_clock,
    ) -> None:
        self.db = db
        self.access = access
        self.scenarios = scenarios
        self.practice = practice
        self.clock = clock

    async def assign(
        self,
        actor: int,
        team_id: int,
        scenario_id: str,
        due: dt.datetime | str,
        pass_mark: int | None = None,
        min_attempts: int = 1,
        member_id: int | None = None,
        request_key: str | None = None,
    ) -> Assigned:
        """Assign a scenario to the team's reps (or one rep) with a due date in the team's zone.

        `due` is an aware datetime or text such as `2026-12-05 18:00`, `12-05` or `3d`
        (see `parse_due`); `pass_mark` defaults to the scenario's own. With a `request_key`
        (e.g. a Telegram flow's nonce) the call is idempotent: a replay after a crash finds the
        assignment it made and returns it with its notices again (at least once, never twice
        assigned).
        """
        now = self.clock()
        if not 1 <= min_attempts <= MAX_MIN_ATTEMPTS:
            raise InvalidRequest("team.error.min_attempts", limit=MAX_MIN_ATTEMPTS)
        if pass_mark is not None and not 0 <= pass_mark <= 100:
            raise InvalidRequest("team.error.pass_mark")
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.ASSIGN)
            teams = u.teams
            team = await teams.team(team_id)
            assert team is not None
            done = await u.training.assignment_by_request_key(request_key)
            if done is not None and done.team_id == team_id:
                return await self._assigned(u, done, team, actor, now)
            found = await self.scenarios.find(teams, team_id, scenario_id)
            if member_id is not None and await teams.member_role(team_id, member_id) != Role.REP:
                raise InvalidRequest("team.error.not_a_rep")
            due_at = (
                parse_due(due, team.time_zone, now) if isinstance(due, str) else check_due(due, now)
            )
            row = await u.training.add_assignment(
                team_id=team_id,
                user_id=member_id,
                scenario_id=found.scenario.id,
                scenario_version=found.scenario.version,
                source=found.source,
                due_at=due_at,
                time_zone=team.time_zone,
                pass_mark=found.scenario.pass_mark if pass_mark is None else pass_mark,
                min_attempts=min_attempts,
                created_by=actor,
                created_at=now,
                request_key=request_key,
            )
            return await self._assigned(u, row, team, actor, now)

    async def _assigned(
        self, u: Unit, row: AssignmentRecord, team: TeamRecord, actor: int, now: dt.datetime
    ) -> Assigned:
        """The stored assignment with the notices and reminders it owes."""
        info = await assignment_info(u, self.scenarios, row, team)
        targets = await u.training.targets(row)
        trainer = await u.teams.user(actor)
        trainer_lang = parse_lang(trainer.language if trainer else None)
        notices = [n for u in targets if (n := self._assigned_notice(u, info))]
        if team.chat_id is not None and row.user_id is None:
            notices.append(self._group_notice(team.chat_id, info, trainer_lang))
        owed = Due(row.id, row.due_at, now, actor, tuple(u.id for u in targets))
        return Assigned(info, notices, plan([owed], set(), now))

    @staticmethod
    def _assigned_notice(user: UserRecord, info: AssignmentInfo) -> Notice | None:
        lang = parse_lang(user.language)
        return notice_to(
            user,
            "team.notice.assigned",
            opens=Link("task", info.id),
            team=info.team_name,
            title=info.title(lang),
            due=info.due_local,
            pass_mark=info.pass_mark,
            attempts=info.min_attempts,
        )

    @staticmethod
    def _group_notice(chat_id: int, info: AssignmentInfo, lang: Lang) -> Notice:
        """The group hears it in the assigning trainer's language."""
        return Notice(
            chat_id,
            lang,
            "team.notice.assigned_group",
            {"team": info.team_name, "title": info.title(lang), "due": info.due_local},
            opens=Link("task", info.id),
        )

    async def assignments(self, actor: int, team_id: int) -> list[AssignmentSummary]:
        """The team's assignments with who passed, failed, is late or has not started."""
        now = self.clock()
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.REVIEW)
            rows = await u.training.team_assignments(team_id)
            return await summaries(u, self.scenarios, rows, now)

    async def summary(self, actor: int, assignment_id: int) -> AssignmentSummary:
        """The completion summary of one assignment."""
        async with self.db.unit() as u:
            row = await u.training.assignment(assignment_id)
            if row is None:
                raise AssignmentNotFound(assignment=assignment_id)
            await self.access.require(u.teams, actor, row.team_id, Action.REVIEW)
            return await summarize(u, self.scenarios, row, self.clock())

    async def tasks(self, actor: int) -> list[Task]:
        """The actor's tasks across their teams, those needing action first."""
        now = self.clock()
        async with self.db.unit() as u:
            repo = u.training
            rows = await repo.assignments_for(actor)
            attempts = await repo.attempts([r.id for r in rows])
            tasks = [
                Task(info, progress(info.terms(), attempts.get((info.id, actor), []), now))
                for info in await assignment_infos(u, self.scenarios, rows)
            ]
        return sorted(tasks, key=lambda t: (_ORDER[t.progress.status], t.assignment.due_at))

    async def start(self, actor: int, assignment_id: int, replace: bool = False) -> Started:
        """Start one of the actor's tasks: the pinned scenario version, judged by its pass mark."""
        async with self.db.unit() as u:
            row = await u.training.assignment(assignment_id)
            if row is None or not await self._is_target(u, row, actor):
                raise AssignmentNotFound(assignment=assignment_id)
            version = row.scenario_version if row.source == "team" else None
            found = await self.scenarios.find(u.teams, row.team_id, row.scenario_id, version)
        # The pass mark travels in the session's scenario snapshot, so grading uses the task's.
        scenario = found.scenario.model_copy(update={"pass_mark": row.pass_mark})
        context = PlayContext(scenario, row.team_id, row.id)
        return await self.practice.start(actor, scenario.id, replace, context=context)

    async def _is_target(self, u: Unit, row: AssignmentRecord, actor: int) -> bool:
        try:
            await self.access.require(u.teams, actor, row.team_id, Action.DO_TASKS)
        except AccessDenied:
            return False
        if row.user_id is not None:
            return row.user_id == actor
        return await u.teams.member_role(row.team_id, actor) == Role.REP
