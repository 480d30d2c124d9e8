"""Export a team's results for a period: sessions, scores, dimensions, checklist, task status.

CSV holds the sessions table (with each session's task status); XLSX holds it and a second
sheet with every assignment's status per rep. Headers and values are in the trainer's
language; times are in the team's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from bot.domain.assignment import Progress, Terms, progress
from bot.domain.clock import system_clock
from bot.domain.facts import FACT_KEYS
from bot.domain.lang import Lang
from bot.domain.periods import Clock, Period, local_text, window, zone
from bot.domain.roles import Action
from bot.domain.rubric import DIMENSIONS
from bot.errors import InvalidRequest
from bot.i18n import Catalog
from bot.scenarios.team_scenarios import TeamScenarios, pick_title, titles
from bot.services.access import Access
from bot.services.completion import summaries
from bot.storage.database import Database
from bot.storage.team_repository import TeamRecord
from bot.storage.training_repository import TeamSession
from bot.storage.unit import Unit
from bot.views.spreadsheet import Cell, Table, to_csv, to_xlsx

Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def local_time(moment: dt.datetime, tz: str) -> dt.datetime:
    """A moment as the team's wall clock shows it, for a date cell (Excel keeps no zone)."""
    return moment.astimezone(zone(tz)).replace(tzinfo=None)


@dataclass(frozen=True)
class ExportFile:
    """A file ready to send: its bytes, a file name and its media type."""

    data: bytes
    filename: str
    media_type: str
    rows: int


