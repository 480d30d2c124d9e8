"""Draft a scenario from a trainer's description: a model writes YAML against the scenario's
JSON Schema, the strict loader checks it, and the loader's errors go back for at most two repairs.

Nothing is saved here: the caller shows the draft and the trainer decides.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.domain.lang import Lang
from bot.domain.scenario import Scenario
from bot.errors import ScenarioInvalid
from bot.scenarios.loader import parse_scenario

MAX_REPAIRS = 2
MAX_DESCRIPTION_CHARS = 4000
_FENCE = re.compile(r"```(?:ya?ml)?\s*\n(.*?)```", re.DOTALL)


class Completer(Protocol):
    """The one gateway call the drafter needs (see `bot.llm.gateway.Gateway.complete`)."""

    async def complete(
        self, model: str, messages: list[dict[str, str]], *, temperature: float = 0.0
    ) -> Any:
        """A completion whose `.text` is the model's reply."""
        ...


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, generated from the strict model."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "回款陪练 scenario"
    return schema


def yaml_of(reply: str) -> str:
    """The YAML in a model's reply: the first fenced block, else the whole reply."""
    found = _FENCE.search(reply)
    return (found.group(1) if found else reply).strip() + "\n"


@dataclass(frozen=True)
class Draft:
    """What the drafting loop produced: the YAML, the scenario if it loads, and the errors."""

    text: str
    scenario: Scenario | None
    attempts: int
    errors: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)  # summed over the attempts, for spend

    @property
    def ok(self) -> bool:
        """The last attempt passed the strict loader."""
        return self.scenario is not None


def _system(guide: str, example: str, lang: Lang) -> str:
    language = "Chinese (language: zh)" if lang == "zh" else "English (language: en)"
    schema = json.dumps(scenario_schema(), ensure_ascii=False)
    return (
        f"{guide}\n\nWrite the scenario in {language}. Reply with one YAML document only, in a "
        "```yaml fenced block, that validates against this JSON Schema:\n"
        f"{schema}\n\nA shipped scenario that loads, as an example of tone and structure:\n"
        f"```yaml\n{example}```"
    )


class ScenarioDrafter:
    """Asks a model for a scenario and repairs it with the loader's errors."""

    def __init__(self, gateway: Completer, model: str, guide: str, example: str) -> None:
        self.gateway = gateway
        self.model = model
        self.guide = guide
        self.example = example

    @classmethod
    def with_example(cls, gateway: Completer, model: str, example: Path) -> ScenarioDrafter:
        """A drafter with the bundled author prompt and a shipped scenario as the example."""
        text = resources.files("bot.scenarios").joinpath("author_prompt.yaml").read_text("utf-8")
        guide = str(yaml.safe_load(text)["system"])
        return cls(gateway, model, guide, example.read_text("utf-8"))

    async def draft(self, description: str, lang: Lang) -> Draft:
        """Draft, check, and repair at most twice; the last attempt is returned either way."""
        brief = description.strip()[:MAX_DESCRIPTION_CHARS]
        return await self._loop(
            [
                {"role": "system", "content": _system(self.guide, self.example, lang)},
                {"role": "user", "content": brief},
            ]
        )

    async def revise(self, current: str, changes: str, lang: Lang) -> Draft:
        """The same loop on a draft the trainer wants changed (a sentence of change requests)."""
        request = (
            f"Here is the current scenario:\n```yaml\n{current.strip()}\n```\n\n"
            f"The trainer asks for these changes:\n{changes.strip()[:MAX_DESCRIPTION_CHARS]}\n\n"
            "Return the whole revised YAML document, nothing else."
        )
        return await self._loop(
            [
                {"role": "system", "content": _system(self.guide, self.example, lang)},
                {"role": "user", "content": request},
            ]
        )

    async def _loop(self, messages: list[dict[str, str]]) -> Draft:
        text, errors, usage = "", [], Counter[str]()
        for attempt in range(1, MAX_REPAIRS + 2):
            reply = await self.gateway.complete(self.model, messages, temperature=0.4)
            spent = getattr(reply, "usage", None)
            usage.update(spent.as_dict() if spent is not None else {})
            text = yaml_of(str(reply.text))
            try:
                scenario = parse_scenario(text, "draft.yaml")
                return Draft(text, scenario, attempt, usage=dict(usage))
            except ScenarioInvalid as exc:
                errors = [str(exc.params.get("detail", exc))]
            messages = [
                *messages,
                {"role": "assistant", "content": str(reply.text)},
                {
                    "role": "user",
                    "content": "The strict loader rejected it:\n"
                    + "\n".join(errors)
                    + "\nReturn the whole corrected YAML document, nothing else.",
                },
            ]
        return Draft(text, None, MAX_REPAIRS + 1, errors, dict(usage))
