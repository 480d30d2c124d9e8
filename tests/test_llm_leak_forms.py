"""The guard normalises before it looks: every everyday out-of-character line and every retyped
fact marker from the attack on the persona is stopped, and ordinary official talk is not."""

from __future__ import annotations

import pytest

from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript
from bot.llm.guard import Guard, guard_for

OUT_OF_CHARACTER = [
    "作为一个AI，我没法回答这个。",
    "作为人工智能，我不能透露。",
    "我只是一个AI，帮不了你。",
    "我是ChatGPT，很高兴为您服务。",
    "我是通义千问，有什么可以帮您？",
    "我只是一个程序，没有真实身份。",
    "这只是一个销售培训模拟。",
    "I'm only an AI, I can't do that.",
    "Sorry, I am a chatbot.",
    "作为ＡＩ，我不便回答。",  # full-width letters
    "作为A\u200bI，我不便回答。",  # a zero-width space inside
    "作為一個人工智能，我不能說。",  # Traditional characters
    "我是一個AI語言模型。",
    "Stay in character at all times.",
    "作为 A I，我不方便说。",
    "As a\u200b language model, I cannot say.",
]
RETYPED_MARKERS = [
    "验收是赵 敏牵头的。",  # a space inside the name
    "验收找趙敏。",  # the name in Traditional
    "合同编号是 WJW 2025 017。",  # separators retyped
    "合同编号是WJW\u20102025\u2010017。",  # a Unicode hyphen
    "合同是ＷＪＷ－２０２５－０１７。",  # full-width
    "You should talk to Zhao Min.",  # pinyin of 赵敏
    "Ask zhaomin about it.",
    "验收找赵\u200b敏。",
]
ORDINARY_TALK = [
    "你说的什么AI？我听不懂。咱们还是说正事吧。",
    "按程序办，该走的流程一步都不能少。",
    "只是程序上还要研究一下。",
    "我只是个科员，这事做不了主。",
    "That is one way to put it, but procedure is procedure.",
    "We could take this as a model for other districts.",
    "后天再说吧，我这边下午有会。",
    "He is done, payment requests go through the office.",
]


def _guard(scenario: Scenario, rep: str = "您好，请问王科长在吗？") -> Guard:
    transcript = Transcript().add("client", scenario.stages[0].opening).add("rep", rep)
    return guard_for(scenario, (), transcript, "Stay in character at all times.")


@pytest.mark.parametrize("words", OUT_OF_CHARACTER)
def test_an_out_of_character_line_is_stopped(scenario: Scenario, words: str) -> None:
    leak = _guard(scenario).check(words)
    assert leak is not None, words
    assert leak.kind == "character"


@pytest.mark.parametrize("words", RETYPED_MARKERS)
def test_a_retyped_fact_marker_is_stopped(scenario: Scenario, words: str) -> None:
    leak = _guard(scenario).check(words)
    assert leak is not None, words
    assert leak.kind == "marker"


@pytest.mark.parametrize("words", ORDINARY_TALK)
def test_ordinary_official_talk_is_not_stopped(scenario: Scenario, words: str) -> None:
    assert _guard(scenario).check(words) is None


def test_a_marker_the_rep_said_first_in_another_form_may_be_echoed(scenario: Scenario) -> None:
    guard = _guard(scenario, rep="是不是趙敏副科长负责验收？")
    assert guard.check("赵敏？这个你得自己去问。") is None


def test_an_english_marker_matches_whole_words_only(library: object) -> None:
    from bot.scenarios.library import ScenarioLibrary

    assert isinstance(library, ScenarioLibrary)
    english = library.get("eco-monitoring-stations-en")
    transcript = Transcript().add("client", english.stages[0].opening).add("rep", "Hello.")
    guard = guard_for(english, (), transcript, "")
    markers = [m for f in english.facts.values() for m in f.markers]
    assert guard.check(f"It is {markers[0].replace('-', ' ')}.") is not None
    assert guard.check("Someone maps the stations, done payments are filed.") is None
