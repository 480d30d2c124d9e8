"""Message catalogs: every user-facing string, in Chinese first and English second.

Catalogs are YAML files (`zh.yaml`, `en.yaml`) of nested keys; `Catalog.t` flattens them to
dotted keys and formats `{named}` placeholders (`{n:turn|turns}` says "1 turn" / "2 turns"
in English). A test keeps both languages' keys and placeholders identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from string import Formatter
from typing import Any

import yaml

from bot.domain.lang import LANGS, Lang

# libyaml's safe loader (several times faster) where PyYAML was built with it.
_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


class _Formatter(Formatter):
    """`str.format`, plus `{n:turn|turns}` for English nouns: "1 turn", "2 turns"."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            # A number, or its text (already escaped for HTML, say).
            single = value == 1 or (isinstance(value, str) and value.strip() == "1")
            return f"{value} {one if single else many}"
        return str(super().format_field(value, format_spec))


_FORMATTER = _Formatter()


def fill(template: str, params: Mapping[str, Any]) -> str:
    """A template with its placeholders filled, `{n:turn|turns}` included."""
    return _FORMATTER.vformat(template, (), params)


def placeholders(template: str) -> set[str]:
    """The `{named}` fields a template uses."""
    return {field for _, field, _, _ in Formatter().parse(template) if field}


class Catalog:
    """Looks up and formats messages by language and dotted key."""

    def __init__(self, messages: Mapping[Lang, Mapping[str, str]]) -> None:
        self._messages = {lang: dict(table) for lang, table in messages.items()}

    @classmethod
    def load(cls) -> Catalog:
        """Read the bundled catalogs."""
        tables: dict[Lang, dict[str, str]] = {}
        for lang in LANGS:
            text = resources.files("bot.i18n").joinpath(f"{lang}.yaml").read_text("utf-8")
            tables[lang] = _flatten(yaml.load(text, Loader=_LOADER) or {})
        return cls(tables)

    def keys(self, lang: Lang) -> set[str]:
        """Every key a language defines."""
        return set(self._messages.get(lang, {}))

    def raw(self, lang: Lang, key: str) -> str:
        """The unformatted template (falls back to Chinese, then to the key)."""
        table = self._messages.get(lang) or {}
        return table.get(key) or self._messages.get("zh", {}).get(key) or key

    def has(self, key: str) -> bool:
        """Whether the key exists in Chinese (the reference language)."""
        return key in self._messages.get("zh", {})

    def t(self, lang: Lang, key: str, **params: Any) -> str:
        """The message for `key` in `lang`, with placeholders filled."""
        template = self.raw(lang, key)
        return fill(template, params) if params or "{" in template else template

    def error(self, lang: Lang, code: str, params: Mapping[str, Any]) -> str:
        """A domain error's message; unknown codes fall back to the generic one."""
        key = code if self.has(code) else "error.generic"
        wanted = placeholders(self.raw(lang, key))
        return self.t(lang, key, **{k: params.get(k, "") for k in wanted})
