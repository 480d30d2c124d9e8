"""Where assignments stand: each one's team and scenario titles, and who has passed, failed,
is late or has not started. Read for many assignments at once in a fixed number of queries
(a team's list, a rep's tasks, the reminder plan and the export ask for dozens)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.assignment import Progress, TaskStatus, Terms, progress
from bot.domain.lang import Lang
from bot.domain.periods import local_text
from bot.domain.scenario import Scenario
from bot.scenarios.team_scenarios import Pin, TeamScenarios, pick_title
from bot.storage.team_repository import TeamRecord, UserRecord
from bot.storage.training_repository import AssignmentRecord
from bot.storage.unit import Unit


@dataclass(frozen=True)
class AssignmentInfo:
    """An assignment as the people it concerns see it."""

    id: int
    team_id: int
    team_name: str
    scenario_id: str
    scenario_version: int
    titles: dict[str, str]
    due_at: dt.datetime
    time_zone: str
    pass_mark: int
    min_attempts: int
    member_id: int | None

    def title(self, lang: Lang) -> str:
        """The scenario's title in the interface language (its own language otherwise)."""
        return pick_title(self.titles, lang, self.scenario_id)

    @property
    def due_local(self) -> str:
        """The due date in the team's time zone, as text."""
        return local_text(self.due_at, self.time_zone)

    def terms(self) -> Terms:
        """What the trainer asked for, for the status rules."""
        return Terms(self.due_at, self.pass_mark, self.min_attempts)


@dataclass(frozen=True)
class MemberProgress:
    """One rep's line in a completion summary."""

    user_id: int
    name: str
    progress: Progress


@dataclass(frozen=True)
class AssignmentSummary:
    """Who passed, failed, is late or has not started."""

    assignment: AssignmentInfo
    members: list[MemberProgress]
    counts: dict[TaskStatus, int] = field(default_factory=dict)


def _pin(row: AssignmentRecord) -> Pin:
    """The scenario an assignment plays: a team scenario's assigned version, a shipped one's
    current file."""
    return (row.team_id, row.scenario_id, row.scenario_version if row.source == "team" else None)


def _titles(scenario: Scenario | None) -> dict[str, str]:
    if scenario is None:
        return {}  # a shipped file removed since: fall back to the id
    by_lang: dict[str, str] = {scenario.language: scenario.title}  # its own language first
    for lang, tr in scenario.translations.items():
        by_lang.setdefault(lang, tr.title)
    return by_lang


async def assignment_infos(
    u: Unit,
    scenarios: TeamScenarios,
    rows: list[AssignmentRecord],
    teams: Mapping[int, TeamRecord] | None = None,
) -> list[AssignmentInfo]:
    """Assignment rows with their team names and scenario titles (`teams` already read)."""
    known = dict(teams or {})
    known |= await u.teams.teams_by_id({r.team_id for r in rows} - known.keys())
    found = await scenarios.find_many(u.teams, [_pin(r) for r in rows])
    infos = []
    for row in rows:
        team, scenario = known.get(row.team_id), found.get(_pin(row))
        infos.append(
            AssignmentInfo(
                row.id,
                row.team_id,
                team.name if team else "",
                row.scenario_id,
                row.scenario_version,
                _titles(scenario.scenario if scenario else None),
                row.due_at,
                row.time_zone,
                row.pass_mark,
                row.min_attempts,
                row.user_id,
            )
        )
    return infos


async def assignment_info(
    u: Unit, scenarios: TeamScenarios, row: AssignmentRecord, team: TeamRecord | None = None
) -> AssignmentInfo:
    """An assignment row with its team name and scenario titles."""
    (info,) = await assignment_infos(u, scenarios, [row], {team.id: team} if team else None)
    return info


async def summaries(
    u: Unit, scenarios: TeamScenarios, rows: list[AssignmentRecord], now: dt.datetime
) -> list[AssignmentSummary]:
    """The completion summary of each assignment at `now`, in the rows' order."""
    repo = u.training
    infos = await assignment_infos(u, scenarios, rows)
    attempts = await repo.attempts([r.id for r in rows])
    targets = await repo.targets_of(rows)
    result = []
    for info in infos:
        members = [
            MemberProgress(
                u.id,
                u.display_name,
                progress(info.terms(), attempts.get((info.id, u.id), []), now),
            )
            for u in targets[info.id]
        ]
        counts = Counter(m.progress.status for m in members)
        result.append(AssignmentSummary(info, members, {k: counts[k] for k in TaskStatus}))
    return result


async def summarize(
    u: Unit, scenarios: TeamScenarios, row: AssignmentRecord, now: dt.datetime
) -> AssignmentSummary:
    """The completion summary of one assignment at `now`."""
    (summary,) = await summaries(u, scenarios, [row], now)
    return summary


async def pending_reps(
    u: Unit, rows: list[AssignmentRecord], now: dt.datetime
) -> dict[int, list[UserRecord]]:
    """For each assignment (by id), the reps it is meant for who have not passed it yet."""
    repo = u.training
    attempts = await repo.attempts([r.id for r in rows])
    targets = await repo.targets_of(rows)
    pending: dict[int, list[UserRecord]] = {}
    for row in rows:
        terms = Terms(row.due_at, row.pass_mark, row.min_attempts)
        pending[row.id] = [
            u
            for u in targets[row.id]
            if progress(terms, attempts.get((row.id, u.id), []), now).status != TaskStatus.PASSED
        ]
    return pending
