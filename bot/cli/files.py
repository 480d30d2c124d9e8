"""Reading user-supplied text files safely: size-capped, UTF-8 only, no binaries."""

from __future__ import annotations

from pathlib import Path

from bot.errors import TrainerError

MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024


def read_text_file(path: Path, limit: int = MAX_TRANSCRIPT_BYTES) -> str:
    """The file's text, or a `TrainerError` saying why it cannot be used."""
    if not path.is_file():
        raise TrainerError("error.file_not_found", path=path)
    if path.stat().st_size > limit:
        raise TrainerError("error.file_too_large", limit=f"{limit // (1024 * 1024)} MB")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise TrainerError("error.file_binary", path=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TrainerError("error.file_binary", path=path) from None
