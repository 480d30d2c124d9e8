"""Charts as PNG bytes: the five-dimension radar of a scorecard, progress over time and a
team's leaderboard.

Chinese labels need a CJK font. A system one is used when there is one (Debian's
`fonts-noto-cjk`, which the Docker image installs, or `fonts-wqy-microhei`; macOS's PingFang;
Windows' Microsoft YaHei); otherwise the Noto Sans CJK SC file of the optional `mplfonts`
package (`pip install 'huikuan-trainer[fonts]'`, a 103 MB bundle). The font is registered
with matplotlib the first time a chart is drawn. Figures
are built with matplotlib's object API (no pyplot, no global figure state); rcParams are
global, so drawing is serialised with a lock.

The bot draws with `draw(...)`: in a worker process, so the ~150 ms a chart takes never holds
the interpreter lock against other chats' turns, and matplotlib (~45 MiB) is imported there,
not in the bot. If the worker dies the chart is drawn in a thread instead.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import io
import logging
import math
import multiprocessing
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bot.domain.rubric import DIMENSIONS, SCORE_MAX, SCORE_MIN
from bot.domain.scenario import Dimension

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.services.practice import ProgressPoint

log = logging.getLogger(__name__)
FONT_FILE = "NotoSansCJKsc-Regular.otf"  # in mplfonts
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",  # the first face of Debian's NotoSansCJK-Regular.ttc; has every hanzi
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
)
_DRAWING = threading.Lock()
_ACCENT, _GRID = "#c0392b", "#bbbbbb"
_pool: ProcessPoolExecutor | None = None


async def draw(chart: Callable[..., bytes], *args: Any) -> bytes:
    """A chart (`radar`, `progress`, `leaderboard` and its arguments) drawn off the event
    loop's interpreter, in the worker process."""
    global _pool
    if _pool is None:
        # Spawned, not forked: the bot has threads, and a fork would copy their locks.
        _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool, chart, *args)
    except BrokenProcessPool:
        log.warning("chart worker died; drawing %s in a thread", chart.__name__)
        _pool = None
        return await asyncio.to_thread(chart, *args)


def close() -> None:
    """Stop the worker process (if one was started)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def cjk_font_path() -> Path:
    """A CJK font file: a system font first, else the one the mplfonts package ships."""
    from matplotlib import font_manager

    for wanted in SYSTEM_CJK_FAMILIES:
        for entry in font_manager.fontManager.ttflist:
            if entry.name == wanted and Path(entry.fname).is_file():
                return Path(entry.fname)
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "no CJK font: install one (Debian: apt-get install fonts-noto-cjk) "
            "or pip install 'huikuan-trainer[fonts]'"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


@functools.cache
def cjk_family() -> str:
    """Register the CJK font with matplotlib (once) and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _styled() -> AbstractContextManager[None]:
    from matplotlib import rc_context

    return rc_context({"font.family": [cjk_family()], "axes.unicode_minus": False, "font.size": 12})


def radar(scores: Mapping[Dimension, float], labels: Mapping[Dimension, str], title: str) -> bytes:
    """A radar (spider) chart of the five 1–5 scores."""
    dims = [d for d in DIMENSIONS if d in scores]
    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    values = [scores[d] for d in dims]
    from matplotlib.figure import Figure
    from matplotlib.projections.polar import PolarAxes

    with _DRAWING, _styled():
        figure = Figure(figsize=(6, 6), dpi=120)
        ax = cast(PolarAxes, figure.add_subplot(projection="polar"))
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        ax.plot([*angles, angles[0]], [*values, values[0]], color=_ACCENT, linewidth=2)
        ax.fill([*angles, angles[0]], [*values, values[0]], color=_ACCENT, alpha=0.25)
        ax.set_xticks(angles)
        ax.set_xticklabels([f"{labels[d]}\n{scores[d]:g}" for d in dims])
        ax.set_ylim(0, SCORE_MAX)
        ax.set_yticks([1, 2, 3, 4, 5])
        ax.set_yticklabels(["1", "2", "3", "4", "5"], color="#888888", fontsize=9)
        ax.grid(color=_GRID)
        ax.set_title(title, pad=24, fontsize=15)
        figure.tight_layout()
        return _png(figure)


