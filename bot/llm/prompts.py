"""Prompt templates: one Jinja2 environment over `prompts/`, undefined variables are errors.

Built once at start-up from `Settings.prompts_dir`; every template the adapters use is loaded
then, so a missing or broken file stops the start, not a rep's turn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from bot.domain.transcript import Transcript
from bot.errors import TrainerError

TEMPLATES = (
    "client_system.j2",
    "client_turn.j2",
    "judge_system.j2",
    "judge_user.j2",
    "coach_hint.j2",
    "coach_rewrite.j2",
)


class Prompts:
    """Renders the prompt templates."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._env = Environment(
            loader=FileSystemLoader(str(directory)),
            undefined=StrictUndefined,
            autoescape=False,  # prompts are plain text for a model, not HTML
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        try:
            self._templates = {name: self._env.get_template(name) for name in TEMPLATES}
        except TemplateError as exc:
            raise TrainerError("llm.error.prompts", detail=f"{directory}: {exc}") from None

    def render(self, name: str, **context: Any) -> str:
        """One template rendered; a missing variable raises instead of rendering blank."""
        return self._templates[name].render(**context).strip()


def transcript_lines(transcript: Transcript) -> list[str]:
    """The transcript as JSON lines, one turn each, the form every prompt quotes it in (data
    between the prompt's nonce markers, never text the model could read as instructions)."""
    return [
        json.dumps({"turn": t.number, "speaker": t.speaker, "text": t.text}, ensure_ascii=False)
        for t in transcript
    ]
