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
    for cut in ("尾款", "项目"):
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
    "pushy": _cycle("pushy"),
    "rambling": _cycle("ramble"),
    "terse": _cycle("terse"),
    "offtopic": _cycle("offtopic"),
    "breaking": _cycle("break"),
    "chat": _cycle("chat"),
}
