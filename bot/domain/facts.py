"""The five preparation questions (自我问答) every rep must be able to answer."""

from __future__ import annotations

from typing import Literal, get_args

FactKey = Literal[
    "project",  # 交易项目是什么
    "acceptance_person",  # 项目验收人是谁
    "acceptance_standard",  # 验收标准是什么
    "payment_terms",  # 付款方式和日期
    "payment_owner",  # 付款责任人是谁
]
FACT_KEYS: tuple[FactKey, ...] = get_args(FactKey)
