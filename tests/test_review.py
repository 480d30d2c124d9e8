"""Review through the service door: the trainer reads, comments and corrects a grade."""

from __future__ import annotations

import pytest

from bot.domain.periods import Period
from bot.domain.session import Phase
from bot.errors import InvalidRequest
from bot.i18n import Catalog
from tests.support.world import OPENING, World

SCENARIO = "district-health-tail-payment"


async def _graded(world: World, score: float = 3.0) -> tuple[int, int, int, str]:
    """A trainer, their team, a rep and the rep's graded team session."""
    trainer, team = await world.trainer(600, "张老师")
    rep = await world.rep(700, "小陈", trainer, team)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    started = await world.training.assignments.start(rep, assigned.assignment.id)
    return trainer, team, rep, await world.complete(rep, started, score)


async def test_the_trainer_lists_the_teams_sessions_and_opens_one(world: World) -> None:
    trainer, team, _rep, sid = await _graded(world)
    (line,) = await world.training.review.sessions(trainer, team)
    assert (line.id, line.name, line.phase, line.overall, line.passed, line.overridden) == (
        sid,
        "小陈",
        Phase.GRADED,
        50,
        False,
        False,
    )
    assert line.title("en") == "District health bureau — phase-2 final payment"
    review = await world.training.review.open(trainer, sid)
    assert review.player == "小陈"
    assert review.started.session.transcript.turns[1].text == OPENING
    assert review.card is not None and review.card.overall == 50


async def test_a_comment_reaches_the_rep(world: World, catalog: Catalog) -> None:
    trainer, _, _, sid = await _graded(world)
    commented = await world.training.review.comment(trainer, sid, "  开场很好，下次先问验收人。 ")
    (notice,) = commented.notices
    assert notice.chat_id == 700
    assert notice.render(catalog) == (
        "💬 培训师 张老师 点评了你的练习「区卫健委信息系统二期尾款」：\n开场很好，下次先问验收人。"
    )
    review = await world.training.review.open(trainer, sid)
    assert [(c.author, c.text) for c in review.comments] == [
        ("张老师", "开场很好，下次先问验收人。")
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [("  ", "team.error.comment_empty"), ("好" * 1001, "team.error.comment_too_long")],
)
async def test_empty_or_huge_comments_are_refused(world: World, text: str, code: str) -> None:
    trainer, _, _, sid = await _graded(world)
    with pytest.raises(InvalidRequest) as caught:
        await world.training.review.comment(trainer, sid, text)
    assert caught.value.code == code


async def test_an_override_recomputes_the_grade_and_keeps_an_audit_trail(
    world: World, catalog: Catalog
) -> None:
    trainer, _, rep, sid = await _graded(world, 3.0)
    first = await world.training.review.override(trainer, sid, "listening", 5, "复述做得很到位")
    # Listening weighs 0.30: the mean goes from 3.0 to 3.6, overall from 50 to 65, a pass.
    assert (first.card.overall, first.card.passed) == (65, True)
    assert first.notices[0].render(catalog) == (
        "✏️ 培训师 张老师 把你的「倾听力」从 3 分改为 5 分。\n"
        "理由：复述做得很到位\n总分现在是 65 分。"
    )
    second = await world.training.review.override(
        trainer, sid, "listening", 4.5, "再看一遍，略高了"
    )
    # The newest correction counts: mean 3.45 → overall 61.25 → 61.
    assert second.card.overall == 61
    review = await world.training.review.open(trainer, sid)
    assert [(e.dimension, e.previous, e.score, e.reason) for e in review.trail] == [
        ("listening", 3.0, 5.0, "复述做得很到位"),
        ("listening", 5.0, 4.5, "再看一遍，略高了"),
    ]
    assert review.card is not None
    assert review.card.overrides["listening"]["original"] == 3.0
    # The rep's own view of the session shows the corrected grade.
    _, mine = await world.practice.open(rep, sid)
    assert mine is not None and (mine.overall, mine.dimensions["listening"].score) == (61, 4.5)


async def test_boards_use_the_corrected_score(world: World) -> None:
    trainer, team, _, sid = await _graded(world, 3.0)
    before = await world.training.boards.board(trainer, team, Period.WEEK)
    await world.training.review.override(trainer, sid, "preparation", 5, "材料准备充分")
    after = await world.training.boards.board(trainer, team, Period.WEEK)
    # Preparation weighs 0.25: mean 3.5 → 62.5, rounded half up to 63, ×1.0 (★3).
    assert [x.value for x in before.lines] == [50.0]
    assert [x.value for x in after.lines] == [63.0]


async def test_an_ungraded_session_cannot_be_corrected(world: World) -> None:
    trainer, team = await world.trainer(600, "张老师")
    rep = await world.rep(700, "小陈", trainer, team)
    assigned = await world.training.assignments.assign(trainer, team, SCENARIO, "3d")
    started = await world.training.assignments.start(rep, assigned.assignment.id)
    with pytest.raises(InvalidRequest) as caught:
        await world.training.review.override(trainer, started.session.id, "listening", 4, "x")
    assert caught.value.code == "team.error.not_graded"


async def test_a_replayed_comment_or_correction_is_stored_once(world: World) -> None:
    trainer, _, _, sid = await _graded(world, 3.0)
    for _ in range(2):
        await world.training.review.comment(trainer, sid, "开场很好。", request_key="c1")
        fixed = await world.training.review.override(
            trainer, sid, "listening", 4.5, "复述到位", request_key="o1"
        )
    review = await world.training.review.open(trainer, sid)
    assert [c.text for c in review.comments] == ["开场很好。"]
    assert [(e.previous, e.score) for e in review.trail] == [(3.0, 4.5)]
    assert fixed.card.dimensions["listening"].score == 4.5
