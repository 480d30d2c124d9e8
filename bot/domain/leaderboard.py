"""Leaderboard arithmetic: a fair ranking from graded attempts.

Team board (points):

    points = Σ over scenarios s of  max over the rep's attempts a at s of  overall(a) × k(d(a))

where overall is the 0–100 score after any trainer correction and k is the difficulty factor
of the scenario version played: ★1 0.5 · ★2 0.75 · ★3 1.0 · ★4 1.25 · ★5 1.5. Only the best
attempt per scenario counts, so repeating a scenario cannot inflate points, while practising
more scenarios, and harder ones, does. Ties go to the rep with fewer attempts.

Scenario board: the best overall on that scenario; ties go to fewer attempts, then to whoever
reached it first.

Dimension board: a skill level on the 1–5 scale,

    level = Σ_s k_s × best_s / Σ_s k_s

the difficulty-weighted mean, over scenarios, of the rep's best score on that dimension.

Equal values and equal attempts share a rank (1, 1, 3). The same text is in the catalogs
under `team.board.formula` and is shown by /help.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

DIFFICULTY_FACTOR: dict[int, float] = {1: 0.5, 2: 0.75, 3: 1.0, 4: 1.25, 5: 1.5}


def factor(difficulty: int) -> float:
    """The difficulty factor (out-of-range difficulties are clamped to 1–5)."""
    return DIFFICULTY_FACTOR[max(1, min(5, difficulty))]


@dataclass(frozen=True)
class Result:
    """One graded attempt, as the boards see it."""

    user_id: int
    scenario_id: str
    difficulty: int
    overall: int
    at: dt.datetime
    dimensions: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Standing:
    """One line of a board."""

    rank: int
    user_id: int
    value: float
    attempts: int
    scenarios: int


def _by_user(results: Iterable[Result]) -> dict[int, list[Result]]:
    grouped: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        grouped[result.user_id].append(result)
    return grouped


def _best_per_scenario(
    results: Sequence[Result], value: Callable[[Result], float | None]
) -> dict[str, tuple[float, Result]]:
    """For each scenario, the attempt with the highest value (earliest among equals)."""
    best: dict[str, tuple[float, Result]] = {}
    for result in sorted(results, key=lambda r: r.at):
        v = value(result)
        if v is None:
            continue
        if result.scenario_id not in best or v > best[result.scenario_id][0]:
            best[result.scenario_id] = (v, result)
    return best


def _rank(rows: list[tuple[int, float, int, int, tuple[object, ...]]]) -> list[Standing]:
    """Sort by value (desc), attempts (asc), then the extra tie-break; equal rows share a rank."""
    rows.sort(key=lambda r: (-r[1], r[2], r[4], r[0]))
    standings: list[Standing] = []
    for index, (user, value, attempts, scenarios, tie) in enumerate(rows):
        prev = standings[-1] if standings else None
        same = (
            prev is not None
            and abs(prev.value - value) < 1e-9
            and prev.attempts == attempts
            and rows[index - 1][4] == tie
        )
        rank = prev.rank if same and prev else index + 1
        standings.append(Standing(rank, user, round(value, 2), attempts, scenarios))
    return standings


def team_board(results: Iterable[Result]) -> list[Standing]:
    """Points: the sum over scenarios of the best difficulty-weighted overall."""
    rows: list[tuple[int, float, int, int, tuple[object, ...]]] = []
    for user, items in _by_user(results).items():
        best = _best_per_scenario(items, lambda r: r.overall * factor(r.difficulty))
        rows.append((user, sum(v for v, _ in best.values()), len(items), len(best), ()))
    return _rank(rows)


def scenario_board(results: Iterable[Result], scenario_id: str) -> list[Standing]:
    """The best overall on one scenario; fewer attempts, then earlier, win ties."""
    rows: list[tuple[int, float, int, int, tuple[object, ...]]] = []
    for user, items in _by_user(r for r in results if r.scenario_id == scenario_id).items():
        best = _best_per_scenario(items, lambda r: float(r.overall))
        value, first = best[scenario_id]
        rows.append((user, value, len(items), 1, (first.at,)))
    return _rank(rows)


def dimension_board(results: Iterable[Result], dimension: str) -> list[Standing]:
    """The difficulty-weighted mean of each scenario's best score on one dimension (1–5)."""
    rows: list[tuple[int, float, int, int, tuple[object, ...]]] = []
    for user, items in _by_user(results).items():
        best = _best_per_scenario(items, lambda r: r.dimensions.get(dimension))
        if not best:
            continue
        weights = sum(factor(r.difficulty) for _, r in best.values())
        level = sum(v * factor(r.difficulty) for v, r in best.values()) / weights
        rows.append((user, level, len(items), len(best), ()))
    return _rank(rows)
