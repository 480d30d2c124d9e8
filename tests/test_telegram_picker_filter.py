"""/practice with words narrows the picker: temperament, pattern, difficulty, prevention."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.i18n import Catalog
from bot.scenarios.coverage import filter_from_words
from bot.settings import Settings
from tests.support.bot_harness import PRIVATE, BotHarness


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[BotHarness]:
    """The bot on the offline Bot API."""
    async with BotHarness(settings) as harness:
        yield harness
    assert harness.api.unexpected == []


def labels(bot: BotHarness) -> list[str]:
    markup = bot.api.sent(PRIVATE)[-1].get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [str(b["text"]) for row in rows for b in row]


async def test_practice_with_a_temperament_and_pattern_lists_only_those(bot: BotHarness) -> None:
    await bot.text("/practice 忠诚型 久拖不决")
    assert labels(bot) == [
        "1. 区卫健委信息系统二期尾款",
        "2. 区教育局录播教室项目款：钱到底谁说了算",
    ]
    await bot.press(label="区教育局录播")
    assert "案例卡 · 区教育局录播教室项目款" in bot.last_text()


async def test_practice_by_stars_and_prevention(bot: BotHarness) -> None:
    await bot.text("/practice 预防 4星")
    assert labels(bot) == ["1. 市城投集团数据中心——签约前的回款条款（英文场景）"]
    assert "风险防控（签约前）" in bot.last_text()


async def test_an_unknown_word_is_explained_and_a_miss_says_so(bot: BotHarness) -> None:
    await bot.text("/practice 暴躁型")
    assert "不认识「暴躁型」" in bot.last_text()
    await bot.text("/practice 完美型 1星")
    assert bot.last_text().startswith("没有符合条件的场景")
    await bot.text("/practice")
    assert "第 1/3 页" in bot.last_text()


def test_filter_words_in_either_language() -> None:
    chosen, unknown = filter_from_words(
        ["Perfectionist", "tormenting", "★★★★", "x"], Catalog.load()
    )
    assert (chosen.temperaments, chosen.phenomena, chosen.difficulties) == (
        {"perfectionist"},
        {"tormenting"},
        {4},
    )
    assert unknown == ["x"]
