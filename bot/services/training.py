"""The training side, assembled: one object the composition root builds and adapters use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import system_clock
from bot.domain.periods import Clock
from bot.i18n import Catalog
from bot.scenarios.library import ScenarioLibrary
from bot.scenarios.team_scenarios import TeamScenarios
from bot.services.access import Access
from bot.services.assignments import AssignmentService
from bot.services.export import ExportService
from bot.services.leaderboard import LeaderboardService
from bot.services.practice import PracticeService
from bot.services.reminders import ReminderService
from bot.services.review import ReviewService
from bot.services.scenario_draft import ScenarioDrafter
from bot.services.scenario_studio import ScenarioStudio
from bot.services.scenario_upload import TeamScenarioService
from bot.services.teams import TeamService
from bot.services.usage import UsageLedger
from bot.settings import Settings
from bot.storage.database import Database


@dataclass(frozen=True)
class Training:
    """Teams, assignments, review, boards, export, team scenarios and the reminder side."""

    access: Access
    scenarios: TeamScenarios
    teams: TeamService
    assignments: AssignmentService
    review: ReviewService
    boards: LeaderboardService
    exports: ExportService
    uploads: TeamScenarioService
    reminders: ReminderService
    studio: ScenarioStudio


def build_training(
    settings: Settings,
    db: Database,
    catalog: Catalog,
    library: ScenarioLibrary,
    practice: PracticeService,
    clock: Clock = system_clock,
    drafter: ScenarioDrafter | None = None,
    ledger: UsageLedger | None = None,
) -> Training:
    """Every training service on one database, clock and set of operators."""
    access = Access(settings.admin_telegram_ids)
    scenarios = TeamScenarios(library)
    uploads = TeamScenarioService(db, access, scenarios, practice)
    return Training(
        access=access,
        scenarios=scenarios,
        teams=TeamService(db, access, clock, settings.team_time_zone),
        assignments=AssignmentService(db, access, scenarios, practice, clock),
        review=ReviewService(db, access, clock),
        boards=LeaderboardService(db, access, clock),
        exports=ExportService(db, access, catalog, scenarios, clock),
        uploads=uploads,
        reminders=ReminderService(db, access, scenarios, clock),
        studio=ScenarioStudio(db, access, uploads, practice, clock, drafter, ledger),
    )
