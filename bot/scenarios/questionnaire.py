"""A scenario from a trainer's answers, for when no model is configured: a short questionnaire
whose answers fill a two-stage case (office → decision-maker) the strict loader then checks.

The wording of the client's lines is plain on purpose; the trainer edits the YAML afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from bot.domain.lang import Lang


@dataclass(frozen=True)
class Question:
    """One thing the questionnaire asks."""

    key: str
    zh: str
    en: str
    default: str = ""


QUESTIONS: tuple[Question, ...] = (
    Question(
        "client", "客户单位（如：某区水务局科技信息科）", "Client body (e.g. District water bureau)"
    ),
    Question("project", "项目名称", "Project name"),
    Question("contract_no", "合同编号", "Contract number"),
    Question("contract_amount", "合同金额（元）", "Contract amount (CNY)"),
    Question(
        "overdue_amount",
        "逾期未付金额（元，预防案例填 0）",
        "Overdue amount (CNY; 0 for prevention)",
    ),
    Question(
        "overdue_since", "逾期起始日（YYYY-MM-DD，可留空）", "Overdue since (YYYY-MM-DD, optional)"
    ),
    Question("history", "一两句话的背景", "The story in a sentence or two"),
    Question("name", "决策人姓名", "Decision-maker's name"),
    Question("role", "决策人职务", "Decision-maker's title"),
    Question(
        "temperament",
        "性格（perfectionist/helper/achiever/individualist/investigator/loyalist/enthusiast/challenger/peacemaker）",
        "Temperament (perfectionist … peacemaker)",
        "loyalist",
    ),
    Question(
        "phenomenon",
        "回款现象（never_pays/tormenting/dragging/twists）",
        "Pattern (never_pays/tormenting/dragging/twists)",
        "dragging",
    ),
    Question(
        "root_cause",
        "主要原因（weak_brand/weak_product/legacy_issues/poor_service/loose_credit/client_habit/policy_market）",
        "Root cause (weak_brand … policy_market)",
        "poor_service",
    ),
    Question("difficulty", "难度 1-5", "Difficulty 1-5", "3"),
    Question("acceptance_person", "谁验收（姓名+职务）", "Who accepts (name and title)"),
    Question(
        "acceptance_standard", "验收标准 / 现在卡在哪", "Acceptance standard / what is missing"
    ),
    Question("payment_terms", "付款方式和日期", "How and when payment is made"),
    Question(
        "payment_owner", "谁签批付款（姓名+职务）", "Who approves the payment (name and title)"
    ),
    Question("objection", "对方最可能的推脱", "The push-back you expect"),
    Question(
        "main_hardship",
        "主要难点（find/book/meet/close）",
        "Main obstacle (find/book/meet/close)",
        "close",
    ),
)


HARDSHIPS = ("find", "book", "meet", "close")

STYLE: dict[str, tuple[str, str]] = {
    "perfectionist": ("严谨、挑细节，只认白纸黑字", "Exacting; trusts only what is written down"),
    "helper": ("热心、爱帮忙，一到拍板就往上推", "Warm and helpful; passes every decision upwards"),
    "achiever": ("干脆、讲效率，只看结果和排名", "Brisk; cares about results and rankings"),
    "individualist": (
        "敏感、在意被理解，讨厌套话",
        "Sensitive; wants to be understood, hates boilerplate",
    ),
    "investigator": ("冷静、要数据，不信承诺", "Cool; wants data, not promises"),
    "loyalist": ("谨慎、怕担责，凡事按程序", "Cautious; afraid of blame, goes by the book"),
    "enthusiast": ("热情、话多，答应得快忘得也快", "Chatty; promises quickly, forgets quickly"),
    "challenger": ("强势、说话直，最烦被人压", "Forceful and blunt; hates being pushed"),
    "peacemaker": ("和和气气，不愿起冲突，从不拍板", "Amiable; avoids conflict, never decides"),
}


def _marker(answer: str) -> str:
    """A short distinctive piece of an answer to recognise it by (first clause, ≤ 20 chars)."""
    first = re.split(r"[，。,;；、]", answer.strip())[0]
    return first[:20] or answer[:20]


def _slug(text: str) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (ascii_part or "drafted-case")[:40].strip("-") + "-draft"


def build(answers: dict[str, str], lang: Lang) -> str:
    """The scenario YAML for a set of answers (check it with the strict loader)."""
    a = {q.key: (answers.get(q.key) or q.default).strip() for q in QUESTIONS}
    zh = lang == "zh"
    name, role = a["name"], a["role"]
    overdue = int(a["overdue_amount"] or 0)
    data: dict[str, Any] = {
        "id": _slug(a["contract_no"] or a["project"]),
        "title": a["project"],
        "summary": a["history"],
        "language": lang,
        "difficulty": int(a["difficulty"]),
        "temperament": a["temperament"],
        "phenomenon": a["phenomenon"],
        "root_causes": [a["root_cause"]],
        "hardships": sorted({a["main_hardship"], "close"}, key=HARDSHIPS.index),
        "main_hardship": a["main_hardship"],
        "focus": "collection" if overdue else "prevention",
        "translations": {("en" if zh else "zh"): {"title": a["project"], "summary": a["history"]}},
        "brief": {
            "client": a["client"],
            "history": a["history"],
            "contract_amount": int(a["contract_amount"] or 0),
            "overdue_amount": overdue,
            "known": [a["history"], f"{role}：{name}" if zh else f"{role}: {name}", a["objection"]],
            "goal": "弄清五件事，约定具体的下一步。"
            if zh
            else "Find out the five facts and agree a dated next step.",
        },
        "turn_budget": 14,
        "stages": [
            {
                "id": "office",
                "title": "办公室" if zh else "Office",
                "patience": 4,
                "persona": {
                    "name": "办公室工作人员" if zh else "Office clerk",
                    "role": f"{a['client']}办公室" if zh else f"Office of {a['client']}",
                    "style": "客气但挡驾" if zh else "Polite, protective of the boss's time",
                    "motivations": [
                        "不想让领导的时间被浪费" if zh else "Keep the boss's diary clear"
                    ],
                },
                "opening": "您好，请问您找哪位？"
                if zh
                else "Good morning. Who would you like to see?",
                "advance": {
                    "needs": ["introduce", "purpose", "courtesy"],
                    "line": "好，您进去吧。" if zh else "All right, you can go in.",
                },
            },
            {
                "id": "decision-maker",
                "title": role,
                "patience": 8,
                "persona": {
                    "name": name,
                    "role": role,
                    "style": STYLE.get(a["temperament"], STYLE["loyalist"])[0 if zh else 1],
                    "motivations": [a["objection"]],
                },
                "opening": "坐吧，说说什么事。" if zh else "Have a seat. What is it about?",
            },
        ],
        "facts": _facts(a, zh),
        "objections": [
            {
                "id": "main-push-back",
                "says": a["objection"],
                "resolved_by": ["empathy", "reflection", "value"],
                "settled": "好，你这么说我就明白了。"
                if zh
                else "All right, I see where you stand.",
            }
        ],
        "commitment": {
            "requires_facts": ["acceptance_standard", "payment_owner"],
            "accept": "行，就按你说的办。" if zh else "Fine, let's do it that way.",
            "decline": "先把事情说清楚再定日子。"
            if zh
            else "Let's get the facts straight before we set a date.",
        },
    }
    if a["overdue_since"]:
        data["brief"]["overdue_since"] = dt.date.fromisoformat(a["overdue_since"]).isoformat()
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _facts(a: dict[str, str], zh: bool) -> dict[str, Any]:
    said = {
        "project": (
            f"你说的是{a['project']}吧，合同编号 {a['contract_no']}。"
            if zh
            else f"You mean {a['project']}, contract {a['contract_no']}."
        ),
        "acceptance_person": (
            f"验收是{a['acceptance_person']}负责。"
            if zh
            else f"Acceptance is {a['acceptance_person']}."
        ),
        "acceptance_standard": a["acceptance_standard"],
        "payment_terms": a["payment_terms"],
        "payment_owner": (
            f"付款最后是{a['payment_owner']}签批。"
            if zh
            else f"{a['payment_owner']} approves the payment."
        ),
    }
    markers = {
        "project": a["contract_no"] or _marker(a["project"]),
        "acceptance_person": _marker(a["acceptance_person"]),
        "acceptance_standard": _marker(a["acceptance_standard"]),
        "payment_terms": _marker(a["payment_terms"]),
        "payment_owner": _marker(a["payment_owner"]),
    }
    after = {
        "acceptance_person": ["project"],
        "acceptance_standard": ["project"],
        "payment_terms": ["acceptance_standard"],
    }
    by = {
        "acceptance_standard": ["open_question", "reflection", "empathy"],
        "payment_owner": ["question", "open_question", "empathy", "value"],
    }
    return {
        key: {
            "value": said[key],
            "reveal": said[key],
            "markers": [markers[key]],
            "earn": {
                "by": by.get(key, ["question", "open_question"]),
                "min_mood": 0,
                "after": after.get(key, []),
            },
        }
        for key in said
    }
