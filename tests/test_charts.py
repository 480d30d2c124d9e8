"""Charts render to PNG with the CJK font shipped by mplfonts, so Chinese labels show."""

from __future__ import annotations

import datetime as dt
import io

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from bot import charts
from bot.domain.rubric import DIMENSIONS
from bot.services.practice import ProgressPoint

LABELS = {
    "listening": "倾听力",
    "persuasion": "说服力",
    "preparation": "准备",
    "composure": "心态",
    "next_step": "推进",
}
PNG = b"\x89PNG\r\n\x1a\n"


def test_shipped_cjk_font_has_every_label_character() -> None:
    font = FT2Font(str(charts.cjk_font_path()))
    characters = {ord(c) for c in "".join(LABELS.values()) + "五项能力我的进步总分第几次练习"}
    assert characters <= set(font.get_charmap())


def test_cjk_font_is_registered_with_matplotlib() -> None:
    family = charts.cjk_family()
    assert family == "Noto Sans CJK SC"
    assert family in {f.name for f in font_manager.fontManager.ttflist}


def test_radar_is_a_png_of_the_scores() -> None:
    scores = {
        "listening": 3.5,
        "persuasion": 2.0,
        "preparation": 4.0,
        "composure": 5.0,
        "next_step": 1.5,
    }
    png = charts.radar(scores, LABELS, "五项能力（满分 5）")  # type: ignore[arg-type]
    assert png.startswith(PNG)
    assert len(png) > 10_000


def test_progress_is_a_png_with_one_panel_per_dimension() -> None:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    points = [
        ProgressPoint(
            start + dt.timedelta(days=n), "s", 40 + 5 * n, {d: 1.0 + n / 2 for d in DIMENSIONS}
        )
        for n in range(4)
    ]
    png = charts.progress(points, LABELS, "总分", "第几次练习", "我的进步")  # type: ignore[arg-type]
    assert png.startswith(PNG)
    assert io.BytesIO(png).getbuffer().nbytes > 10_000


def test_leaderboard_is_a_png_of_bars_with_chinese_names() -> None:
    png = charts.leaderboard(
        ["小陈", "小李", "王五"], [182.5, 120.0, 0.0], "华东一组 · 本周", "积分"
    )
    assert png.startswith(PNG)
    assert len(png) > 10_000


def test_leaderboard_draws_a_long_board_where_nobody_scored_yet() -> None:
    many = charts.leaderboard([f"销售{i}" for i in range(40)], [0.0] * 40, "全部", "积分")
    assert many.startswith(PNG)


async def test_the_bot_draws_in_the_worker_process_the_same_png() -> None:
    scores = {d: 3.0 for d in DIMENSIONS}
    png = await charts.draw(charts.radar, scores, LABELS, "五项能力")
    assert png.startswith(PNG)
    assert png == charts.radar(scores, LABELS, "五项能力")
