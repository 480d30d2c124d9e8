"""Terminal play through its own door (`bot.console.play.play`) with a keyboard or a pipe:
slips at the keyboard lose nothing, bytes that are not text are refused, and every line reads
in the rep's language."""

from __future__ import annotations

import io

import pytest

from bot.composition import Container
from bot.console.play import play
from bot.errors import ScenarioNotFound

SCENARIO = "district-health-tail-payment"
OPENING = "刘老师您好，我是智联医信的陈磊，想找王科长汇报一下二期项目的事，麻烦您通报一声。"


class Keyboard(io.StringIO):
    """Lines typed at a terminal (stdin that is a tty)."""

    def isatty(self) -> bool:
        return True


async def run(app: Container, stdin: io.StringIO, lang: str = "zh", **kw: object) -> str:
    """Play one session; everything printed."""
    out = io.StringIO()
    person = await app.users.local("tester")
    code = await play(app, person, lang, SCENARIO, stdin=stdin, stdout=out, **kw)  # type: ignore[arg-type]
    assert code == 0
    return out.getvalue()


async def test_an_empty_enter_at_the_keyboard_does_not_end_the_meeting(app: Container) -> None:
    shown = await run(app, Keyboard(f"\n{OPENING}\n/end\n"), plan="先问验收人")
    assert "⚠️ 消息是空的，请输入你要对客户说的话。" in shown
    assert "他说给您十五分钟" in shown
    assert "会面结束" not in shown.split("他说给您十五分钟")[0]


async def test_a_blank_line_in_piped_input_still_ends_and_grades(app: Container) -> None:
    shown = await run(app, io.StringIO(f"{OPENING}\n\n不该被读到的一句\n"))
    assert "不该被读到的一句" not in shown
    assert "【评分卡 · 区卫健委信息系统二期尾款】" in shown


async def test_bytes_that_are_not_utf8_are_refused_and_play_goes_on(app: Container) -> None:
    garbage = b"\xff\xfe\x00binary\x80".decode("utf-8", "surrogateescape")
    shown = await run(app, io.StringIO(f"{garbage}\n{OPENING}\n/end\n"))
    assert "⚠️ 我只能读文字消息。请用文字回复客户。" in shown
    assert "他说给您十五分钟" in shown
    assert "【评分卡" in shown


async def test_a_refused_message_leaves_no_empty_client_line(app: Container) -> None:
    shown = await run(app, io.StringIO("长" * 5000 + f"\n{OPENING}\n/end\n"))
    assert "⚠️ 这条消息太长了（5000 字）" in shown
    assert [line for line in shown.splitlines() if line.strip() in ("客户：", "客户:")] == []


async def test_chinese_play_uses_full_width_colons_for_speakers_and_hints(
    app: Container,
) -> None:
    shown = await run(app, io.StringIO(f"/hint\n{OPENING}\n/end\n"))
    assert "客户：您好，这里是区卫健委办公室。" in shown
    assert f"你：{OPENING}" in shown
    assert "💡 提示：先过这一关" in shown
    assert "客户: " not in shown and "提示: " not in shown


async def test_english_play_names_speakers_with_an_ascii_colon(app: Container) -> None:
    shown = await run(app, io.StringIO(f"{OPENING}\n/end\n"), lang="en")
    assert "Client: 您好" in shown
    assert "[Scorecard · District health bureau" in shown


async def test_the_welcome_names_offline_models_in_the_readers_language(app: Container) -> None:
    shown = await run(app, io.StringIO("/end\n"))
    assert shown.splitlines()[0] == "回款陪练 · 终端模式（客户：离线脚本，评分：离线规则）"


async def test_a_mistyped_scenario_abandons_nothing_and_says_nothing_was_abandoned(
    app: Container,
) -> None:
    person = await app.users.local("tester")
    unfinished = await app.practice.start(person.id, SCENARIO)
    out = io.StringIO()
    with pytest.raises(ScenarioNotFound):
        await play(app, person, "zh", "no-such", stdin=io.StringIO(""), stdout=out)
    assert "已放弃" not in out.getvalue()
    current = await app.practice.current(person.id)
    assert current is not None and current.session.id == unfinished.session.id


async def test_resuming_counts_rounds_as_the_turn_budget_does(app: Container) -> None:
    person = await app.users.local("tester")
    started = await app.practice.start(person.id, SCENARIO)
    await app.practice.begin(person.id, started.session.id, None)
    await app.practice.reply(person.id, started.session.id, OPENING)
    shown = await run(app, io.StringIO("/end\n"))
    assert "继续上次未完成的练习「区卫健委信息系统二期尾款」（已进行 1 轮）" in shown
