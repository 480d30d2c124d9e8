"""Structured output across providers: `response_format` per mode, and a tolerant JSON reader.

Providers differ: OpenAI and vLLM accept a JSON schema, DeepSeek, Moonshot and Zhipu accept
`json_object`, some local servers accept neither. Whatever the mode, the reply is read with
the same tolerant parser (code fences, prose around the object, trailing commas, a missing
closing brace), then validated against a pydantic model by the caller.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

StructuredMode = Literal["auto", "json_schema", "json_object", "text"]
ConcreteMode = Literal["json_schema", "json_object", "text"]
FALLBACK_ORDER: tuple[ConcreteMode, ...] = ("json_schema", "json_object", "text")

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def response_format(mode: ConcreteMode, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format` argument for a mode (None: ask in words only)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _balanced(text: str, start: int) -> tuple[str, bool]:
    """The object starting at `start`, and whether it closed (if not, closed for it)."""
    stack: list[str] = []
    in_string, escaped = False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
            if not stack:
                return text[start : i + 1], True
    closing = ('"' if in_string else "") + "".join(reversed(stack))
    return text[start:].rstrip().rstrip(",") + closing, False


def _loads(candidate: str) -> dict[str, Any] | None:
    for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
        try:
            value = json.loads(attempt)
        except ValueError:
            continue
        return value if isinstance(value, dict) else None
    return None


def extract_json(text: str) -> dict[str, Any] | None:
    """The first JSON object in a model's reply, repaired where that is safe; None if none."""
    stripped = text.strip()
    direct = _loads(stripped)
    if direct is not None:
        return direct
    candidates = [m.group(1) for m in _FENCE.finditer(stripped)] + [stripped]
    for chunk in candidates:
        start = chunk.find("{")
        while start >= 0:
            body, _closed = _balanced(chunk, start)
            found = _loads(body)
            if found is not None:
                return found
            start = chunk.find("{", start + 1)
    return None
