"""Kept so older imports work: a rep turn is read by `bot.reading` (see `Reading`)."""

from __future__ import annotations

from bot.reading.port import read_text as analyze
from bot.reading.text import sentences
from bot.reading.types import Reading as Cues

__all__ = ["Cues", "analyze", "sentences"]
