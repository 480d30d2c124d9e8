"""Reads scenario YAML safely and reports errors with file, line and field.

PyYAML's composer gives every node its line; we build plain Python values from the node tree
ourselves so each value's path can be mapped back to its line when pydantic rejects it. The
walk counts nodes, so alias bombs ("billion laughs") and huge documents are refused instead of
expanded, and duplicate keys are errors rather than silently overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.scenario import Scenario
from bot.errors import ScenarioInvalid

MAX_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 20

Path_ = tuple[str | int, ...]


class _Builder:
    """Turns a composed YAML node tree into Python values, remembering each path's line."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.nodes = 0
        self._scalar = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused("document too large or uses too many aliases", node, "yaml_aliases")
        if len(path) > MAX_DEPTH:
            raise _Refused("nested too deeply", node, "yaml_depth")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, (*path, "<key>"))
                if not isinstance(key, str | int | bool | float) or key is None:
                    raise _Refused("keys must be plain text", key_node, "yaml_key")
                if key in result:
                    raise _Refused(
                        f"duplicate key {key!r}", key_node, "yaml_duplicate", {"key": str(key)}
                    )
                self.lines[(*path, str(key))] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, str(key)))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar.construct_object(node, deep=True)


class _Refused(Exception):
    def __init__(
        self,
        reason: str,
        node: yaml.Node | yaml.Event,
        kind: str,
        ctx: dict[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.ctx = ctx or {}
        self.line = node.start_mark.line + 1 if node.start_mark else 1


class _Composer(yaml.SafeLoader):
    """PyYAML's composer recurses once per level: 20,000 `[` would end in a RecursionError,
    so the depth is limited while composing, before the builder's own check."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _Refused("nested too deeply", event, "yaml_depth")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _field(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _line_for(lines: dict[Path_, int], loc: tuple[str | int, ...]) -> int:
    for end in range(len(loc), -1, -1):
        found = lines.get(tuple(str(p) if isinstance(p, str) else p for p in loc[:end]))
        if found is not None:
            return found
    return 1


def file_problem(
    source: str, line: int, detail: str, kind: str, ctx: dict[str, str] | None = None
) -> ScenarioInvalid:
    """A problem with the file as a whole (its size, its YAML), in English and in parts, like
    a validation problem, so an adapter can say it in the reader's language."""
    problem = {"line": line, "loc": [], "type": kind, "ctx": ctx or {}}
    where = f"{source}:{line}" if line > 1 or kind.startswith("yaml") else source
    return ScenarioInvalid(detail=f"{where}: {detail}", source=source, problems=[problem])


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate one scenario document; raise `ScenarioInvalid` naming source, line and field."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        limit = str(MAX_BYTES // 1024)
        raise file_problem(source, 1, f"larger than {limit} KB", "file_too_big", {"le": limit})
    if "\x00" in text:
        raise file_problem(source, 1, "not a text file", "not_text")
    builder = _Builder()
    try:
        root = yaml.compose(text, Loader=_Composer)
        if root is None:
            raise file_problem(source, 1, "the document is empty", "yaml_empty")
        data = builder.build(root)
    except _Refused as exc:
        raise file_problem(source, exc.line, exc.reason, exc.kind, exc.ctx) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise file_problem(source, line, f"YAML syntax: {exc.problem}", "yaml_syntax") from None
    except yaml.YAMLError as exc:
        raise file_problem(source, 1, f"YAML error: {exc}", "yaml_syntax") from None
    if not isinstance(data, dict):
        raise file_problem(
            source, 1, "the document must be a mapping of fields", "yaml_not_mapping"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems, found = [], []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            line = _line_for(builder.lines, loc)
            problems.append(f"{source}:{line}: {_field(loc)}: {err['msg']}")
            # The same problem in parts, for an adapter to say in the reader's language.
            ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
            found.append({"line": line, "loc": list(loc), "type": err["type"], "ctx": ctx})
        raise ScenarioInvalid(detail="\n".join(problems), source=source, problems=found) from None


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioInvalid(detail=f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioInvalid(detail=f"{path}: larger than {MAX_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioInvalid(detail=f"{path}: not UTF-8 text") from None
    return parse_scenario(text, str(path))
