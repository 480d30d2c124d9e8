"""Every misreading reported in issue 9, as a scorecard: the card must agree with what happened.

Written transcripts go through the same `grade` pipeline as `trainer grade --json` (a few run
the real command); played sessions go through the practice service with the offline client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.composition import Container
from bot.domain.grading import scorecard_for
from bot.domain.metrics import compute_metrics
from bot.domain.scorecard import Scorecard
from bot.domain.session import EndReason
from bot.domain.transcript import parse_transcript
from bot.i18n import Catalog
from bot.offline.judge import OfflineJudge

DECLINE = "定时间可以，但前提得把事情理清楚。现在这样就让我表态，我怎么表？"
PROPOSAL = "下周三前我们把培训记录补齐，请赵科长周四上午组织验收，您看可以吗？"


async def card_of(text: str, catalog: Catalog, lang: str = "zh") -> Scorecard:
    """The offline scorecard of a written transcript."""
    return await scorecard_for(OfflineJudge(catalog), parse_transcript(text), lang=lang)  # type: ignore[arg-type]


def trainer_grade(text: str, tmp_path: Path) -> dict[str, object]:
    """`trainer grade --json` run as a user runs it."""
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "grade", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def test_the_scenarios_own_decline_line_is_no_commitment(tmp_path: Path) -> None:
    data = trainer_grade(
        f"客户：验收材料还差培训记录。\n销售：{PROPOSAL}\n客户：{DECLINE}", tmp_path
    )
    metrics = data["metrics"]
    assert isinstance(metrics, dict) and metrics["commitment"] is False
    dims = data["dimensions"]
    assert isinstance(dims, dict) and dims["next_step"]["score"] < 5


@pytest.mark.parametrize("reply", ["回头研究研究。", "等领导定了再说。", DECLINE])
def test_a_polite_deferral_is_not_a_yes(reply: str) -> None:
    text = f"客户：验收材料还差培训记录。\n销售：{PROPOSAL}\n客户：{reply}"
    assert compute_metrics(parse_transcript(text)).commitment is False


def test_a_plain_yes_to_a_dated_named_step_is_a_commitment() -> None:
    reply = "客户：行，就这么定，周四上午我跟赵科长说。"
    text = f"客户：验收材料还差培训记录。\n销售：{PROPOSAL}\n{reply}"
    assert compute_metrics(parse_transcript(text)).commitment is True


def test_the_gatekeeper_letting_the_rep_in_is_no_payment_commitment() -> None:
    text = (
        "客户：科长在开会。\n销售：麻烦您跟科长说一声，我今天下午三点进去见他十五分钟，可以吗？\n"
        "客户：好，他说给您十五分钟，您进去吧。"
    )
    assert compute_metrics(parse_transcript(text)).commitment is False


def test_that_works_accepts_a_dated_named_proposal_in_english() -> None:
    text = (
        "client: The certificates are the last thing missing.\n"
        "rep: I'll bring the calibration certificates to Dr. Wu on Friday at 10. "
        "Would that work for you?\nclient: That works."
    )
    m = compute_metrics(parse_transcript(text))
    assert m.commitment is True
    assert m.notes[0].cues.proposes_next_step


async def test_a_sympathetic_echo_of_complaints_is_not_a_threat(catalog: Catalog) -> None:
    card = await card_of(
        "客户：热线一天接了二十多个电话，居民都等不及了。\n"
        "销售：居民等不及就投诉，热线那边的压力最后都落到您身上了。\n客户：是啊。",
        catalog,
    )
    assert card.metrics["threats"] == 0
    assert card.dimensions["composure"].score >= 4
    assert card.dimensions["composure"].tip != catalog.t("zh", "tip.composure.threat")


@pytest.mark.parametrize(
    ("rep", "lang"),
    [
        ("你们这审批速度，比我们老家的牛车还稳当啊。", "zh"),
        ("我们法务部已经在整理材料了，您自己掂量。", "zh"),
        ("Our lawyers are already looking at the file, so it's your call.", "en"),
    ],
)
async def test_sarcasm_and_veiled_threats_cost_composure(
    catalog: Catalog, rep: str, lang: str
) -> None:
    client = "客户：还在走审批，再等等。" if lang == "zh" else "client: It is still in approval."
    card = await card_of(f"{client}\n{'销售' if lang == 'zh' else 'rep'}：{rep}", catalog, lang)
    composure = card.dimensions["composure"]
    assert composure.score <= 3
    assert composure.tip != catalog.t(lang, "tip.composure.keep")  # type: ignore[arg-type]


async def test_a_greeting_is_no_reflection_and_formulas_raise_no_listening(
    catalog: Catalog,
) -> None:
    hello = await card_of("客户：你好，找谁？\n销售：您好 我找下王科长\n客户：他在开会。", catalog)
    assert hello.metrics["reflections"] == 0
    formula = await card_of(
        "客户：尾款的事我说了不算，要等财务。\n销售：您的意思是……我理解您……\n客户：你理解什么了？\n"
        "销售：您的意思我明白，我理解您。\n客户：……",
        catalog,
    )
    assert formula.metrics["reflections"] == 0 and formula.metrics["parrots"] == 2


async def test_a_reflection_the_client_never_made_is_never_a_check_mark(
    catalog: Catalog,
) -> None:
    card = await card_of(
        "客户：主任说考核完了再看，不是说考核完了就付。\n"
        "销售：您的意思我明白了，既然您同意考核一完就付款，那我月底再来。\n客户：我没这么说。",
        catalog,
    )
    assert card.metrics["distorted"] == 1 and card.metrics["reflections"] == 0
    for dim in card.dimensions.values():
        assert all(e.turn in card.metrics["against_turns"] for e in dim.evidence)


async def test_a_genuine_reflection_without_markers_counts(catalog: Catalog) -> None:
    card = await card_of(
        "客户：上个月有家公司把我们告到纪委，搞得整个科都被约谈了。\n"
        "销售：被纪委约谈，整个科跟着受牵连，这段时间大家心里肯定都不踏实。\n客户：是啊。",
        catalog,
    )
    assert card.metrics["reflections"] == 1 and card.metrics["complex_reflections"] == 1


@pytest.mark.parametrize(
    ("question", "fact"),
    [("项目验收人是谁？", "acceptance_person"), ("最后是哪位领导拍板签字？", "payment_owner")],
)
async def test_the_checklist_reads_the_question_not_its_wording(
    catalog: Catalog, question: str, fact: str
) -> None:
    card = await card_of(f"客户：你好。\n销售：{question}\n客户：信息科赵科长，孙局签字。", catalog)
    assert card.checklist[fact] == "specific"


async def test_a_claim_that_things_were_settled_moves_nothing(catalog: Catalog) -> None:
    card = await card_of(
        "客户：你好。\n销售：项目、验收人、标准、付款方式和付款人，这五件事会前都跟您核实过了。\n客户：嗯。",
        catalog,
    )
    assert set(card.checklist.values()) == {"missed"}


async def test_the_client_naming_who_pays_is_specific_without_a_scenario(catalog: Catalog) -> None:
    card = await card_of(
        "客户：你好。\n销售：付款这块一般怎么走？\n客户：财务科李科长经办，孙局签字，走集中支付。",
        catalog,
    )
    assert card.checklist["payment_owner"] == "specific"
    assert card.checklist["payment_terms"] == "specific"


async def test_a_project_the_rep_states_and_the_client_confirms_is_specific(
    catalog: Catalog,
) -> None:
    card = await card_of(
        "客户：你好，什么事？\n"
        "销售：咱们说的是基层医疗信息系统二期这个项目，合同编号 WJW-2025-017 吧？\n"
        "客户：对，就是 WJW-2025-017 这个项目。",
        catalog,
    )
    assert card.checklist["project"] == "specific"
    assert all(
        e.quote != "对，就是 WJW-2025-017 这个项目。"
        for e in card.dimensions["preparation"].evidence
    )


async def test_evidence_fits_its_dimension_and_the_tip_agrees_with_the_score(
    catalog: Catalog,
) -> None:
    card = await card_of(
        (Path(__file__).parent / "transcripts" / "expert_zh.txt").read_text(), catalog
    )
    # Evidence counts the rep's own turns (1 for the rep's first message).
    rep_lines = {
        n: t.text
        for n, t in enumerate(
            parse_transcript(
                (Path(__file__).parent / "transcripts" / "expert_zh.txt").read_text()
            ).rep_turns(),
            start=1,
        )
    }
    for name, dim in card.dimensions.items():
        assert all(e.turn in rep_lines and e.quote in rep_lines[e.turn] for e in dim.evidence)
        if dim.score >= 4.5:
            assert dim.tip == catalog.t("zh", "tip.good"), name
    persuasion = card.dimensions["persuasion"].evidence
    assert all(not q.quote.endswith("？") for q in persuasion)  # a plain question persuades nobody


@pytest.mark.parametrize("opening", ["打扰了", "打扰您了"])
async def test_chat_style_courtesy_passes_the_same_gate(app: Container, opening: str) -> None:
    person = await app.users.local(f"gate-{opening}")
    started = await app.practice.start(person.id, "city-urban-mgmt-platform")
    await app.practice.begin(person.id, started.session.id)
    line = (
        f"周主任您好，{opening}，我是城智科技的小王，"
        "来跟您对接一下数字城管平台尾款的事，知道您这边很忙。"
    )
    result = await app.practice.reply(person.id, started.session.id, line)
    assert result.session.client.stage == 1


async def test_a_meeting_ended_by_lost_patience_never_shows_a_commitment(app: Container) -> None:
    person = await app.users.local("impatient")
    started = await app.practice.start(person.id, "district-health-tail-payment")
    result = await app.practice.begin(person.id, started.session.id)
    for _ in range(12):
        if result.session.client.ended is not None:
            break
        result = await app.practice.reply(person.id, started.session.id, "嗯……那个……")
    _, card = await app.practice.finish(person.id, started.session.id, "zh")
    assert result.session.client.ended in (EndReason.PATIENCE, EndReason.BUDGET)
    assert card.metrics["commitment"] is False
    assert card.dimensions["next_step"].score <= 2
