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
    """Feeds streamed pieces in; releases checked sentences to `sink`."""

    def __init__(self, guard: Guard, sink: DeltaSink | None, hold: bool = False) -> None:
        self.guard = guard
        self.sink = sink
        self.hold = hold  # risky turns: check the whole reply before showing any of it
        self.raw = ""
        self.text = ""  # what has been released, exactly
        self.leak: Leak | None = None
        self._pos = 0

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
        ends = [m.end() for m in _SENTENCE_END.finditer(self.raw, self._pos, limit)]
        if ends:
            await self._release(ends[-1])

    async def finish(self) -> None:
        """The stream is over: release the rest of the speech if it passes."""
        if self.leak is None:
            await self._release(self._speech_limit())

    async def _release(self, end: int) -> None:
        segment = self.raw[self._pos : end]
        if not self.text:
            stripped = segment.lstrip()
            self._pos += len(segment) - len(stripped)
            segment = stripped
        core = segment.rstrip()  # trailing space waits for the next words (or is dropped)
        if not core:
            return
        leak = self.guard.check(self.text + core)
        if leak is not None:
            self.leak = leak
            return
        if self.sink is not None:
            await self.sink(core)
        self.text += core
        self._pos += len(core)

    async def say(self, extra: str) -> None:
        """Release words that did not come from the model (a guard's replacement)."""
        if not extra:
            return
        if self.sink is not None:
            await self.sink(extra)
        self.text += extra

    async def say_checked(self, words: str) -> None:
        """Release words that arrived whole (e.g. inside JSON), if they pass the guard."""
        if not words or self.leak is not None:
            return
        leak = self.guard.check(self.text + words)
        if leak is not None:
            self.leak = leak
            return
        await self.say(words)
