"""The one composition root: Settings → resources → services. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

from bot.domain.clock import Clock, SystemClock
from bot.domain.ports import ClientModel, Judge
from bot.i18n import Catalog
from bot.llm.client import LLMClient
from bot.llm.coach import LLMCoach
from bot.llm.gateway import Gateway, GatewayConfig
from bot.llm.judge import LLMJudge
from bot.llm.prompts import Prompts
from bot.llm.reader import ModelReader
from bot.llm.synthesis import Synthesizer
from bot.llm.transcriber import Transcriber
from bot.offline.client import OfflineClient, load_phrases
from bot.offline.judge import OfflineJudge
from bot.reading import LexicalReader, Reader
from bot.reading.lexicon import preload as preload_lexicons
from bot.scenarios.library import ScenarioLibrary
from bot.services.grading import GradingService, Rewriter
from bot.services.practice import PracticeService
from bot.services.practice_types import HintCoach
from bot.services.scenario_draft import ScenarioDrafter
from bot.services.training import Training, build_training
from bot.services.usage import UsageLedger, UsageSink
from bot.services.users import UserService
from bot.services.voice import ReplyVoice, VoiceService
from bot.settings import ROOT, Settings, default_database_url
from bot.storage.address import check_url, connect_error
from bot.storage.database import Database


class Coach(HintCoach, Rewriter, Protocol):
    """A coach for both moments: a hint during the rep, a reworded turn on the scorecard."""


@dataclass
class Models:
    """Who plays the client, who judges and who coaches, plus the offline stand-ins."""

    client: ClientModel
    judge: Judge
    offline_judge: OfflineJudge
    offline_client: OfflineClient
    coach: Coach | None = None
    gateway: Gateway | None = None
    author: ScenarioDrafter | None = None

    @property
    def judge_label(self) -> str:
        """The judge's name as shown to users ("offline" or "llm:<model>")."""
        return str(getattr(self.judge, "label", "judge"))

    @property
    def fallback(self) -> Judge | None:
        """The judge to use when the configured one fails (None if it is already offline)."""
        return None if self.judge is self.offline_judge else self.offline_judge

    async def aclose(self) -> None:
        """Close the provider connection pool, if any."""
        if self.gateway is not None:
            await self.gateway.aclose()


def gateway_config(settings: Settings) -> GatewayConfig:
    """How to reach the provider, from the settings (the key stays a secret until here)."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return GatewayConfig(
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=settings.llm_timeout_seconds,
        connect_timeout=settings.llm_connect_timeout_seconds,
        max_retries=settings.llm_max_retries,
        structured=settings.llm_structured_output,
        token_gap=settings.llm_token_gap_seconds,
        prompt_slots=settings.llm_prompt_slots,
    )


def build_transcriber(settings: Settings) -> Transcriber | None:
    """The speech-to-text model (STT_MODEL) on STT_BASE_URL or the LLM's base URL, if set."""
    if not settings.stt_model:
        return None
    config = replace(gateway_config(settings), base_url=settings.stt_url)
    return Transcriber(config, settings.stt_model)


def build_synthesizer(settings: Settings) -> Synthesizer | None:
    """The speech model (TTS_MODEL) on TTS_BASE_URL or the LLM's base URL, if set."""
    if not settings.tts_model:
        return None
    config = replace(gateway_config(settings), base_url=settings.tts_url)
    return Synthesizer(config, settings.tts_model)


def reply_voices(settings: Settings) -> dict[Literal["female", "male"] | None, str]:
    """The provider's voice for each persona gender (None: unknown)."""
    return {
        "female": settings.tts_voice_female,
        "male": settings.tts_voice_male,
        None: settings.tts_voice,
    }


def build_reader(settings: Settings, on_usage: UsageSink | None = None) -> Reader:
    """The turn reader: the model reader when a model is set for it, the lexical one otherwise."""
    model = settings.reader_model
    if not model:
        return LexicalReader()
    return ModelReader(Gateway(gateway_config(settings)), model, on_usage)


def build_models(settings: Settings, catalog: Catalog) -> Models:
    """A model per role: the LLM where a model name is set, the offline engine otherwise."""
    phrases = load_phrases()
    offline_client = OfflineClient(phrases)
    offline_judge = OfflineJudge(catalog)
    names = (
        settings.llm_model_client,
        settings.llm_model_judge,
        settings.llm_model_coach,
        settings.llm_model_author,
    )
    if not any(names):
        return Models(offline_client, offline_judge, offline_judge, offline_client)
    prompts = Prompts(settings.prompts_dir)  # first: a broken template leaves no pool open
    gateway = Gateway(gateway_config(settings))
    client: ClientModel = offline_client
    judge: Judge = offline_judge
    coach: Coach | None = None
    if settings.llm_model_client:
        client = LLMClient(
            gateway,
            prompts,
            settings.llm_model_client,
            offline_client,
            phrases,
            settings.llm_client_temperature,
        )
    if settings.llm_model_judge:
        judge = LLMJudge(
            gateway, prompts, settings.llm_model_judge, catalog, settings.llm_judge_samples
        )
    if settings.llm_model_coach:
        coach = LLMCoach(gateway, prompts, settings.llm_model_coach, catalog)
    author = settings.llm_model_author or settings.llm_model_judge
    drafter = None
    if author:
        drafter = ScenarioDrafter.with_example(gateway, author, author_example(settings))
    return Models(client, judge, offline_judge, offline_client, coach, gateway, drafter)


