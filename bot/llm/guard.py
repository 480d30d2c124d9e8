"""The leak guard: a deterministic check of a model's words against what must stay hidden.

A reply (or a coach's hint) leaks when it
- carries a marker of a fact the rep has not earned (a name, a number, a code from the
  scenario), unless the rep said that marker first; markers match with separators and spaces
  ignored, and in pinyin ("Zhao Min" for 赵敏);
- shares a run of words with a hidden fact's value or line, with a `wont_say` line, or with the
  instructions the model was given, that no public text (the brief, the sayable lines, the
  conversation) contains; runs are counted in tokens, one Chinese character or one Latin word
  each, so the same rule serves both languages; a sentence made wholly of instruction text
  leaks however short it is;
- steps out of character (`character.py`: self-descriptions in both languages, the state
  delimiter, JSON keys);
- for the client, is not the client's own line: another speaker's label, narration of the
  scene, or the rep's own words handed back.
Every text is compared in `normal_form` (NFKC, no zero-width or bidi characters, Simplified).
The engine decides what is earned; this only keeps the words honest to that decision.

`Guard.scan()` checks a streamed reply sentence by sentence: each sentence once, against the
tokens already passed (runs may cross sentences), never re-reading the whole reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript
from bot.llm.character import GENERIC_LABELS, label_pattern, narration, out_of_character
from bot.llm.normal_form import fold, pinyin

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[a-z0-9]+(?:[-'][a-z0-9]+)*")
FACT_RUN = 6  # tokens shared with a hidden fact or a `wont_say` line
PROMPT_RUN = 9  # tokens shared with the instructions
PROMPT_SENTENCE = 5  # a sentence this long made only of instruction text
ECHO_RUN = 4  # tokens shared with the rep's words
ECHO_SHARE = 0.6  # a reply this much the rep's own words (once ECHO_MIN tokens long)
ECHO_MIN = 12
HOLD_RUN = 4  # a sentence ending in a run that could go on into hidden text waits for the next
_TAIL = 24  # characters of passed text a phrase or marker check looks back across


_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[a-z0-9]+")


def marker_pattern(marker: str) -> re.Pattern[str] | None:
    """A marker found with any separators or spaces between its parts, whole words only."""
    units = _UNIT.findall(fold(marker))
    if not units or (len(units) == 1 and len(units[0]) < 2):
        return None
    body = r"[\W_]*".join(re.escape(u) for u in units)
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")


def tokens(text: str) -> list[str]:
    """Chinese characters and Latin words, folded; punctuation and spaces dropped."""
    return _TOKEN.findall(fold(text))


def _runs_of(toks: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def runs(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of `n` consecutive tokens."""
    return _runs_of(tokens(text), n)


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
    speaker: str | None = None  # the client persona speaking (role checks only then)
    others: tuple[str, ...] = ()  # other speakers whose labels the client never carries
    rep_lines: tuple[str, ...] = field(default=())  # earlier turns no reply may hand back

    @cached_property
    def _public_tokens(self) -> list[list[str]]:
        return [tokens(t) for t in self.public]

    def _public_runs(self, n: int) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        for toks in self._public_tokens:
            found |= _runs_of(toks, n)
        return found

    @cached_property
    def _markers(self) -> list[tuple[str, re.Pattern[str]]]:
        """(item, pattern) for every marker, and its pinyin, that the rep has not said."""
        said = fold("\n".join(self.public))
        found: list[tuple[str, re.Pattern[str]]] = []
        for item, markers in self.markers.items():
            for marker in markers:
                for form in (marker, pinyin(marker)):
                    pattern = marker_pattern(form)
                    if pattern is not None and not pattern.search(said):
                        found.append((item, pattern))
        return found

    @cached_property
    def _fact_runs(self) -> dict[str, set[tuple[str, ...]]]:
        public = self._public_runs(FACT_RUN)
        return {item: runs(secret, FACT_RUN) - public for item, secret in self.hidden.items()}

    @cached_property
    def _prompt_runs(self) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
        toks = tokens(self.instructions)
        long = _runs_of(toks, PROMPT_RUN) - self._public_runs(PROMPT_RUN)
        short = _runs_of(toks, PROMPT_SENTENCE) - self._public_runs(PROMPT_SENTENCE)
        return long, short

    @cached_property
    def _public_short(self) -> set[tuple[str, ...]]:
        return self._public_runs(PROMPT_SENTENCE)

    @cached_property
    def _hold_runs(self) -> set[tuple[str, ...]]:
        found = _runs_of(tokens(self.instructions), HOLD_RUN)
        for secret in self.hidden.values():
            found |= runs(secret, HOLD_RUN)
        return found - self._public_runs(HOLD_RUN)

    @cached_property
    def _echo_runs(self) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        for line in self.rep_lines:
            found |= runs(line, ECHO_RUN)
        return found

    @cached_property
    def _labels(self) -> re.Pattern[str]:
        return label_pattern((*self.others, *GENERIC_LABELS))

    def scan(self) -> Scan:
        """An incremental check for one streamed reply."""
        return Scan(self)

    def check(self, text: str) -> Leak | None:
        """The first leak in `text`, or None when it is safe to show."""
        return self.scan().check(text)


