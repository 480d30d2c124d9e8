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
