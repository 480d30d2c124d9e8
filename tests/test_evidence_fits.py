"""Issue 9 point 6: the scorecard's quotes are the rep's own lines, chosen for the dimension
they justify; an invented reflection never gets ✓; the tip agrees with the score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.grading import scorecard_for
from bot.domain.ports import Judgement, JudgeRequest
from bot.domain.scorecard import DimensionScore, Evidence
from bot.domain.transcript import parse_transcript
from bot.i18n import Catalog
from tests.test_cli import trainer

TRANSCRIPT = """销售：王科您好，我是启明科技的小李，来跟您对一下 WJW-2025-017 项目尾款的事。
客户：哦，那个项目啊，你说吧。
销售：对，就是 WJW-2025-017 这个项目。
客户：嗯，验收我们做完了。
销售：您看我们怎么配合您比较好？
客户：你们先把发票开过来。
销售：您是说局长已经答应这周就付款了。
客户：我可没这么说，我说的是发票先开过来。
销售：好的，我今天下午就把发票送到财务科李科长那里，您看行吗？
客户：行，下午三点前送到就行。
"""


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("fits")
    path = tmp / "t.txt"
    path.write_text(TRANSCRIPT, "utf-8")
    result = trainer("grade", str(path), "--json", tmp_path=tmp)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _quotes(card: dict[str, object], dim: str) -> list[tuple[int, str]]:
    dims = card["dimensions"]
    assert isinstance(dims, dict)
    return [(e["turn"], e["quote"]) for e in dims[dim]["evidence"]]


def test_persuasion_never_quotes_a_plain_question(card: dict[str, object]) -> None:
    assert all("？" not in q for _, q in _quotes(card, "persuasion"))


# Turns on the card count the rep's own messages: the bare confirmation is the rep's 2nd line,
# the invented reflection the 4th, the dated step the 5th.
def test_preparation_never_quotes_a_bare_confirmation(card: dict[str, object]) -> None:
    assert all(turn != 2 for turn, _ in _quotes(card, "preparation"))


def test_an_invented_reflection_is_no_next_step_and_never_gets_a_tick(
    card: dict[str, object],
) -> None:
    assert all(turn != 4 for turn, _ in _quotes(card, "next_step"))
    metrics = card["metrics"]
    assert isinstance(metrics, dict) and 4 in metrics["against_turns"]  # shown ⚠, not ✓
    assert (4, "您是说局长已经答应这周就付款了。") in _quotes(card, "listening")


def test_the_tip_agrees_with_the_score(card: dict[str, object]) -> None:
    good = Catalog.load().t("zh", "tip.good")
    dims = card["dimensions"]
    assert isinstance(dims, dict)
    for d in dims.values():
        assert (d["tip"] == good) == (d["score"] >= 4.5), d


class _CitingJudge:
    """A model judge that cites whatever it likes."""

    label = "stub"

    async def judge(self, request: JudgeRequest) -> Judgement:
        cite = (
            Evidence(5, "您看我们怎么配合您比较好？"),
            Evidence(3, "对，就是 WJW-2025-017 这个项目。"),
            Evidence(4, "嗯，验收我们做完了。"),  # the client's line
        )
        return Judgement(
            label=self.label,
            dimensions={
                "persuasion": DimensionScore(5.0, cite, "x"),
                "preparation": DimensionScore(5.0, cite, "x"),
            },
        )


async def test_a_model_judges_quotes_that_do_not_fit_are_dropped() -> None:
    card = await scorecard_for(_CitingJudge(), parse_transcript(TRANSCRIPT))
    assert card.dimensions["persuasion"].evidence == ()
    assert card.dimensions["preparation"].evidence == ()


async def test_a_quote_that_fits_is_kept(tmp_path: Path) -> None:
    class Judge(_CitingJudge):
        async def judge(self, request: JudgeRequest) -> Judgement:
            ask = Evidence(9, "好的，我今天下午就把发票送到财务科李科长那里，您看行吗？")
            return Judgement("stub", {"next_step": DimensionScore(5.0, (ask,), "x")})

    card = await scorecard_for(Judge(), parse_transcript(TRANSCRIPT))
    assert [e.turn for e in card.dimensions["next_step"].evidence] == [5]  # the rep's 5th line
