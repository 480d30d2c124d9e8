"""The guard reads a streamed reply once, incrementally, and how the stream happens to be cut
changes nothing: a reply fed in random pieces shows the same text and stops at the same leak
as the same reply fed whole. What the guard derives once per process (the stable prompt, a
scenario's sayable lines, folded pieces) gives the verdicts the whole texts would."""

from __future__ import annotations

import random

import pytest

from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript
from bot.llm.guard import Guard, Leak, _Runs, _runs_of, guard_for, sayable
from bot.llm.normal_form import fold, fold_part, has_han
from bot.llm.speech import GuardedSpeech
from tests.test_llm_leak_forms import ORDINARY_TALK, OUT_OF_CHARACTER, RETYPED_MARKERS

INSTRUCTIONS = "Stay in character at all times. You are a real person in a Chinese office."
NOTES = "本轮：心情平稳，耐心三。不要提验收由谁负责。对方说：您好，请问王科长在吗？"
REP = "您好，请问王科长在吗？我是华信科技的小陈，想跟您约十五分钟谈一下验收。"


def _guards(scenario: Scenario) -> list[Guard]:
    transcript = Transcript().add("client", scenario.stages[0].opening).add("rep", REP)
    speaker = scenario.stages[0].persona.name
    return [
        guard_for(scenario, (), transcript, INSTRUCTIONS),
        guard_for(scenario, (), transcript, INSTRUCTIONS, speaker=speaker, notes=NOTES),
    ]


def _replies(scenario: Scenario) -> list[str]:
    """Each leak form alone, after ordinary talk, and before it; plus hidden text running
    across two sentences, the instructions, the rep's words and another speaker's label."""
    fact = next(iter(scenario.facts.values()))
    forms = [*OUT_OF_CHARACTER, *RETYPED_MARKERS, fact.reveal, INSTRUCTIONS, NOTES, REP]
    forms.append("in a Chinese office" + NOTES[:7])  # instructions only across the two
    forms += [f"{scenario.stages[1].persona.name}：您好。", "（他起身离开了）我先走了。"]
    half = len(fact.reveal) // 2
    forms.append(f"好的。{fact.reveal[:half]}。{fact.reveal[half:]}")
    out = list(ORDINARY_TALK)
    for i, form in enumerate(forms):
        talk = ORDINARY_TALK[i % len(ORDINARY_TALK)]
        out += [form, f"{talk}{form}", f"{form}{talk}", f"{talk} {form}\n{talk}"]
    return out


async def _feed(guard: Guard, pieces: list[str]) -> tuple[str, Leak | None, list[str]]:
    shown: list[str] = []

    async def sink(words: str) -> None:
        shown.append(words)

    speech = GuardedSpeech(guard, sink)
    for piece in pieces:
        await speech.feed(piece)
    await speech.finish()
    return speech.text, speech.leak, shown


def _cut(text: str, rng: random.Random) -> list[str]:
    cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(1, 12))))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


async def test_a_reply_cut_anywhere_shows_and_stops_as_the_reply_fed_whole(
    scenario: Scenario,
) -> None:
    rng = random.Random(17)
    replies = _replies(scenario)
    stopped = 0
    for guard in _guards(scenario):
        for reply in replies:
            text, leak, _ = await _feed(guard, [reply])
            stopped += leak is not None
            for pieces in [list(reply), *(_cut(reply, rng) for _ in range(6))]:
                got_text, got_leak, shown = await _feed(guard, pieces)
                assert (got_text, got_leak) == (text, leak), (reply, pieces)
                assert "".join(shown) == got_text
    assert 0 < stopped < 2 * len(replies)  # both verdicts are exercised


async def test_the_split_guard_judges_as_the_one_given_every_text_whole(
    scenario: Scenario,
) -> None:
    """`sayable` and `notes` are kept apart only to cache them: joined back into `public` and
    `instructions`, every reply gets the same verdict."""
    for split in _guards(scenario):
        whole = Guard(
            split.markers,
            split.hidden,
            f"{split.instructions}\n{split.notes}" if split.notes else split.instructions,
            (*split.sayable, *split.public),
            split.speaker,
            split.others,
            split.rep_lines,
        )
        for reply in _replies(scenario):
            assert await _feed(split, [reply]) == await _feed(whole, [reply]), reply


def test_sayable_lines_are_public_through_the_split(scenario: Scenario) -> None:
    guard = _guards(scenario)[0]
    assert guard.sayable == tuple(sayable(scenario))
    line = scenario.stages[0].persona.will_say[0]
    assert guard.check(line) is None


def test_runs_answer_as_the_sets_of_runs_they_stand_for() -> None:
    rng = random.Random(5)
    alphabet = ["甲", "乙", "丙", "丁", "ab", "c"]
    for _ in range(200):
        texts = [[rng.choice(alphabet) for _ in range(rng.randint(0, 14))] for _ in range(3)]
        index = _Runs(texts)
        for n in (4, 5, 6, 9):
            expected = set().union(*(_runs_of(t, n) for t in texts))
            probe = [rng.choice(alphabet) for _ in range(30)]
            for run in _runs_of(probe, n) | expected:
                assert index.has(run) == (run in expected), (texts, run)


@pytest.mark.parametrize(
    "parts",
    [
        ["作為一個人工智能", "plain english"],  # one part decides conversion for all
        ["𠁞", "no han here"],  # converted only when another part has a Chinese character
        ["𠁞", "甲"],
        ["e\u0301", "\u0301a"],  # combining marks at the join
        ["ΟΔΟΣ", "ΣΑ"],  # final sigma at the join
        ["A\u200b", "\u200bI ", " 乾隆-", "-乾坤"],
        ["ＡＩ－２０２５", "", "  ", "趙敏。"],
    ],
)
def test_folding_texts_one_by_one_is_folding_them_joined(parts: list[str]) -> None:
    simplify = any(has_han(p) for p in parts)
    assert "\n".join(fold_part(p, simplify) for p in parts) == fold("\n".join(parts))


@pytest.mark.parametrize(
    ("sayable", "public", "shown", "said"),
    [
        (("验收找赵",), ("敏。",), "验收找赵敏。", True),  # said across the join of the parts
        (("验收找赵",), (), "验收找赵敏。", False),
        ((), ("验收找赵", "敏"), "验收找赵敏。", True),
        (("问 zhao",), ("min 吧",), "Ask Zhao Min.", True),  # the pinyin, across the join
        (("问 zhao",), ("min 吧",), "验收找赵敏。", False),  # (the characters were not said)
        (("WJW-2025",), ("-017",), "编号是WJW-2025-017。", True),
        (("WJW-2025",), ("-0171",), "编号是WJW-2025-017。", False),  # not a whole word
        (("赵敏说过",), ("好",), "验收找赵敏。", True),  # wholly in the sayable part
        (("", "赵敏"), ("",), "验收找赵敏。", True),
    ],
)
def test_a_marker_said_across_the_sayable_and_this_moments_texts_is_said(
    sayable: tuple[str, ...], public: tuple[str, ...], shown: str, said: bool
) -> None:
    markers = {"fact:x": ("赵敏", "WJW-2025-017")}
    split = Guard(markers, {}, "", public, sayable=sayable)
    whole = Guard(markers, {}, "", (*sayable, *public))
    for words in ("验收找赵敏。", "Ask Zhao Min.", "编号是WJW-2025-017。"):
        assert split.check(words) == whole.check(words), words
    assert (split.check(shown) is None) == said
