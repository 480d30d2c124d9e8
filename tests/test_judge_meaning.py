"""Listening, composure and next step scored by meaning, on transcripts written for these
tests (not the tester's): better/worse pairs per dimension in both languages, and the
calibration anchors of `bot.domain.scoring` (expert ≥ 80 and passes; a rep who presses or
threatens and uncovers nothing ≤ 40)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.grading import scorecard_for
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.domain.transcript import parse_transcript
from bot.i18n import Catalog
from bot.offline.judge import OfflineJudge
from bot.scenarios.loader import load_scenario

DATA = Path(__file__).parent / "data" / "judge"
ROOT = Path(__file__).resolve().parent.parent
SCENARIO = {"zh": "district-health-tail-payment", "en": "eco-monitoring-stations-en"}


def _scenario(lang: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{SCENARIO[lang]}.yaml")


async def card(name: str, catalog: Catalog, with_scenario: bool = False) -> Scorecard:
    lang = name[:2]
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    sc = _scenario(lang) if with_scenario else None
    return await scorecard_for(OfflineJudge(catalog), parse_transcript(text), sc, lang=lang)  # type: ignore[arg-type]


def score(c: Scorecard, dim: str) -> float:
    return c.dimensions[dim].score  # type: ignore[index]


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ("zh_expert", "zh_offtopic"),
        ("zh_expert", "zh_terse"),
        ("zh_expert", "zh_ramble"),
        ("zh_expert", "zh_pushy"),
        ("en_expert", "en_chat"),
        ("en_expert", "en_pushy"),
    ],
)
@pytest.mark.parametrize("with_scenario", [False, True])
async def test_listening_ranks_the_listener_above_small_talk_terse_rambling_and_pushing(
    better: str, worse: str, with_scenario: bool, catalog: Catalog
) -> None:
    if worse == "en_chat" and not with_scenario:
        pytest.skip("small talk is defined against a case: a scenario or a rep naming it")
    good, bad = (
        await card(better, catalog, with_scenario),
        await card(worse, catalog, with_scenario),
    )
    assert score(good, "listening") > score(bad, "listening")


async def test_small_talk_questions_are_not_listening_evidence(catalog: Catalog) -> None:
    c = await card("zh_offtopic", catalog)
    assert score(c, "listening") <= 2.0
    quotes = [e.quote for e in c.dimensions["listening"].evidence]
    assert not any("书" in q or "周末" in q or "高考" in q for q in quotes)


async def test_closed_questions_alone_and_nothing_played_back_cannot_be_good(
    catalog: Catalog,
) -> None:
    assert score(await card("zh_terse", catalog), "listening") <= 2.5


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ("zh_expert", "zh_offtopic"),
        ("zh_expert", "zh_ramble"),
        ("zh_expert", "zh_pushy"),
        ("en_expert", "en_pushy"),
        ("en_expert", "en_chat"),
    ],
)
async def test_composure_ranks_calm_on_the_case_above_avoiding_rambling_and_threats(
    better: str, worse: str, catalog: Catalog
) -> None:
    good, bad = await card(better, catalog, True), await card(worse, catalog, True)
    assert score(good, "composure") >= 4.5 > score(bad, "composure")


async def test_sarcasm_and_accusing_the_client_of_bad_faith_cost_composure(
    catalog: Catalog,
) -> None:
    c = await card("zh_pushy", catalog)
    assert score(c, "composure") <= 1.5
    assert c.dimensions["composure"].tip != catalog.t("zh", "tip.good")


async def test_a_demand_is_no_next_step_and_a_proposal_not_yet_accepted_is_told_so(
    catalog: Catalog,
) -> None:
    pushy = await card("zh_pushy", catalog)
    assert score(pushy, "next_step") == 1.0
    assert not pushy.dimensions["next_step"].evidence  # 「今天必须给个准话」 is no proposal
    text = (DATA / "zh_expert.txt").read_text(encoding="utf-8")
    deferred = text.replace(
        "可以，就这么办，下周二上午你直接找钱工。", "这个回头再说吧，等领导定了再说。"
    )
    c = await scorecard_for(OfflineJudge(catalog), parse_transcript(deferred), lang="zh")
    assert 3.0 <= score(c, "next_step") < 5.0
    # put off in so many words: find what it waits on and offer a smaller step (a proposal the
    # client has not answered either way gets tip.next_step.agree: win the agreement)
    assert c.dimensions["next_step"].tip == catalog.t("zh", "tip.next_step.after_no")


@pytest.mark.parametrize("name", ["zh_expert", "en_expert"])
async def test_an_expert_scores_at_least_80_and_passes(name: str, catalog: Catalog) -> None:
    c = await card(name, catalog)
    assert c.overall >= 80 and c.passed


@pytest.mark.parametrize("name", ["zh_pushy", "en_pushy"])
@pytest.mark.parametrize("with_scenario", [False, True])
async def test_a_rep_who_presses_or_threatens_and_uncovers_nothing_scores_at_most_40(
    name: str, with_scenario: bool, catalog: Catalog
) -> None:
    c = await card(name, catalog, with_scenario)
    assert c.overall <= 40 and not c.passed
