"""The short questionnaire a trainer answers in chat when no model is configured: six answers
(body and project, amount and how long overdue, temperament, pattern, main obstacle, language)
become the full answer set of `questionnaire.build`, the rest filled in deterministically.

Same answers, same YAML: nothing here is random or read from the wall clock (`today` is given).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass
from typing import Any

from bot.domain.lang import Lang
from bot.errors import InvalidRequest
from bot.scenarios.coverage import PHENOMENA, TEMPERAMENTS
from bot.scenarios.questionnaire import HARDSHIPS, build

# The steps in order: typed text, or one of the choices (pressed as a button).
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("case", ()),
    ("money", ()),
    ("temperament", TEMPERAMENTS),
    ("phenomenon", PHENOMENA),
    ("main_hardship", HARDSHIPS),
    ("language", ("zh", "en")),
)
# Why the money is stuck, by pattern (the most common cause the method names for it).
CAUSE = {
    "never_pays": "loose_credit",
    "tormenting": "legacy_issues",
    "dragging": "client_habit",
    "twists": "policy_market",
}
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(个月|月|天|日|年|months?|days?|years?)", re.IGNORECASE | re.ASCII
)
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|万|千|k|m|million)?", re.IGNORECASE)
_SCALE = {"亿": 10**8, "万": 10**4, "千": 10**3, "k": 10**3, "m": 10**6, "million": 10**6}
_PREVENTION = re.compile(r"预防|未签|没签|签约前|签合同前|prevent|before sign|not yet signed", re.I)
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_SPLIT = re.compile(r"[，,；;、/｜|]")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Money:
    """What the money answer says: the contract, what is overdue and since how many months."""

    contract: int
    overdue: int
    months: int


def next_step(answers: dict[str, str]) -> str | None:
    """The first step not answered yet (None: all answered)."""
    return next((key for key, _ in STEPS if key not in answers), None)


def choices(step: str) -> tuple[str, ...]:
    """The allowed answers of a button step (empty for a typed one)."""
    return dict(STEPS)[step]


def split_case(text: str) -> tuple[str, str]:
    """「区水务局，智慧水务一期」→ the body and the project; one name alone is both."""
    text = text.strip()
    parts = [p for p in _SPLIT.split(text, maxsplit=1) if p.strip()]
    if len(parts) < 2 and _CJK.search(text):  # 「区水务局 智慧水务一期」: a space between names
        parts = [p for p in _SPACE.split(text, maxsplit=1) if p.strip()]
    if not parts or len(text) > 200:
        raise InvalidRequest("team.error.studio_case")
    client = parts[0].strip()[:80]
    project = (parts[1] if len(parts) > 1 else parts[0]).strip()[:80]
    return client, project


def parse_money(text: str) -> Money:
    """「合同398万，逾期119万，8个月」, 「80万 半年」 is not read (say 6个月), 「预防 200万」."""
    text = _THOUSANDS.sub("", text)
    rest, months = text, 0
    for found in _DURATION.finditer(text):
        value, unit = float(found.group(1)), found.group(2).lower()
        days = value if unit[0] in "天日d" else value * (365 if unit[0] in "年y" else 30.4)
        months = max(months, round(days / 30.4))
        rest = rest.replace(found.group(0), " ")
    amounts = [
        round(float(m.group(1)) * _SCALE.get((m.group(2) or "").lower(), 1))
        for m in _AMOUNT.finditer(rest)
    ]
    amounts = [a for a in amounts if 0 < a < 10**11]
    if not amounts:
        raise InvalidRequest("team.error.studio_money")
    prevention = bool(_PREVENTION.search(text)) or months == 0
    contract = max(amounts)
    overdue = 0 if prevention else min(amounts)
    return Money(contract, overdue, 0 if prevention else max(months, 1))


def _months_before(today: dt.date, months: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(today.day, 28))


_STORY = {
    "zh": {
        "never_pays": "项目{project}已经交付验收，逾期 {months} 个月，对方至今没有任何付款安排。",
        "tormenting": "项目{project}已经验收，付款材料被反复退回，尾款拖了 {months} 个月。",
        "dragging": "项目{project}已经验收，对方一直说在走流程，尾款拖了 {months} 个月。",
        "twists": "项目{project}已经验收，眼看要付款又出了变故，尾款拖了 {months} 个月。",
        "prevention": "项目{project}即将签约，付款方式、验收标准和付款责任人还没写进合同。",
    },
    "en": {
        "never_pays": "{project} was delivered and accepted; {months} months overdue, no payment"
        " has been arranged at all.",
        "tormenting": "{project} was accepted, but the payment papers keep coming back;"
        " {months} months overdue.",
        "dragging": "{project} was accepted; the client keeps saying it is in process;"
        " {months} months overdue.",
        "twists": "{project} was accepted; each time payment is near, something changes;"
        " {months} months overdue.",
        "prevention": "{project} is about to be signed; payment terms, acceptance standard and"
        " the payer are not in the contract yet.",
    },
}
_PEOPLE = {
    "zh": {
        "name": "王建华",
        "role": "分管副局长",
        "acceptance_person": "信息科李明科长",
        "acceptance_standard": "专家组签字页还没补齐，整改清单有两项未关闭",
        "payment_terms": "验收合格后30日内报财政，走财政集中支付",
        "payment_owner": "王副局长签批，财务科赵敏经办",
    },
    "en": {
        "name": "Wang Jianhua",
        "role": "Deputy Director",
        "acceptance_person": "Li Ming, head of the IT section",
        "acceptance_standard": "Expert sign-off page, still missing; two fixes are still open",
        "payment_terms": "Treasury payment, within 30 days of acceptance",
        "payment_owner": "Zhao Min in finance, who processes it once Wang Jianhua signs",
    },
}
_OBJECTION = {
    "zh": {
        "never_pays": "今年的预算早就没了，这笔钱我也变不出来。",
        "tormenting": "你们的材料一次次不合格，我怎么签字？",
        "dragging": "流程就是这样，你们再等等。",
        "twists": "上面刚调整了政策，这事得重新研究。",
        "prevention": "合同就用我们的标准文本，其他的以后再说。",
    },
    "en": {
        "never_pays": "This year's budget is gone; I cannot conjure the money.",
        "tormenting": "Your papers keep failing the check; how can I sign?",
        "dragging": "That is how the process works; you will have to wait.",
        "twists": "The rules upstairs just changed; this needs another look.",
        "prevention": "We use our standard contract; the rest can wait.",
    },
}


def answers_for(answers: dict[str, str], today: dt.date) -> dict[str, str]:
    """The full answer set of `questionnaire.build` from the six chat answers."""
    lang = "en" if answers.get("language") == "en" else "zh"
    client, project = split_case(answers["case"])
    money = parse_money(answers["money"])
    pattern = answers["phenomenon"]
    story_key = pattern if money.overdue else "prevention"
    number = zlib.crc32(f"{client}|{project}".encode()) % 900 + 100
    full: dict[str, Any] = {
        "client": client,
        "project": project,
        "contract_no": f"HT-{today.year}-{number}",
        "contract_amount": str(money.contract),
        "overdue_amount": str(money.overdue),
        "overdue_since": (_months_before(today, money.months).isoformat() if money.overdue else ""),
        "history": _STORY[lang][story_key].format(project=project, months=money.months),
        "temperament": answers["temperament"],
        "phenomenon": pattern,
        "root_cause": CAUSE.get(pattern, "poor_service"),
        "difficulty": "3",
        "objection": _OBJECTION[lang][story_key],
        "main_hardship": answers["main_hardship"],
        **_PEOPLE[lang],
    }
    return {k: str(v) for k, v in full.items()}


def build_from_chat(answers: dict[str, str], today: dt.date) -> tuple[str, Lang]:
    """The scenario YAML (check it with the strict loader) and its language."""
    lang: Lang = "en" if answers.get("language") == "en" else "zh"
    return build(answers_for(answers, today), lang), lang
