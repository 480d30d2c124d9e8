"""The reading port: a dialogue in, a `Reading` of the rep's turn out."""

from __future__ import annotations

from typing import Protocol

from bot.domain.facts import FactKey
from bot.domain.lang import Lang
from bot.domain.transcript import Transcript
from bot.reading.lexical import read
from bot.reading.types import Dialogue, Line, Reading


class Reader(Protocol):
    """Anything that can read a rep turn (the lexical reader, or a model cross-checked by it)."""

    label: str

    async def read(self, dialogue: Dialogue) -> Reading:
        """The reading of `dialogue.rep`."""
        ...


class LexicalReader:
    """The word-list reader behind every other one."""

    label = "lexical"

    async def read(self, dialogue: Dialogue) -> Reading:
        """Read with the language's word lists alone."""
        return read(dialogue)


def read_text(text: str, prev_client: str = "", lang: Lang | None = None) -> Reading:
    """Read one rep message given only the client's words before it."""
    context = (Line("client", prev_client),) if prev_client else ()
    return read(Dialogue(text, context, None, lang))


def dialogue_at(
    transcript: Transcript,
    number: int,
    lang: Lang | None = None,
    keywords: dict[FactKey, tuple[str, ...]] | None = None,
) -> Dialogue:
    """The dialogue a reader sees for rep turn `number`: up to four turns before, the reply."""
    turns = transcript.turns
    before = tuple(Line(t.speaker, t.text) for t in turns[max(0, number - 5) : number - 1])
    after = turns[number] if number < len(turns) else None
    reply = after.text if after is not None and after.speaker == "client" else None
    return Dialogue(turns[number - 1].text, before, reply, lang, dict(keywords or {}))


def read_transcript(
    transcript: Transcript,
    lang: Lang | None = None,
    keywords: dict[FactKey, tuple[str, ...]] | None = None,
) -> list[tuple[int, Reading]]:
    """A reading of every rep turn, each against the dialogue before it and the reply after."""
    return [
        (t.number, read(dialogue_at(transcript, t.number, lang, keywords)))
        for t in transcript.rep_turns()
    ]
