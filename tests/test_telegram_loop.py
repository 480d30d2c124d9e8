"""The loop between trainer and rep through the real Application: buttons obey the private-chat
rule, a stale button only says so on the button, corrections and comments reach the rep's view
of the session, notices lead somewhere, and screens are edited in place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.i18n import Catalog
from bot.settings import Settings
from tests.support.team_bot import GROUP, REP, TRAINER, TeamBot
from tests.team_world import Clock

CATALOG = Catalog.load()
TITLE = "区卫健委信息系统二期尾款"


def toast(tb: TeamBot) -> str:
    """The text of the newest callback answer (what the presser sees on the button)."""
    return tb.api.calls_to("answerCallbackQuery")[-1].text


@pytest.fixture
async def tb(settings: Settings) -> AsyncIterator[TeamBot]:
    """A team whose rep has played and finished an assigned task."""
    async with TeamBot(settings, Clock()) as started:
        await started.team()
        await started.assign(mark="0")
        await started.play_task(REP)
        yield started
    assert started.api.unexpected == []


async def test_personal_and_team_buttons_pressed_in_a_group_post_nothing_there(
    tb: TeamBot,
) -> None:
    training = tb.bot.services.training
    trainer = await tb.user_id(TRAINER)
    (team,) = await training.teams.managed(trainer)
    (session,) = await training.review.sessions(trainer, team.id)
    await tb.say(TRAINER, "/linkgroup", chat=GROUP)
    shown = tb.texts(GROUP)
    photos = len(tb.api.calls_to("sendPhoto", GROUP))
    forged = (
        (REP, f"open:{session.id}"),  # the presser's scorecard and chart
        (REP, f"retry:{session.scenario_id}"),  # a brief
        (TRAINER, f"rvo:{session.id}"),  # a team transcript
        (TRAINER, f"ex:{team.id}:all"),  # the team's CSV / XLSX
        (TRAINER, f"tmm:{team.id}"),  # the member list
        (REP, f"bd:{team.id}:all:t:"),  # the team's board
    )
    for who, data in forged:
        await tb.bot.send(tb.api.forged(GROUP, data, sender=tb.user(who)))
        assert toast(tb) == CATALOG.t("zh", "loop.button_private"), data
    assert tb.texts(GROUP) == shown
    assert len(tb.api.calls_to("sendPhoto", GROUP)) == photos
    assert tb.api.calls_to("sendDocument", GROUP) == []


async def test_plan_button_on_a_finished_sessions_brief_only_says_it_is_out_of_date(
    tb: TeamBot,
) -> None:
    rep = await tb.user_id(REP)
    (done,) = await tb.bot.services.practice.history(rep)
    shown = tb.texts(REP)
    await tb.forge(REP, f"prep:{done.id}")
    assert toast(tb) == CATALOG.t("zh", "loop.stale")
    assert tb.texts(REP) == shown
    await tb.forge(REP, f"skip:{done.id}")
    assert toast(tb) == CATALOG.t("zh", "loop.stale")
    assert tb.texts(REP) == shown
