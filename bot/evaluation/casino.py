"""Checks English persuasion cues against CaSiNo's negotiation-strategy labels.

CaSiNo (Chawla et al., 2021) is 1,030 campsite-supply negotiations between crowd workers; 396
carry per-utterance strategy labels. Some strategies are the behaviours our cues look for:
asking about the other side's needs (`elicit-pref`) is discovery by question, and
`showing-empathy` is what the empathy cue should catch. Each labelled utterance is read with
the other side's last message before it, as a rep turn is read against the client's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.cues import analyze
from bot.errors import TrainerError
from bot.evaluation.agreement import Agreement, Detector, agreement


@dataclass(frozen=True)
class Utterance:
    """One labelled utterance, the other side's message before it, and its strategies."""

    text: str
    before: str
    strategies: frozenset[str]


CHECKS: tuple[Detector[frozenset[str]], ...] = (
    ("question vs elicit-pref", lambda c: c.question, lambda s: "elicit-pref" in s),
    ("open question vs elicit-pref", lambda c: c.open_question, lambda s: "elicit-pref" in s),
    ("empathy vs showing-empathy", lambda c: c.empathy, lambda s: "showing-empathy" in s),
    (
        "value vs promote-coordination",
        lambda c: c.value,
        lambda s: "promote-coordination" in s,
    ),
)


def load(path: Path) -> list[Utterance]:
    """The strategy-labelled utterances of casino.jsonl, each with the message it answers."""
    items: list[Utterance] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                items.extend(_labelled(json.loads(line)))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise TrainerError("error.eval_file_invalid", path=path, line=number) from None
    return items


def _labelled(row: dict[str, Any]) -> list[Utterance]:
    last: dict[str, str] = {}
    found = []
    for turn in row["turns"]:
        if "text" not in turn:
            continue  # a deal action, not a message
        speaker, text = str(turn["speaker"]), str(turn["text"])
        before = next((t for s, t in last.items() if s != speaker), "")
        if "strategies" in turn:
            found.append(Utterance(text, before, frozenset(turn["strategies"])))
        last[speaker] = text
    return found


def evaluate(items: Sequence[Utterance]) -> list[Agreement]:
    """Precision and recall of each cue against the strategy it should catch."""
    pairs = [(analyze(u.text, u.before, "en"), u.strategies) for u in items]
    return agreement(pairs, CHECKS)