class ExportService:
    """Builds a team's export files for its trainers."""

    def __init__(
        self,
        db: Database,
        access: Access,
        catalog: Catalog,
        scenarios: TeamScenarios,
        clock: Clock = system_clock,
    ) -> None:
        self.db = db
        self.access = access
        self.catalog = catalog
        self.scenarios = scenarios
        self.clock = clock

    async def export(
        self,
        actor: int,
        team_id: int,
        period: Period = Period.MONTH,
        fmt: Format = "xlsx",
        lang: Lang = "zh",
    ) -> ExportFile:
        """The team's results for the period as CSV or XLSX."""
        if fmt not in MEDIA_TYPES:
            raise InvalidRequest("team.error.export_format", format=str(fmt)[:8])
        now = self.clock()
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.EXPORT)
            team = await u.teams.team(team_id)
            assert team is not None
            since, until = window(Period(period), now, team.time_zone)
            sessions = await self._sessions(u, team, since, until, now, lang)
            tasks = await self._tasks(u, team, since, now, lang) if fmt == "xlsx" else None
        stamp = now.astimezone(dt.UTC).strftime("%Y%m%d")
        name = f"team{team.id}-{Period(period).value}-{stamp}.{fmt}"
        data = (
            to_csv(sessions)
            if fmt == "csv"
            else to_xlsx([sessions, *([tasks] if tasks else [])], now)
        )
        return ExportFile(data, name, MEDIA_TYPES[fmt], len(sessions.rows))

    def _t(self, lang: Lang, key: str) -> str:
        return self.catalog.t(lang, key)

    async def _sessions(
        self,
        u: Unit,
        team: TeamRecord,
        since: dt.datetime | None,
        until: dt.datetime | None,
        now: dt.datetime,
        lang: Lang,
    ) -> Table:
        rows = await u.training.team_sessions(team.id, since=since, until=until)
        statuses = await self._statuses(u, rows, now)
        t = self._t
        headers = [
            t(lang, f"team.export.col.{c}")
            for c in (
                "member",
                "user_id",
                "scenario",
                "scenario_id",
                "version",
                "difficulty",
                "started",
            )
        ]
        headers += [
            t(lang, f"team.export.col.{c}") for c in ("phase", "turns", "overall", "passed")
        ]
        headers += [t(lang, f"dim.{d}") for d in DIMENSIONS]
        headers += [t(lang, f"fact.{f}") for f in FACT_KEYS]
        headers += [
            t(lang, f"team.export.col.{c}")
            for c in (
                "talk_share",
                "overridden",
                "corrections",
                "comments",
                "assignment",
                "task_status",
            )
        ]
        said = await u.training.comments_of([r.session.id for r in rows])
        table: list[list[Cell]] = []
        for r in reversed(rows):  # oldest first reads naturally in a sheet
            card = r.card or {}
            dims = card.get("dimensions", {})
            checklist = card.get("checklist", {})
            task = statuses.get(r.session.id)
            line: list[Cell] = [
                r.user.display_name,
                r.user.id,
                pick_title(titles(r.session.scenario), lang, r.session.scenario_id),
                r.session.scenario_id,
                r.session.scenario_version,
                int(r.session.scenario.get("difficulty", 0)),
                local_time(r.session.created_at, team.time_zone),
                t(lang, f"team.phase.{r.session.phase}"),
                r.turns,
                card.get("overall"),
                t(lang, "team.export.yes" if card.get("passed") else "team.export.no")
                if card
                else None,
            ]
            line += [dims[d]["score"] if d in dims else None for d in DIMENSIONS]
            line += [
                t(lang, f"status.{checklist[f]}") if f in checklist else None for f in FACT_KEYS
            ]
            metrics = card.get("metrics", {})
            share = metrics.get("talk_share")
            line += [
                round(float(share) * 100) if share is not None else None,  # 49, not 0.494
                t(lang, "team.export.yes" if card.get("overrides") else "team.export.no")
                if card
                else None,
                self._corrections(card, lang, team.time_zone),
                "\n".join(
                    self.catalog.t(
                        lang,
                        "loop.export_comment",
                        author=u.display_name,
                        at=local_text(c.created_at, team.time_zone),
                        text=c.text,
                    )
                    for c, u in said.get(r.session.id, [])
                )
                or None,
                r.session.assignment_id,
                t(lang, f"team.status.{task.status.value}") if task else None,
            ]
            table.append(line)
        return Table(t(lang, "team.export.sheet_sessions"), headers, table)

    def _corrections(self, card: dict[str, Any], lang: Lang, zone: str) -> str | None:
        """Each corrected dimension: original → new, by whom, when and why."""
        lines = []
        for dim, fix in (card.get("overrides") or {}).items():
            if not isinstance(fix, dict):
                continue
            try:
                at = local_text(dt.datetime.fromisoformat(str(fix.get("at"))), zone)
            except ValueError:
                at = str(fix.get("at", ""))
            lines.append(
                self.catalog.t(
                    lang,
                    "loop.export_correction",
                    dimension=self._t(lang, f"dim.{dim}"),
                    original=f"{float(fix.get('original', 0)):g}",
                    score=f"{float(fix.get('score', 0)):g}",
                    by=fix.get("by", ""),
                    at=at,
                    reason=fix.get("reason", ""),
                )
            )
        return "\n".join(lines) or None

    async def _statuses(
        self, u: Unit, rows: list[TeamSession], now: dt.datetime
    ) -> dict[str, Progress]:
        """For each session started from an assignment, its rep's status on that assignment."""
        repo = u.training
        ids = sorted({r.session.assignment_id for r in rows if r.session.assignment_id})
        attempts = await repo.attempts(ids)
        terms = {
            assignment_id: Terms(row.due_at, row.pass_mark, row.min_attempts)
            for assignment_id, row in (await repo.assignments_by_id(ids)).items()
        }
        result: dict[str, Progress] = {}
        for r in rows:
            aid = r.session.assignment_id
            if aid in terms and aid is not None:
                result[r.session.id] = progress(terms[aid], attempts.get((aid, r.user.id), []), now)
        return result

    async def _tasks(
        self, u: Unit, team: TeamRecord, since: dt.datetime | None, now: dt.datetime, lang: Lang
    ) -> Table:
        t = self._t
        columns = (
            "assignment",
            "scenario",
            "member",
            "due",
            "pass_mark",
            "min_attempts",
            "attempts",
            "best",
            "task_status",
            "late",
        )
        headers = [t(lang, f"team.export.col.{c}") for c in columns]
        table: list[list[Cell]] = []
        rows = [
            row
            for row in reversed(await u.training.team_assignments(team.id))
            if since is None or row.due_at >= since
        ]
        for summary in await summaries(u, self.scenarios, rows, now):
            info = summary.assignment
            for member in summary.members:
                p = member.progress
                table.append(
                    [
                        info.id,
                        info.title(lang),
                        member.name,
                        local_time(info.due_at, team.time_zone),
                        info.pass_mark,
                        info.min_attempts,
                        p.attempts,
                        p.best,
                        t(lang, f"team.status.{p.status.value}"),
                        t(lang, "team.export.yes" if p.late else "team.export.no"),
                    ]
                )
        return Table(t(lang, "team.export.sheet_tasks"), headers, table)
