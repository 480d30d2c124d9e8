"""The CaSiNo check: persuasion cues against negotiation-strategy labels."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from bot.evaluation.casino import evaluate, load


def _write(path: Path) -> Path:
    dialogue = {
        "id": "casino-1",
        "strategy_annotated": True,
        "turns": [
            {
                "speaker": "a",
                "text": "Hello! What do you need most?",
                "strategies": ["elicit-pref"],
            },
            {"speaker": "b", "text": "Water, my kid is sick.", "strategies": ["self-need"]},
            {
                "speaker": "a",
                "text": "I'm sorry to hear that, take all the water.",
                "strategies": ["showing-empathy"],
            },
            {"speaker": "b", "action": "Accept-Deal"},
        ],
    }
    path.write_text(json.dumps(dialogue), encoding="utf-8")
    return path


def test_each_cue_is_scored_against_the_strategy_it_should_catch(tmp_path: Path) -> None:
    results = {
        a.name: (a.true_pos, a.false_pos, a.false_neg)
        for a in evaluate(load(_write(tmp_path / "c.jsonl")))
    }
    assert (results["question vs elicit-pref"], results["empathy vs showing-empathy"]) == (
        (1, 0, 0),
        (1, 0, 0),
    )


def test_the_reply_is_read_against_the_other_sides_last_message(tmp_path: Path) -> None:
    items = load(_write(tmp_path / "c.jsonl"))
    assert [u.before for u in items] == [
        "",
        "Hello! What do you need most?",
        "Water, my kid is sick.",
    ]


def test_eval_casino_prints_one_line_per_check(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "casino", str(_write(tmp_path / "c.jsonl"))])
    assert (result.exit_code, len(result.stdout.splitlines())) == (0, 5)
