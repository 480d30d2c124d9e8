"""The reader judged by meaning on turns written for these tests (not from the zh_acts set):
the question word picks the fact, a yes is a commitment, a reflection is measured against
what the client said."""

from __future__ import annotations

import pytest

from bot.reading import Dialogue, Line
from bot.reading.lexical import read
from bot.reading.types import Reading


def _read(rep: str, client: str = "", next_client: str | None = None, **kw: object) -> Reading:
    context = (Line("client", client),) if client else ()
    return read(Dialogue(rep=rep, context=context, next_client=next_client, **kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rep", "client", "keys"),
    [
        # Same topic word, different question word: the wh-word picks the aspect.
        ("验收是谁负责？", "", {"acceptance_person"}),
        ("验收标准是什么？", "", {"acceptance_standard"}),
        ("终验那天，哪几位专家来打分？", "下个月我们组织终验。", {"acceptance_person"}),
        ("付款前验收还差什么材料？", "", {"acceptance_standard"}),
        ("付款要走哪些手续？", "", {"payment_terms"}),
        ("尾款最后由哪位领导审批？", "", {"payment_owner"}),
        ("通过验收以后，钱多久能拨到我们账上？", "", {"payment_terms"}),
        ("这个项目一期包括哪些模块？", "", {"project"}),
        # When acceptance happens is a schedule, not one of the five facts.
        ("验收大概什么时候？", "", set()),
        # A yes/no request to act seeks no fact.
        ("科长能不能今天把验收单签了？", "", set()),
        # The topic comes from what the client just said.
        ("那他在哪个科室？", "验收的事你去找老刘。", {"acceptance_person"}),
        ("那这笔钱归谁管呢？", "系统我们用着挺好。", {"payment_owner"}),
        # 「谁…谁…」 is "whoever", not a question about a person.
        ("现在谁签字谁担责任，我明白。哪些材料还得补？", "", {"acceptance_standard"}),
        # A yes/no choice (同意还是不同意) is no question about the deal's contents.
        ("您是同意下周验收还是不同意？", "", set()),
        ("Who signs off the acceptance?", "", {"acceptance_person"}),
        ("What does the acceptance test need to show?", "", {"acceptance_standard"}),
        ("Who approves the payment in your office?", "", {"payment_owner"}),
        ("What exactly is in scope for phase two?", "", {"project"}),
    ],
)
def test_the_question_word_picks_the_fact(rep: str, client: str, keys: set[str]) -> None:
    assert set(_read(rep, client).asks_about) == keys


STEP = "我下周二上午把验收报告送到财务科，您看行吗？"
STEP_EN = "I'll bring the signed acceptance report to Ms Li on Tuesday at 10. Would that work?"


@pytest.mark.parametrize(
    ("rep", "reply", "kind"),
    [
        # A commitment by the client accepts; a polite yes with a condition or a delay does not.
        (STEP, "行，周二上午你直接送到三楼，我在。", "accept"),
        (STEP, "周二不行，改周四下午吧。", "accept"),  # a counter-time agrees to the step
        (STEP, "送来可以，能不能批我可不敢保证。", "accept"),  # the step yes, the outcome hedged
        (STEP, "好吧，不过得等处长回来再说。", "defer"),
        (STEP, "好的，回头研究研究。", "defer"),
        (STEP, "等领导定了再说。", "defer"),
        (STEP, "行，下个月你再联系我。", "defer"),
        (STEP, "周二不行。", "refuse"),
        (STEP, "可以理解，但这个月肯定批不了。", "refuse"),
        (STEP_EN, "That works.", "accept"),
        (STEP_EN, "Let me get back to you after I talk to my director.", "defer"),
        (STEP_EN, "No, Tuesday is impossible.", "refuse"),
        # No step and no demand: the reply answers nothing that needed agreement.
        ("您这审批效率，比蜗牛还快啊。", "你什么意思？不行就别做了。", "other"),
        ("你们再拖，我就去纪委举报。", "你去吧。", "other"),  # a threat is no proposal
    ],
)
def test_the_reply_is_read_against_the_step_asked_for(rep: str, reply: str, kind: str) -> None:
    assert _read(rep, "材料还差两份。", reply).reply == kind


def test_an_ultimatum_on_payment_is_a_request_the_client_can_refuse() -> None:
    rep = "这个月底前还不付，我们就申请仲裁。"
    assert _read(rep, "再等等。", "随便你们，我们按程序应诉。").reply == "refuse"


WAITING = "财政的钱还没下来，我们也在等。"


@pytest.mark.parametrize(
    ("rep", "client", "kind"),
    [
        # Judged against what the client said: the same words can be faithful or invented.
        ("您是说，财政的钱还没下来，局里也在等。", WAITING, "simple"),
        ("钱一直没下来，您夹在我们和财政中间，两头都不好交代吧。", WAITING, "complex"),
        ("财政的钱还没下来，我们也在等，好的。", WAITING, "parrot"),
        ("意思就是你们压根不想付这笔钱了呗。", WAITING, "distorted"),
        ("按您这意思，系统出问题全是我们活该？", "系统上线后问题不少，我们也很头疼。", "distorted"),
        # A hedged or open-ended time made firm and put in the client's mouth.
        ("那下周五您就把验收单签了哈。", "这周事多，下周吧。", "distorted"),
        ("好的，那就月底验收，我让团队准备。", "主任月底之后才有空。", "distorted"),
        # The rep's own step after the client's date plays nothing back.
        ("好的，那我下周一上午把材料送过来。", "下周一之前把材料补齐就行。", "none"),
        # 才 explaining a cause is no minimising; a number the rep named earlier is no mishearing.
        (
            "培训才没跟上，老师们用不起来，这是我们的问题。",
            "老师们不会用，是你们没培训。",
            "simple",
        ),
        ("您是说两千的差额是运费？", "差了两万，是运费的问题。", "distorted"),
        # The client's words as a springboard for a counter are no reflection.
        ("等一等可不行，我们这个月必须回款。", WAITING, "none"),
        # A check-back in the rep's own words that infers what the client implied is offered
        # for correction, not invented; one that puts a refusal in the client's mouth is.
        (
            "您的意思是，材料不齐财务就不敢往上报，所以得先把清单对一遍，是吧？",
            "上次材料少了一样，财务直接退回来了。这回你们东西一定要备齐。",
            "complex",
        ),
        ("您是觉得这套系统根本不好用？", "系统我们用着还可以，就是慢了点。", "distorted"),
        ("您是说院里不打算付这一期了？", "这一期要等审计完再说。", "distorted"),
    ],
)
def test_a_reflection_is_judged_against_the_clients_words(rep: str, client: str, kind: str) -> None:
    assert _read(rep, client).reflection_kind == kind


def test_a_number_the_rep_named_before_is_the_case_not_a_mishearing() -> None:
    context = (
        Line("rep", "尾款八十万，想问问什么时候能走流程。"),
        Line("client", "五十万以上的付款都要上院长办公会。"),
    )
    rep = "您是说，我们这笔八十万的尾款得先上院长办公会，过了才能付。"
    assert read(Dialogue(rep=rep, context=context)).reflection_kind == "simple"


@pytest.mark.parametrize(
    ("rep", "form"),
    [
        # A wh-word inside a statement is no question.
        ("领导最后会怎么定，我们也左右不了。", "none"),
        ("不管专家意见怎么样都得先交材料。", "none"),
        ("这几天您肯定忙坏了。", "none"),
        ("这份报告会是我们下一期怎么报价的依据。", "none"),
        # Asked without a question mark: a choice, a wh-word with a particle, a 请问.
        ("您那边是按合同总价算还是按实际点位算呀", "closed"),
        ("请问终验哪位领导主持呀", "closed"),
        ("尾款最后由哪个科室经办？", "closed"),  # one fact
        ("系统要改到什么程度，您才觉得能验收？", "open"),
        ("您今天无论如何给我个准数。", "closed"),  # 无论如何 is no 如何
    ],
)
def test_a_question_is_read_from_its_form(rep: str, form: str) -> None:
    assert _read(rep, "这个事我们还在研究。").question_form == form


@pytest.mark.parametrize(
    ("rep", "client", "tone"),
    [
        # A commitment assumed in the client's name pushes, however polite.
        (
            "好的，那就是说您答应月底前一定付了，我就这么跟公司报。",
            "我们尽量争取月底前。",
            "pressure",
        ),
        # Restating the client's own rule is no demand, nor is asking what is required.
        ("主任签字是必须的，那我等主任回来再约。", "验收必须主任签字。", "calm"),
        ("哪些问题是验收前必须解决的？", "下面反映问题挺多。", "calm"),
        ("这周内一定得把字签了。", "再等等。", "pressure"),
        ("我们会把运维人员全部撤走，您看着办。", "再等等。", "threat"),
        ("那我们只能走别的渠道往上反映了。", "再等等。", "veiled_threat"),
    ],
)
def test_tone_is_what_the_rep_does(rep: str, client: str, tone: str) -> None:
    assert _read(rep, client).tone == tone


@pytest.mark.parametrize(
    ("rep", "parts"),
    [
        ("我周四上午把整改报告送到信息科张工那里。", (True, True, True)),
        ("方便把财务科经办人的微信推一下吗？", (False, True, True)),  # sharing a contact
        ("您这段时间两头跑，心里肯定不好受。", (False, False, False)),  # acknowledgement
        ("主任的意思是再跑一个月，稳定了才安排验收。", (False, False, False)),  # their plan
        ("那我下周再跟您约。", (True, True, False)),  # a bare follow-up is no action
        ("月底前再不付，我们就申请仲裁。", (True, False, True)),  # an ultimatum's condition
    ],
)
def test_a_next_step_is_one_the_rep_puts_on_the_table(
    rep: str, parts: tuple[bool, bool, bool]
) -> None:
    step = _read(rep, "验收还要再等等。").next_step
    assert (step.date, step.person, step.action) == parts


@pytest.mark.parametrize(
    ("rep", "client", "empathy", "advice"),
    [
        ("您夹在院里和我们中间，这段时间压力不小吧。", "院长天天问我这事。", True, False),
        ("您的难处我理解，我理解。那这笔什么时候付？", "院里今年确实紧。", False, False),
        ("其实您不用等处长回来，您直接把单子报给财务就行。", "处长出差了。", False, True),
        ("这事是我们做得不对，应该先跟您打个招呼。", "你们怎么不说一声就来了？", False, False),
    ],
)
def test_empathy_and_advice_are_read_by_what_the_rep_does(
    rep: str, client: str, empathy: bool, advice: bool
) -> None:
    reading = _read(rep, client)
    assert (reading.empathy, reading.advice) == (empathy, advice)
