"""Settings and scripted replies for tests that drive the real gateway through the fake server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.settings import ROOT, Settings
from tests.support.fake_openai import DIMENSIONS, STATE_DELIMITER, FakeOpenAI

CLIENT_MODEL, JUDGE_MODEL, COACH_MODEL = "fake-client", "fake-judge", "fake-coach"


def llm_settings(tmp_path: Path, fake: FakeOpenAI, **overrides: Any) -> Settings:
    """Settings with every role on the fake provider, short timeouts and one retry."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'llm.db'}",
        "scenarios_dir": ROOT / "scenarios",
        "openai_base_url": fake.url,
        "openai_api_key": "sk-test-secret-123456",
        "llm_model_client": CLIENT_MODEL,
        "llm_model_judge": JUDGE_MODEL,
        "llm_model_coach": COACH_MODEL,
        "llm_timeout_seconds": 1.0,
        "llm_max_retries": 1,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def client_reply(words: str, **state: Any) -> str:
    """A client model's answer: words, the delimiter, the state JSON."""
    full = {
        "mood_change": 0,
        "facts_revealed": [],
        "stage_change": False,
        "meeting_ended": False,
        "commitment": None,
    }
    full.update(state)
    return f"{words}\n{STATE_DELIMITER}\n{json.dumps(full)}"


def verdict(scores: dict[str, float] | float, evidence: list[dict[str, Any]] | None = None) -> str:
    """A judge's JSON answer with the given scores (one number means the same for all)."""
    per = scores if isinstance(scores, dict) else dict.fromkeys(DIMENSIONS, scores)
    dims = {
        d: {
            "reasoning": f"reasoning for {d}",
            "evidence": evidence or [],
            "score": per[d],
            "tip": f"tip for {d}",
        }
        for d in DIMENSIONS
    }
    return json.dumps({"dimensions": dims}, ensure_ascii=False)


async def begin_session(app: Any, name: str = "rep") -> tuple[int, str]:
    """A rep with a session past the brief, at the gatekeeper's opening line."""
    person = await app.users.local(name)
    started = await app.practice.start(person.id, "district-health-tail-payment")
    await app.practice.begin(person.id, started.session.id, None)
    return person.id, started.session.id


class Deltas:
    """An `on_delta` sink that keeps what was streamed."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    async def __call__(self, piece: str) -> None:
        self.pieces.append(piece)

    @property
    def text(self) -> str:
        """Everything shown, joined."""
        return "".join(self.pieces)
