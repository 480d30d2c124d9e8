"""Bad values typed or forged at the edge — out-of-range times, non-ASCII digits, 20-digit ids,
mangled pages, deep YAML, dice, invisible text — each get a localized refusal through the real
Application, and not one of them is logged as an unexpected error."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.i18n import Catalog
from bot.telegram import inputs
from tests.support.team_bot import OPERATOR, REP, TRAINER, TeamBot

CATALOG = Catalog.load()
HUGE = "9" * 20  # past every integer column (OverflowError in SQLite, DataError in PostgreSQL)
NOT_MEMBER = CATALOG.t("zh", "team.denied.not_member")
STALE = CATALOG.t("zh", "loop.stale")
# Callback data a tampering client can send, and the refusal each gets.
FORGED = [
    (f"tm:{HUGE}", NOT_MEMBER),
    (f"tmm:{HUGE}", NOT_MEMBER),
    (f"tma:{HUGE}", NOT_MEMBER),
    (f"sm:{HUGE}", NOT_MEMBER),
    (f"tk:{HUGE}", NOT_MEMBER),
    (f"ex:{HUGE}:week", NOT_MEMBER),
    (f"bd:{HUGE}:week:t:", NOT_MEMBER),
    ("tm:²", NOT_MEMBER),
    ("tm:1_0", NOT_MEMBER),
    (f"rv:{HUGE}:0", NOT_MEMBER),
    ("rv:1:-5", STALE),
    (f"rv:1:{HUGE}", STALE),
    ("rv:1:abc", STALE),
    (f"inv:1:{HUGE}:r", STALE),
    ("page:abc", STALE),
    ("page:1e3", STALE),
    ("page:-1", STALE),
]


@pytest.fixture
def tb_strict() -> bool:
    """`tb` is a trainer's team of one rep; these tests check logged errors (`unexpected`
    below), not Bot API calls the fake does not know, and never did."""
    return False


@pytest.fixture
def unexpected(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Errors logged while the test runs (an unexpected exception logs one with its trace)."""
    caplog.set_level(logging.ERROR)
    found: list[logging.LogRecord] = []
    yield found
    found += [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert found == []


async def test_an_impossible_due_time_is_refused_with_the_format_message(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    for due in ["12-05 24:00", "18:60", "25:00", "12-05 18:60", "１２-05", "٣天"]:
        await tb.say(TRAINER, due)  # the step keeps waiting for a due date
        assert tb.last(TRAINER) == CATALOG.t("zh", "team.error.due_format", value=due), due


async def test_a_pass_mark_that_is_not_0_to_100_in_ascii_digits_is_refused(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="区卫健委")
    await tb.tap(TRAINER, label="全体销售")
    await tb.say(TRAINER, "3天")
    for mark in ["²", "٦٠", "６０", "-5", "1e2", HUGE]:
        await tb.say(TRAINER, mark)
        assert tb.last(TRAINER) == CATALOG.t("zh", "team.error.pass_mark"), mark


async def test_grant_with_anything_but_a_telegram_id_shows_the_usage(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    for who in ["²", "9223372036854775808", "-2001", "٢٠٠١", "2001 2002"]:
        await tb.say(OPERATOR, f"/grant {who}")
        assert tb.last(OPERATOR) == CATALOG.t("zh", "tg.team.grant_usage"), who


async def test_forged_button_data_is_refused_in_words(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    for data, refusal in FORGED:
        sent = len(tb.texts(TRAINER))
        await tb.forge(TRAINER, data)
        if refusal == STALE:
            # Out-of-date or made-up button data: said on the button, nothing sent to the chat.
            assert tb.api.calls_to("answerCallbackQuery")[-1].text == STALE, data
            assert len(tb.texts(TRAINER)) == sent, data
        else:
            assert tb.last(TRAINER) == refusal, data


async def test_yaml_nested_twenty_thousand_deep_gets_the_scenario_error(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    await tb.send_file(TRAINER, "deep.yaml", b"[" * 20_000)
    # the loader's problem said in the trainer's words (issue 12 point 6), not 'nested too deeply'
    assert (
        tb.last(TRAINER) == "场景文件有误：deep.yaml 第 1 行，整个文件：层级套得太深了，不予读取。"
    )


async def test_a_dice_gets_the_polite_text_only_answer(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    dice = tb.api.text(REP, "x", sender=tb.user(REP))
    message = dice["message"]
    del message["text"]
    message["dice"] = {"emoji": "🎲", "value": 4}
    await tb.bot.send(dice)
    assert tb.last(REP) == CATALOG.t("zh", "fallback.not_text")


async def test_zero_width_only_text_is_empty_as_a_plan_and_as_a_turn(
    tb: TeamBot, unexpected: list[logging.LogRecord]
) -> None:
    empty = CATALOG.t("zh", "error.input_empty")
    invisible = ["\u200b", "\u200b\u200c\u200d\ufeff", "\u2060\u3164"]
    await tb.say(REP, "/practice")
    await tb.tap(REP, label="区卫健委")
    await tb.tap(REP, label="写计划")
    for text in invisible:
        await tb.say(REP, text)
        assert tb.last(REP) == empty, repr(text)
    await tb.say(REP, "先问验收卡在哪一步，再约下一步。")
    for text in invisible:
        await tb.say(REP, text)
        assert tb.last(REP) == empty, repr(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), (" 7 ", 7), ("0", None), ("²", None), ("٤٢", None), ("1_0", None), ("+5", None)],
)
def test_a_row_id_is_ascii_digits_within_the_column(text: str, expected: int | None) -> None:
    assert inputs.whole(text, 1, inputs.ROW_ID_MAX) == expected