AUTHOR_EXAMPLE = "district-health-tail-payment.yaml"


def author_example(settings: Settings) -> Path:
    """The scenario shown to the author model as an example (the reference case when present)."""
    found = settings.scenarios_dir / AUTHOR_EXAMPLE
    if found.is_file():
        return found
    return min(settings.scenarios_dir.glob("*.yaml"), default=ROOT / "scenarios" / AUTHOR_EXAMPLE)


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
    models: Models | None = None
    usage: UsageLedger | None = None
    voice: VoiceService | None = None
    speaker: ReplyVoice | None = None


@dataclass
class Grading:
    """What grading needs without a database (for `trainer grade` and `trainer eval`)."""

    catalog: Catalog
    judge: Judge
    grading: GradingService
    models: Models | None = None

    @property
    def grading_label(self) -> str:
        """Who grades, as shown at the start of `trainer grade`."""
        return self.models.judge_label if self.models else str(getattr(self.judge, "label", ""))

    async def aclose(self) -> None:
        """Close the provider connection pool, if any."""
        if self.models is not None:
            await self.models.aclose()


def grading_only(settings: Settings) -> Grading:
    """The judge and grading service alone (call `aclose()` when done)."""
    catalog = Catalog.load()
    models = build_models(settings, catalog)
    grading = GradingService(models.judge, models.fallback, models.coach)
    return Grading(catalog, models.judge, grading, models)


async def migrated(db: Database) -> None:
    """Bring the schema up to date; a database that cannot be reached names DATABASE_URL."""
    try:
        await db.migrate()
    except Exception as exc:
        known = connect_error(exc, db.url)
        if known is None:
            raise
        raise known from None


async def upgrade_database(settings: Settings) -> None:
    """`trainer db upgrade`: check DATABASE_URL, then run the migrations alone."""
    check_url(settings.database_url, default_database_url())
    db = Database(settings.database_url)
    try:
        await migrated(db)
    finally:
        await db.dispose()


def cast_models(
    models: Models,
    client: ClientModel | None = None,
    judge: Judge | None = None,
    coach: Coach | None = None,
) -> Models:
    """The models with any role given here played by what is given instead (the rest, and the
    offline stand-ins and the provider pool, as built from the settings)."""
    return replace(
        models,
        client=models.client if client is None else client,
        judge=models.judge if judge is None else judge,
        coach=models.coach if coach is None else coach,
    )


@asynccontextmanager
async def container(
    settings: Settings,
    migrate: bool = True,
    *,
    clock: Clock | None = None,
    client: ClientModel | None = None,
    judge: Judge | None = None,
    coach: Coach | None = None,
) -> AsyncIterator[Container]:
    """Build the product, migrate the database, and close everything on exit.

    Each collaborator left None is built from the settings as in production; one passed in
    (a test's fake, say) is used instead, everywhere that role is played:

    - `clock`: the one source of "now" for the database, the services and the adapters (the
      system clock by default);
    - `client`: who plays the client (the offline stand-in takes over for asides and once the
      token budget is spent only when the settings name a client model, as before);
    - `judge`: who grades (the offline judge remains the fallback when it fails);
    - `coach`: who gives hints and rewords turns (none unless LLM_MODEL_COACH is set).
    """
    clock = clock or SystemClock()
    catalog = Catalog.load()
    scenarios = ScenarioLibrary.from_directory(settings.scenarios_dir)
    preload_lexicons()  # ~90 ms of YAML and folding the first rep's turn would otherwise pay
    check_url(settings.database_url, default_database_url())
    db = Database(settings.database_url, clock=clock)
    models: Models | None = None
    transcriber: Transcriber | None = None
    synthesizer: Synthesizer | None = None
    try:
        if migrate:
            await migrated(db)
        configured = build_models(settings, catalog)
        # The offline stand-in (asides, a spent budget) is there when the settings name a
        # client model, whoever then plays the client.
        stand_in: ClientModel | None = configured.offline_client
        if configured.client is configured.offline_client:
            stand_in = None
        models = cast_models(configured, client, judge, coach)
        ledger = UsageLedger(
            db, settings.llm_user_monthly_token_cap, settings.llm_monthly_token_cap, clock
        )
        grading = GradingService(models.judge, models.fallback, models.coach)
        transcriber = build_transcriber(settings)
        synthesizer = build_synthesizer(settings)
        practice = PracticeService(
            db,
            scenarios,
            models.client,
            grading,
            settings.max_message_chars,
            coach=models.coach,
            ledger=ledger,
            offline_client=stand_in,
            clock=clock,
        )
        yield Container(
            settings=settings,
            catalog=catalog,
            db=db,
            scenarios=scenarios,
            client=models.client,
            judge=models.judge,
            judge_label=models.judge_label,
            users=UserService(db, settings.default_language),
            practice=practice,
            grading=grading,
            models=models,
            usage=ledger,
            voice=VoiceService(transcriber, ledger, settings.voice_max_seconds),
            speaker=ReplyVoice(synthesizer, reply_voices(settings), ledger),
            training=build_training(
                settings, db, catalog, scenarios, practice, clock, models.author, ledger
            ),
        )
    finally:
        if transcriber is not None:
            await transcriber.aclose()
        if synthesizer is not None:
            await synthesizer.aclose()
        if models is not None:
            await models.aclose()
        await db.dispose()
