"""The client's words as they stream: cut from the state part, checked by the guard sentence by
sentence, and only then passed on to the adapter.

The model answers with its words, then a delimiter line, then a JSON state. Text is released
one finished sentence at a time, after the guard has checked everything said so far, so an
unsafe sentence is never shown; what was released is exactly what the reply's text starts with.
Anything after the delimiter (or after a stray `{` or code fence) is never shown.
"""

from __future__ import annotations

import re

from bot.domain.ports import DeltaSink
from bot.llm.guard import Guard, Leak

DELIMITER = "<<<STATE>>>"
_DELIMITER = re.compile(r"<{2,3}\s*state\s*>{2,3}", re.IGNORECASE)
_SPEECH_END = re.compile(r"<|\{|```")  # where speech stops: a delimiter, JSON or a fence
_SENTENCE_END = re.compile(r"[。！？!?…~～\n]|\.(?=\s)")


def split_reply(raw: str) -> tuple[str, str]:
    """(speech, state part) of a finished reply."""
    found = _DELIMITER.search(raw)
    if found:
        speech, state = raw[: found.start()], raw[found.end() :]
    else:
        stop = _SPEECH_END.search(raw)
        speech, state = (raw[: stop.start()], raw[stop.start() :]) if stop else (raw, "")
    return speech.strip(), state.strip()


class GuardedSpeech:
    """Feeds streamed pieces in; releases checked sentences to `sink`.

    Each sentence is checked once, when it is finished, against what passed before it. A
    passing sentence whose end could be the start of hidden text (`Scan.holds`) waits for the
    next one, so a leak that runs across two sentences shows neither. A stopped sentence is
    never shown in part.
    """

    def __init__(self, guard: Guard, sink: DeltaSink | None, hold: bool = False) -> None:
        self.guard = guard
        self.sink = sink
        self.hold = hold  # risky turns: check the whole reply before showing any of it
        self.raw = ""
        self.text = ""  # what has been released, exactly
        self.leak: Leak | None = None
        self._scan = guard.scan()
        self._pos = 0
        self._pending = ""  # passed, held back until the next sentence passes too
        self._own_label = (
            re.compile(rf"\s*[*【\[]?{re.escape(guard.speaker)}[*】\]]?\s*[：:]\s*")
            if guard.speaker
            else None
        )

    def _speech_limit(self) -> int:
        """Index in `raw` where speech ends for now (held back at any possible delimiter)."""
        stop = _SPEECH_END.search(self.raw, self._pos)
        return stop.start() if stop else len(self.raw)

    async def feed(self, piece: str) -> None:
        """Take the next streamed piece; release whole sentences that pass the guard."""
        self.raw += piece
        if self.leak or self.hold:
            return
        limit = self._speech_limit()
        for end in [m.end() for m in _SENTENCE_END.finditer(self.raw, self._pos, limit)]:
            await self._sentence(end, final=False)
            if self.leak:
                return

    async def finish(self) -> None:
        """The stream is over: release the rest of the speech if it passes."""
        if self.leak is None:
            await self._sentence(self._speech_limit(), final=True)
        if self.leak is None and self._pending:
            await self._show(self._pending)
            self._pending = ""

    async def _sentence(self, end: int, final: bool) -> None:
        """Check the speech from `_pos` to `end` (one sentence, or all of it when held)."""
        segment = self.raw[self._pos : end]
        if not self.text and not self._pending:
            stripped = segment.lstrip()
            if self._own_label is not None:  # 「王建华：…」 from the speaker: the label goes
                label = self._own_label.match(stripped)
                stripped = stripped[label.end() :] if label else stripped
            self._pos += len(segment) - len(stripped)
            segment = stripped
        core = segment.rstrip()  # trailing space waits for the next words (or is dropped)
        if not core:
            return
        leak = self._scan.check(core)
        if leak is not None:
            self.leak = leak
            return
        self._scan.accept(core)
        self._pos += len(core)
        self._pending += core
        if final or not self._scan.holds(core):
            await self._show(self._pending)
            self._pending = ""

    async def _show(self, words: str) -> None:
        if self.sink is not None:
            await self.sink(words)
        self.text += words

    async def say(self, extra: str) -> None:
        """Release words that did not come from the model (a guard's replacement)."""
        if not extra:
            return
        await self._show(extra)

    async def say_checked(self, words: str) -> None:
        """Release words that arrived whole (e.g. inside JSON), if they pass the guard."""
        if not words or self.leak is not None:
            return
        leak = self._scan.check(words)
        if leak is not None:
            self.leak = leak
            return
        self._scan.accept(words)
        await self.say(words)
