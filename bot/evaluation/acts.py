"""Turn-level agreement of a reader with labelled Chinese rep turns (`shared/eval/zh_acts`).

A reader sees only `context`, `rep` and `next_client`; the labels are compared afterwards.
Each label value is scored one-against-the-rest (precision, recall, F1), beside a baseline
that always predicts the field's most common value, and each field's accuracy is given too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.facts import FACT_KEYS
from bot.errors import TrainerError
from bot.reading.types import Dialogue, Line, Reading

Labels = dict[str, Any]
FIELDS = (
    "question",
    "reflection",
    "empathy",
    "apology",
    "tone",
    "advice",
    "cites_rule",
    "next_client_reply",
)


@dataclass(frozen=True)
class Item:
    """One labelled (or unlabelled) rep turn."""

    id: str
    dialogue: Dialogue
    labels: Labels | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one binary decision, for the reader and the baseline."""

    name: str
    support: int
    precision: float
    recall: float
    f1: float
    baseline_f1: float


def load(path: Path) -> list[Item]:
    """Read a zh_acts JSONL file (labels optional)."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            context = tuple(Line(c["speaker"], str(c["text"])) for c in row.get("context", []))
            dialogue = Dialogue(str(row["rep"]), context, row.get("next_client"), "zh")
        except (ValueError, KeyError, TypeError) as exc:
            raise TrainerError("error.eval_line", line=n) from exc
        items.append(Item(str(row.get("id", n)), dialogue, row.get("labels"), row))
    return items


def labels_of(r: Reading) -> Labels:
    """A reading in the data set's label schema."""
    return {
        "question": r.question_form,
        "asks_about": sorted(r.asks_about, key=FACT_KEYS.index) if r.question else [],
        "reflection": r.reflection_kind,
        "empathy": r.empathy,
        "apology": r.apology,
        "tone": r.tone,
        "advice": r.advice,
        "cites_rule": r.cites_rule,
        "proposal": {
            "date": r.next_step.date,
            "person": r.next_step.person,
            "action": r.next_step.action,
        },
        "next_client_reply": r.reply,
    }


def _decisions(labels: Labels) -> dict[str, bool]:
    """Every binary decision a label set makes."""
    out: dict[str, bool] = {}
    for value in ("closed", "open"):
        out[f"question={value}"] = labels["question"] == value
    out["question (any)"] = labels["question"] != "none"
    for key in FACT_KEYS:
        out[f"asks_about.{key}"] = key in labels["asks_about"]
    for value in ("simple", "complex", "distorted", "parrot"):
        out[f"reflection={value}"] = labels["reflection"] == value
    out["reflection (faithful)"] = labels["reflection"] in ("simple", "complex")
    for name in ("empathy", "apology", "advice", "cites_rule"):
        out[name] = bool(labels[name])
    for value in ("pressure", "sarcasm", "veiled_threat", "threat"):
        out[f"tone={value}"] = labels["tone"] == value
    out["tone (not calm)"] = labels["tone"] != "calm"
    for part in ("date", "person", "action"):
        out[f"proposal.{part}"] = bool(labels["proposal"][part])
    out["proposal (complete)"] = all(labels["proposal"].values())
    for value in ("accept", "defer", "refuse"):
        out[f"reply={value}"] = labels["next_client_reply"] == value
    return out


def _prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _majority(gold: list[Labels]) -> Labels:
    def common(field: str) -> Any:
        return Counter(json.dumps(g[field]) for g in gold).most_common(1)[0][0]

    fields = (*FIELDS, "asks_about", "proposal")
    return {f: json.loads(common(f)) for f in fields}


def score(predicted: list[Labels], gold: list[Labels]) -> tuple[list[Score], dict[str, float]]:
    """Per-decision scores and per-field accuracy (reader, then baseline, under `base:`)."""
    base = _majority(gold)
    rows_p = [_decisions(p) for p in predicted]
    rows_g = [_decisions(g) for g in gold]
    rows_b = [_decisions(base)] * len(gold)
    scores = []
    for name in rows_g[0]:
        g = [r[name] for r in rows_g]
        p, r, f = _prf([row[name] for row in rows_p], g)
        scores.append(Score(name, sum(g), p, r, f, _prf([row[name] for row in rows_b], g)[2]))
    accuracy: dict[str, float] = {}
    for field in FIELDS:
        n = len(gold)
        accuracy[field] = (
            sum(p[field] == g[field] for p, g in zip(predicted, gold, strict=True)) / n
        )
        accuracy[f"base:{field}"] = sum(base[field] == g[field] for g in gold) / n
    return scores, accuracy


async def predict(
    items: Sequence[Item], read: Callable[[Dialogue], Awaitable[Reading]]
) -> list[Labels]:
    """The reader's labels for every item."""
    return [labels_of(await read(item.dialogue)) for item in items]


def write_predictions(items: Sequence[Item], predicted: Sequence[Labels], out: Path) -> None:
    """Each item as read, its labels replaced by the predicted ones (same schema)."""
    lines = [
        json.dumps({**item.raw, "labels": labels}, ensure_ascii=False)
        for item, labels in zip(items, predicted, strict=True)
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
