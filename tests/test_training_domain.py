"""The training side's pure rules: roles, task status, periods, boards, reminders, overrides."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.assignment import Attempt, Progress, TaskStatus, Terms, progress
from bot.domain.board_week import due_week
from bot.domain.leaderboard import (
    Result,
    Standing,
    dimension_board,
    scenario_board,
    team_board,
)
from bot.domain.periods import Period, parse_due, window
from bot.domain.reminders import Due, Reminder, ReminderKind, plan
from bot.domain.review import Override, apply_overrides, check_override
from bot.domain.roles import TRAINER_ACTIONS, Action, Role, can, global_role, team_role
from bot.domain.scenario import RubricWeights
from bot.domain.scorecard import DimensionScore, Scorecard
from bot.errors import InvalidRequest

UTC = dt.UTC
SH = "Asia/Shanghai"
DUE = dt.datetime(2026, 12, 10, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
BEFORE = DUE - dt.timedelta(days=2)
AFTER = DUE + dt.timedelta(hours=1)


# --- roles -----------------------------------------------------------------------------


def test_rep_may_do_no_trainer_action_in_a_team() -> None:
    refused = {a for a in Action if not can(Role.REP, a)}
    assert refused >= TRAINER_ACTIONS
    assert {
        Action.MANAGE_TEAM,
        Action.ASSIGN,
        Action.REVIEW,
        Action.COMMENT,
        Action.OVERRIDE,
        Action.EXPORT,
        Action.UPLOAD_SCENARIO,
    } == TRAINER_ACTIONS


def test_outsider_may_do_nothing_in_a_team() -> None:
    assert [a for a in Action if can(None, a)] == []


def test_operator_acts_as_trainer_in_every_team_without_membership() -> None:
    assert team_role(Role.OPERATOR, None) == Role.OPERATOR
    assert all(can(Role.OPERATOR, a) for a in TRAINER_ACTIONS)


def test_only_operators_grant_trainers_and_only_trainers_create_teams() -> None:
    assert global_role(is_operator=False, is_trainer=False) == Role.REP
    assert [r for r in Role if can(r, Action.GRANT_TRAINER, in_team=False)] == [Role.OPERATOR]
    assert [r for r in Role if can(r, Action.CREATE_TEAM, in_team=False)] == [
        Role.OPERATOR,
        Role.TRAINER,
    ]


# --- assignment status -----------------------------------------------------------------


def at(hours: float) -> dt.datetime:
    """A moment relative to the due date."""
    return DUE + dt.timedelta(hours=hours)


def test_status_moves_from_not_started_to_in_progress_to_passed_as_the_clock_runs() -> None:
    terms = Terms(DUE, pass_mark=60, min_attempts=1)
    assert progress(terms, [], at(-48)).status == TaskStatus.NOT_STARTED
    started = [Attempt(at(-47))]
    assert progress(terms, started, at(-47)) == Progress(TaskStatus.IN_PROGRESS, 0, None, True)
    graded = [Attempt(at(-47), 72)]
    assert progress(terms, graded, at(-46)) == Progress(TaskStatus.PASSED, 1, 72, False, False)
    assert progress(terms, graded, at(+100)).status == TaskStatus.PASSED


def test_nothing_done_by_the_due_date_is_overdue_then_a_late_pass_is_marked_late() -> None:
    terms = Terms(DUE, pass_mark=60)
    assert progress(terms, [], at(-0.01)).status == TaskStatus.NOT_STARTED
    assert progress(terms, [], at(+0.01)).status == TaskStatus.OVERDUE
    late = progress(terms, [Attempt(at(+5), 80)], at(+6))
    assert (late.status, late.late) == (TaskStatus.PASSED, True)


def test_below_the_pass_mark_is_failed_and_a_better_retry_turns_it_into_passed() -> None:
    terms = Terms(DUE, pass_mark=60)
    first = [Attempt(at(-30), 45)]
    assert progress(terms, first, at(-29)).status == TaskStatus.FAILED
    assert progress(terms, first, at(+1)).status == TaskStatus.FAILED
    retried = [*first, Attempt(at(-20), 61)]
    assert progress(terms, retried, at(-19)) == Progress(TaskStatus.PASSED, 2, 61, False, False)


def test_minimum_attempts_keep_a_passing_rep_in_progress_until_reached() -> None:
    terms = Terms(DUE, pass_mark=60, min_attempts=2)
    one = [Attempt(at(-30), 90)]
    assert progress(terms, one, at(-29)).status == TaskStatus.IN_PROGRESS
    assert progress(terms, one, at(+1)).status == TaskStatus.OVERDUE
    two = [*one, Attempt(at(+2), 40)]
    # Passed once the minimum is met (best 90 ≥ 60), but only after the due date: late.
    assert progress(terms, two, at(+3)) == Progress(TaskStatus.PASSED, 2, 90, False, True)


def test_an_ungraded_attempt_counts_as_started_not_towards_the_minimum() -> None:
    terms = Terms(DUE, pass_mark=60)
    result = progress(terms, [Attempt(at(-3), None)], at(-2))
    assert (result.status, result.attempts, result.open) == (TaskStatus.IN_PROGRESS, 0, True)


def test_status_needs_an_aware_clock() -> None:
    with pytest.raises(ValueError, match="naive"):
        progress(Terms(DUE, 60), [], dt.datetime(2026, 12, 1))


# --- periods ---------------------------------------------------------------------------


def test_week_starts_monday_midnight_in_shanghai() -> None:
    now = dt.datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Thursday 12:00 in Shanghai
    since, until = window(Period.WEEK, now, SH)
    assert since == dt.datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Monday 30th, 00:00 +08:00
    assert until == dt.datetime(2026, 12, 6, 16, 0, tzinfo=UTC)  # the next Monday


def test_month_starts_on_the_first_in_the_teams_zone_not_in_utc() -> None:
    # 1 Dec 01:00 in Shanghai is still 30 Nov in UTC: the month has just begun.
    now = dt.datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert window(Period.MONTH, now, SH) == (
        dt.datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
        dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
    )
    assert window(Period.MONTH, now, "UTC")[0] == dt.datetime(2026, 11, 1, tzinfo=UTC)
    assert window(Period.ALL, now, SH) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-10", dt.datetime(2026, 12, 10, 15, 59, tzinfo=UTC)),
        ("12-10 18:00", dt.datetime(2026, 12, 10, 10, 0, tzinfo=UTC)),
        ("2026/12/10 09:30", dt.datetime(2026, 12, 10, 1, 30, tzinfo=UTC)),
        ("3天", dt.datetime(2026, 12, 6, 15, 59, tzinfo=UTC)),
        ("3d", dt.datetime(2026, 12, 6, 15, 59, tzinfo=UTC)),
        ("48小时", dt.datetime(2026, 12, 5, 4, 0, tzinfo=UTC)),
        ("3 days", dt.datetime(2026, 12, 6, 15, 59, tzinfo=UTC)),
        ("1 day", dt.datetime(2026, 12, 4, 15, 59, tzinfo=UTC)),
        ("3 天", dt.datetime(2026, 12, 6, 15, 59, tzinfo=UTC)),
        ("48 hours", dt.datetime(2026, 12, 5, 4, 0, tzinfo=UTC)),
        ("24个小时", dt.datetime(2026, 12, 4, 4, 0, tzinfo=UTC)),
        ("01-05", dt.datetime(2027, 1, 5, 15, 59, tzinfo=UTC)),
    ],
)
def test_due_dates_are_read_in_the_teams_zone(text: str, expected: dt.datetime) -> None:
    now = dt.datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    assert parse_due(text, SH, now) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("next week", "team.error.due_format"),
        ("2026-02-30", "team.error.due_format"),
        ("2026-12-01", "team.error.due_past"),
        ("2028-01-01", "team.error.due_far"),
    ],
)
def test_unreadable_or_past_due_dates_are_refused(text: str, code: str) -> None:
    now = dt.datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    with pytest.raises(InvalidRequest) as caught:
        parse_due(text, SH, now)
    assert caught.value.code == code


# --- leaderboard arithmetic ----------------------------------------------------------------

T0 = dt.datetime(2026, 12, 1, tzinfo=UTC)


def r(user: int, scenario: str, difficulty: int, score: int, minute: int, **dims: float) -> Result:
    """A graded attempt."""
    return Result(user, scenario, difficulty, score, T0 + dt.timedelta(minutes=minute), dims)


def test_team_points_sum_the_best_difficulty_weighted_score_per_scenario() -> None:
    results = [
        # Rep 1: easy ★1 twice (best 90 → 45.0) + hard ★5 once (60 → 90.0) = 135.0, 3 attempts.
        r(1, "easy", 1, 80, 1),
        r(1, "easy", 1, 90, 2),
        r(1, "hard", 5, 60, 3),
        # Rep 2: ★3 at 95 (95.0) + ★4 at 40 (50.0) = 145.0, 2 attempts.
        r(2, "mid", 3, 95, 4),
        r(2, "tough", 4, 40, 5),
        # Rep 3: repeats the easy one ten times at 100: 50.0, never more.
        *[r(3, "easy", 1, 100, 10 + i) for i in range(10)],
    ]
    assert team_board(results) == [
        Standing(1, 2, 145.0, 2, 2),
        Standing(2, 1, 135.0, 3, 2),
        Standing(3, 3, 50.0, 10, 1),
    ]


def test_equal_points_rank_fewer_attempts_first_and_full_ties_share_a_rank() -> None:
    results = [
        r(1, "mid", 3, 70, 1),
        r(1, "mid", 3, 70, 2),
        r(2, "mid", 3, 70, 3),
        r(3, "mid2", 3, 70, 4),
    ]
    assert team_board(results) == [
        Standing(1, 2, 70.0, 1, 1),
        Standing(1, 3, 70.0, 1, 1),
        Standing(3, 1, 70.0, 2, 1),
    ]


def test_scenario_board_ranks_best_score_then_fewer_attempts_then_who_got_there_first() -> None:
    results = [
        r(1, "mid", 3, 88, 5),
        r(2, "mid", 3, 60, 1),
        r(2, "mid", 3, 88, 2),
        r(3, "mid", 3, 88, 3),
        r(4, "other", 3, 100, 1),
    ]
    assert scenario_board(results, "mid") == [
        Standing(1, 3, 88.0, 1, 1),
        Standing(2, 1, 88.0, 1, 1),
        Standing(3, 2, 88.0, 2, 1),
    ]


def test_dimension_board_is_the_difficulty_weighted_mean_of_best_dimension_scores() -> None:
    results = [
        # Rep 1: listening best 4.0 on ★1 (k 0.5) and 3.0 on ★5 (k 1.5):
        # (0.5·4 + 1.5·3) / 2.0 = 3.25
        r(1, "easy", 1, 70, 1, listening=3.5),
        r(1, "easy", 1, 70, 2, listening=4.0),
        r(1, "hard", 5, 50, 3, listening=3.0),
        # Rep 2: 3.5 on ★3 only: 3.5
        r(2, "mid", 3, 60, 4, listening=3.5),
    ]
    assert dimension_board(results, "listening") == [
        Standing(1, 2, 3.5, 1, 1),
        Standing(2, 1, 3.25, 3, 2),
    ]


# --- reminders ---------------------------------------------------------------------------

CREATED = DUE - dt.timedelta(days=5)


def test_plan_owes_a_due_soon_and_an_overdue_reminder_per_pending_rep_and_a_summary() -> None:
    item = Due(7, DUE, CREATED, trainer_id=1, pending=(2, 3))
    soon = DUE - dt.timedelta(hours=24)
    assert plan([item], set(), CREATED) == [
        Reminder(7, 2, ReminderKind.DUE_SOON, soon),
        Reminder(7, 3, ReminderKind.DUE_SOON, soon),
        Reminder(7, 2, ReminderKind.OVERDUE, DUE),
        Reminder(7, 3, ReminderKind.OVERDUE, DUE),
        Reminder(7, 1, ReminderKind.SUMMARY, DUE),
    ]


def test_plan_skips_what_was_sent_and_drops_due_soon_once_overdue() -> None:
    item = Due(7, DUE, CREATED, trainer_id=1, pending=(2, 3))
    sent = {(7, 2, "due_soon"), (7, 2, "overdue")}
    after = plan([item], sent, DUE + dt.timedelta(minutes=5))
    assert after == [
        Reminder(7, 3, ReminderKind.OVERDUE, DUE),
        Reminder(7, 1, ReminderKind.SUMMARY, DUE),
    ]
    assert all(x.due(DUE + dt.timedelta(minutes=5)) for x in after)


def test_no_due_soon_reminder_for_an_assignment_given_within_the_lead_time() -> None:
    item = Due(7, DUE, DUE - dt.timedelta(hours=3), trainer_id=1, pending=(2,))
    kinds = [x.kind for x in plan([item], set(), DUE - dt.timedelta(hours=3))]
    assert kinds == [ReminderKind.OVERDUE, ReminderKind.SUMMARY]


def test_a_rep_who_passed_gets_no_reminders() -> None:
    item = Due(7, DUE, CREATED, trainer_id=1, pending=())
    assert [x.kind for x in plan([item], set(), CREATED)] == [ReminderKind.SUMMARY]


# --- overrides ---------------------------------------------------------------------------


def card(**scores: float) -> Scorecard:
    """A scorecard with these dimension scores (others 3.0), pass mark 60."""
    names = ("listening", "persuasion", "preparation", "composure", "next_step")
    dims = {n: DimensionScore(scores.get(n, 3.0)) for n in names}
    return Scorecard(50, False, "offline", dims, {}, {}, pass_mark=60)  # type: ignore[arg-type]


WEIGHTS = RubricWeights().as_dict()


def test_an_override_recomputes_overall_and_pass_through_the_rubric() -> None:
    when = dt.datetime(2026, 12, 4, tzinfo=UTC)
    capped = dataclasses.replace(
        card(),
        dimensions={**card().dimensions, "listening": DimensionScore(3.0, rule="talk_share")},
    )
    changed = apply_overrides(
        capped, [Override("listening", 5.0, "复述做得好", "张老师", when)], WEIGHTS
    )
    # Mean 3 → 50; listening (weight 0.30) from 3 to 5: mean 3.6 → 65, passes 60.
    assert (changed.overall, changed.passed) == (65, True)
    assert changed.dimensions["listening"].score == 5.0
    assert changed.overrides["listening"]["original"] == 3.0
    assert changed.dimensions["listening"].rule is None  # the grader's cap no longer explains it


def test_the_newest_override_wins_and_the_original_score_is_kept() -> None:
    t1 = dt.datetime(2026, 12, 4, tzinfo=UTC)
    trail = [
        Override("composure", 1.0, "first", "A", t1),
        Override("composure", 4.0, "second thoughts", "B", t1 + dt.timedelta(hours=1)),
    ]
    once = apply_overrides(card(composure=2.0), trail[:1], WEIGHTS)
    twice = apply_overrides(once, trail, WEIGHTS)
    assert twice.dimensions["composure"].score == 4.0
    assert twice.overrides["composure"]["original"] == 2.0
    assert twice.overrides["composure"]["reason"] == "second thoughts"


@pytest.mark.parametrize(
    ("dimension", "score", "reason", "code"),
    [
        ("charisma", 3.0, "x", "team.error.dimension"),
        ("listening", 5.5, "x", "team.error.score_range"),
        ("listening", 0.5, "x", "team.error.score_range"),
        ("listening", 3.0, "   ", "team.error.reason_needed"),
        ("listening", 3.0, "长" * 501, "team.error.reason_too_long"),
    ],
)
def test_bad_overrides_are_refused(dimension: str, score: float, reason: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_override(dimension, score, reason)
    assert caught.value.code == code


# --- when the weekly board is posted --------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "zone_name", "week"),
    [
        ("2026-12-04 17:59", "Asia/Shanghai", None),  # Friday, a minute early
        ("2026-12-04 18:00", "Asia/Shanghai", "2026-11-30"),
        ("2026-12-06 23:59", "Asia/Shanghai", "2026-11-30"),  # still that week on Sunday night
        ("2026-12-07 00:00", "Asia/Shanghai", None),  # Monday: a new week, not due yet
        ("2026-03-27 18:30", "Europe/Berlin", "2026-03-23"),  # the Friday before DST starts
    ],
)
def test_the_weekly_board_is_due_from_friday_six_pm_until_the_week_ends(
    local: str, zone_name: str, week: str | None
) -> None:
    now = dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone_name))
    expected = dt.date.fromisoformat(week) if week else None
    assert due_week(now.astimezone(dt.UTC), zone_name) == expected