class Scan:
    """One reply checked piece by piece: `check` a sentence, `accept` it once shown."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self._tokens: list[str] = []  # of the passed text
        self._tail = ""  # its last characters, folded
        self._echo_seen = (0, 0)  # tokens passed, and how many of them were the rep's words
        self._echo = (0, 0)  # the same with the sentence last checked

    def check(self, sentence: str) -> Leak | None:
        """The first leak in `sentence` read after the text accepted so far."""
        g = self.guard
        folded = fold(sentence)
        phrase = out_of_character(self._tail[-_TAIL:] + " " + folded) or out_of_character(folded)
        if phrase is not None:
            return Leak("character", phrase)
        if g.speaker is not None:
            role = self._role(folded)
            if role is not None:
                return role
        for item, pattern in g._markers:
            if pattern.search(self._tail + folded):
                return Leak("marker", item)
        new = _TOKEN.findall(folded)
        facts = _runs_of(self._tokens[1 - FACT_RUN :] + new, FACT_RUN)
        for item, secret in g._fact_runs.items():
            if facts & secret:
                return Leak("hidden", item)
        if _runs_of(self._tokens[1 - PROMPT_RUN :] + new, PROMPT_RUN) & g._prompt_runs[0]:
            return Leak("instructions", "prompt")
        whole = _runs_of(new, PROMPT_SENTENCE)
        only, public = g._prompt_runs[1], g._public_short
        if whole & only and whole <= only | public:  # the sentence is instruction text only
            return Leak("instructions", "prompt")
        return None

    def _role(self, folded: str) -> Leak | None:
        """Not the client's own line: a label, narration, or mostly the rep's own words."""
        g = self.guard
        label = g._labels.search(folded)
        if label is not None:
            return Leak("role", "label")
        if narration(folded) is not None:
            return Leak("role", "narration")
        toks = _TOKEN.findall(folded)
        covered: set[int] = set()
        for i in range(len(toks) - ECHO_RUN + 1):
            if tuple(toks[i : i + ECHO_RUN]) in g._echo_runs:
                covered.update(range(i, i + ECHO_RUN))
        self._echo = (self._echo_seen[0] + len(toks), self._echo_seen[1] + len(covered))
        total, echoed = self._echo
        if total >= ECHO_MIN and echoed >= ECHO_SHARE * total:
            return Leak("role", "echo")
        return None

    def holds(self, sentence: str) -> bool:
        """Whether a passing sentence should wait: it ends in a run that hidden text goes on."""
        window = tuple((self._tokens + _TOKEN.findall(fold(sentence)))[-HOLD_RUN:])
        g = self.guard
        return len(window) == HOLD_RUN and (window in g._hold_runs or window in g._echo_runs)

    def accept(self, sentence: str) -> None:
        """`sentence` was shown: later checks read on from it."""
        self._tokens = (self._tokens + _TOKEN.findall(fold(sentence)))[-PROMPT_RUN:]
        self._tail = (self._tail + fold(sentence))[-_TAIL:]
        self._echo_seen = self._echo


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
    speaker: str | None = None,
) -> Guard:
    """The guard for a moment where only the facts in `allowed` may be told; with `speaker`
    (the client persona talking), also one that the words are that persona's own."""
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
    others = tuple(
        name
        for stage in scenario.stages
        for name in (stage.persona.name, stage.title)
        if speaker is None or name != speaker
    )
    # Not the client's own line either: the rep's words handed back, or the client's own
    # earlier reply said again (a small model repeats its last turn whole).
    said_before = tuple(t.text for t in transcript)
    return Guard(markers, hidden, instructions, tuple(public), speaker, others, said_before)
