"""Deterministic metrics, computed from the transcript alone."""

from __future__ import annotations

from bot.domain.metrics import compute_metrics
from bot.domain.scenario import Scenario
from bot.domain.transcript import parse_transcript

GOOD = """客户：你好你好，坐吧。我十点半还有个会。
销售：王科长您好，辛苦了。想先请教一下，这个二期项目现在是什么情况？
客户：你说的是二期那个基层医疗信息系统升级项目吧，合同编号 WJW-2025-017，这个我有印象。
销售：验收现在还差什么？验收标准具体是什么？
客户：标准嘛，三十家社区中心全部上线运行满 30 天，你们还得把培训记录交齐。
销售：下周三前我们补齐培训记录，请赵科长周四组织验收，您看可以吗？
客户：好，就这么定。
"""


def test_talk_share_counts_units_per_speaker() -> None:
    m = compute_metrics(
        parse_transcript("rep: one two three\nclient: four five six seven eight nine")
    )
    assert m.talk_share == 3 / 9
    assert (m.rep_units, m.client_units) == (3, 6)


def test_counts_questions_open_questions_and_longest_turn() -> None:
    m = compute_metrics(parse_transcript(GOOD))
    assert m.rep_turns == 3
    assert (m.questions, m.open_questions) == (4, 3)
    assert m.longest_rep_turn == max(m.notes, key=lambda n: n.cues.units).cues.units


def test_scenario_checklist_is_specific_only_for_facts_the_client_told(scenario: Scenario) -> None:
    m = compute_metrics(parse_transcript(GOOD), scenario)
    assert m.checklist == {
        "project": "specific",
        "acceptance_person": "missed",  # the rep asked what acceptance lacks, not who signs
        "acceptance_standard": "specific",
        "payment_terms": "missed",
        "payment_owner": "missed",
    }


def test_generic_checklist_wants_a_question_and_a_concrete_answer() -> None:
    text = (
        "rep: 付款需要哪位领导签字？\nclient: 孙局签字，财务科李科长经办。\n"
        "rep: 项目还好吧\nclient: 还行。"
    )
    m = compute_metrics(parse_transcript(text))
    assert m.checklist["payment_owner"] == "specific"
    assert m.checklist["project"] == "vague"
    assert m.checklist["acceptance_standard"] == "missed"


def test_commitment_needs_a_concrete_proposal_that_the_client_accepts() -> None:
    assert compute_metrics(parse_transcript(GOOD)).commitment is True
    declined = GOOD.replace("客户：好，就这么定。", "客户：这个不行，回头再说。")
    assert compute_metrics(parse_transcript(declined)).commitment is False


def test_plan_coverage_counts_the_five_questions_in_the_plan() -> None:
    plan = "1. 确认项目和合同\n2. 问验收标准和验收人\n3. 问付款流程和谁审批"
    m = compute_metrics(parse_transcript(GOOD), plan=plan)
    assert m.plan_coverage == 5
    assert compute_metrics(parse_transcript(GOOD)).plan_coverage is None


def test_pressure_and_threats_are_counted() -> None:
    text = "rep: 你们必须马上付款！\nclient: 你这什么态度\nrep: 不付就起诉\nclient: 请回"
    m = compute_metrics(parse_transcript(text))
    assert (m.pressure, m.threats) == (2, 1)


def test_metrics_json_has_the_documented_fields() -> None:
    data = compute_metrics(parse_transcript(GOOD)).as_dict()
    for key in (
        "talk_share",
        "rep_turns",
        "questions",
        "open_questions",
        "reflections",
        "empathy",
        "pressure",
        "threats",
        "longest_rep_turn",
        "facts_uncovered",
        "checklist",
        "commitment",
        "plan_coverage",
    ):
        assert key in data
