"""A scenario file's validation problems in the trainer's language: the file, the line, the
field in plain words and what is wrong with it (from the loader's parts, never pydantic's
English sentence)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.lang import Lang
from bot.i18n import Catalog

MAX_SHOWN = 8  # problems listed; the rest are counted
_WHOLE = {"not_text", "not_utf8", "file_too_big", "yaml_empty"}
# Pydantic's error types, grouped under the few reasons a trainer needs to read.
_REASONS = {
    "missing": "missing",
    "extra_forbidden": "extra",
    "less_than_equal": "at_most",
    "less_than": "below",
    "greater_than_equal": "at_least",
    "greater_than": "above",
    "string_too_short": "too_short",
    "too_short": "too_few",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "literal_error": "one_of",
    "enum": "one_of",
    "int_parsing": "number",
    "int_type": "number",
    "int_from_float": "number",
    "float_parsing": "number",
    "float_type": "number",
    "bool_parsing": "yes_no",
    "bool_type": "yes_no",
    "string_type": "text",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_type": "date",
    # The loader's own problems with the file as a whole.
    "yaml_syntax": "yaml_syntax",
    "yaml_aliases": "yaml_aliases",
    "yaml_depth": "yaml_depth",
    "yaml_key": "yaml_key",
    "yaml_duplicate": "yaml_duplicate",
    "yaml_empty": "yaml_empty",
    "yaml_not_mapping": "yaml_not_mapping",
    "not_text": "not_text",
    "not_utf8": "not_utf8",
    "file_too_big": "file_too_big",
}


def field(catalog: Catalog, lang: Lang, loc: Sequence[Any]) -> str:
    """A field's path in words: known names translated, list positions counted from 1."""
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(catalog.t(lang, "loop.upload.item", n=part + 1))
            continue
        key = f"loop.upload.field.{part}"
        name = catalog.t(lang, key) if catalog.has(key) else str(part)
        parts.append(
            name
            if name == str(part)
            else f"{name}（{part}）"
            if lang == "zh"
            else f"{name} ({part})"
        )
    return " › ".join(parts) or catalog.t(lang, "loop.upload.document")


def reason(catalog: Catalog, lang: Lang, kind: str, ctx: Mapping[str, str]) -> str:
    """What is wrong, in words (a limit or the allowed values where the loader gave them)."""
    code = _REASONS.get(kind, "invalid")
    limit = ctx.get("le") or ctx.get("lt") or ctx.get("ge") or ctx.get("gt") or ""
    limit = limit or ctx.get("min_length") or ctx.get("max_length") or ""
    return catalog.t(
        lang,
        f"loop.upload.reason.{code}",
        limit=limit,
        allowed=ctx.get("expected", ""),
        name=ctx.get("key", ""),
    )


def problems(catalog: Catalog, lang: Lang, source: str, found: Sequence[Mapping[str, Any]]) -> str:
    """Each problem on its own line: file, line, field, reason."""
    lines = [
        catalog.t(
            lang,
            # A file that is not text or too big has no line to point at.
            "loop.upload.problem_file" if p.get("type") in _WHOLE else "loop.upload.problem",
            source=source,
            line=p.get("line", 1),
            field=field(catalog, lang, p.get("loc", ())),
            reason=reason(catalog, lang, str(p.get("type", "")), p.get("ctx") or {}),
        )
        for p in found[:MAX_SHOWN]
    ]
    if len(found) > MAX_SHOWN:
        lines.append(catalog.t(lang, "loop.upload.more", count=len(found) - MAX_SHOWN))
    return "\n".join(lines)
