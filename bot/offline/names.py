"""The case's public words the offline client may put into stock lines: how people are
addressed, the project, the amount owed, and a told fact's gist. Never an untold fact."""

from __future__ import annotations

import re

from bot.domain.facts import FactKey
from bot.domain.scenario import Scenario

_TITLES = ("副局长", "局长", "副主任", "主任", "副科长", "科长", "副校长", "校长", "院长", "处长")
_TITLE_EN = re.compile(r"^((?:Dr|Mr|Ms|Mrs|Prof)\.? [A-Z][a-z]+)")


def address(scenario: Scenario, stage: int) -> str:
    """How people call a stage's persona: 马局, 韩科长, 小刘, Dr. Liang."""
    persona = scenario.stages[stage].persona
    name = persona.name.split(" (")[0].split("（")[0]
    if scenario.language != "zh":
        found = _TITLE_EN.match(name)
        return found.group(1) if found else name
    if name.startswith(("小", "老")) or len(name) < 2:
        return name
    title = next((t for t in _TITLES if t in persona.role), "")
    if title in ("副局长", "局长"):
        return name[0] + "局"
    return name[0] + title.removeprefix("副") if title else name


def project(scenario: Scenario) -> str:
    """The project as the brief names it (数字城管平台二期, the water-quality stations)."""
    if scenario.language != "zh":
        return "the " + scenario.title.split(" — ")[0].lower()
    # 「县人民医院 DR 设备尾款：约了三次没见上」: the case, not its tagline, and not the agency.
    head = re.split(r"[：:（(]|——", scenario.title)[0]
    name = re.sub(r"^.*?(局|委|院|校|公司|集团)", "", head, count=1)
    name = name.strip(" 「」").replace("「", "").replace("」", "").removesuffix("签约前")
    for suffix in ("尾款", "项目款", "项目"):
        name = name.removesuffix(suffix)
    name = re.sub(r"(?<=期)款$", "", name)  # 二期款 → 二期
    return name.strip() or head


def amount(scenario: Scenario) -> str:
    """The overdue amount as people say it (191.8 万, CNY 1.28 million)."""
    owed = scenario.brief.overdue_amount
    if scenario.language == "zh":
        return f"{owed / 10000:g} 万"
    unit = {"CNY": "CNY", "USD": "USD", "EUR": "EUR"}[scenario.brief.currency]
    return f"{unit} {owed / 1e6:g} million" if owed >= 1e6 else f"{unit} {owed:,}"


def case_words(scenario: Scenario, stage: int) -> dict[str, str]:
    """Slots a stock line can name: {official} (not in the official's own mouth) {next} {me}
    {project} {amount}."""
    last = len(scenario.stages) - 1
    words = {
        "next": address(scenario, min(stage + 1, last)),
        "me": address(scenario, stage),
        "project": project(scenario),
    }
    if scenario.brief.overdue_amount > 0:  # a contract not yet signed owes nothing yet
        words["amount"] = amount(scenario)
    if stage < last:  # the official does not speak of himself by name
        words["official"] = address(scenario, last)
    return words


def gist(scenario: Scenario, key: FactKey) -> str:
    """A told fact said again in short: the part of its note with a marker, else its start."""
    fact = scenario.facts[key]
    parts = [p.strip() for p in re.split(r"[；;。]", fact.value) if p.strip()]
    marked = [p for p in parts if any(m in p for m in fact.markers)]
    return (marked or parts or [fact.value])[0].rstrip("，,.")
