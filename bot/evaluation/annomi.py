"""Checks the listening score against expert labels: AnnoMI high- vs low-quality counselling.

The therapist plays the rep. Each transcript is graded through the same `grade` pipeline as
`trainer grade --json`, and ROC AUC says how well its listening score separates the expert
"high" from "low" transcripts, beside two naive baselines computed the same way. Because
low-quality transcripts are much shorter, the report also gives the AUC inside pairs of
similar length, the AUC of each listening sub-score alone, the AUC on the transcripts with
an odd upstream id (the English rules were written reading only even-id transcripts, so
these are held out), and each detector's per-utterance precision and recall.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.grading import scorecard_for
from bot.domain.lang import units
from bot.domain.metrics import Metrics, compute_metrics
from bot.domain.ports import Judge
from bot.domain.transcript import Speaker, Transcript
from bot.errors import TrainerError
from bot.evaluation.agreement import DETECTORS, Agreement, RepLabel, agreement
from bot.evaluation.roc import AucResult, auc_result, matched_auc, roc_auc
from bot.offline.judge import listening_parts

LISTENING = "listening score (trainer grade)"
__all__ = ["AucResult", "Labelled", "Report", "evaluate", "listening_report", "load", "roc_auc"]


@dataclass(frozen=True)
class Labelled:
    """One transcript, its expert label, and the experts' codes of each rep turn."""

    id: str
    high: bool
    transcript: Transcript
    labels: tuple[RepLabel, ...] = ()
    source_id: int = 0


@dataclass(frozen=True)
class Report:
    """Everything `trainer eval annomi` prints."""

    headline: list[AucResult]
    matched: list[AucResult]
    held_out: list[AucResult]
    parts: list[AucResult]
    detectors: list[Agreement]


def _labelled(row: dict[str, Any]) -> Labelled:
    transcript = Transcript()
    labels = []
    for turn in row["turns"]:
        speaker: Speaker = "rep" if turn["speaker"] == "therapist" else "client"
        transcript = transcript.add(speaker, str(turn["text"]))
        if speaker == "rep":
            labels.append(RepLabel.from_annomi(turn))
    return Labelled(
        str(row["id"]),
        row["mi_quality"] == "high",
        transcript,
        tuple(labels),
        int(row.get("source_transcript_id", 0)),
    )


def load(path: Path) -> list[Labelled]:
    """Read annomi.jsonl into transcripts (therapist → rep, client → client)."""
    items: list[Labelled] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                items.append(_labelled(json.loads(line)))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise TrainerError("error.eval_file_invalid", path=path, line=number) from None
    if len({i.high for i in items}) < 2:
        raise TrainerError("error.eval_one_class", path=path)
    return items


def _baselines() -> dict[str, Callable[[Transcript], float]]:
    def turns(t: Transcript) -> float:
        return float(len(t))

    def mean_rep_length(t: Transcript) -> float:
        reps = t.rep_turns()
        return -sum(units(r.text) for r in reps) / max(1, len(reps))

    return {
        "baseline: number of turns": turns,
        "baseline: mean rep-turn length (negated)": mean_rep_length,
    }


async def listening_scores(items: Sequence[Labelled], judge: Judge) -> list[float]:
    """The listening score `trainer grade --json` reports, for every transcript."""
    scores = []
    for item in items:
        card = await scorecard_for(judge, item.transcript, None, None, "en")
        scores.append(card.dimensions["listening"].score)
    return scores


async def _series(items: Sequence[Labelled], judge: Judge) -> dict[str, list[float]]:
    series = {LISTENING: await listening_scores(items, judge)}
    for name, fn in _baselines().items():
        series[name] = [fn(i.transcript) for i in items]
    return series


async def evaluate(items: Sequence[Labelled], judge: Judge, rounds: int = 1000) -> list[AucResult]:
    """AUC of the listening score and of the two baselines, each with a 95% interval."""
    labels = [i.high for i in items]
    series = await _series(items, judge)
    return [auc_result(name, scores, labels, rounds) for name, scores in series.items()]


def _both(labels: Sequence[bool]) -> bool:
    return len(set(labels)) == 2


def _parts(metrics: Sequence[Metrics], labels: Sequence[bool], rounds: int) -> list[AucResult]:
    """AUC of each listening sub-score alone, over the transcripts where it is defined."""
    parts = [listening_parts(m) for m in metrics]
    results = []
    for name in dict.fromkeys(k for p in parts for k in p):
        rows = [(p[name], y) for p, y in zip(parts, labels, strict=True) if name in p]
        if _both([y for _, y in rows]):
            results.append(auc_result(name, [s for s, _ in rows], [y for _, y in rows], rounds))
    return results


def _matched(
    series: dict[str, list[float]], labels: list[bool], lengths: list[int], rounds: int
) -> list[AucResult]:
    try:
        return [matched_auc(n, s, labels, lengths, rounds=rounds) for n, s in series.items()]
    except ValueError:  # no high/low pair of similar length: nothing to report
        return []


async def listening_report(items: Sequence[Labelled], judge: Judge, rounds: int = 1000) -> Report:
    """The headline AUCs and every check behind them (a check lacking data is left out)."""
    labels = [i.high for i in items]
    series = await _series(items, judge)
    held = [k for k, i in enumerate(items) if i.source_id % 2]
    held_labels = [labels[k] for k in held]
    metrics = [compute_metrics(i.transcript) for i in items]
    pairs = [
        (note.cues, label)
        for m, item in zip(metrics, items, strict=True)
        for note, label in zip(m.notes, item.labels, strict=True)
    ]
    return Report(
        headline=[auc_result(n, s, labels, rounds) for n, s in series.items()],
        matched=_matched(series, labels, [len(i.transcript) for i in items], rounds),
        held_out=[
            auc_result(n, [s[k] for k in held], held_labels, rounds) for n, s in series.items()
        ]
        if _both(held_labels)
        else [],
        parts=_parts(metrics, labels, rounds),
        detectors=agreement(pairs, DETECTORS),
    )
