"""Scenario upload through the real Application: a trainer sends YAML documents — broken (line
numbers back), hostile (a YAML bomb, an oversized file refused by its reported size before any
download, a binary file) and valid (a new version, then test play)."""

from __future__ import annotations

import pytest

from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.telegram.app import file_url
from tests.support.team_bot import OTHER_TRAINER, TRAINER, TeamBot
from tests.support.world import VALID_YAML_ID, scenario_yaml

CATALOG = Catalog.load()


def invalid(detail: str) -> str:
    """The refusal a trainer reads for a scenario file."""
    return CATALOG.t("zh", "error.scenario_invalid", detail=detail)


async def test_a_valid_file_is_saved_as_version_one_and_can_be_test_played(
    tb: TeamBot, scenario: Scenario
) -> None:
    text = scenario_yaml(scenario, title="县财政局年底支付")
    await tb.send_file(TRAINER, "county.yaml", text.encode("utf-8"))
    assert tb.last(TRAINER) == (
        f"已保存「县财政局年底支付」（{VALID_YAML_ID}）为团队「华东一组」的第 1 版。"
        "可以先试玩，再用 /assign 布置。"
    )
    await tb.tap(TRAINER, label="试玩")
    assert "案例卡 · 县财政局年底支付" in tb.last(TRAINER)
    await tb.tap(TRAINER, label="跳过")
    await tb.say(TRAINER, "您好，我来了解一下验收的情况。")
    current = await tb.bot.services.practice.current(await tb.user_id(TRAINER))
    assert current is not None
    assert (current.scenario.id, current.scenario.version) == (VALID_YAML_ID, 1)


async def test_an_edit_is_version_two_and_the_same_file_again_changes_nothing(
    tb: TeamBot, scenario: Scenario
) -> None:
    await tb.send_file(TRAINER, "county.yaml", scenario_yaml(scenario, title="第一版").encode())
    second = scenario_yaml(scenario, title="第二版").encode()
    await tb.send_file(TRAINER, "county.yaml", second)
    assert "为团队「华东一组」的第 2 版" in tb.last(TRAINER)
    await tb.send_file(TRAINER, "county.yaml", second)
    assert tb.last(TRAINER) == "「第二版」和团队「华东一组」现有的第 2 版完全一样，没有新建版本。"
    await tb.say(TRAINER, "/upload")
    assert f"1. 「第二版」· {VALID_YAML_ID} · 第 2 版" in tb.last(TRAINER)


async def test_a_broken_file_comes_back_with_its_line_numbers(
    tb: TeamBot, scenario: Scenario
) -> None:
    text = scenario_yaml(scenario).replace("difficulty: 3", "difficulty: 9")
    line = text.splitlines().index("difficulty: 9") + 1
    await tb.send_file(TRAINER, "county.yaml", text.encode())
    assert (
        tb.last(TRAINER)
        == f"场景文件有误：county.yaml 第 {line} 行，难度（difficulty）：不能大于 5。"
    )


async def test_upload_problems_are_in_the_trainers_language_with_field_and_line(
    tb: TeamBot, scenario: Scenario
) -> None:
    text = scenario_yaml(scenario).replace("difficulty: 3", "difficulty: 3\ncolour: red")
    line = text.splitlines().index("colour: red") + 1
    await tb.send_file(TRAINER, "county.yaml", text.encode())
    shown = tb.last(TRAINER)
    assert f"county.yaml 第 {line} 行，colour：不认识这一项（拼错了，或放错了位置）。" in shown
    assert "Extra inputs" not in shown and "Input should" not in shown
    await tb.say(TRAINER, "/lang")
    await tb.tap(TRAINER, label="English")
    await tb.send_file(TRAINER, "county.yaml", text.encode())
    assert tb.last(TRAINER) == (
        f"The scenario file has errors: county.yaml, line {line}, colour: "
        "this field is not known here (misspelt, or in the wrong place)."
    )


