"""Shared fixtures: settings on a temporary SQLite file, the catalog, the shipped scenarios,
a migrated database on SQLite and (where reachable) PostgreSQL, the whole product (`app`,
`llm_app`), the training world (`world`) and the trainer side through the bot (`tb`).

Fakes go in through `container()`'s keyword collaborators, never by assigning to what it
built; a file changes `app` or `tb` by overriding `app_client` or `tb_*`."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.composition import Container, container
from bot.domain.clock import Clock as ClockPort
from bot.domain.clock import system_clock
from bot.domain.ports import ClientModel
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT, Settings, get_settings
from bot.storage.database import Database
from tests.support.fake_openai import FakeOpenAI
from tests.support.llm import llm_settings
from tests.support.team_bot import Setup, TeamBot, running
from tests.support.world import Clock, World, build_world

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SCENARIO_ID = "district-health-tail-payment"


async def _postgres_reason() -> str | None:
    """None when the test PostgreSQL server answers, else why it is skipped."""
    import asyncpg  # local: only the PostgreSQL half needs it

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.close()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        name = type(exc).__name__
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({name}); set TEST_POSTGRES_URL"
    return None


_PG_REASON: list[str | None] = []


async def postgres_skip_reason() -> str | None:
    """Probe PostgreSQL once per test run."""
    if not _PG_REASON:
        _PG_REASON.append(await _postgres_reason())
    return _PG_REASON[0]


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's .env or environment secrets."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "OPENAI_", "LLM_", "DATABASE_URL")):
            monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a temporary SQLite database, offline models."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'trainer.db'}",
        scenarios_dir=ROOT / "scenarios",
    )


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled message catalogs."""
    return Catalog.load()


@pytest.fixture(scope="session")
def library() -> ScenarioLibrary:
    """The shipped scenarios."""
    return ScenarioLibrary.from_directory(ROOT / "scenarios")


@pytest.fixture(scope="session")
def scenario(library: ScenarioLibrary) -> Scenario:
    """The reference scenario (gatekeeper → official)."""
    return library.get(SCENARIO_ID)


@asynccontextmanager
async def migrated_database(
    kind: str, tmp_path: Path, clock: ClockPort = system_clock
) -> AsyncIterator[Database]:
    """A migrated database on `clock`: SQLite, or PostgreSQL in a private schema (the test is
    skipped if PostgreSQL is absent)."""
    if kind == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", clock=clock)
        await database.migrate()
        yield database
        await database.dispose()
        return
    reason = await postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as conn:
        await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    database = Database(POSTGRES_URL, schema=schema, clock=clock)
    try:
        await database.migrate()
        yield database
    finally:
        await database.dispose()
        async with admin.engine.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


DATABASES = ["sqlite", "postgres"]


@pytest.fixture(params=DATABASES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database: SQLite, and PostgreSQL in a private schema (skipped if absent)."""
    async with migrated_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture(params=DATABASES)
async def world(
    request: pytest.FixtureRequest, tmp_path: Path, catalog: Catalog, library: ScenarioLibrary
) -> AsyncIterator[World]:
    """Training services on a migrated test database (as `db`) whose clock the test moves
    (see tests/support/world.py)."""
    async with migrated_database(request.param, tmp_path, Clock()) as database:
        yield build_world(database, catalog, library)


@pytest.fixture
def tb_settings(settings: Settings) -> Settings:
    """The settings `tb` starts on (a file overrides this for, say, a model on the fake)."""
    return settings


@pytest.fixture
def tb_setup() -> Setup:
    """What `tb` goes through before the test: a trainer's team of one rep, unless a file
    overrides this fixture."""
    return TeamBot.team


@pytest.fixture
def tb_kind() -> type[TeamBot]:
    """The bot `tb` is (a file overrides this for, say, users whose Telegram is in English)."""
    return TeamBot


@pytest.fixture
def tb_strict() -> bool:
    """Whether `tb` fails a test that made a Bot API call the fake did not know."""
    return True


@pytest.fixture
async def tb(
    tb_settings: Settings, tb_setup: Setup, tb_kind: type[TeamBot], tb_strict: bool
) -> AsyncIterator[TeamBot]:
    """The trainer side through the real Application on a test clock (tests/support/team_bot.py):
    by default a trainer's team of one rep, and no unknown Bot API calls."""
    async for started in running(tb_settings, tb_setup, tb_kind, tb_strict):
        yield started


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on 127.0.0.1 (scripted per test)."""
    with FakeOpenAI() as server:
        yield server


SCENARIO_DAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def llm_app(tmp_path: Path, fake: FakeOpenAI) -> AsyncIterator[Container]:
    """The whole product with every model role on the fake server."""
    async with container(llm_settings(tmp_path, fake)) as built:
        yield built


@pytest.fixture
def app_client() -> ClientModel | None:
    """Who plays the client in `app`: None for the offline engine the settings give; a test
    file overrides this fixture to pass its own fake in through the container."""
    return None


@pytest.fixture
async def app(settings: Settings, app_client: ClientModel | None) -> AsyncIterator[Container]:
    """The whole product on offline models and a temporary SQLite database; sessions start on
    the day the shipped scenarios are written as of, so their dates read as written."""
    async with container(settings, clock=lambda: SCENARIO_DAY, client=app_client) as built:
        yield built
