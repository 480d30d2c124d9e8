"""Drafting a scenario from a description: the real gateway against the fake server, the strict
loader's errors sent back for at most two repairs, and the CLI around it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.composition import gateway_config
from bot.llm.gateway import Gateway
from bot.scenarios.loader import parse_scenario
from bot.services.scenario_draft import MAX_REPAIRS, ScenarioDrafter, scenario_schema, yaml_of
from bot.settings import ROOT
from tests.support.fake_openai import FakeOpenAI
from tests.support.llm import llm_settings

GOOD = (ROOT / "scenarios" / "district-water-smart-network.yaml").read_text("utf-8")
EXAMPLE = ROOT / "scenarios" / "district-health-tail-payment.yaml"
# The same case with one error the loader names: a difficulty out of range.
BROKEN = GOOD.replace("difficulty: 4", "difficulty: 9")
DESCRIPTION = "区水务局，智慧水务一期尾款拖了八个月，新来的局长是完美型，材料退回了三次。"


def fenced(text: str) -> str:
    return f"好的，这是场景：\n```yaml\n{text}```\n"


async def draft_with(tmp_path: Path, fake: FakeOpenAI, *replies: str) -> tuple[object, int]:
    settings = llm_settings(tmp_path, fake)
    gateway = Gateway(gateway_config(settings))
    try:
        drafter = ScenarioDrafter.with_example(gateway, "fake-author", EXAMPLE)
        fake.script(*replies)
        return await drafter.draft(DESCRIPTION, "zh"), len(fake.requests)
    finally:
        await gateway.aclose()


def test_the_schema_is_the_strict_model_and_forbids_unknown_keys() -> None:
    schema = scenario_schema()
    assert schema["additionalProperties"] is False
    assert {"id", "facts", "stages", "commitment"} <= set(schema["required"])
    assert "main_hardship" in schema["properties"]
    assert schema["$defs"]["Fact"]["additionalProperties"] is False


def test_yaml_is_taken_from_a_fenced_block_or_the_whole_reply() -> None:
    assert yaml_of(fenced("id: x\n")) == "id: x\n"
    assert yaml_of("id: x") == "id: x\n"


async def test_a_valid_first_draft_loads_and_carries_the_description(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    draft, calls = await draft_with(tmp_path, fake, fenced(GOOD))
    assert (draft.ok, draft.attempts, calls) == (True, 1, 1)  # type: ignore[attr-defined]
    sent = fake.requests[0]
    assert DESCRIPTION in sent.text
    assert '"additionalProperties": false' in sent.text  # the schema went with it


async def test_loader_errors_go_back_to_the_model_and_the_repair_is_accepted(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    draft, calls = await draft_with(tmp_path, fake, fenced(BROKEN), fenced(GOOD))
    assert (draft.ok, draft.attempts, calls) == (True, 2, 2)  # type: ignore[attr-defined]
    repair = fake.requests[1].messages[-1]["content"]
    assert "difficulty" in repair and "less than or equal to 5" in repair


async def test_drafting_gives_up_after_two_repairs(tmp_path: Path, fake: FakeOpenAI) -> None:
    draft, calls = await draft_with(tmp_path, fake, *[fenced(BROKEN)] * (MAX_REPAIRS + 2))
    assert (draft.ok, calls) == (False, MAX_REPAIRS + 1)  # type: ignore[attr-defined]
    assert any("difficulty" in e for e in draft.errors)  # type: ignore[attr-defined]


def cli(
    *args: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_"))}
    base["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=tmp_path,
        timeout=60,
    )


def test_cli_draft_without_a_model_says_what_to_configure(tmp_path: Path) -> None:
    result = cli("scenarios", "draft", DESCRIPTION, "-o", "my.yaml", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "LLM_MODEL_AUTHOR" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "my.yaml").exists()


def test_cli_draft_writes_a_checked_scenario(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.script(fenced(BROKEN), fenced(GOOD))
    env = {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-x", "LLM_MODEL_AUTHOR": "author"}
    result = cli("scenarios", "draft", DESCRIPTION, "-o", "my.yaml", tmp_path=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "my.yaml").read_text("utf-8")
    assert parse_scenario(written).id == "district-water-smart-network"
    assert "第 2 次" in result.stdout
    assert [r.body["model"] for r in fake.requests] == ["author", "author"]


def test_cli_schema_is_json(tmp_path: Path) -> None:
    result = cli("scenarios", "schema", tmp_path=tmp_path)
    assert json.loads(result.stdout)["title"] == "回款陪练 scenario"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-t", "完美型"], {"district-water-smart-network"}),
        (["-t", "peacemaker", "-p", "never_pays"], {"county-police-video-maintenance"}),
        (
            ["-p", "久拖不决", "-d", "2"],
            {
                "county-edu-smart-classroom",
                "district-tax-hall-kiosks",
            },
        ),
        (
            ["--prevention"],
            {"tcm-hospital-anesthesia-contract", "soe-group-datacenter-contract-en"},
        ),
    ],
)
def test_cli_list_filters_by_temperament_pattern_and_difficulty(
    tmp_path: Path, args: list[str], expected: set[str]
) -> None:
    result = cli("scenarios", "list", "--json", *args, tmp_path=tmp_path)
    assert {row["id"] for row in json.loads(result.stdout)} == expected


def test_cli_list_prints_the_temperament_by_pattern_table(tmp_path: Path) -> None:
    result = cli("scenarios", "list", "--coverage", tmp_path=tmp_path)
    table = result.stdout.split("覆盖情况")[1].splitlines()
    assert "根本不回款" in table[1] and "一波三折" in table[1]
    assert len([row for row in table[2:] if row.strip()]) == 9


def test_cli_list_rejects_an_unknown_filter_clearly(tmp_path: Path) -> None:
    result = cli("scenarios", "list", "-t", "暴躁型", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "暴躁型" in result.stderr and "完美型" in result.stderr


def test_every_shipped_yaml_validates_against_the_exported_schema_shape() -> None:
    keys = set(scenario_schema()["properties"])
    for path in (ROOT / "scenarios").glob("*.yaml"):
        assert set(yaml.safe_load(path.read_text("utf-8"))) <= keys, path.name