async def test_a_syntax_error_names_its_line_in_plain_words(tb: TeamBot) -> None:
    broken = b"id: x\ntitle: [unclosed\nlanguage: zh\n"
    await tb.send_file(TRAINER, "bad.yaml", broken)
    assert tb.last(TRAINER) == (
        "场景文件有误：bad.yaml 第 3 行，整个文件：YAML 格式写错了，读不下去：多半是括号或引号"
        "没有配对、冒号后面少了空格，或者缩进没对齐。"
    )
    await tb.say(TRAINER, "/lang")
    await tb.tap(TRAINER, label="English")
    await tb.send_file(TRAINER, "bad.yaml", broken)
    shown = tb.last(TRAINER)
    assert shown.startswith(
        "The scenario file has errors: bad.yaml, line 3, the whole file: the YAML"
    )
    assert "expected" not in shown and "flow sequence" not in shown  # none of PyYAML's words


async def test_a_key_written_twice_is_named(tb: TeamBot, scenario: Scenario) -> None:
    text = scenario_yaml(scenario).replace("difficulty: 3", "difficulty: 3\ndifficulty: 4")
    line = text.splitlines().index("difficulty: 4") + 1
    await tb.send_file(TRAINER, "county.yaml", text.encode())
    assert tb.last(TRAINER) == invalid(
        f"county.yaml 第 {line} 行，整个文件：「difficulty」写了两次，只能保留一个。"
    )


async def test_a_yaml_bomb_is_refused(tb: TeamBot) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    await tb.send_file(TRAINER, "bomb.yaml", ("\n".join(lines) + "\n").encode())
    assert tb.last(TRAINER).startswith("场景文件有误：bomb.yaml 第 ")
    assert tb.last(TRAINER).endswith("用得太多，不予读取。")
    assert "aliases" not in tb.last(TRAINER)


async def test_an_oversized_file_is_refused_by_its_size_before_any_download(tb: TeamBot) -> None:
    await tb.send_file(TRAINER, "huge.yaml", b"id: x\n", size=300 * 1024)
    assert tb.last(TRAINER) == "文件太大了（300 KB），场景文件最大 256 KB。文件没有下载。"
    assert tb.api.calls_to("getFile") == []
    assert tb.api.downloads == []


async def test_a_binary_file_is_refused(tb: TeamBot) -> None:
    await tb.send_file(TRAINER, "photo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert tb.last(TRAINER) == invalid("photo.yaml：这不是文本文件，请上传 .yaml 文本。")


async def test_a_trainer_of_two_teams_is_asked_which_one(tb: TeamBot, scenario: Scenario) -> None:
    await tb.say(TRAINER, "/newteam 华南二组")
    await tb.send_file(TRAINER, "county.yaml", scenario_yaml(scenario).encode())
    assert tb.last(TRAINER) == "这个场景上传到哪个团队？"
    assert tb.api.downloads == []
    await tb.tap(TRAINER, label="华南二组")
    assert "为团队「华南二组」的第 1 版" in tb.last(TRAINER)
    await tb.tap(TRAINER, data="up:")  # the same button again: the file was used up
    assert tb.last(TRAINER) == "找不到刚才的文件了，请重新发送。"


async def test_a_team_scenario_stays_inside_its_team(tb: TeamBot, scenario: Scenario) -> None:
    text = scenario_yaml(scenario, title="华东内部演练")
    await tb.send_file(TRAINER, "county.yaml", text.encode())
    await tb.team(reps=(), name="华南二组", trainer=OTHER_TRAINER)
    await tb.say(OTHER_TRAINER, "/upload")
    assert "还没有上传过场景。" in tb.last(OTHER_TRAINER)
    await tb.say(OTHER_TRAINER, "/practice")
    assert "华东内部演练" not in "".join(tb.texts(OTHER_TRAINER))  # only its team's members see it


@pytest.mark.parametrize(
    ("base", "files"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://127.0.0.1:8081/bot{token}", "http://127.0.0.1:8081/file/bot{token}"),
    ],
)
def test_files_are_fetched_from_the_bot_api_servers_file_url(base: str, files: str) -> None:
    assert file_url(base) == files
