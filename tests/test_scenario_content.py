"""The shipped scenarios and phrase banks: they load, and no scripted line gives a fact away."""

from __future__ import annotations

from pathlib import Path
from typing import cast, get_args

import pytest

from bot.domain.lang import LANGS, Lang
from bot.domain.scenario import LineKind, Scenario, Temperament
from bot.offline.client import Bank, load_phrases
from bot.scenarios.library import scenario_files
from bot.scenarios.loader import load_scenario
from bot.settings import ROOT

FILES = scenario_files([ROOT / "scenarios"])
BANKS = load_phrases()
TEMPERAMENTS: tuple[str, ...] = get_args(Temperament)
# Every kind of line the offline client asks a bank for.
CLIENT_KINDS: tuple[str, ...] = get_args(LineKind)


def bank_lines(bank: Bank) -> list[str]:
    """Every line in a phrase bank, temperament sections included."""
    lines: list[str] = []
    for entry in bank.values():
        groups = entry.values() if isinstance(entry, dict) else [entry]
        for group in groups:
            lines += cast(list[str], group)
    return lines


def secrets(scenario: Scenario) -> list[str]:
    """What must only ever be said by a fact's reveal: values and markers."""
    found: list[str] = []
    for fact in scenario.facts.values():
        found += [fact.value, *fact.markers]
    return found


@pytest.fixture(scope="module", params=FILES, ids=[p.stem for p in FILES])
def shipped(request: pytest.FixtureRequest) -> Scenario:
    """Each shipped scenario file, loaded on its own."""
    path: Path = request.param
    return load_scenario(path)


def test_scenario_id_matches_its_file_name(shipped: Scenario) -> None:
    assert [p.stem for p in FILES if load_scenario(p).id == shipped.id] == [shipped.id]


def test_every_fact_reveal_says_one_of_its_markers(shipped: Scenario) -> None:
    silent = [k for k, f in shipped.facts.items() if not any(m in f.reveal for m in f.markers)]
    assert silent == []


def test_scenario_is_translated_into_the_other_interface_language(shipped: Scenario) -> None:
    other = [lang for lang in LANGS if lang != shipped.language]
    assert sorted(shipped.translations) == other


def test_brief_lists_three_to_five_known_items(shipped: Scenario) -> None:
    assert 3 <= len(shipped.brief.known) <= 5


def test_stage_lines_never_give_a_fact_away(shipped: Scenario) -> None:
    said = [line for stage in shipped.stages for group in stage.lines.values() for line in group]
    said += [stage.opening for stage in shipped.stages]
    said += [stage.advance.line for stage in shipped.stages if stage.advance]
    leaks = [(line, s) for line in said for s in secrets(shipped) if s in line]
    assert leaks == []


@pytest.mark.parametrize("lang", LANGS)
def test_phrase_bank_lines_never_contain_a_scenario_fact(lang: Lang) -> None:
    scenarios = [load_scenario(p) for p in FILES]
    leaks = [
        (line, s)
        for line in bank_lines(BANKS[lang])
        for scenario in scenarios
        for s in secrets(scenario)
        if s in line
    ]
    assert leaks == []


def test_phrase_banks_have_the_same_kinds_in_both_languages() -> None:
    assert sorted(BANKS["zh"]) == sorted(BANKS["en"])


@pytest.mark.parametrize("lang", LANGS)
def test_phrase_bank_has_every_kind_the_client_asks_for(lang: Lang) -> None:
    missing = [k for k in CLIENT_KINDS if not BANKS[lang].get(k)]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_temperament_has_at_least_four_stall_lines(lang: Lang) -> None:
    stall = BANKS[lang]["stall"]
    assert isinstance(stall, dict)
    thin = {t: len(stall.get(t) or []) for t in ("default", *TEMPERAMENTS)}
    assert {t: n for t, n in thin.items() if n < 4} == {}


def test_the_library_covers_the_whole_method() -> None:
    from bot.scenarios.coverage import coverage

    scenarios = [load_scenario(p) for p in FILES]
    cov = coverage(scenarios)
    assert cov.gaps() == []
    assert cov.total >= 14
    assert cov.languages["en"] >= 3
    assert cov.prevention >= 2


def test_every_shipped_scenario_names_its_main_hardship(shipped: Scenario) -> None:
    assert shipped.main_hardship is not None
    assert shipped.main_hardship in shipped.hardships


def test_prevention_cases_are_before_any_money_is_owed(shipped: Scenario) -> None:
    if shipped.focus == "prevention":
        assert (shipped.brief.overdue_amount, shipped.brief.overdue_since) == (0, None)


@pytest.mark.parametrize("lang", LANGS)
def test_a_prevention_case_card_says_prevention_and_nothing_overdue(lang: Lang) -> None:
    from bot.i18n import Catalog
    from bot.views.text import brief_text

    catalog = Catalog.load()
    case = load_scenario(ROOT / "scenarios" / "tcm-hospital-anesthesia-contract.yaml")
    card = brief_text(case, catalog, lang)
    assert catalog.t(lang, "focus.prevention") in card
    assert catalog.t(lang, "phenomenon.dragging") not in card
    assert "overdue_since" not in card and ("逾期未付" not in card if lang == "zh" else True)


def test_no_marker_is_in_the_brief_titles_or_personas(shipped: Scenario) -> None:
    """The client model is given these up front, so a marker there would leak the fact."""
    told = [shipped.title, shipped.summary, shipped.brief.model_dump_json()]
    told += [s.title for s in shipped.stages] + [
        s.persona.model_dump_json() for s in shipped.stages
    ]
    text = "\n".join(told)
    leaks = [m for f in shipped.facts.values() for m in f.markers if len(m) > 2 and m in text]
    assert leaks == []
