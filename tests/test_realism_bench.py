"""The realism harness holds its offline targets on every shipped scenario: the client's
replies name the case, and it never contradicts itself."""

from __future__ import annotations

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


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_every_style_gets_replies_that_name_the_case_and_no_contradiction(
    scenario: Scenario,
) -> None:
    bank = resources.files("bot.offline").joinpath(f"phrases_{scenario.language}.yaml")
    others = [o for o in SCENARIOS if o.id != scenario.id]
    terms = specific_terms(scenario, others, bank.read_text("utf-8"))
    client = OfflineClient(load_phrases())
    total = Tally()
    for style in STYLES:
        total.add(await play(scenario, style, client, terms, show=False))
    assert total.specific / total.replies >= 0.6
    assert (total.repeated, total.false_already, total.reraised) == (0, 0, 0)
    assert (total.wrong_persona, total.contradicted, total.unwarned) == (0, 0, 0)
    assert total.ends.get("commitment") == 1  # the skilled rep, and only the skilled rep
