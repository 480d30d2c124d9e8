"""ROC AUC with a bootstrap interval, and a length-matched variant for confounded sets."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AucResult:
    """An AUC with its bootstrap 95% interval, over `n` transcripts (or pairs, when matched)."""

    name: str
    auc: float
    low: float
    high: float
    n: int = 0


def _split(scores: Sequence[float], labels: Sequence[bool]) -> tuple[list[float], list[float]]:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        raise ValueError("need both classes")
    return pos, neg


def _wins(p: float, n: float) -> float:
    return 1.0 if p > n else 0.5 if p == n else 0.0


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Probability a random positive outscores a random negative (ties count half)."""
    pos, neg = _split(scores, labels)
    return sum(_wins(p, n) for p in pos for n in neg) / (len(pos) * len(neg))


def bootstrap(
    scores: Sequence[float], labels: Sequence[bool], rounds: int = 1000, seed: int = 7
) -> tuple[float, float]:
    """A stratified bootstrap 95% interval for the AUC."""
    rng = random.Random(seed)
    pos, neg = _split(scores, labels)
    aucs = []
    for _ in range(rounds):
        p = [rng.choice(pos) for _ in pos]
        n = [rng.choice(neg) for _ in neg]
        aucs.append(roc_auc(p + n, [True] * len(p) + [False] * len(n)))
    aucs.sort()
    return aucs[int(0.025 * rounds)], aucs[int(0.975 * rounds) - 1]


def auc_result(
    name: str, scores: Sequence[float], labels: Sequence[bool], rounds: int = 1000
) -> AucResult:
    """AUC and bootstrap interval in one."""
    low, high = bootstrap(scores, labels, rounds)
    return AucResult(name, roc_auc(scores, labels), low, high, len(scores))


def _matched(pos: list[tuple[float, int]], neg: list[tuple[float, int]], ratio: float) -> float:
    wins = [
        _wins(p, n) for p, pl in pos for n, nl in neg if max(pl, nl) <= ratio * max(1, min(pl, nl))
    ]
    return sum(wins) / len(wins) if wins else 0.5


def matched_auc(
    name: str,
    scores: Sequence[float],
    labels: Sequence[bool],
    lengths: Sequence[int],
    ratio: float = 1.5,
    rounds: int = 1000,
    seed: int = 7,
) -> AucResult:
    """AUC over positive–negative pairs of similar length only (longer ≤ `ratio` × shorter).

    When one class is much shorter, any length-driven score wins the plain AUC; inside matched
    pairs length cannot help, so what remains is what the score sees beyond length. The
    interval resamples transcripts (not pairs, which share transcripts); `n` counts pairs.
    """
    rows = list(zip(scores, lengths, strict=True))
    pos = [r for r, y in zip(rows, labels, strict=True) if y]
    neg = [r for r, y in zip(rows, labels, strict=True) if not y]
    n_pairs = sum(1 for _, pl in pos for _, nl in neg if max(pl, nl) <= ratio * max(1, min(pl, nl)))
    if not n_pairs:
        raise ValueError("no pairs of similar length")
    rng = random.Random(seed)
    aucs = sorted(
        _matched([rng.choice(pos) for _ in pos], [rng.choice(neg) for _ in neg], ratio)
        for _ in range(rounds)
    )
    return AucResult(
        name,
        _matched(pos, neg, ratio),
        aucs[int(0.025 * rounds)],
        aucs[int(0.975 * rounds) - 1],
        n_pairs,
    )
