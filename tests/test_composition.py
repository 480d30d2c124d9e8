"""The composition root takes its collaborators: a role passed to `container()` is played by
what was passed, everywhere that role is wired; a role left out is built from the settings."""

from __future__ import annotations

import datetime as dt

from bot.composition import container
from bot.domain.clock import ManualClock
from bot.i18n import Catalog
from bot.offline.client import OfflineClient
from bot.offline.judge import OfflineJudge
from bot.settings import Settings
from tests.support.scripted_client import ScriptedClient


class SilentCoach:
    """A coach that has nothing to say (hints and rewordings both come back empty)."""

    label = "silent"

    async def hint(self, *args: object, **kwargs: object) -> tuple[str | None, dict[str, int]]:
        return None, {}

    async def rewrite(self, *args: object, **kwargs: object) -> tuple[str | None, dict[str, int]]:
        return None, {}


async def test_roles_passed_in_are_played_everywhere_they_are_wired(
    settings: Settings, catalog: Catalog
) -> None:
    client, judge, coach = ScriptedClient(), OfflineJudge(catalog), SilentCoach()
    now = ManualClock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    async with container(settings, clock=now, client=client, judge=judge, coach=coach) as built:
        assert built.models is not None
        assert built.client is built.models.client is built.practice.client is client
        assert built.judge is built.models.judge is built.grading.judge is judge
        assert built.models.coach is built.practice.coach is built.grading.coach is coach
        assert built.db.clock is now
        # The offline judge stays the fallback; the settings name no client model, so no
        # offline stand-in takes asides from the scripted client.
        assert built.grading.fallback is built.models.offline_judge
        assert built.practice.offline_client is None


async def test_roles_left_out_are_built_from_the_settings(settings: Settings) -> None:
    async with container(settings) as built:
        assert built.models is not None
        assert isinstance(built.practice.client, OfflineClient)
        assert built.client is built.models.client is built.models.offline_client
        assert built.judge is built.grading.judge is built.models.offline_judge
        assert built.grading.fallback is None
        assert built.practice.coach is None