def progress(
    points: Sequence[ProgressPoint],
    labels: Mapping[Dimension, str],
    overall_label: str,
    axis_label: str,
    title: str,
    dates: Sequence[str] = (),
    pass_marks: Sequence[float] = (),
    pass_label: str = "",
) -> bytes:
    """Small multiples: the overall score (with the pass line, where given) and each dimension
    on its 1–5 scale, session after session, the sessions labelled by their `dates`."""
    xs = list(range(1, len(points) + 1))
    from matplotlib.figure import Figure

    with _DRAWING, _styled():
        figure = Figure(figsize=(10, 6.5), dpi=110)
        axes = figure.subplots(2, 3, sharex=True)
        panels: list[tuple[str, list[float], tuple[float, float]]] = [
            (overall_label, [float(p.overall) for p in points], (0, 100))
        ]
        panels += [
            (
                labels[d],
                [p.scores.get(d, SCORE_MIN) for p in points],
                (SCORE_MIN - 0.2, SCORE_MAX + 0.2),
            )
            for d in DIMENSIONS
        ]
        ticks = xs if len(xs) <= 12 else xs[:: max(1, len(xs) // 10)]
        for i, (ax, (name, ys, limits)) in enumerate(zip(axes.flat, panels, strict=True)):
            ax.plot(xs, ys, marker="o", color=_ACCENT, linewidth=2)
            ax.set_title(name)
            ax.set_ylim(*limits)
            if i > 0:
                ax.set_yticks(range(int(SCORE_MIN), int(SCORE_MAX) + 1))
            elif len(pass_marks) == len(xs):
                ax.step(xs, pass_marks, where="mid", color="#555555", linestyle="--", linewidth=1)
                ax.annotate(
                    pass_label,
                    (xs[0], pass_marks[0]),
                    textcoords="offset points",
                    xytext=(2, 4),
                    fontsize=9,
                    color="#555555",
                )
            ax.grid(color=_GRID, alpha=0.6)
            ax.set_xticks(ticks)
            if len(dates) == len(xs):
                ax.set_xticklabels([dates[x - 1] for x in ticks], rotation=45, fontsize=9)
        for ax in axes[-1]:
            ax.set_xlabel(axis_label)
        figure.suptitle(title, fontsize=16)
        figure.tight_layout()
        return _png(figure)


MAX_BARS = 15


def leaderboard(
    names: Sequence[str],
    values: Sequence[float],
    title: str,
    value_label: str,
    five_point: bool = False,
) -> bytes:
    """Horizontal bars, the leader on top (at most `MAX_BARS`), each labelled with its value;
    a `five_point` board (a dimension's level) on the 1–5 axis of its scale."""
    shown = list(zip(names, values, strict=True))[:MAX_BARS]
    labels = [name for name, _ in reversed(shown)]
    lengths = [v for _, v in reversed(shown)]
    from matplotlib.figure import Figure

    with _DRAWING, _styled():
        figure = Figure(figsize=(8, max(2.5, 0.5 * len(shown) + 1.5)), dpi=110)
        ax = figure.add_subplot()
        bars = ax.barh(range(len(shown)), lengths, color=_ACCENT, alpha=0.85)
        ax.bar_label(bars, labels=[f"{v:g}" for v in lengths], padding=4, fontsize=10)
        ax.set_yticks(range(len(shown)), labels)
        ax.set_xlabel(value_label)
        if five_point:
            ax.set_xlim(0, SCORE_MAX + 0.6)
            ax.set_xticks(range(int(SCORE_MIN), int(SCORE_MAX) + 1))
        else:
            ax.set_xlim(0, max(lengths, default=1) * 1.15 or 1)
        ax.grid(axis="x", color=_GRID, alpha=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(title, fontsize=15)
        figure.tight_layout()
        return _png(figure)
