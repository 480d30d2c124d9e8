"""Every shipped scenario, played through the real practice service: a skilled rep wins it,
a weak rep (one who pushes and threatens, or in a prevention case just accepts the client's
terms) is shown the door. The good walkthroughs are the README demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.composition import Container
from bot.domain.facts import FACT_KEYS
from bot.domain.scorecard import Scorecard
from bot.domain.session import EndReason, Phase, PracticeSession
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT

WALKTHROUGHS = Path(__file__).parent / "walkthroughs"
SHIPPED = [s.id for s in ScenarioLibrary.from_directory(ROOT / "scenarios").all()]


def rep_lines(scenario_id: str, kind: str) -> list[str]:
    """The rep's messages for one walkthrough, one per line."""
    text = (WALKTHROUGHS / f"{scenario_id}.{kind}.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()]


async def play(
    app: Container, scenario_id: str, lines: list[str]
) -> tuple[PracticeSession, Scorecard, int]:
    """Play the lines until the client ends the meeting; grade; return how many lines were used."""
    person = await app.users.local(f"walkthrough-{scenario_id}")
    started = await app.practice.start(person.id, scenario_id)
    result = await app.practice.begin(person.id, started.session.id)
    used = 0
    for line in lines:
        if result.session.phase != Phase.PLAY:
            break
        result = await app.practice.reply(person.id, started.session.id, line)
        used += 1
    _, card = await app.practice.finish(person.id, started.session.id, started.scenario.language)
    return result.session, card, used


def test_every_shipped_scenario_has_a_good_and_a_bad_walkthrough() -> None:
    files = sorted(p.name for p in WALKTHROUGHS.glob("*.txt"))
    expected = sorted(f"{sid}.{kind}.txt" for sid in SHIPPED for kind in ("good", "bad"))
    assert files == expected


def test_the_library_ships_at_least_fourteen_scenarios_three_in_english() -> None:
    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    languages = sorted(s.language for s in library.all())
    assert len(languages) >= 14
    assert languages.count("en") >= 3


@pytest.mark.parametrize("scenario_id", SHIPPED)
async def test_skilled_rep_uncovers_every_fact_and_secures_the_commitment(
    app: Container, scenario_id: str
) -> None:
    lines = rep_lines(scenario_id, "good")
    session, card, used = await play(app, scenario_id, lines)
    assert (session.end_reason, used) == (EndReason.COMMITMENT, len(lines))
    assert sorted(session.client.earned) == sorted(FACT_KEYS)
    assert set(card.checklist.values()) == {"specific"}
    assert card.passed is True


@pytest.mark.parametrize("scenario_id", SHIPPED)
async def test_weak_rep_is_shown_the_door_and_fails(app: Container, scenario_id: str) -> None:
    lines = rep_lines(scenario_id, "bad")
    session, card, used = await play(app, scenario_id, lines)
    assert session.end_reason in (EndReason.OFFENDED, EndReason.PATIENCE)
    assert used == len(lines)
    assert session.client.earned == ()
    assert card.passed is False
