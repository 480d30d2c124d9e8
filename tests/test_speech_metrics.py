"""Speech metrics from the rep's voice notes: rate, filler words, longest unbroken stretch."""

from __future__ import annotations

import pytest

from bot.domain.metrics import compute_metrics
from bot.domain.speech import fillers, speech_metrics
from bot.domain.transcript import Transcript


def spoken(*turns: tuple[str, str, float | None]) -> Transcript:
    """A transcript from (speaker, text, seconds) triples."""
    transcript = Transcript()
    for speaker, text, seconds in turns:
        transcript = transcript.add(speaker, text, seconds=seconds)  # type: ignore[arg-type]
    return transcript


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("嗯，王科长，那个，就是说我们的尾款……", "zh", 3),
        ("那个项目的验收是谁负责？", "zh", 0),  # a demonstrative, not a filler
        ("好啊。我们下周再约。", "zh", 0),  # 啊 as a sentence-final particle
        ("也就是说验收还没做完。", "zh", 0),
        ("啊，是这样，呃，我再确认一下。", "zh", 2),
        ("Um, so the invoice is, like, overdue, uh, since May.", "en", 3),
        ("I like the plan and would like to confirm the date.", "en", 0),
    ],
)
def test_filler_words_are_counted_only_where_they_fill(text: str, lang: str, expected: int) -> None:
    assert fillers(text, lang) == expected  # type: ignore[arg-type]


def test_speaking_rate_is_chinese_characters_per_minute_of_voice() -> None:
    transcript = spoken(
        ("client", "你说吧。", None),
        ("rep", "王科长您好，我想了解一下项目验收的情况。", 6.0),  # 18 characters
        ("client", "验收还没做。", None),
        ("rep", "那验收标准是什么？", 4.0),  # 8 characters
    )
    found = speech_metrics(transcript, "zh")
    assert found is not None
    assert (found.spoken_turns, found.seconds, round(found.rate)) == (2, 10.0, 156)
    assert (found.pace, found.rate_unit) == ("slow", "chars")


def test_english_rate_is_words_per_minute_and_the_longest_stretch_names_its_turn() -> None:
    transcript = spoken(
        ("client", "Go on.", None),
        ("rep", "Could you tell me who signs the acceptance report?", 3.0),  # 9 words
        ("client", "Mr Li.", None),
        ("rep", "Thank you.", 1.0),
    )
    found = speech_metrics(transcript, "en")
    assert found is not None
    assert (round(found.rate), found.pace) == (165, "steady")
    assert (found.longest_seconds, found.longest_turn) == (3.0, 2)


def test_a_typed_session_has_no_speech_metrics() -> None:
    transcript = spoken(("client", "你说吧。", None), ("rep", "您好。", None))
    assert speech_metrics(transcript, "zh") is None
    assert "speech" not in compute_metrics(transcript, lang="zh").as_dict()


def test_typed_turns_in_a_spoken_session_do_not_count_towards_the_rate() -> None:
    transcript = spoken(
        ("client", "你说吧。", None),
        ("rep", "嗯，您好，我是小陈。", 3.0),
        ("rep", "这是一条打出来的很长很长很长很长很长的消息。", None),
    )
    metrics = compute_metrics(transcript, lang="zh").as_dict()
    assert metrics["speech"]["spoken_turns"] == 1
    assert metrics["speech"]["fillers"] == 1
    assert metrics["speech"]["rate"] == round(7 / (3 / 60))
