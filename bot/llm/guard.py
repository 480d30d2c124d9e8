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
tokens already passed (runs may cross sentences), never re-reading the whole reply. Building a
guard costs next to nothing: what comes from the texts that recur turn after turn (a stage's
system prompt, a scenario's sayable lines, hidden facts, markers) is derived once per process
and cached, and a check looks up only the runs of the sentence it reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript
from bot.llm.character import GENERIC_LABELS, label_pattern, narration, out_of_character
from bot.llm.normal_form import fold, fold_part, has_han, pinyin

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


def _runs_of(toks: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def runs(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of `n` consecutive tokens."""
    return _runs_of(tokens(text), n)


@dataclass(frozen=True)
class Leak:
    """Why a text was stopped: the kind of hidden material and which item."""

    kind: str
    item: str


class _Runs:
    """Runs of tokens of some texts, for `has(run)`: whether a run lies within one of them.

    A set of their runs of `HOLD_RUN` tokens (the shortest run any check asks about) answers
    at once for most runs; a longer run whose first and last `HOLD_RUN` tokens are both there
    is looked up in the texts' tokens joined with separators no token contains. Equivalent to
    the union of `runs(text, n)` for every n ≥ `HOLD_RUN`, without building one per n.
    """

    __slots__ = ("_grams", "_joined")

    def __init__(self, token_lists: Iterable[Sequence[str]]) -> None:
        grams: set[tuple[str, ...]] = set()
        joined: list[str] = []
        for toks in token_lists:
            grams.update(_runs_of(toks, HOLD_RUN))
            joined.append(_SEP + _SEP.join(toks) + _SEP)
        self._grams = frozenset(grams)
        self._joined = _END.join(joined)

    def has(self, run: tuple[str, ...]) -> bool:
        """Whether `run` (at least `HOLD_RUN` tokens) is a run of one of the texts."""
        grams = self._grams
        if run[:HOLD_RUN] not in grams or run[-HOLD_RUN:] not in grams:
            return False
        return len(run) == HOLD_RUN or (_SEP + _SEP.join(run) + _SEP) in self._joined


_SEP, _END = "\x1f", "\x1e"  # between tokens, between texts (neither is ever in a token)


@lru_cache(maxsize=8192)
def _text_tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


@lru_cache(maxsize=512)
def _part_tokens(text: str, simplify: bool) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold_part(text, simplify)))


@lru_cache(maxsize=64)  # about 0.2 MB a scenario
def _stable_runs(texts: tuple[str, ...]) -> _Runs:
    """Runs of the texts that stay public through a scenario (its sayable lines)."""
    return _Runs(_text_tokens(t) for t in texts)


@lru_cache(maxsize=2048)
def _secret_runs(secret: str) -> _Runs:
    """Runs of one hidden text (a fact's value and reveal, a `wont_say` line)."""
    return _Runs((_text_tokens(secret),))


@lru_cache(maxsize=64)  # about 0.25 MB each; the 24 shipped stages' prompts take 6 MB
def _prompt_tokens(text: str, simplify: bool) -> tuple[tuple[str, ...], _Runs]:
    """The stable instructions (a stage's system prompt): their tokens and runs."""
    toks = _part_tokens(text, simplify)
    return toks, _Runs((toks,))


@lru_cache(maxsize=1024)
def _marker_forms(marker: str) -> tuple[tuple[re.Pattern[str], int], ...]:
    """The patterns of a marker and of its pinyin, each with how many letters a match has."""
    found: list[tuple[re.Pattern[str], int]] = []
    for form in (marker, pinyin(marker)):
        pattern = marker_pattern(form)
        if pattern is not None:
            found.append((pattern, len("".join(_UNIT.findall(fold(form))))))
    return tuple(found)


_LETTER = re.compile(r"[^\W_]")  # what a marker's units are made of (`[\W_]` goes between)


class _Said:
    """The folded text of a scenario's sayable lines, for finding which markers were said in
    it followed by this moment's texts: a marker is looked for in the sayable lines once per
    process, then only where a match could still be: across the join and after it."""

    def __init__(self, texts: tuple[str, ...]) -> None:
        self.texts = texts
        self.han = any(has_han(t) for t in texts)
        self._folded: dict[bool, str] = {}
        self._found: dict[tuple[bool, re.Pattern[str]], bool] = {}

    def folded(self, simplify: bool) -> str:
        if simplify not in self._folded:
            self._folded[simplify] = "\n".join(fold_part(t, simplify) for t in self.texts)
        return self._folded[simplify]

    def found(self, pattern: re.Pattern[str], simplify: bool) -> bool:
        key = (simplify, pattern)
        if key not in self._found:
            self._found[key] = pattern.search(self.folded(simplify)) is not None
        return self._found[key]


@lru_cache(maxsize=64)
def _said(texts: tuple[str, ...]) -> _Said:
    return _Said(texts)


def _reach(text: str, letters: int) -> int:
    """The earliest index in `text` a match of `letters` letters can start at and still run
    past its end (all but the last `letters` letters lie wholly before it)."""
    i = len(text)
    while i > 0 and letters > 0:
        i -= 1
        if _LETTER.match(text, i):
            letters -= 1
    return i


@dataclass(frozen=True)
class Guard:
    """Checks texts against the hidden material of one moment of one session.

    The public texts are `sayable` (lines that stay public for the whole scenario) followed by
    `public` (this moment's: the transcript, planned lines, earned facts); the instructions are
    `instructions` followed, on a line of their own, by `notes` when there are any. The split
    changes no verdict: it lets what is derived from the stable parts be computed once per
    process instead of once per turn. Nothing is derived until a check needs it, and a check
    looks up only the runs of the sentence it reads.
    """

    markers: dict[str, tuple[str, ...]]
    hidden: dict[str, str]
    instructions: str
    public: tuple[str, ...]
    speaker: str | None = None  # the client persona speaking (role checks only then)
    others: tuple[str, ...] = ()  # other speakers whose labels the client never carries
    rep_lines: tuple[str, ...] = field(default=())  # earlier turns no reply may hand back
    sayable: tuple[str, ...] = ()  # public texts stable through the scenario, read first
    notes: str = ""  # this turn's instructions, read after `instructions`

    @cached_property
    def _public(self) -> tuple[_Runs, _Runs]:
        return _stable_runs(self.sayable), _Runs(_text_tokens(t) for t in self.public)

    def _is_public(self, run: tuple[str, ...]) -> bool:
        stable, moment = self._public
        return stable.has(run) or moment.has(run)

    @cached_property
    def _markers(self) -> list[tuple[str, re.Pattern[str]]]:
        """(item, pattern) for every marker, and its pinyin, that the rep has not said.

        Said means found in `fold` of the public texts joined by newlines; that text is the
        sayable lines' (cached with which markers they hold) and this moment's, joined."""
        stable = _said(self.sayable)
        simplify = stable.han or any(has_han(t) for t in self.public)
        head = stable.folded(simplify) if self.sayable else ""
        moment = "\n".join(fold_part(t, simplify) for t in self.public)
        said = f"{head}\n{moment}" if self.sayable and self.public else head or moment
        found: list[tuple[str, re.Pattern[str]]] = []
        for item, markers in self.markers.items():
            for marker in markers:
                for pattern, letters in _marker_forms(marker):
                    if self.sayable and stable.found(pattern, simplify):
                        continue
                    start = _reach(head, letters) if self.public else len(said)
                    if not pattern.search(said, start):
                        found.append((item, pattern))
        return found

    @cached_property
    def _secrets(self) -> list[tuple[str, _Runs]]:
        return [(item, _secret_runs(secret)) for item, secret in self.hidden.items()]

    @cached_property
    def _prompt(self) -> tuple[_Runs, _Runs]:
        """Runs of the instructions: the stable part's, and those of the notes and of any run
        crossing into them (all of them when there are no notes)."""
        if not self.notes:
            return _prompt_tokens(self.instructions, has_han(self.instructions))[1], _Runs(())
        simplify = has_han(self.instructions) or has_han(self.notes)
        head, stable = _prompt_tokens(self.instructions, simplify)
        crossing = head[1 - PROMPT_RUN :]  # a run of the joined text ending in the notes
        return stable, _Runs(((*crossing, *_part_tokens(self.notes, simplify)),))

    def _in_prompt(self, run: tuple[str, ...]) -> bool:
        stable, turn = self._prompt
        return stable.has(run) or turn.has(run)

    def hidden_in(self, facts: set[tuple[str, ...]]) -> str | None:
        """The first hidden item sharing one of these `FACT_RUN` runs that is not public."""
        for item, secret in self._secrets:
            if any(secret.has(r) and not self._is_public(r) for r in facts):
                return item
        return None

    def prompt_in(self, long: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> bool:
        """Whether a `PROMPT_RUN` run of instructions that is not public is among `long`, or
        the sentence's `PROMPT_SENTENCE` runs (`whole`) are all instruction or public text and
        at least one of them instruction text only."""
        if any(self._in_prompt(r) and not self._is_public(r) for r in long):
            return True
        only = False
        for r in whole:
            if self._in_prompt(r):
                only = only or not self._is_public(r)
            elif not self._is_public(r):
                return False
        return only

    def holds(self, window: tuple[str, ...]) -> bool:
        """Whether hidden text or instructions not public, or the rep's words, go on from these
        last `HOLD_RUN` tokens."""
        if self._echo.has(window):
            return True
        hidden = self._in_prompt(window) or any(s.has(window) for _, s in self._secrets)
        return hidden and not self._is_public(window)

    @cached_property
    def _echo(self) -> _Runs:
        return _Runs(_text_tokens(line) for line in self.rep_lines)

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
        secret = g.hidden_in(_runs_of(self._tokens[1 - FACT_RUN :] + new, FACT_RUN))
        if secret is not None:
            return Leak("hidden", secret)
        long = _runs_of(self._tokens[1 - PROMPT_RUN :] + new, PROMPT_RUN)
        if g.prompt_in(long, _runs_of(new, PROMPT_SENTENCE)):  # or instruction text only
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
            if g._echo.has(tuple(toks[i : i + ECHO_RUN])):
                covered.update(range(i, i + ECHO_RUN))
        self._echo = (self._echo_seen[0] + len(toks), self._echo_seen[1] + len(covered))
        total, echoed = self._echo
        if total >= ECHO_MIN and echoed >= ECHO_SHARE * total:
            return Leak("role", "echo")
        return None

    def holds(self, sentence: str) -> bool:
        """Whether a passing sentence should wait: it ends in a run that hidden text goes on."""
        window = tuple((self._tokens + _TOKEN.findall(fold(sentence)))[-HOLD_RUN:])
        return len(window) == HOLD_RUN and self.guard.holds(window)

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
    notes: str = "",
) -> Guard:
    """The guard for a moment where only the facts in `allowed` may be told; with `speaker`
    (the client persona talking), also one that the words are that persona's own. `notes` are
    this turn's instructions, read after `instructions` (a stage's stable system prompt)."""
    open_keys = set(allowed)
    markers: dict[str, tuple[str, ...]] = {}
    hidden: dict[str, str] = {}
    public = [t.text for t in transcript] + list(extra_public)
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
    return Guard(
        markers,
        hidden,
        instructions,
        tuple(public),
        speaker,
        others,
        said_before,
        sayable=tuple(sayable(scenario)),
        notes=notes,
    )
