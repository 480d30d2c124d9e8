"""Seven rep styles for the realism harness, each a policy from the conversation so far to the
rep's next message. They are written against any scenario (names and amounts come from it), so
new scenario files are played without new scripts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.domain.facts import FactKey
from bot.domain.scenario import Scenario
from bot.domain.session import ClientState


@dataclass(frozen=True)
class Moment:
    """What a rep knows when writing the next message."""

    scenario: Scenario
    state: ClientState
    heard: str  # the client's last words
    turn: int  # 0-based count of the rep's messages so far


Style = Callable[[Moment], str]

_TITLES = ("副局长", "局长", "副主任", "主任", "科长", "校长", "院长", "处长", "股长")


def short(scenario: Scenario, stage: int) -> str:
    """How a rep addresses a stage's persona: 马局, 韩科长, 小刘, Dr. Liang."""
    persona = scenario.stages[stage].persona
    if scenario.language == "en":
        found = re.match(r"((?:Dr|Mr|Ms|Mrs)\.? \w+)", persona.name)
        return found.group(1) if found else persona.name.split(" (")[0]
    name = persona.name
    if name.startswith(("小", "老")):
        return name
    title = next((t for t in _TITLES if t in persona.role), "")
    if title in ("副局长", "局长"):
        return name[0] + "局"
    return name[0] + (title or "老师")


def project(scenario: Scenario) -> str:
    """The project as the rep knows it from the brief's title."""
    title = scenario.title
    if scenario.language == "en":
        return title.split(" — ")[0].lower()
    # 「市中医院手麻系统签约前：把回款写进合同」: a rep names the case, not the brief's tagline
    for cut in ("：", ":", "——", "尾款", "项目"):
        title = title.split(cut)[0]
    return title


def snippet(heard: str, lang: str) -> str:
    """A short piece of the client's last words a rep would play back."""
    text = re.sub(r"（[^）]*）|\([^)]*\)", "", heard).strip()
    if lang == "en":
        parts = [p for p in re.split(r"(?<=[.!?])\s+", text) if len(p.split()) >= 4]
        return (parts[-1] if parts else text).rstrip(".!?").lower()[:90]
    parts = [p for p in re.split(r"[。！？…]", text) if len(p) >= 4]
    return (parts[-1] if parts else text)[:24]


_ASK_ZH: dict[FactKey, str] = {
    "project": "咱们说的是{project}这个项目，对吧？想请教一下，这个项目现在是什么情况？",
    "acceptance_person": "想请教一下，这次验收由谁来牵头，验收小组是哪几位？",
    "acceptance_standard": "验收现在卡在哪些环节？具体还需要我们补什么？",
    "payment_terms": "验收之后付款流程怎么走，大概什么时候能到账？",
    "payment_owner": "这笔钱最后由谁来签批，经办人是哪位？",
}
_ASK_EN: dict[FactKey, str] = {
    "project": "Just to be sure we mean the same file: could you tell me about the project status?",
    "acceptance_person": "Who does the acceptance on your side, and who signs off?",
    "acceptance_standard": "What's holding up acceptance, and what would it take to pass?",
    "payment_terms": "Once it's accepted, how does the payment process work, and when will "
    "the money move?",
    "payment_owner": "Who approves the payment in the end, and who prepares the request?",
}


def _next_fact(m: Moment) -> FactKey | None:
    open_keys = [k for k in m.scenario.facts if k not in m.state.earned]
    # a rep who listens moves on when told to ask someone else
    here = [
        k
        for k in open_keys
        if m.scenario.fact_stage(k) <= m.state.stage and _knows(m.scenario, m.state.stage, k)
    ]
    return (here or [None])[0]


def _knows(scenario: Scenario, stage: int, key: FactKey) -> bool:
    knows = getattr(scenario, "knows", None)  # older engines: every later stage knows
    return bool(knows(stage, key)) if callable(knows) else True


