"""`trainer play` and `trainer grade` on an OpenAI-compatible server named by environment
variables (the fake one), streaming, saying which models they use, surviving faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.llm import CLIENT_MODEL, COACH_MODEL, JUDGE_MODEL, client_reply, verdict

SECRET = "sk-cli-secret-0123456789"
SCENARIO = "district-health-tail-payment"
TRANSCRIPT = """客户：你好你好，坐吧。我十点半还有个会，咱们抓紧。
销售：王科长您好，打扰了。请问二期项目现在验收进行到哪一步了？
客户：这个嘛，还要研究一下。
"""


@pytest.fixture
def env(fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's settings: a base URL with a trailing slash, a key and three models."""
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    for name, value in {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "OPENAI_BASE_URL": fake.url + "/",
        "OPENAI_API_KEY": SECRET,
        "LLM_MODEL_CLIENT": CLIENT_MODEL,
        "LLM_MODEL_JUDGE": JUDGE_MODEL,
        "LLM_MODEL_COACH": COACH_MODEL,
        "LLM_TIMEOUT_SECONDS": "2",
        "LLM_MAX_RETRIES": "1",
    }.items():
        monkeypatch.setenv(name, value)


def test_play_runs_on_the_configured_server_and_says_so(env: None, fake: FakeOpenAI) -> None:
    fake.script(client_reply("您是哪个单位的？找王科长什么事呢？"))
    lines = "您好，我是华信科技的小陈，想找王科长，麻烦您了。\n/end\n"
    result = CliRunner().invoke(app, ["play", "-s", SCENARIO, "--plan", "先问验收"], input=lines)
    assert result.exit_code == 0, result.output
    assert f"客户：模型 {CLIENT_MODEL}，评分：模型 {JUDGE_MODEL}" in result.stdout
    assert "客户：您是哪个单位的？找王科长什么事呢？" in result.stdout
    models = [(r.body["model"], bool(r.body.get("stream"))) for r in fake.requests]
    assert models[0] == (CLIENT_MODEL, True)
    assert (JUDGE_MODEL, True) in models  # every call streams (timeouts per token)
    assert all(r.headers.get("authorization") == f"Bearer {SECRET}" for r in fake.requests)
    assert all(r.path == "/v1/chat/completions" for r in fake.requests)


def test_play_survives_a_provider_outage_and_loses_no_turn(env: None, fake: FakeOpenAI) -> None:
    fake.script(
        Reply(fault="server_error"),
        Reply(fault="server_error"),
        client_reply("您找王科长什么事？"),
    )
    lines = "您好，我是华信科技的小陈。\n想找王科长谈二期项目。\n/end\n"
    result = CliRunner().invoke(app, ["play", "-s", SCENARIO, "--plan", "p"], input=lines)
    assert result.exit_code == 0, result.output
    assert "模型服务暂时没有响应" in result.stdout
    assert "客户：您找王科长什么事？" in result.stdout
    second_try = fake.requests[2].messages[-1]["content"]
    assert "您好，我是华信科技的小陈。\n想找王科长谈二期项目。" in second_try
    assert "Traceback" not in result.output
    assert SECRET not in result.output


def test_a_rejected_key_is_a_clear_message_without_the_key(env: None, fake: FakeOpenAI) -> None:
    fake.script(Reply(fault="bad_request"))
    result = CliRunner().invoke(
        app, ["play", "-s", SCENARIO, "--plan", "p"], input="您好。\n/end\n"
    )
    assert result.exit_code == 0, result.output
    assert "OPENAI_BASE_URL" in result.stdout
    assert SECRET not in result.output


def test_grade_uses_the_llm_judge_and_prints_one_json_object(
    env: None, fake: FakeOpenAI, tmp_path: Path
) -> None:
    path = tmp_path / "call.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    fake.script(verdict(2.0), "王科长您好，宕机的事给您添麻烦了。验收现在卡在哪一步？")
    result = CliRunner().invoke(app, ["grade", str(path), "-s", SCENARIO, "--json"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["grader"] == f"llm:{JUDGE_MODEL}"
    assert card["dimensions"]["listening"]["score"] == 2.0
    assert f"评分：模型 {JUDGE_MODEL}" in result.stderr


def test_grade_without_a_model_says_it_grades_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "call.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["grader"] == "offline"
    assert "评分：离线规则" in result.stderr


def test_play_over_the_cap_goes_on_offline_and_says_so(
    env: None, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_USER_MONTHLY_TOKEN_CAP", "10")
    fake.script(client_reply("您是哪个单位的？"))
    lines = "您好，我是华信科技的小陈。\n想找王科长谈二期项目。\n/end\n"
    result = CliRunner().invoke(app, ["play", "-s", SCENARIO, "--plan", "p"], input=lines)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("本月的模型用量已达上限") == 1
    assert [r.body["model"] for r in fake.requests] == [CLIENT_MODEL]
