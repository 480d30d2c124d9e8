"""The six-question chat questionnaire: answers read at the edge (amounts, how long overdue),
the same answers always give the same file, and the case it builds plays to a commitment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.composition import container
from bot.domain.facts import FACT_KEYS
from bot.domain.session import EndReason
from bot.errors import InvalidRequest
from bot.scenarios.loader import parse_scenario
from bot.scenarios.quick_case import Money, build_from_chat, parse_money, split_case
from bot.settings import Settings
from tests.test_scenario_questionnaire import GOOD_REP

TODAY = dt.date(2026, 12, 3)
ANSWERS = {
    "case": "某区水务局，智慧水务一期",
    "money": "合同398万，逾期119万，8个月",
    "temperament": "perfectionist",
    "phenomenon": "tormenting",
    "main_hardship": "book",
    "language": "zh",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合同398万，逾期119万，8个月", Money(3_980_000, 1_190_000, 8)),
        ("80万，3个月", Money(800_000, 800_000, 3)),
        ("1,194,000 元，240天", Money(1_194_000, 1_194_000, 8)),
        ("预防 200万", Money(2_000_000, 0, 0)),
        ("contract 3.98m, overdue 1.19m, 1 year", Money(3_980_000, 1_190_000, 12)),
    ],
)
def test_the_money_answer_is_read(text: str, expected: Money) -> None:
    assert parse_money(text) == expected


def test_an_answer_without_an_amount_is_refused() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_money("一大笔钱")
    assert caught.value.code == "team.error.studio_money"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某区水务局，智慧水务一期，二标段", ("某区水务局", "智慧水务一期，二标段")),
        ("某区水务局 智慧水务一期", ("某区水务局", "智慧水务一期")),
        ("District water bureau, smart water", ("District water bureau", "smart water")),
        ("District water bureau", ("District water bureau", "District water bureau")),
    ],
)
def test_the_body_and_the_project_are_split_at_the_first_comma(
    text: str, expected: tuple[str, str]
) -> None:
    assert split_case(text) == expected


def test_the_same_answers_give_the_same_checked_file() -> None:
    first, lang = build_from_chat(ANSWERS, TODAY)
    assert (first, lang) == build_from_chat(dict(ANSWERS), TODAY)
    scenario = parse_scenario(first)
    assert (scenario.main_hardship, scenario.hardships) == ("book", ["book", "close"])
    assert scenario.brief.overdue_since == dt.date(2026, 4, 3)
    assert scenario.root_causes == ["legacy_issues"]


def test_an_english_prevention_case() -> None:
    text, lang = build_from_chat({**ANSWERS, "money": "prevention 2m", "language": "en"}, TODAY)
    scenario = parse_scenario(text)
    assert (lang, scenario.focus, scenario.brief.overdue_amount) == ("en", "prevention", 0)


async def test_a_chat_built_case_plays_to_a_commitment(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    text, _ = build_from_chat(ANSWERS, TODAY)
    scenario_id = parse_scenario(text).id
    (folder / f"{scenario_id}.yaml").write_text(text, "utf-8")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
        scenarios_dir=folder,
    )
    noon = dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)
    async with container(settings, clock=lambda: noon) as app:
        person = await app.users.local("chat-questionnaire")
        started = await app.practice.start(person.id, scenario_id)
        result = await app.practice.begin(person.id, started.session.id)
        for line in GOOD_REP:
            result = await app.practice.reply(person.id, started.session.id, line)
    assert result.session.end_reason == EndReason.COMMITMENT
    assert sorted(result.session.client.earned) == sorted(FACT_KEYS)
