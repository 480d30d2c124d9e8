"""The realism harness holds its offline targets on every shipped scenario: the client's
replies name the case, and it never contradicts itself."""

from __future__ import annotations

import asyncio
import sys
from importlib import resources

import pytest

from bot.domain.scenario import Scenario
from bot.offline.client import OfflineClient, load_phrases
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from realism import START, _prepare, play
from realism_checks import Tally, specific_terms
from rep_styles import STYLES

SCENARIOS = [_prepare(s, START) for s in ScenarioLibrary.from_directory(ROOT / "scenarios").all()]


def _play_all(scenario: Scenario) -> Tally:
    bank = resources.files("bot.offline").joinpath(f"phrases_{scenario.language}.yaml")
    others = [o for o in SCENARIOS if o.id != scenario.id]
    terms = specific_terms(scenario, others, bank.read_text("utf-8"))
    client = OfflineClient(load_phrases())
    total = Tally()
    for style in STYLES:
        total.add(asyncio.run(play(scenario, style, client, terms, show=False)))
    return total


TALLIES = {s.id: _play_all(s) for s in SCENARIOS}


@pytest.mark.parametrize("scenario_id", list(TALLIES))
def test_no_style_makes_the_client_contradict_itself(scenario_id: str) -> None:
    total = TALLIES[scenario_id]
    assert (total.false_already, total.reraised, total.ignored) == (0, 0, 0)
    assert (total.wrong_persona, total.contradicted, total.unwarned) == (0, 0, 0)
    assert total.repeated <= 1  # a scenario's own line may share a sentence with the bank


def test_most_client_replies_name_the_case() -> None:
    replies = sum(t.replies for t in TALLIES.values())
    assert sum(t.specific for t in TALLIES.values()) / replies >= 0.6
