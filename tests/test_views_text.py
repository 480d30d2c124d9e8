"""The brief and the scorecard as a reader sees them: no codes or English in a Chinese card,
the punctuation and quote marks each language's readers expect, scenario prose without the
spaces YAML folding leaves inside Chinese sentences."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.metrics import compute_metrics
from bot.domain.rubric import bounds
from bot.domain.scenario import Scenario
from bot.domain.scorecard import DimensionScore, Evidence, Rewording, Scorecard
from bot.domain.transcript import parse_transcript
from bot.i18n import Catalog
from bot.services.practice import Hint
from bot.settings import ROOT
from bot.views.text import (
    brief_text,
    hint_text,
    model_name,
    rule_text,
    scorecard_text,
    tidy,
)

METRICS = {
    "talk_share": 0.32,
    "questions": 3,
    "open_questions": 1,
    "reflections": 0,
    "empathy": 0,
    "pressure": 2,
    "threats": 1,
    "longest_rep_turn": 21,
    "commitment": False,
}


def card(grader: str = "offline", rule: str | None = "no_questions_or_reflections") -> Scorecard:
    """A failing card whose listening score was held by a rule."""
    dims = {
        d: DimensionScore(2.0, (Evidence(4, "今天必须给个说法。"),), "先问一个开放式问题。")
        for d in ("listening", "persuasion", "preparation", "composure", "next_step")
    }
    dims["listening"] = DimensionScore(2.0, (), "先复述。", rule)
    return Scorecard(
        overall=9,
        passed=False,
        grader=grader,
        dimensions=dims,  # type: ignore[arg-type]
        checklist={"project": "missed"},  # type: ignore[dict-item]
        metrics=METRICS,
        rewording=Rewording(4, "今天必须给个说法。", "这笔款现在卡在哪个环节？"),
    )


def test_a_rule_that_held_a_score_is_named_in_words_not_as_a_code(catalog: Catalog) -> None:
    zh = scorecard_text(card(), catalog, "zh")
    en = scorecard_text(card(), catalog, "en")
    assert "【倾听力】 2/5 ★★☆☆☆ （按规则调整：没有提问，也没有复述）" in zh
    assert "(held by a rule: no questions and no reflections)" in en
    assert "no_questions_or_reflections" not in zh + en


def test_the_preparation_cap_names_how_many_answers_were_found(catalog: Catalog) -> None:
    assert rule_text("facts_uncovered=2", catalog, "zh") == "五件事只弄清了 2 件"
    assert rule_text("facts_uncovered=2", catalog, "en") == "only 2 of the five answers uncovered"


def test_every_rule_the_rubric_can_set_has_words_in_both_languages(catalog: Catalog) -> None:
    source = (ROOT / "bot" / "domain" / "rubric.py").read_text("utf-8")
    names = set(re.findall(r'rule=f?"([a-z_]+)', source))
    assert {"threat", "facts_uncovered", "no_commitment"} <= names
    for name in names:
        assert catalog.has(f"rule.{name}"), name


def test_a_rule_without_words_is_not_shown_as_its_code(catalog: Catalog) -> None:
    assert rule_text("some_future_rule", catalog, "zh") == "评分规则的上下限"


def test_the_grader_is_named_in_the_readers_language(catalog: Catalog) -> None:
    assert "评分方式：离线规则" in scorecard_text(card(), catalog, "zh")
    assert "Graded by: offline rules" in scorecard_text(card(), catalog, "en")
    assert model_name("llm:qwen-max", catalog, "zh") == "模型 qwen-max"
    assert "offline" not in scorecard_text(card(), catalog, "zh")


def test_a_chinese_card_uses_full_width_colons_and_no_ascii_labels(catalog: Catalog) -> None:
    text = scorecard_text(card(), catalog, "zh")
    assert "  建议：先复述。" in text
    assert "原话：「今天必须给个说法。」" in text
    assert "建议说法：「这笔款现在卡在哪个环节？」" in text
    assert not re.search(r"[\u4e00-\u9fff]: ", text)


def test_the_metrics_line_reads_naturally_in_each_language(catalog: Catalog) -> None:
    zh = scorecard_text(card(), catalog, "zh")
    en = scorecard_text(card(), catalog, "en")
    assert "提问 3（开放式 1）" in zh
    assert "最长一条 21 字" in zh
    assert "Questions 3 (1 open)" in en
    assert "Longest message 21 words" in en
    assert "（" not in en and "units" not in en


def test_a_plain_english_card_uses_english_quote_marks_and_brackets(catalog: Catalog) -> None:
    text = scorecard_text(card(), catalog, "en", title="Water stations")
    assert text.startswith("[Scorecard · Water stations]")
    assert "You said: \u201c今天必须给个说法。\u201d" in text
    assert "【" not in text and "「" not in text


def test_the_html_card_is_unchanged_by_plain_marks(catalog: Catalog) -> None:
    text = scorecard_text(card(), catalog, "en", html=True)
    assert "<b>Listening</b> 2/5" in text
    assert "Try: <i>这笔款现在卡在哪个环节？</i>" in text


def test_folded_yaml_spaces_inside_chinese_prose_are_dropped() -> None:
    folded = "签约预付 30%， 安装完成付 40%。 先接入了 200 路 视频，7 月 马副局长到任"
    assert tidy(folded) == "签约预付 30%，安装完成付 40%。先接入了 200 路视频，7 月马副局长到任"


def test_spaces_in_english_prose_and_between_digits_and_characters_stay() -> None:
    text = "Centre (市生态环境监测中心), Automatic Section; 2025 年签订"
    assert tidy(text) == text


def test_the_brief_shows_shipped_chinese_prose_without_stray_spaces(
    catalog: Catalog, scenario: Scenario
) -> None:
    brief = brief_text(scenario, catalog, "zh")
    assert "已付 70%。系统上线后" in brief
    assert "（55.8 万元）合同约定" in brief
    assert not re.search(r"[，。；：）」] ", brief)


def test_the_brief_shows_difficulty_as_stars_like_the_picker(
    catalog: Catalog, scenario: Scenario
) -> None:
    assert "难度 ★★★☆☆ · 忠诚型 · 久拖不决" in brief_text(scenario, catalog, "zh")
    assert "Difficulty ★★★☆☆ · Loyalist" in brief_text(scenario, catalog, "en")


def test_every_rule_set_for_a_threatening_rep_reads_as_words(catalog: Catalog) -> None:
    transcript = parse_transcript("客户：你好。\n销售：再不付款我们就走法律程序。")
    rules = {b.rule for b in bounds(compute_metrics(transcript)).values() if b.rule}
    shown = {rule_text(r, catalog, "zh") for r in rules}
    assert "说了威胁的话" in shown
    assert not any(re.search(r"[a-z_]{4,}", s) for s in shown)


def test_an_english_hint_names_the_missing_answer_mid_sentence(catalog: Catalog) -> None:
    hint = Hint(code="hint.ask_fact", params={"fact": "acceptance_person"})
    assert hint_text(hint, catalog, "en") == (
        'You don\'t know "who accepts the project" yet. Try an open question about it.'
    )
    assert hint_text(hint, catalog, "zh") == "还不清楚「项目验收人是谁」。试着用开放式问题问一问。"


def test_the_overdue_date_is_written_as_each_reader_writes_dates(
    catalog: Catalog, scenario: Scenario
) -> None:
    assert "逾期起始：2026 年 6 月 30 日" in brief_text(scenario, catalog, "zh")
    assert "Overdue since: 30 June 2026" in brief_text(scenario, catalog, "en")


def test_evidence_that_counts_against_the_rep_is_marked(catalog: Catalog) -> None:
    base = card()
    dims = dict(base.dimensions)
    dims["composure"] = DimensionScore(
        2.0,
        (Evidence(4, "再不付款我们就去纪委举报你们！"), Evidence(6, "理解您这边流程多，辛苦了。")),
        "",
    )
    text = scorecard_text(replace(base, dimensions=dims, metrics={"language": "zh"}), catalog, "zh")
    assert "⚠ 依据 #4 「再不付款我们就去纪委举报你们！」" in text
    assert "✓ 依据 #6 「理解您这边流程多，辛苦了。」" in text


def test_a_lowered_score_drops_the_tip_that_praised_what_the_trainer_took_back(
    catalog: Catalog,
) -> None:
    base = card()
    dims = dict(base.dimensions)
    dims["next_step"] = DimensionScore(2.5, (), catalog.t("zh", "tip.next_step.confirm"))
    dims["composure"] = DimensionScore(2.0, (), catalog.t("zh", "tip.good"))
    fixes = {
        dim: {"score": score, "original": 5.0, "reason": "承诺不算数", "by": "张老师",
              "at": "2026-12-01T10:00:00+00:00"}
        for dim, score in (("next_step", 2.5), ("composure", 2.0))
    }  # fmt: skip
    corrected = replace(base, dimensions=dims, overrides=fixes)
    text = scorecard_text(corrected, catalog, "zh")
    assert "复述确认" not in text
    assert catalog.t("zh", "tip.good") not in text
    assert catalog.t("zh", "tip.next_step.propose") in text
    assert "承诺不算数" in text  # the trainer's reason stands in its place
