"""Coaching targets the turn that cost the most: never an opening line, never a line that already
does what the fix asks, never a question the person at that turn cannot answer; it says which
dimension it fixes and why, in that person's name."""

from __future__ import annotations

from bot.domain.grading import scorecard_for
from bot.domain.metrics import compute_metrics
from bot.domain.scenario import Dimension, Scenario
from bot.domain.transcript import Speaker, Transcript, parse_transcript
from bot.i18n import Catalog
from bot.offline.coaching import target
from bot.offline.judge import OfflineJudge
from bot.views.text import rewording_text

ALL_GOOD: dict[Dimension, float] = {
    "listening": 5.0,
    "persuasion": 5.0,
    "preparation": 5.0,
    "composure": 5.0,
    "next_step": 5.0,
}


def weakest(dim: Dimension, score: float = 1.5) -> dict[Dimension, float]:
    """Scores where only `dim` is weak."""
    return {**ALL_GOOD, dim: score}


def played(scenario: Scenario, *lines: tuple[Speaker, int, str]) -> Transcript:
    """A played session: each line is (speaker, stage index, text), openings included."""
    transcript = Transcript()
    for speaker, stage, text in lines:
        transcript = transcript.add(speaker, text, scenario.stages[stage].id)
    return transcript


def gatekeeper_only(scenario: Scenario) -> Transcript:
    return played(
        scenario,
        ("client", 0, scenario.stages[0].opening),
        ("rep", 0, "您好，我是华信科技的小陈，想找王科长谈一下系统尾款的事。"),
        ("client", 0, "王科长今天排满了，上午两个会，下午还要去区里汇报，您有什么事可以先跟我说。"),
        ("rep", 0, "那我在这儿等他开完会吧。"),
        ("client", 0, "那您坐一会儿吧，我也说不准他什么时候有空。"),
    )


def test_the_opening_line_to_a_gatekeeper_is_never_coached(scenario: Scenario) -> None:
    transcript = gatekeeper_only(scenario)
    m = compute_metrics(transcript, scenario)
    for dim in ALL_GOOD:
        found = target(m, weakest(dim), transcript, scenario)
        assert found is None or found.ordinal == 2, dim


def test_the_office_clerk_is_not_asked_who_signs_the_payment_off(scenario: Scenario) -> None:
    transcript = gatekeeper_only(scenario)
    m = compute_metrics(transcript, scenario)
    found = target(m, weakest("preparation"), transcript, scenario)
    assert found is not None
    # Nobody at the office can say who signs; the fix is getting through to the one who can.
    assert (found.kind, found.params["who"], found.params["name"]) == ("through", "王科长", "小刘")


async def test_the_section_chief_is_asked_what_he_alone_can_answer(
    scenario: Scenario, catalog: Catalog
) -> None:
    transcript = played(
        scenario,
        ("client", 0, scenario.stages[0].opening),
        ("rep", 0, "您好，我是华信科技的小陈，约过王科长的。"),
        ("client", 0, "那您稍等，我问问王科长这会儿有没有空……好，他说给您十五分钟，您进去吧。"),
        ("client", 1, scenario.stages[1].opening),
        ("rep", 1, "王科长您好，我是华信科技的小陈，今天来是为了系统尾款。"),
        ("client", 1, "尾款的事我知道，最近事情多，审计也在查，这事得排一排，你先回去等通知吧。"),
        ("rep", 1, "好的，那我等您通知。"),
        ("client", 1, "行，就这样。"),
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, scenario)
    assert card.rewording is not None
    assert card.rewording.turn in (2, 3)  # the rep's messages to the section chief
    assert card.rewording.suggestion.startswith("王科长，")
    assert card.rewording.dimension == card.weakest() or card.rewording.why
    text = rewording_text(card, catalog, "zh")
    assert f"为什么：{catalog.t('zh', f'dim.{card.rewording.dimension}')}是这次最弱的一项" in text


def test_a_rep_who_already_reflects_is_not_told_to_reflect(catalog: Catalog) -> None:
    transcript = parse_transcript(
        "client: Good afternoon. What brings you here?\n"
        "rep: So if I understand you correctly, you are short of time today?\n"
        "client: The ammonia comparison failed at three stations, and until the recalibration "
        "report is in, I cannot sign anything for the final acceptance.\n"
        "rep: So if I understand you correctly, the comparison failed at three stations and you "
        "need the recalibration report before you can sign?\n"
        "client: Yes, that is the situation.\n"
        "rep: OK.\n"
        "client: Anything else?"
    )
    m = compute_metrics(transcript, lang="en")
    assert [n.cues.reflection for n in m.notes] == [True, True, False]
    for part in ALL_GOOD:
        found = target(m, weakest(part), transcript, None)
        # Not the opening line (nothing to reflect yet), not the line that already reflects.
        assert found is None or found.ordinal == 3, part


def test_a_question_already_asked_is_not_suggested_again(catalog: Catalog) -> None:
    transcript = parse_transcript(
        "客户：你好，你们公司的系统上线之后问题不少，尾款的事我们还在研究，你今天来是什么事？\n"
        "销售：这个项目的验收由哪位牵头、谁来签字？\n客户：这个嘛，还没定。"
    )
    m = compute_metrics(transcript, lang="zh")
    found = target(m, weakest("preparation"), transcript, None)
    assert found is not None
    assert found.kind != "ask.acceptance_person"


