"""Scenario files: strict, safe, and errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ScenarioInvalid
from bot.scenarios.library import ScenarioLibrary
from bot.scenarios.loader import load_scenario, parse_scenario
from bot.settings import ROOT

REFERENCE = (ROOT / "scenarios" / "district-health-tail-payment.yaml").read_text("utf-8")


def error_of(text: str) -> str:
    with pytest.raises(ScenarioInvalid) as info:
        parse_scenario(text, "draft.yaml")
    return str(info.value.params["detail"])


def test_every_shipped_scenario_loads() -> None:
    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    assert library.all()
    for scenario in library.all():
        assert load_scenario(ROOT / "scenarios" / f"{scenario.id}.yaml") == scenario


def test_unknown_key_names_file_line_and_field() -> None:
    text = REFERENCE.replace("turn_budget: 16", "turn_budget: 16\nturn_budgett: 3")
    line = text.splitlines().index("turn_budgett: 3") + 1
    assert error_of(text) == f"draft.yaml:{line}: turn_budgett: Extra inputs are not permitted"


def test_wrong_value_deep_in_a_stage_names_its_path_and_line() -> None:
    text = REFERENCE.replace("    patience: 4\n", "    patience: -4\n")
    line = text.splitlines().index("    patience: -4") + 1
    assert error_of(text).startswith(f"draft.yaml:{line}: stages[0].patience: ")


def test_missing_fact_is_reported() -> None:
    start = REFERENCE.index("  payment_owner:")
    end = REFERENCE.index("objections:")
    assert "missing: payment_owner" in error_of(REFERENCE[:start] + REFERENCE[end:])


def test_broken_yaml_reports_the_line() -> None:
    assert error_of("id: x\ntitle: [unclosed\nsummary: y\n").startswith("draft.yaml:3: YAML syntax")


def test_duplicate_keys_are_refused() -> None:
    assert error_of("id: a\nid: b\n") == "draft.yaml:2: duplicate key 'id'"


def test_alias_bomb_is_refused_not_expanded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        name, prev = chr(97 + i), chr(96 + i)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    assert "too many aliases" in error_of(bomb)


def test_oversized_binary_and_empty_documents_are_refused(tmp_path: Path) -> None:
    assert "larger than" in error_of("x: " + "a" * 300_000)
    assert "empty" in error_of("")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(ScenarioInvalid) as info:
        load_scenario(binary)
    assert "not UTF-8 text" in str(info.value.params["detail"])


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    assert error_of("- a\n- b\n") == "draft.yaml:1: the document must be a mapping of fields"


def test_a_misspelt_line_kind_in_a_stage_is_an_error() -> None:
    text = REFERENCE.replace("      stall:", "      stal:", 1)
    assert "stages[0].lines.stal" in error_of(text)


def test_a_fact_marker_in_an_objection_line_is_refused() -> None:
    text = REFERENCE.replace("这事你们还没给个说法呢。", "这事你们还没给个说法呢，赵敏也很不满。")
    assert (
        "facts.acceptance_person.markers: '赵敏' also appears in objections.outage.says"
        in error_of(text)
    )
