"""The AnnoMI check: the listening score agrees with experts, on the exact score users get."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.domain.grading import scorecard_for
from bot.domain.transcript import parse_transcript
from bot.evaluation.annomi import LISTENING, evaluate, listening_scores, load
from bot.evaluation.roc import matched_auc, roc_auc
from bot.i18n import Catalog
from bot.offline.judge import OfflineJudge
from bot.settings import EVAL_DIR

ANNOMI = Path(os.environ.get("ANNOMI_PATH", str(EVAL_DIR / "annomi" / "annomi.jsonl")))


def _row(ident: int, quality: str, turns: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "id": f"annomi-{ident}",
        "source_transcript_id": ident,
        "mi_quality": quality,
        "turns": [
            {"speaker": speaker, "text": text, "has_reflection": "sounds like" in text}
            for speaker, text in turns
        ],
    }


@pytest.fixture
def tiny_set(tmp_path: Path) -> Path:
    """Two transcripts in the AnnoMI shape: one that listens, one that lectures."""
    rows = [
        _row(
            1,
            "high",
            [
                ("client", "I know I should cut down, but work has been crazy."),
                ("therapist", "It sounds like work leaves you little room. What would help?"),
                ("client", "Maybe fewer late nights."),
                ("therapist", "Fewer late nights."),
            ],
        ),
        _row(
            2,
            "low",
            [
                ("client", "I have a few beers after work."),
                ("therapist", "You're drinking too much. You need to stop, it's dangerous."),
                ("client", "Okay."),
                ("therapist", "You have to take this seriously."),
            ],
        ),
    ]
    path = tmp_path / "annomi.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_roc_auc_counts_wins_and_half_ties() -> None:
    # positives 0.9 and 0.3 against negatives 0.8 and 0.3: wins 1 + 1 + 0 + 0.5 of 4 pairs
    assert roc_auc([0.9, 0.8, 0.3, 0.3], [True, False, True, False]) == 0.625


def test_matched_auc_compares_only_transcripts_of_similar_length() -> None:
    # the long positive (100 turns) has no negative within 1.5x, so only the short pair counts
    result = matched_auc("score", [0.9, 0.1, 0.2], [True, True, False], [100, 10, 12], rounds=50)
    assert (result.auc, result.n) == (0.0, 1)


def test_eval_reads_the_same_listening_score_trainer_grade_reports(
    tiny_set: Path, tmp_path: Path, catalog: Catalog
) -> None:
    item = load(tiny_set)[0]
    transcript_file = tmp_path / "t.txt"
    transcript_file.write_text(item.transcript.render(), encoding="utf-8")

    graded = CliRunner().invoke(app, ["grade", str(transcript_file), "--json"])
    reported = json.loads(graded.stdout)["dimensions"]["listening"]["score"]
    assert asyncio.run(listening_scores([item], OfflineJudge(catalog)))[0] == reported


def test_eval_command_prints_listening_beside_both_baselines(tiny_set: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "annomi", str(tiny_set), "--rounds", "20"])
    lines = result.stdout.splitlines()
    assert (result.exit_code, lines[0].split(",")[0], lines[1].split()[0]) == (
        0,
        "AnnoMI: 2 transcripts (1 high",
        "listening",
    )


def test_eval_command_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = CliRunner().invoke(app, ["eval", "annomi", str(missing)])
    assert (result.exit_code, str(missing) in result.stderr) == (1, True)


def test_eval_command_names_the_line_that_is_not_a_transcript(tiny_set: Path) -> None:
    lines = tiny_set.read_text(encoding="utf-8").splitlines()
    tiny_set.write_text("\n".join([lines[0], "{not json", lines[1]]), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "annomi", str(tiny_set), "--lang", "en"])
    assert (result.exit_code, "Line 2 of" in result.stderr) == (1, True)


def test_eval_command_refuses_a_file_with_one_quality_label(tiny_set: Path) -> None:
    first = tiny_set.read_text(encoding="utf-8").splitlines()[0]
    tiny_set.write_text(first, encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "annomi", str(tiny_set), "--lang", "en"])
    assert (result.exit_code, "needs both high- and low-quality" in result.stderr) == (1, True)


async def test_only_simple_reflections_earn_the_complex_reflection_tip(catalog: Catalog) -> None:
    transcript = parse_transcript(
        "rep: What's holding up the payment?\n"
        "client: The acceptance report is still sitting with the finance office and nobody "
        "there has looked at it since the audit team left last month.\n"
        "rep: Still with the finance office.\n"
        "client: Yes, and the director who signs it is travelling until the end of the month, "
        "so it is waiting on him too.\n"
        "rep: Waiting on the director.\n"
        "client: Right, he is the only one who can approve it."
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, None, None, "en")
    assert card.dimensions["listening"].tip == catalog.t("en", "tip.listening.complex")


async def test_listening_quotes_the_turn_that_told_the_client_what_to_do(
    catalog: Catalog,
) -> None:
    transcript = parse_transcript(
        "client: I have a few beers after work.\n"
        "rep: How many on a usual evening?\n"
        "client: Three, maybe four.\n"
        "rep: You need to cut that down, it's dangerous."
    )
    card = await scorecard_for(OfflineJudge(catalog), transcript, None, None, "en")
    assert card.dimensions["listening"].evidence[0].turn == 2  # the rep's second message


@pytest.mark.skipif(
    not ANNOMI.exists(),
    reason=f"AnnoMI dataset not found at {ANNOMI}; set ANNOMI_PATH to annomi.jsonl to run it",
)
async def test_listening_score_separates_expert_high_from_low_quality(catalog: Catalog) -> None:
    items = load(ANNOMI)
    results = {r.name: r.auc for r in await evaluate(items, OfflineJudge(catalog), rounds=50)}
    listening = results.pop(LISTENING)
    assert (listening >= 0.80, all(listening > b for b in results.values())) == (True, True)