def test_after_a_deferred_proposal_the_fix_is_a_smaller_next_step() -> None:
    transcript = parse_transcript(
        "客户：你好，尾款的事财政那边还没批下来，我们也着急，但确实没办法。\n"
        "销售：理解。那下周三前由财务科李科长提交支付申请，可以吗？\n"
        "客户：下周三定不了，回头再说吧。\n"
        "销售：好的。\n客户：嗯。"
    )
    m = compute_metrics(transcript, lang="zh")
    found = target(m, weakest("next_step"), transcript, None)
    assert found is not None
    assert (found.kind, found.ordinal) == ("after_no", 2)


async def test_pressure_is_coached_as_pressure_and_says_why(catalog: Catalog) -> None:
    transcript = parse_transcript(
        "客户：你好，有什么事？\n销售：你好，我是华信科技的小陈。\n"
        "客户：哦，尾款的事吧？最近财政紧，我们也在想办法，你再等等。\n"
        "销售：付钱！马上付！不然起诉你们！\n客户：请回吧。"
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, lang="zh")
    assert card.rewording is not None
    assert card.rewording.turn == 2  # the rep's second message
    assert card.rewording.original == "付钱！马上付！不然起诉你们！"
    assert card.rewording.dimension in ("persuasion", "composure")
    assert card.rewording.suggestion == catalog.t("zh", "coach.rewrite.pressure", address="")
    assert "这一轮在施压" in card.rewording.why


async def test_an_english_card_names_the_dimension_and_the_rep_turn(catalog: Catalog) -> None:
    transcript = parse_transcript(
        "client: Good morning. What is this about?\n"
        "rep: Good morning, I'm Alex from Huaxin about the final payment.\n"
        "client: The budget office has not released the funds and the auditors are asking "
        "questions, so there is nothing I can do this month.\n"
        "rep: You have to pay us now, this is unacceptable.\n"
        "client: Then we are done here."
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, lang="en")
    text = rewording_text(card, catalog, "en")
    assert text.startswith("[Better wording (turn 2)]")
    assert "was your weakest area" in text


async def test_after_a_put_off_proposal_the_tip_is_a_next_step_not_a_recap(
    catalog: Catalog,
) -> None:
    transcript = parse_transcript(
        "客户：你好，尾款的事财政那边还没批下来，我们也着急，但确实没办法。\n"
        "销售：理解。那下周三前由财务科李科长提交支付申请，可以吗？\n"
        "客户：下周三定不了，回头再说吧。"
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, lang="zh")
    assert card.dimensions["next_step"].tip == catalog.t("zh", "tip.next_step.after_no")
    assert "复述确认" not in card.dimensions["next_step"].tip


async def test_an_english_tip_counts_one_question_in_the_singular(catalog: Catalog) -> None:
    transcript = parse_transcript(
        "client: Good morning. The auditors are here all week and the budget office is slow.\n"
        "rep: What is holding up the payment?\n"
        "client: The budget office.\n"
        "rep: We delivered everything on time and the contract says thirty days.\n"
        "client: I know.\n"
        "rep: Our engineers worked weekends to finish the stations before the deadline.\n"
        "client: Yes."
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, lang="en")
    tips = " ".join(d.tip for d in card.dimensions.values())
    assert "1 questions" not in tips and "1 times" not in tips
    assert catalog.t("en", "tip.listening.reflection", questions=1, reflections=0).startswith(
        "You asked 1 question and reflected 0 times."
    )


def test_a_gatekeeper_is_asked_for_a_slot_not_about_the_payment(scenario: Scenario) -> None:
    transcript = played(
        scenario,
        ("client", 0, scenario.stages[0].opening),
        ("rep", 0, "您好，我是华信科技的小陈，想找王科长谈一下系统尾款的事。"),
        ("client", 0, "王科长今天排满了，上午两个会，下午还要去区里汇报，您有什么事可以先跟我说。"),
        ("rep", 0, "你们拖了五个月了，今天必须让我见到他，不然我们就走法律程序。"),
        ("client", 0, "您这样说我也没办法。"),
    )
    m = compute_metrics(transcript, scenario)
    for dim in ALL_GOOD:
        found = target(m, weakest(dim), transcript, scenario)
        assert found is None or found.kind in ("gate", "gate_pressure", "through"), dim
    found = target(m, weakest("composure"), transcript, scenario)
    assert found is not None
    assert (found.ordinal, found.kind, found.params["who"]) == (2, "gate_pressure", "王科长")


async def test_the_gatekeepers_rewording_says_why_in_their_terms(
    scenario: Scenario, catalog: Catalog
) -> None:
    transcript = gatekeeper_only(scenario)
    card = await scorecard_for(OfflineJudge(catalog), transcript, scenario)
    assert card.rewording is not None
    assert card.rewording.turn == 2
    assert card.rewording.suggestion.startswith("小刘，")
    assert "王科长" in card.rewording.suggestion
    assert "付款最后需要哪位领导签批" not in card.rewording.suggestion
