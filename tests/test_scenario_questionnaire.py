"""Without a model, a trainer answers a questionnaire and gets a scenario that loads and plays."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.composition import container
from bot.domain.facts import FACT_KEYS
from bot.domain.session import EndReason, Phase
from bot.scenarios.loader import load_scenario, parse_scenario
from bot.scenarios.questionnaire import QUESTIONS, build
from bot.settings import Settings

ANSWERS = {
    "client": "某区水务局",
    "project": "智慧水务一期",
    "contract_no": "QSW-2025-031",
    "contract_amount": "3980000",
    "overdue_amount": "1194000",
    "overdue_since": "2026-04-19",
    "history": "验收后付款材料被退回三次，尾款拖了八个月。",
    "name": "孟志远",
    "role": "局长",
    "temperament": "perfectionist",
    "phenomenon": "tormenting",
    "root_cause": "client_habit",
    "difficulty": "4",
    "acceptance_person": "钱立群高工，专家组组长",
    "acceptance_standard": "报告缺第 14 至 17 页，补点记录未附",
    "payment_terms": "每月 20 号前报区财政，走财政集中支付",
    "payment_owner": "孟局长本人，郑燕科长经办",
    "objection": "材料都不规范，你让我怎么签字？",
    "main_hardship": "close",
}
# A skilled rep, written for any questionnaire-built case.
GOOD_REP = [
    "您好，打扰您了。我是华信科技的客户经理小陈，今天来是想跟领导汇报一下尾款的事，麻烦您通报一声。",
    "您好，谢谢您抽时间。今天来是想跟您商量一下尾款的事。",
    "您是说，材料不规范让您很为难，这个担子确实在您身上。我们来准备，帮您把风险排除掉。",
    "我先核对一下，咱们说的是这个项目吧？验收由谁负责？",
    "验收标准是什么，现在还卡在哪一步，您能跟我说说吗？",
    "明白了。那付款流程是怎么走的？最后是谁签批？",
    "那我们这样安排：下周三前我把补好的材料送到您这里，您看能否安排签批？",
]


def test_answers_build_a_scenario_the_strict_loader_accepts() -> None:
    scenario = parse_scenario(build(ANSWERS, "zh"))
    assert scenario.focus == "collection" and scenario.temperament == "perfectionist"
    assert scenario.facts["project"].markers == ["QSW-2025-031"]


def test_zero_overdue_makes_a_prevention_case() -> None:
    scenario = parse_scenario(build({**ANSWERS, "overdue_amount": "0", "overdue_since": ""}, "en"))
    assert (scenario.focus, scenario.language) == ("prevention", "en")


async def test_a_built_scenario_plays_to_a_commitment(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "qsw-2025-031-draft.yaml").write_text(build(ANSWERS, "zh"), "utf-8")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
        scenarios_dir=folder,
    )
    async with container(settings) as app:
        person = await app.users.local("questionnaire")
        started = await app.practice.start(person.id, "qsw-2025-031-draft")
        result = await app.practice.begin(person.id, started.session.id)
        for line in GOOD_REP:
            assert result.session.phase == Phase.PLAY
            result = await app.practice.reply(person.id, started.session.id, line)
    assert result.session.end_reason == EndReason.COMMITMENT
    assert sorted(result.session.client.earned) == sorted(FACT_KEYS)


def test_cli_new_asks_the_questions_and_writes_a_checked_file(tmp_path: Path) -> None:
    stdin = "\n".join(ANSWERS[q.key] for q in QUESTIONS) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "scenarios", "new", "-o", "mine.yaml"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert load_scenario(tmp_path / "mine.yaml").title == "智慧水务一期"
    assert "通过了校验" in result.stdout
