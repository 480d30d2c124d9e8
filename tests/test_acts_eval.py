"""`trainer eval acts`: per-label scores beside a majority baseline, predictions alike."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import trainer

ITEMS = [
    {
        "id": "t1",
        "context": [{"speaker": "client", "text": "群众投诉都打到局里来了。"}],
        "rep": "投诉都打到局里了，您这段时间压力肯定很大。",
        "next_client": "你知道就好。",
        "labels": {
            "question": "none",
            "asks_about": [],
            "reflection": "complex",
            "empathy": True,
            "apology": False,
            "tone": "calm",
            "advice": False,
            "cites_rule": False,
            "proposal": {"date": False, "person": False, "action": False},
            "next_client_reply": "other",
        },
    },
    {
        "id": "t2",
        "context": [{"speaker": "client", "text": "再等等。"}],
        "rep": "那我们法院见。",
        "next_client": "随便你。",
        "labels": {
            "question": "none",
            "asks_about": [],
            "reflection": "none",
            "empathy": False,
            "apology": False,
            "tone": "threat",
            "advice": False,
            "cites_rule": False,
            "proposal": {"date": False, "person": False, "action": False},
            "next_client_reply": "other",
        },
    },
]


def _write(path: Path, items: list[dict[str, object]]) -> None:
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), "utf-8")


def test_eval_acts_prints_scores_and_a_baseline_as_json(tmp_path: Path) -> None:
    data_file = tmp_path / "acts.jsonl"
    _write(data_file, ITEMS)
    result = trainer("eval", "acts", str(data_file), "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["items"] == 2
    tone = data["labels"]["tone=threat"]
    assert tone["f1"] == 1.0 and tone["baseline_f1"] == 0.0
    assert set(data["accuracy"]) >= {"tone", "base:tone", "reflection", "next_client_reply"}


def test_predictions_work_on_unlabelled_items_in_the_same_schema(tmp_path: Path) -> None:
    data_file, out = tmp_path / "acts.jsonl", tmp_path / "pred.jsonl"
    _write(data_file, [{k: v for k, v in i.items() if k != "labels"} for i in ITEMS])
    result = trainer("eval", "acts", str(data_file), "--predictions", str(out), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2"]
    assert set(rows[0]["labels"]) == set(ITEMS[0]["labels"])  # type: ignore[arg-type]
    assert rows[1]["labels"]["tone"] == "threat"


def test_a_broken_line_is_one_clear_message(tmp_path: Path) -> None:
    data_file = tmp_path / "acts.jsonl"
    data_file.write_text("{not json\n", "utf-8")
    result = trainer("eval", "acts", str(data_file), tmp_path=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_directory_is_read_through_the_jsonl_inside_it(tmp_path: Path) -> None:
    folder = tmp_path / "zh_acts"
    folder.mkdir()
    _write(folder / "zh_acts.jsonl", ITEMS)
    (folder / "README.md").write_text("notes", "utf-8")
    result = trainer("eval", "acts", str(folder), "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["items"] == 2


def test_a_directory_without_one_jsonl_says_what_is_expected(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = trainer("eval", "acts", str(empty), "--lang", "en", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "no .jsonl file" in result.stderr and "crash" not in result.stderr.lower()
    many = tmp_path / "many"
    many.mkdir()
    _write(many / "a.jsonl", ITEMS)
    _write(many / "b.jsonl", ITEMS)
    result = trainer("eval", "acts", str(many), "--lang", "zh", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "a.jsonl, b.jsonl" in result.stderr and "Traceback" not in result.stderr