def skilled(m: Moment) -> str:
    """Introduces with courtesy, plays the client's words back, asks open questions, owns the
    company's faults, and proposes a dated next step once the facts are in."""
    s, zh = m.scenario, m.scenario.language == "zh"
    stage = s.stages[m.state.stage]
    last = m.state.stage == len(s.stages) - 1
    who, piece = short(s, m.state.stage), snippet(m.heard, s.language)
    if m.turn == 0 or (not stage.lines and m.state.stage_seen == () and m.turn < 2):
        if zh:
            return (
                f"{who}您好，打扰您了。我是华信科技的项目经理陈实，负责{project(s)}。"
                f"今天来是想把终验和尾款的安排跟您对接清楚，知道您很忙，辛苦了。"
            )
        return (
            f"Good afternoon, {who}. Thank you for making the time. I'm Chen Shi, project "
            f"manager for the {project(s)}. I'm here to understand where acceptance and the "
            "final payment stand, and what we can do to help."
        )
    if m.state.open_objections():
        if zh:
            return (
                f"这件事是我们做得不到位，给您添麻烦了，我向您道歉。您担心的是{piece}，"
                "这个顾虑我理解。材料我们来准备，您看还需要我们做什么？"
            )
        return (
            f"You're right, and I'm sorry we let that happen. It sounds like your concern is "
            f"{piece}. We'll prepare the records ourselves. What else would you need from us?"
        )
    key = _next_fact(m)
    needed = [k for k in s.commitment.requires_facts if k not in m.state.earned]
    if last and not needed and (key is None or m.turn >= s.turn_budget - 3):
        if zh:
            return (
                "那我们这样定：我们本周五前把整改和复测材料交给您，请您下周三组织验收，"
                "验收一过请财务把支付申请报上去。您看行吗？"
            )
        return (
            "Then let me propose this: our engineers finish the recalibration by Friday and "
            "send you the records; you convene the panel next week; finance files the payment "
            "request right after. Would that work for you?"
        )
    ask = (_ASK_ZH if zh else _ASK_EN)[key] if key else None
    if ask is None:
        ask = "还有什么是我们能帮您提前准备的？" if zh else "What else could we prepare for you?"
    ask = ask.format(project=project(s))
    if zh:
        return f"您刚才提到{piece}，听起来您这边压力也不小。{ask}"
    return f"So if I understand you, {piece}. That can't be easy. {ask}"


_LINES = yaml.safe_load((Path(__file__).parent / "rep_lines.yaml").read_text("utf-8"))


# The same skilled moves in other words: how reps who never read the walkthrough ask. Each
# style takes one column of these; none is a walkthrough line. They cover what a client must
# read by meaning: a who-question with only general words, a question whose first clause is
# context («once acceptance is signed, how…»), a closed wh-question after open ones, a check
# back on what was told, and a remedy offered for the objection instead of a reflection.
_PARA_ZH: dict[FactKey, tuple[str, str]] = {
    "project": (
        "先跟您对一下，咱们聊的是{project}这个项目吧？它现在整体是个什么情况？",
        "我先确认下，是{project}这个项目没错吧？您这边用下来怎么样？",
    ),
    "acceptance_person": (
        "整改完以后，复核这块是由哪位牵头？",
        "终验那边现在是哪位在负责？",
    ),
    "acceptance_standard": (
        "要顺利通过，具体得达到什么标准，现在还差哪几样？",
        "按什么标准来验？还缺哪些东西？",
    ),
    "payment_terms": (
        "复核通过以后，尾款的支付申请是怎么走的？有没有截止的时间点？",
        "验完以后，这笔钱走什么流程，哪天前得报上去？",
    ),
    "payment_owner": (
        "最后是哪位领导审批签字？经办人是哪位？",
        "钱最后归谁批，具体谁经办？",
    ),
}
_PARA_EN: dict[FactKey, tuple[str, str]] = {
    "project": (
        "Before anything else, how has the {project} been doing from your side?",
        "Just so we're on the same page, this is the {project}, isn't it? How is it going?",
    ),
    "acceptance_person": (
        "Who on your team leads the final acceptance?",
        "And who is in charge of the acceptance on your side?",
    ),
    "acceptance_standard": (
        "What exactly has to be met before you can sign off?",
        "What is still missing for final acceptance to go through?",
    ),
    "payment_terms": (
        "Once acceptance is signed, how does the payment actually move, and are there any "
        "deadlines we should know about?",
        "After sign-off, how does the money get to us, and by when does the request go in?",
    ),
    "payment_owner": (
        "And who approves the payment in the end?",
        "Who has the final say on the payment, and who prepares it?",
    ),
}


