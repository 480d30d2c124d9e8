"""Checks the listening score against expert labels: AnnoMI high- vs low-quality counselling.

The therapist plays the rep. Each transcript is graded through the same `grade` pipeline as
`trainer grade --json`, and ROC AUC says how well its listening score separates the expert
"high" from "low" transcripts, beside two naive baselines computed the same way.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain.grading import grade
from bot.domain.lang import units
from bot.domain.ports import Judge
from bot.domain.transcript import Speaker, Transcript


@dataclass(frozen=True)
class Labelled:
    """One transcript and its expert label."""

    id: str
    high: bool
    transcript: Transcript


@dataclass(frozen=True)
class AucResult:
    """An AUC with its bootstrap 95% interval."""

    name: str
    auc: float
    low: float
    high: float


def load(path: Path) -> list[Labelled]:
    """Read annomi.jsonl into transcripts (therapist → rep, client → client)."""
    items: list[Labelled] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            transcript = Transcript()
            for turn in row["turns"]:
                speaker: Speaker = "rep" if turn["speaker"] == "therapist" else "client"
                transcript = transcript.add(speaker, turn["text"])
            items.append(Labelled(row["id"], row["mi_quality"] == "high", transcript))
    return items


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Probability a random positive outscores a random negative (ties count half)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        raise ValueError("need both classes")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def bootstrap(
    scores: Sequence[float], labels: Sequence[bool], rounds: int = 1000, seed: int = 7
) -> tuple[float, float]:
    """A stratified bootstrap 95% interval for the AUC."""
    rng = random.Random(seed)
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    aucs = []
    for _ in range(rounds):
        p = [rng.choice(pos) for _ in pos]
        n = [rng.choice(neg) for _ in neg]
        aucs.append(roc_auc(p + n, [True] * len(p) + [False] * len(n)))
    aucs.sort()
    return aucs[int(0.025 * rounds)], aucs[int(0.975 * rounds) - 1]


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
        card = await grade(judge, item.transcript, None, None, "en")
        scores.append(card.dimensions["listening"].score)
    return scores


async def evaluate(items: Sequence[Labelled], judge: Judge, rounds: int = 1000) -> list[AucResult]:
    """AUC of the listening score and of the two baselines, each with a 95% interval."""
    labels = [i.high for i in items]
    series = {"listening score (trainer grade)": await listening_scores(items, judge)}
    for name, fn in _baselines().items():
        series[name] = [fn(i.transcript) for i in items]
    results = []
    for name, scores in series.items():
        lo, hi = bootstrap(scores, labels, rounds)
        results.append(AucResult(name, roc_auc(scores, labels), lo, hi))
    return results
