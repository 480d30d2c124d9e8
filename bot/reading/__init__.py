"""Reading a rep's turn: what it asks, reflects, threatens, proposes, and how the client replied.

The one seam between words and judgement: the client engine, the metrics, the checklist, the
bounds and the offline judge consume `Reading`s; no other module matches words.
"""

from bot.reading.port import LexicalReader, Reader, read_text, read_transcript
from bot.reading.types import Dialogue, Line, Proposal, Reading

__all__ = [
    "Dialogue",
    "LexicalReader",
    "Line",
    "Proposal",
    "Reader",
    "Reading",
    "read_text",
    "read_transcript",
]
