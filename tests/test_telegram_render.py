"""Long HTML is split at paragraph boundaries under Telegram's limit and never truncated."""

from __future__ import annotations

import dataclasses
import html

from bot.domain.scorecard import DimensionScore, Evidence, Scorecard
from bot.i18n import Catalog
from bot.telegram.render import LIMIT, plain_text, size, split_html
from bot.views.text import scorecard_text
from tests.support.bot_api import visible_text


def test_short_text_is_one_message() -> None:
    assert split_html("<b>评分卡</b>\n\n总分 80/100") == ["<b>评分卡</b>\n\n总分 80/100"]


def test_long_text_splits_between_paragraphs() -> None:
    paragraphs = [f"<b>第 {n} 段</b>\n" + "字" * 900 for n in range(10)]
    parts = split_html("\n\n".join(paragraphs))
    assert len(parts) > 1
    assert all(size(p) <= LIMIT for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)  # nothing lost, cut only between
    assert all(p.startswith("<b>第 ") for p in parts)


def test_one_huge_line_is_cut_with_its_tags_closed_and_reopened() -> None:
    line = "<i>" + html.escape("<引用> & ") * 1200 + "</i>"
    parts = split_html(line)
    assert len(parts) > 1
    assert all(size(p) <= LIMIT for p in parts)
    for part in parts:
        visible_text(part, "HTML")  # each part is valid Telegram HTML on its own
        assert part.startswith("<i>") and part.endswith("</i>")
    assert "".join(plain_text(p) for p in parts) == "<引用> & " * 1200


def test_emoji_count_twice_towards_the_limit() -> None:
    parts = split_html("\n".join(["😀" * 100] * 30))  # 3,000 code points, 6,000+ UTF-16 units
    assert len(parts) == 2
    assert all(size(p) <= LIMIT for p in parts)


def test_scorecard_with_long_quotes_is_sent_whole_in_several_messages(catalog: Catalog) -> None:
    quote = "我们这边流程很多，" * 110
    dims = {
        d: DimensionScore(3.0, tuple(Evidence(n, quote) for n in range(2, 5)), "多提开放式问题。")
        for d in ("listening", "persuasion", "preparation", "composure", "next_step")
    }
    card = Scorecard(60, True, "offline", dims, {"project": "specific"}, {"talk_share": 0.5})  # type: ignore[arg-type]
    text = scorecard_text(dataclasses.replace(card), catalog, "zh", title="测试", html=True)
    parts = split_html(text)
    assert len(parts) > 2
    assert all(utf16 <= LIMIT for utf16 in map(size, parts))
    assert "\n\n".join(parts) == text
