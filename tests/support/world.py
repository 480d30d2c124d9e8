"""A small world for training-side tests: services on a migrated database, a clock the test
moves, users, and sessions played through the practice service and graded."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update

from bot.domain.clock import ManualClock
from bot.domain.rubric import overall
from bot.domain.scenario import Dimension, Scenario
from bot.domain.scorecard import DimensionScore
from bot.i18n import Catalog
from bot.offline.client import OfflineClient, load_phrases
from bot.offline.judge import OfflineJudge
from bot.scenarios.library import ScenarioLibrary
from bot.services.grading import GradingService
from bot.services.practice import PracticeService, Started
from bot.services.training import Training, build_training
from bot.services.users import UserService
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import PracticeSessionRow
from bot.storage.repositories import SessionRepository

OPERATOR_TG = 1000
# Thursday 3 December 2026, 12:00 in Shanghai.
START = dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)
OPENING = "您好，我是华信科技的小陈。想请教一下，这个项目的验收现在走到哪一步了？"

VALID_YAML_ID = "team-bureau-visit"


class Clock(ManualClock):
    """A clock the test moves by hand, starting at START."""

    def __init__(self, now: dt.datetime = START) -> None:
        super().__init__(now)


@dataclass
class World:
    """Everything a training test needs."""

    db: Database
    clock: Clock
    practice: PracticeService
    users: UserService
    training: Training
    library: ScenarioLibrary

    async def user(self, telegram_id: int, name: str, lang: str = "zh") -> int:
        """A Telegram user (created on first contact), by internal id."""
        return (await self.users.telegram(telegram_id, name, lang)).id

    async def trainer(self, telegram_id: int, name: str, team: str = "华东一组") -> tuple[int, int]:
        """A user granted the trainer role by the operator, and the team they created."""
        operator = await self.user(OPERATOR_TG, "运营")
        user = await self.user(telegram_id, name)
        await self.training.teams.grant_trainer(operator, user)
        created = await self.training.teams.create_team(user, team)
        return user, created.id

    async def rep(self, telegram_id: int, name: str, trainer: int, team_id: int) -> int:
        """A rep who joined the team through an invite link."""
        user = await self.user(telegram_id, name)
        link = await self.training.teams.invite(trainer, team_id, "huikuan_bot")
        await self.training.teams.join(user, link.code)
        return user

    async def complete(
        self,
        user_id: int,
        started: Started,
        score: float | dict[Dimension, float] | None = None,
        at: dt.datetime | None = None,
    ) -> str:
        """Play a started session briefly, grade it, then (optionally) set its scores.

        `score` pins every dimension (or the given ones) so totals are known in advance;
        the session is dated `at` (default: the test clock's now).
        """
        sid = started.session.id
        await self.practice.begin(user_id, sid)
        await self.practice.reply(user_id, sid, OPENING)
        _, card = await self.practice.finish(user_id, sid, "zh")
        async with self.db.session() as s:
            if score is not None:
                wanted = score if isinstance(score, dict) else dict.fromkeys(card.dimensions, score)
                dims = {
                    d: DimensionScore(wanted.get(d, v.score), v.evidence, v.tip)
                    for d, v in card.dimensions.items()
                }
                weights = started.scenario.rubric.as_dict()
                total = overall({d: v.score for d, v in dims.items()}, weights)
                card = dataclasses.replace(
                    card, dimensions=dims, overall=total, passed=total >= card.pass_mark
                )
                await SessionRepository(s).save_scorecard(sid, card)
            await s.execute(
                update(PracticeSessionRow)
                .where(PracticeSessionRow.id == sid)
                .values(created_at=at or self.clock.now)
            )
        return sid


def build_world(db: Database, catalog: Catalog, library: ScenarioLibrary) -> World:
    """Services wired as the composition root wires them, on the database's clock: the one
    clock, so storage timestamps and the services agree (open the database on a `Clock`)."""
    clock = db.clock
    if not isinstance(clock, Clock):
        raise TypeError("build_world needs a database opened on a tests.support.world.Clock")
    settings = Settings(_env_file=None, admin_telegram_ids=[OPERATOR_TG])  # type: ignore[call-arg]
    practice = PracticeService(
        db, library, OfflineClient(load_phrases()), GradingService(OfflineJudge(catalog))
    )
    training = build_training(settings, db, catalog, library, practice, clock)
    return World(db, clock, practice, UserService(db, "zh"), training, library)


def scenario_yaml(scenario: Scenario, new_id: str = VALID_YAML_ID, **changes: object) -> str:
    """A valid scenario document (the shipped one under a new id, with changes)."""
    import yaml

    data = scenario.model_dump(mode="json", exclude_defaults=False)
    data["id"] = new_id
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
