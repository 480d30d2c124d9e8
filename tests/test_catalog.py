"""Message catalogs: both languages complete, placeholders identical, every referenced key real."""

from __future__ import annotations

import re
from typing import get_args

from bot.domain.facts import FACT_KEYS
from bot.domain.scenario import Hardship, Phenomenon, RootCause, Temperament
from bot.domain.session import EndReason
from bot.i18n import Catalog, placeholders
from bot.settings import ROOT


def test_chinese_and_english_have_the_same_keys(catalog: Catalog) -> None:
    assert catalog.keys("zh") == catalog.keys("en")


def test_placeholders_match_across_languages(catalog: Catalog) -> None:
    for key in catalog.keys("zh"):
        assert placeholders(catalog.raw("zh", key)) == placeholders(catalog.raw("en", key)), key


def test_every_enumerated_domain_value_has_a_label(catalog: Catalog) -> None:
    groups = {
        "temperament": get_args(Temperament),
        "phenomenon": get_args(Phenomenon),
        "root_cause": get_args(RootCause),
        "hardship": get_args(Hardship),
        "fact": FACT_KEYS,
        "end_reason": [r.value for r in EndReason],
    }
    for prefix, values in groups.items():
        for value in values:
            assert catalog.has(f"{prefix}.{value}"), f"{prefix}.{value}"


def test_every_literal_key_used_in_code_exists(catalog: Catalog) -> None:
    pattern = re.compile(
        r"""["']((?:error|hint|tip|rewrite|card|brief|console|cli|metric|dim|rubric|status|need)\.[a-z_.]+)["']"""
    )
    missing = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for key in pattern.findall(path.read_text("utf-8")):
            if not key.endswith(".") and not catalog.has(key):
                missing.add(f"{path.name}: {key}")
    assert missing == set()


def test_unknown_error_code_falls_back_to_the_generic_message(catalog: Catalog) -> None:
    assert catalog.error("en", "error.nope", {}) == catalog.t("en", "error.generic")


def test_chinese_messages_use_chinese_punctuation_next_to_chinese(catalog: Catalog) -> None:
    # 「我还有个会」, not "我还有个会"; 「建议：」, not 「建议:」.
    ascii_next_to_chinese = re.compile(
        r'"[\u4e00-\u9fff]|[\u4e00-\u9fff]"|[\u4e00-\u9fff][,:;!?](?!\d)'
    )
    found = {
        key: catalog.raw("zh", key)
        for key in catalog.keys("zh")
        if ascii_next_to_chinese.search(catalog.raw("zh", key))
    }
    assert found == {}
