"""The `trainer` command line, run as a user runs it: a subprocess with stdin and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import columns
from bot.domain.lang import Lang
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT
from tests.test_practice_service import GOOD_REP

SCENARIO = "district-health-tail-payment"


def trainer(
    *args: str, tmp_path: Path, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=timeout,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_piped_play_runs_a_whole_session_to_a_passing_scorecard(tmp_path: Path) -> None:
    result = trainer(
        "play",
        "-s",
        SCENARIO,
        "--plan",
        "问验收标准和付款审批人",
        tmp_path=tmp_path,
        stdin="\n".join(GOOD_REP) + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "【评分卡 · 区卫健委信息系统二期尾款】" in result.stdout
    assert "✅ 通过" in result.stdout
    assert "客户答应了具体的下一步" in result.stdout
    client_lines = [x for x in result.stdout.splitlines() if x.startswith("客户：")]
    assert len(client_lines) == len(GOOD_REP) + 1


def test_end_command_grades_early_in_english(tmp_path: Path) -> None:
    result = trainer(
        "play", "-s", SCENARIO, "--lang", "en", tmp_path=tmp_path, stdin=GOOD_REP[0] + "\n/end\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Scorecard" in result.stdout
    assert "Not passed" in result.stdout


def test_a_megabyte_message_is_refused_politely_and_play_goes_on(tmp_path: Path) -> None:
    result = trainer(
        "play",
        "-s",
        SCENARIO,
        tmp_path=tmp_path,
        stdin="长" * 1_000_000 + "\n" + GOOD_REP[0] + "\n/end\n",
    )
    assert result.returncode == 0, result.stderr
    assert "这条消息太长了（1000000 字）" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "王科长" in result.stdout


def test_a_killed_session_resumes_where_it_stopped(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    with subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "play", "-s", SCENARIO],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    ) as proc:
        assert proc.stdin and proc.stdout
        proc.stdin.write(GOOD_REP[0] + "\n")
        proc.stdin.flush()
        seen = ""
        while "十五分钟" not in seen:  # the gatekeeper's hand-over line: turn 3 is stored
            line = proc.stdout.readline()
            assert line, "play ended before answering"
            seen += line
        proc.kill()
    result = trainer("play", tmp_path=tmp_path, stdin="\n".join(GOOD_REP[1:]) + "\n")
    assert result.returncode == 0, result.stderr
    # Killed while or just after streaming: either the reply was stored or it is owed and
    # answered on resume — never lost, never said twice. Rounds count the rep's messages, as
    # the turn budget does.
    assert "继续上次未完成的练习「区卫健委信息系统二期尾款」（已进行 1 轮）" in result.stdout
    assert result.stdout.count("他说给您十五分钟") == 1
    assert "✅ 通过" in result.stdout


def test_grade_json_prints_exactly_one_object(tmp_path: Path) -> None:
    lines = ["客户：你好，有什么事？"]
    for rep in GOOD_REP[1:4]:
        lines += [f"销售：{rep}", "客户：这个嘛，要研究一下。"]
    path = tmp_path / "call.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = trainer("grade", str(path), "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["grader"] == "offline"
    assert set(data["dimensions"]["listening"]) == {"score", "evidence", "tip"}
    assert data["dimensions"]["listening"]["evidence"][0]["turn"] in range(1, len(lines) + 1)


def test_grade_with_scenario_uses_its_facts_and_pass_mark(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_text(
        "client: 你好\nrep: 想请教一下，这个二期项目现在是什么情况？\n"
        "client: 你说的是二期那个项目吧，合同编号 WJW-2025-017。",
        encoding="utf-8",
    )
    result = trainer("grade", str(path), "-s", SCENARIO, "--json", tmp_path=tmp_path)
    assert json.loads(result.stdout)["checklist"]["project"] == "specific"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "对话记录是空的"),
        (b"just some words\nwithout labels", "第 1 行前没有说话人标签"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "这不是文本文件"),
        ("client: 只有客户在说话".encode(), "没有销售的发言"),
    ],
)
def test_grade_refuses_bad_transcripts_with_one_clear_line(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert_clean_failure(trainer("grade", str(path), tmp_path=tmp_path), fragment)


def test_grade_reports_a_missing_file_and_an_unknown_scenario(tmp_path: Path) -> None:
    assert_clean_failure(trainer("grade", "nope.txt", tmp_path=tmp_path), "找不到文件")
    path = tmp_path / "call.txt"
    path.write_text("rep: 你好", encoding="utf-8")
    assert_clean_failure(
        trainer("grade", str(path), "-s", "no-such", tmp_path=tmp_path), "没有找到场景「no-such」"
    )


def test_play_with_an_unknown_scenario_fails_cleanly(tmp_path: Path) -> None:
    assert_clean_failure(trainer("play", "-s", "no-such", tmp_path=tmp_path), "没有找到场景")


def test_validate_names_file_line_and_field_and_exits_non_zero(tmp_path: Path) -> None:
    good = ROOT / "scenarios" / f"{SCENARIO}.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text("utf-8").replace("difficulty: 3", "difficulty: 9"), encoding="utf-8"
    )
    result = trainer("scenarios", "validate", str(good), str(bad), tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"OK: {good}" in result.stdout or f"通过：{good}" in result.stdout
    line = bad.read_text("utf-8").splitlines().index("difficulty: 9") + 1
    assert f"{bad}:{line}: difficulty: Input should be less than or equal to 5" in result.stderr
    assert "Traceback" not in result.stderr


def test_scenarios_list_and_show(tmp_path: Path) -> None:
    listed = trainer("scenarios", "list", "--json", tmp_path=tmp_path)
    assert SCENARIO in [s["id"] for s in json.loads(listed.stdout)]
    shown = trainer("scenarios", "show", SCENARIO, "--lang", "en", tmp_path=tmp_path)
    assert "Case card · District health bureau" in shown.stdout
    assert "How you will be graded" in shown.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scenario_titles_line_up_in_one_column(
    tmp_path: Path, lang: Lang, library: ScenarioLibrary
) -> None:
    listed = trainer("scenarios", "list", "--lang", lang, tmp_path=tmp_path)
    rows = listed.stdout.strip().splitlines()[1:]
    titles = [s.title_in(lang) for s in library.all()]
    starts = {columns(row[: row.index(title)]) for row, title in zip(rows, titles, strict=True)}
    assert len(starts) == 1, listed.stdout


def test_play_help_says_what_play_does_in_whole_sentences(tmp_path: Path) -> None:
    wide = subprocess.run(
        [sys.executable, "-m", "bot.cli", "play", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250"},
        cwd=tmp_path,
        timeout=60,
    )
    assert (
        "In play, /hint asks the coach and /end ends the meeting and grades it. Piped stdin "
        "works too: one rep message per line; a blank line or end of input also ends and grades."
    ) in wide.stdout


def test_show_names_the_stages_in_chinese_for_a_chinese_reader(tmp_path: Path) -> None:
    shown = trainer("scenarios", "show", SCENARIO, tmp_path=tmp_path)
    stages = shown.stdout.strip().splitlines()[-1]
    assert stages.startswith("关卡：")
    assert "耐心" in stages and "patience" not in stages


def test_run_without_a_token_explains_and_falls_back_to_terminal_play(tmp_path: Path) -> None:
    result = trainer("run", tmp_path=tmp_path, stdin="/end\n")
    assert result.returncode == 0, result.stderr
    assert "@BotFather" in result.stdout
    assert "评分卡" in result.stdout


def test_an_unexpected_failure_is_one_line_and_a_crash_file(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_", "LLM_"))
    }
    # A file that is not a SQLite database: nothing a user is told how to fix, so a crash file.
    (tmp_path / "x.db").write_bytes(b"this is not a database " * 200)
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", TMPDIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "play", "-s", SCENARIO],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "出了点问题，已经记录下来了。请稍后再试。 详细信息已写入" in result.stderr
    crash = next(tmp_path.glob("trainer-crash-*.log"))
    assert "Traceback" in crash.read_text("utf-8")


def test_an_unknown_interface_language_is_refused(tmp_path: Path) -> None:
    result = trainer("scenarios", "list", "--lang", "fr", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "'fr'" in result.stderr
