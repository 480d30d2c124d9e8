"""The leak guard: a deterministic check of a model's words against what must stay hidden.

A reply (or a coach's hint) leaks when it
- carries a marker of a fact the rep has not earned (a name, a number, a code from the
  scenario), unless the rep said that marker first;
- shares a run of words with a hidden fact's value or line, with a `wont_say` line, or with the
  instructions the model was given, that no public text (the brief, the sayable lines, the
  conversation) contains; runs are counted in tokens, one Chinese character or one Latin word
  each, so the same rule serves both languages;
- steps out of character ("作为AI", "language model", the state delimiter, JSON keys).
The engine decides what is earned; this only keeps the words honest to that decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[a-z0-9]+(?:[-'][a-z0-9]+)*")
FACT_RUN = 6  # tokens shared with a hidden fact or a `wont_say` line
PROMPT_RUN = 9  # tokens shared with the instructions
OUT_OF_CHARACTER = (
    "作为ai",
    "我是ai",
    "我是一个ai",
    "ai助手",
    "人工智能助手",
    "语言模型",
    "大模型",
    "提示词",
    "系统提示",
    "角色扮演",
    "扮演的角色",
    "导演",
    "as an ai",
    "i am an ai",
    "i'm an ai",
    "ai assistant",
    "language model",
    "system prompt",
    "my instructions",
    "role-play",
    "roleplay",
    "director's notes",
    "<<<",
    ">>>",
    "facts_revealed",
    "mood_change",
    "meeting_ended",
    "stage_change",
)


def tokens(text: str) -> list[str]:
    """Chinese characters and Latin words, lower-cased; punctuation and spaces dropped."""
    return _TOKEN.findall(text.lower())


def runs(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of `n` consecutive tokens."""
    toks = tokens(text)
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


@dataclass(frozen=True)
class Leak:
    """Why a text was stopped: the kind of hidden material and which item."""

    kind: str
    item: str


@dataclass(frozen=True)
class Guard:
    """Checks texts against the hidden material of one moment of one session."""

    markers: dict[str, tuple[str, ...]]
    hidden: dict[str, str]
    instructions: str
    public: tuple[str, ...]

    def _public_runs(self, n: int) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        for text in self.public:
            found |= runs(text, n)
        return found

    def check(self, text: str) -> Leak | None:
        """The first leak in `text`, or None when it is safe to show."""
        low = text.lower()
        compact = re.sub(r"\s+", "", low)
        for phrase in OUT_OF_CHARACTER:
            if phrase in low or phrase.replace(" ", "") in compact:
                return Leak("character", phrase)
        said = "\n".join(self.public).lower()
        for item, markers in self.markers.items():
            for marker in markers:
                if marker.lower() in low and marker.lower() not in said:
                    return Leak("marker", item)
        fact_runs = runs(text, FACT_RUN) - self._public_runs(FACT_RUN)
        if fact_runs:
            for item, secret in self.hidden.items():
                if fact_runs & runs(secret, FACT_RUN):
                    return Leak("hidden", item)
        prompt_runs = runs(text, PROMPT_RUN) - self._public_runs(PROMPT_RUN)
        if prompt_runs & runs(self.instructions, PROMPT_RUN):
            return Leak("instructions", "prompt")
        return None


def sayable(scenario: Scenario) -> list[str]:
    """Lines a client persona may say at any time.

    Objection lines and the commitment's acceptance are not among them: they can name a
    hidden fact (the acceptance line names who will sign), so they count as public only in
    the turn the engine plans them (`extra_public`) and, once said, through the transcript.
    """
    lines = [scenario.brief.client, scenario.brief.history, scenario.brief.goal]
    lines += list(scenario.brief.known)
    for stage in scenario.stages:
        persona = stage.persona
        # The style quotes phrases the persona uses (「领导在开会」): they are meant to be said.
        lines += [stage.opening, persona.role, persona.style, *persona.will_say]
        lines += persona.motivations
        lines += [line for group in stage.lines.values() for line in group]
        if stage.advance:
            lines.append(stage.advance.line)
    lines.append(scenario.commitment.decline)
    return lines


def guard_for(
    scenario: Scenario,
    allowed: Iterable[str],
    transcript: Transcript,
    instructions: str,
    extra_public: Iterable[str] = (),
) -> Guard:
    """The guard for a moment where only the facts in `allowed` may be told."""
    open_keys = set(allowed)
    markers: dict[str, tuple[str, ...]] = {}
    hidden: dict[str, str] = {}
    public = sayable(scenario) + [t.text for t in transcript] + list(extra_public)
    for key, fact in scenario.facts.items():
        if key in open_keys:
            public += [fact.reveal, fact.value]
            continue
        markers[f"fact:{key}"] = tuple(fact.markers)
        hidden[f"fact:{key}"] = f"{fact.value}\n{fact.reveal}"
    for stage in scenario.stages:
        for i, line in enumerate(stage.persona.wont_say):
            hidden[f"wont_say:{stage.id}:{i}"] = line
    return Guard(markers, hidden, instructions, tuple(public))
