"""The LLM judge: anchored criteria, reasoning before the score, temperature 0, a validated
JSON result; optional repeated sampling with a median per criterion.

The rep's words are hostile input: the transcript goes in as JSON lines between markers that
carry a per-call random nonce, the judge is told that instructions inside are behaviour to
grade, and the instructions are repeated after the data. Whatever the judge says, the grading
core then drops quotes not found in the transcript and clamps scores to the deterministic
bounds, so an obeyed injection still cannot lift a score past what the transcript supports.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import statistics
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.domain.ports import Judgement, JudgeRequest
from bot.domain.rubric import DIMENSIONS
from bot.domain.scenario import Dimension
from bot.domain.scorecard import DimensionScore, Evidence
from bot.errors import ProviderError
from bot.i18n import Catalog
from bot.llm.gateway import SIDE_SLOT, Gateway, Message, Usage
from bot.llm.prompts import Prompts, transcript_lines
from bot.llm.structured import extract_json
from bot.offline.judge import OfflineJudge, coached

log = logging.getLogger(__name__)
MAX_TOKENS = 2500
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_DIMENSION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reasoning", "evidence", "score", "tip"],
    "properties": {
        "reasoning": {"type": "string"},
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["turn", "quote"],
                "properties": {"turn": {"type": "integer"}, "quote": {"type": "string"}},
            },
        },
        "score": {"type": "number"},
        "tip": {"type": "string"},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["dimensions"],
    "properties": {
        "dimensions": {
            "type": "object",
            "additionalProperties": False,
            "required": list(DIMENSIONS),
            "properties": {d: _DIMENSION for d in DIMENSIONS},
        }
    },
}


class QuoteOut(BaseModel):
    """One quote the judge cites."""

    model_config = ConfigDict(extra="ignore")
    turn: int
    quote: str


class CriterionOut(BaseModel):
    """One criterion as the judge returns it."""

    model_config = ConfigDict(extra="ignore")
    reasoning: str = ""
    evidence: list[QuoteOut] = Field(default_factory=list)
    score: float = Field(ge=1, le=5)
    tip: str = ""


class VerdictOut(BaseModel):
    """The judge's whole answer; every criterion is required."""

    model_config = ConfigDict(extra="ignore")
    dimensions: dict[Dimension, CriterionOut]

    @field_validator("dimensions", mode="before")
    @classmethod
    def _known_criteria(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k in DIMENSIONS}
        return value

    @field_validator("dimensions")
    @classmethod
    def _all_criteria(cls, value: dict[Dimension, CriterionOut]) -> dict[Dimension, CriterionOut]:
        missing = [d for d in DIMENSIONS if d not in value]
        if missing:
            raise ValueError(f"missing criteria: {', '.join(missing)}")
        return value


def median_verdict(verdicts: list[VerdictOut]) -> dict[Dimension, DimensionScore]:
    """Per criterion the median score, with the quotes and tip of the closest sample."""
    result: dict[Dimension, DimensionScore] = {}
    for dim in DIMENSIONS:
        scores = [v.dimensions[dim].score for v in verdicts]
        middle = float(statistics.median(scores))
        closest = min(verdicts, key=lambda v: abs(v.dimensions[dim].score - middle))
        chosen = closest.dimensions[dim]
        result[dim] = DimensionScore(
            score=round(middle, 2),
            evidence=tuple(Evidence(q.turn, q.quote) for q in chosen.evidence),
            tip=chosen.tip.strip(),
        )
    return result


def in_language(text: str, lang: str) -> bool:
    """Whether a tip is written in the session's language (Chinese: mostly Chinese characters
    among its letters; English: mostly Latin letters)."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if not han and not latin:
        return False
    return han >= latin / 4 if lang == "zh" else latin > 4 * han


class LLMJudge:
    """A `Judge` backed by a chat model."""

    def __init__(
        self,
        gateway: Gateway,
        prompts: Prompts,
        model: str,
        catalog: Catalog,
        samples: int = 1,
    ) -> None:
        self.gateway = gateway
        self.prompts = prompts
        self.model = model
        self.catalog = catalog
        self.samples = samples
        self.label = f"llm:{model}"
        self._offline = OfflineJudge(catalog)

    def messages(self, request: JudgeRequest, nonce: str) -> list[Message]:
        """The stable instructions, then the nonce-delimited data and the reminder."""
        lang = request.lang
        rubric = {d: self.catalog.t(lang, f"rubric.{d}") for d in DIMENSIONS}
        system = self.prompts.render(
            "judge_system.j2", rubric=rubric, lang=lang, scenario=request.scenario
        )
        m = request.metrics
        measurements = {
            "rep talk share": f"{m.talk_share:.0%}",
            "rep turns": m.rep_turns,
            "questions (open)": f"{m.questions} ({m.open_questions})",
            "reflections": m.reflections,
            "pressure turns": m.pressure,
            "threats": m.threats,
            "five questions": ", ".join(f"{k}={v}" for k, v in m.checklist.items()),
            "concrete next step accepted": "yes" if m.commitment else "no",
        }
        plan = json.dumps(request.plan, ensure_ascii=False) if request.plan else ""
        user = self.prompts.render(
            "judge_user.j2",
            nonce=nonce,
            turns=transcript_lines(request.transcript),
            plan=plan,
            measurements=measurements,
            lang=lang,
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def judge(self, request: JudgeRequest) -> Judgement:
        """Score every criterion (median of `samples` calls); rewording comes from the coach."""
        runs = await asyncio.gather(*(self._sample(request) for _ in range(self.samples)))
        usage = sum((u for _, u in runs), Usage())
        baseline = await self._offline.judge(request)
        dimensions = median_verdict([v for v, _ in runs])
        for dim, scored in dimensions.items():
            if not in_language(scored.tip, request.lang):  # a tip the rep could not read
                fallback = baseline.dimensions[dim].tip
                dimensions[dim] = DimensionScore(scored.score, scored.evidence, fallback)
        return Judgement(
            label=self.label,
            dimensions=dimensions,
            # The turn to coach is the one that cost most on the model's own scores.
            rewording=coached(request, {d: s.score for d, s in dimensions.items()}, self.catalog)
            or baseline.rewording,
            usage=usage.as_dict(),
        )

    async def _sample(self, request: JudgeRequest) -> tuple[VerdictOut, Usage]:
        """One verdict; a malformed answer is repaired by parsing, else asked for once more."""
        messages = self.messages(request, secrets.token_hex(8))
        usage = Usage()
        for attempt in (1, 2):
            try:
                done = await self.gateway.complete(
                    self.model,
                    messages,
                    temperature=0.0,
                    max_tokens=MAX_TOKENS,
                    schema=("scorecard", SCHEMA),
                    slot=SIDE_SLOT,
                )
            except ProviderError as exc:
                if exc.code == "llm.error.malformed" and attempt == 1:
                    continue
                raise
            usage = usage + done.usage
            data = extract_json(done.text)
            try:
                return VerdictOut.model_validate(data), usage
            except ValidationError as exc:
                problem = "; ".join(e["msg"] for e in exc.errors()[:3])
                log.warning("judge answer invalid (attempt %d): %s", attempt, problem)
                messages = [
                    *messages,
                    {"role": "assistant", "content": done.text[:4000]},
                    {
                        "role": "user",
                        "content": "That answer did not match the required JSON "
                        f"({problem}). Reply with the complete JSON object only.",
                    },
                ]
        raise ProviderError("llm.error.malformed")
