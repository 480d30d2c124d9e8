"""Reading user-supplied text files safely: size-capped, no binaries; UTF-8, or GB18030 (what
Chinese Windows saves as "ANSI") when it decodes cleanly into text."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from bot.errors import TrainerError

MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024
_NOT_TEXT = {"Cc", "Co", "Cn", "Cs"}  # control, private-use, unassigned: not a transcript


def read_text_file(path: Path, limit: int = MAX_TRANSCRIPT_BYTES) -> str:
    """The file's text, or a `TrainerError` saying why it cannot be used."""
    if not path.is_file():
        raise TrainerError("error.file_not_found", path=path)
    if path.stat().st_size > limit:
        raise TrainerError("error.file_too_large", limit=f"{limit // (1024 * 1024)} MB")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise TrainerError("error.file_binary", path=path)
    return decode_text(raw, path)[0]


def decode_text(raw: bytes, path: Path) -> tuple[str, str]:
    """The text and the encoding it was read in ("utf-8", or "gb18030" as a clean fallback)."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise TrainerError("error.file_not_utf8", path=path) from None
    if any(unicodedata.category(ch) in _NOT_TEXT and ch not in "\n\r\t" for ch in text):
        raise TrainerError("error.file_not_utf8", path=path)
    return text, "gb18030"


def read_transcript(path: Path, limit: int = MAX_TRANSCRIPT_BYTES) -> tuple[str, str]:
    """A transcript's text and encoding (see `decode_text`), or a `TrainerError` saying why not."""
    if not path.is_file():
        raise TrainerError("error.file_not_found", path=path)
    if path.stat().st_size > limit:
        raise TrainerError("error.file_too_large", limit=f"{limit // (1024 * 1024)} MB")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise TrainerError("error.file_binary", path=path)
    return decode_text(raw, path)