_CARE_ZH = (
    "这事拖了这么久，您夹在中间也挺为难的。",
    "年底事情多，您这边肯定也不容易。",
    "给您添麻烦了，您一直在帮我们协调。",
)
_CARE_EN = (
    "I can imagine this delay has put you in a difficult spot. ",
    "I know you're busy, and I appreciate you walking me through this. ",
    "I realize this has been frustrating on your side. ",
)


def _paraphrased(column: int) -> Style:
    """A skilled rep in other words (column 0 or 1 of the paraphrase tables)."""

    def style(m: Moment) -> str:
        s, zh = m.scenario, m.scenario.language == "zh"
        last = m.state.stage == len(s.stages) - 1
        who, piece = short(s, m.state.stage), snippet(m.heard, s.language)
        if m.turn == 0:
            if zh:
                return (
                    f"{who}您好，我是新接手{project(s)}的客户经理周宁，之前我们跟进不及时，"
                    "先跟您说声抱歉。今天想跟您把验收和尾款的事捋一捋。"
                )
            return (
                f"Hello {who}, I'm Sam Lee, the new account manager for the {project(s)}. "
                "I'm here about acceptance and the final payment, and I'm sorry we have been "
                "slow to follow up."
            )
        if m.state.open_objections():
            if zh:
                return (
                    f"明白，您说的{piece}，这个我们来解决：这周五前我把相关材料和说明"
                    "送到您这儿，您看这样行吗？"
                )
            return (
                f"Understood: {piece}. We will fix that. By Friday I will bring you the "
                "records and a written explanation. Would that help?"
            )
        key = _next_fact(m)
        needed = [k for k in s.commitment.requires_facts if k not in m.state.earned]
        if last and not needed and (key is None or m.turn >= s.turn_budget - 3):
            if zh:
                return (
                    "那我这样安排：这周四前我们把该补的全部补齐，下周二上午我把材料送过来，"
                    "请您帮忙安排验收和报支付申请，您看行吗？"
                )
            return (
                "Here is my proposal: we complete everything outstanding by Thursday, I bring "
                "you the documents next Tuesday morning, and you schedule the acceptance and "
                "the payment request. Does that work?"
            )
        if column == 1 and m.state.earned and m.turn % 3 == 0:
            if zh:  # a check back on what was just told
                return f"您的意思是，{piece}，对吧？"
            return f"So, {piece}, is that right?"
        asks = (_PARA_ZH if zh else _PARA_EN)[key] if key else None
        if asks is None:
            return "还有什么需要我们提前准备的？" if zh else "What else can we prepare for you?"
        again = key in m.state.asked  # asked and not told: put it another way
        ask = asks[(column + again) % 2].format(project=project(s))
        if m.turn % 2 == column or again:  # a word for the client's side, in other words
            care = _CARE_ZH if zh else _CARE_EN
            return care[(m.turn + column) % len(care)] + ask
        return ask

    return style


def _cycle(name: str) -> Style:
    def style(m: Moment) -> str:
        lines = _LINES[name][m.scenario.language]
        amount = m.scenario.brief.overdue_amount
        shown = f"{amount / 10000:g}" if m.scenario.language == "zh" else f"CNY {amount:,}"
        return lines[m.turn % len(lines)].format(
            who=short(m.scenario, m.state.stage), project=project(m.scenario), amount=shown
        )

    return style


STYLES: dict[str, Style] = {
    "skilled": skilled,
    "skilled-b": _paraphrased(0),  # the same moves, other words
    "skilled-c": _paraphrased(1),
    "pushy": _cycle("pushy"),
    "rambling": _cycle("ramble"),
    "terse": _cycle("terse"),
    "offtopic": _cycle("offtopic"),
    "breaking": _cycle("break"),
    "chat": _cycle("chat"),
}
