"""The one composition root: Settings → resources → services. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.domain.ports import ClientModel, Judge
from bot.i18n import Catalog
from bot.offline.client import OfflineClient, load_phrases
from bot.offline.judge import OfflineJudge
from bot.scenarios.library import ScenarioLibrary
from bot.services.grading import GradingService
from bot.services.practice import PracticeService
from bot.services.training import Training, build_training
from bot.services.users import UserService
from bot.settings import Settings
from bot.storage.database import Database


@dataclass
class Container:
    """Everything an adapter needs, built from settings."""

    settings: Settings
    catalog: Catalog
    db: Database
    scenarios: ScenarioLibrary
    client: ClientModel
    judge: Judge
    judge_label: str
    users: UserService
    practice: PracticeService
    grading: GradingService
    training: Training


def build_models(settings: Settings, catalog: Catalog) -> tuple[ClientModel, Judge, str, Judge]:
    """The client model and judge for these settings (offline when no model is configured)."""
    offline_judge = OfflineJudge(catalog)
    return OfflineClient(load_phrases()), offline_judge, offline_judge.label, offline_judge


@dataclass
class Grading:
    """What grading needs without a database (for `trainer grade` and `trainer eval`)."""

    catalog: Catalog
    judge: Judge
    grading: GradingService


def grading_only(settings: Settings) -> Grading:
    """The judge and grading service alone."""
    catalog = Catalog.load()
    _, judge, _, fallback = build_models(settings, catalog)
    return Grading(
        catalog, judge, GradingService(judge, fallback if fallback is not judge else None)
    )


@asynccontextmanager
async def container(settings: Settings, migrate: bool = True) -> AsyncIterator[Container]:
    """Build the product, migrate the database, and close everything on exit."""
    catalog = Catalog.load()
    scenarios = ScenarioLibrary.from_directory(settings.scenarios_dir)
    db = Database(settings.database_url)
    try:
        if migrate:
            await db.migrate()
        client, judge, judge_label, fallback = build_models(settings, catalog)
        grading = GradingService(judge, fallback if fallback is not judge else None)
        practice = PracticeService(db, scenarios, client, grading, settings.max_message_chars)
        yield Container(
            settings=settings,
            catalog=catalog,
            db=db,
            scenarios=scenarios,
            client=client,
            judge=judge,
            judge_label=judge_label,
            users=UserService(db, settings.default_language),
            practice=practice,
            grading=grading,
            training=build_training(settings, db, catalog, scenarios, practice),
        )
    finally:
        await db.dispose()
