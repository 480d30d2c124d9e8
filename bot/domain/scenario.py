"""A practice scenario: the case brief, the client's stages and personas, the hidden facts.

Strict models (unknown keys are errors) so a typo in a trainer's YAML is caught, not ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.facts import FACT_KEYS, FactKey
from bot.domain.lang import Lang

Temperament = Literal[
    "perfectionist",  # 完美型
    "helper",  # 助人型
    "achiever",  # 成就型
    "individualist",  # 自我型
    "investigator",  # 理智型
    "loyalist",  # 忠诚型
    "enthusiast",  # 活跃型
    "challenger",  # 领袖型
    "peacemaker",  # 和平型
]
Phenomenon = Literal["never_pays", "tormenting", "dragging", "twists"]
RootCause = Literal[
    "weak_brand",
    "weak_product",
    "legacy_issues",
    "poor_service",
    "loose_credit",
    "client_habit",
    "policy_market",
]
Hardship = Literal["find", "book", "meet", "close"]
Focus = Literal["collection", "prevention"]
EarnBy = Literal["question", "open_question", "reflection", "empathy", "regulation", "value"]
AdvanceNeed = Literal["introduce", "purpose", "empathy", "courtesy", "question", "reflection"]
CommitPart = Literal["date", "person", "action"]
ObjectionTrigger = Literal["payment_ask", "pressure", "regulation", "any"]
ResolveBy = Literal[
    "empathy", "reflection", "open_question", "regulation", "value", "next_step", "apology"
]
Dimension = Literal["listening", "persuasion", "preparation", "composure", "next_step"]
LineKind = Literal[
    "ack_warm",
    "ack_neutral",
    "meta",
    "pressure",
    "threat",
    "vague",
    "deflect",
    "deflect_stage",
    "deflect_mood",
    "deflect_more",
    "deflect_order",
    "deflect_objection",
    "deflect_trust",
    "confirm",
    "repeat",
    "decline_facts",
    "decline_mood",
    "decline_objection",
    "end_patience",
    "end_offended",
    "end_budget",
    "stall",
    "warn",
    "refer",
    "aside",
    "interrogated",
    "ask_who",
    "ask_why",
    "ask_purpose",
]
# How many turns of patience a temperament adds to every stage: a helpful type is not the
# first to leave; a challenger or achiever keeps the scenario's own figure.
TEMPERAMENT_PATIENCE: dict[str, int] = {"helper": 3, "peacemaker": 2, "enthusiast": 2}

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


def _ask() -> list[EarnBy]:
    return ["question"]


def _all_parts() -> list[CommitPart]:
    return ["date", "person", "action"]


class Strict(BaseModel):
    """Base for every scenario part: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Persona(Strict):
    """Who the rep is talking to in one stage."""

    name: Text
    role: Text
    style: Text
    motivations: list[Text] = Field(min_length=1)
    will_say: list[Text] = Field(default_factory=list)
    wont_say: list[Text] = Field(default_factory=list)
    # How the persona sounds when replies are spoken (/voice on); unset: guessed from the
    # name and role (女士/先生, Ms/Mr), else the provider's neutral voice.
    gender: Literal["female", "male"] | None = None


class StageAdvance(Strict):
    """What it takes to get past this stage (e.g. past the secretary to the official)."""

    needs: list[AdvanceNeed] = Field(min_length=1)
    min_mood: int = Field(default=0, ge=-3, le=3)
    requires_facts: list[FactKey] = Field(default_factory=list)
    line: Text


class Stage(Strict):
    """One part of the meeting, played by one persona, with its own patience."""

    id: Slug
    title: Text
    persona: Persona
    patience: int = Field(ge=1, le=60)
    entry_mood: int | None = Field(default=None, ge=-3, le=3)
    opening: Text
    advance: StageAdvance | None = None
    lines: dict[LineKind, list[Text]] = Field(default_factory=dict)


class EarnRule(Strict):
    """What the rep must do before the client tells a fact."""

    by: list[EarnBy] = Field(default_factory=_ask, min_length=1)
    min_mood: int = Field(default=-1, ge=-3, le=3)
    after: list[FactKey] = Field(default_factory=list)
    stage: Slug | None = None


class Fact(Strict):
    """One of the five things a rep must find out, with the line that reveals it."""

    value: Text
    reveal: Text
    markers: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1)
    keywords: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list)
    earn: EarnRule = Field(default_factory=EarnRule)
    # Other stages whose persona also knows this fact, with the line in that persona's voice.
    voices: dict[Slug, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _reveal_shows_a_marker(self) -> Fact:
        for line in (self.reveal, *self.voices.values()):
            if not any(m in line for m in self.markers):
                raise ValueError("reveal and voices must contain at least one of the markers")
        return self


class Objection(Strict):
    """A push-back the client raises, and what settles it."""

    id: Slug
    trigger: ObjectionTrigger = "payment_ask"
    says: Text
    resolved_by: list[ResolveBy] = Field(min_length=1)
    settled: Text


class Commitment(Strict):
    """What counts as a concrete commitment from the client."""

    needs: list[CommitPart] = Field(default_factory=_all_parts)
    requires_facts: list[FactKey] = Field(default_factory=list)
    min_mood: int = Field(default=0, ge=-3, le=3)
    accept: Text
    decline: Text


class Brief(Strict):
    """The case card the rep reads before the meeting."""

    client: Text
    history: Text
    contract_amount: int = Field(ge=0)
    overdue_amount: int = Field(ge=0)
    overdue_since: dt.date | None = None
    currency: Literal["CNY", "USD", "EUR"] = "CNY"
    known: list[Text] = Field(min_length=1)
    goal: Text


class RubricWeights(Strict):
    """How much each dimension counts in the overall score (normalised when used)."""

    listening: float = Field(default=0.30, ge=0, le=1)
    persuasion: float = Field(default=0.20, ge=0, le=1)
    preparation: float = Field(default=0.25, ge=0, le=1)
    composure: float = Field(default=0.10, ge=0, le=1)
    next_step: float = Field(default=0.15, ge=0, le=1)

    @model_validator(mode="after")
    def _some_weight(self) -> RubricWeights:
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("at least one rubric weight must be positive")
        return self

    def as_dict(self) -> dict[Dimension, float]:
        """Weights by dimension, normalised to sum to 1."""
        raw: dict[Dimension, float] = {
            "listening": self.listening,
            "persuasion": self.persuasion,
            "preparation": self.preparation,
            "composure": self.composure,
            "next_step": self.next_step,
        }
        total = sum(raw.values()) or 1.0
        return {k: v / total for k, v in raw.items()}


class Translation(Strict):
    """How the scenario is named in another interface language."""

    title: Text
    summary: Text


class Scenario(Strict):
    """A whole practice case."""

    id: Slug
    version: int = Field(default=1, ge=1)
    title: Text
    summary: Text
    language: Lang
    difficulty: int = Field(ge=1, le=5)
    temperament: Temperament
    phenomenon: Phenomenon
    root_causes: list[RootCause] = Field(min_length=1)
    hardships: list[Hardship] = Field(default_factory=list)
    main_hardship: Hardship | None = None
    focus: Focus = "collection"
    brief: Brief
    turn_budget: int = Field(ge=3, le=60)
    pass_mark: int = Field(default=60, ge=0, le=100)
    rubric: RubricWeights = Field(default_factory=RubricWeights)
    stages: list[Stage] = Field(min_length=1, max_length=5)
    facts: dict[FactKey, Fact]
    objections: list[Objection] = Field(default_factory=list)
    commitment: Commitment
    translations: dict[Lang, Translation] = Field(default_factory=dict)
    # The day the case is written as of; a session shifts every date by its distance to today.
    anchor: dt.date | None = None

    @field_validator("facts")
    @classmethod
    def _all_five_facts(cls, facts: dict[FactKey, Fact]) -> dict[FactKey, Fact]:
        missing = [k for k in FACT_KEYS if k not in facts]
        if missing:
            raise ValueError(f"all five facts are required; missing: {', '.join(missing)}")
        return facts

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        if self.main_hardship and self.hardships and self.main_hardship not in self.hardships:
            raise ValueError("main_hardship must be one of the listed hardships")
        stage_ids = [s.id for s in self.stages]
        if len(set(stage_ids)) != len(stage_ids):
            raise ValueError("stage ids must be unique")
        for key, fact in self.facts.items():
            if fact.earn.stage and fact.earn.stage not in stage_ids:
                raise ValueError(f"facts.{key}.earn.stage: no stage named {fact.earn.stage!r}")
            if key in fact.earn.after:
                raise ValueError(f"facts.{key}.earn.after: a fact cannot depend on itself")
            for stage_id in fact.voices:
                if stage_id not in stage_ids:
                    raise ValueError(f"facts.{key}.voices: no stage named {stage_id!r}")
        for key, fact in self.facts.items():
            for where, line in self._spoken_lines():
                hit = next((m for m in fact.markers if m in line), None)
                if hit is not None:
                    raise ValueError(
                        f"facts.{key}.markers: {hit!r} also appears in {where}, so the fact "
                        "would count as told without being earned"
                    )
        for index, stage in enumerate(self.stages[:-1]):
            if stage.advance is None:
                raise ValueError(f"stages.{stage.id}: every stage but the last needs 'advance'")
            for key in stage.advance.requires_facts:
                if self.fact_stage(key) > index:
                    raise ValueError(
                        f"stages.{stage.id}.advance.requires_facts: {key} is only told in a "
                        "later stage, so this stage could never be passed"
                    )
        return self

    def _spoken_lines(self) -> list[tuple[str, str]]:
        """Lines the client may say before any fact is earned, with where they are."""
        lines: list[tuple[str, str]] = []
        for stage in self.stages:
            lines.append((f"stages.{stage.id}.opening", stage.opening))
            if stage.advance:
                lines.append((f"stages.{stage.id}.advance.line", stage.advance.line))
            for kind, texts in stage.lines.items():
                lines += [(f"stages.{stage.id}.lines.{kind}", t) for t in texts]
        for objection in self.objections:
            lines.append((f"objections.{objection.id}.says", objection.says))
            lines.append((f"objections.{objection.id}.settled", objection.settled))
        return lines

    def stage_index(self, stage_id: str) -> int:
        """Position of a stage by id."""
        return [s.id for s in self.stages].index(stage_id)

    def fact_stage(self, key: FactKey) -> int:
        """The stage from which a fact can be told (the last stage unless set)."""
        stage = self.facts[key].earn.stage
        return self.stage_index(stage) if stage else len(self.stages) - 1

    def knows(self, stage: int, key: FactKey) -> bool:
        """Whether the persona of a stage can tell a fact (its own stage, or a voice for it)."""
        return stage == self.fact_stage(key) or self.stages[stage].id in self.facts[key].voices

    def reveal_line(self, stage: int, key: FactKey) -> str:
        """The words a stage's persona tells a fact with."""
        fact = self.facts[key]
        return fact.voices.get(self.stages[stage].id, fact.reveal)

    def owner(self, key: FactKey) -> int:
        """The stage whose persona a fact belongs to."""
        return self.fact_stage(key)

    def patience_of(self, stage: int) -> int:
        """How many turns a stage's persona gives before leaving (temperament included)."""
        return self.stages[stage].patience + TEMPERAMENT_PATIENCE.get(self.temperament, 0)

    def title_in(self, lang: Lang) -> str:
        """Title in the interface language where a translation exists."""
        tr = self.translations.get(lang)
        return tr.title if tr and lang != self.language else self.title

    def summary_in(self, lang: Lang) -> str:
        """Summary in the interface language where a translation exists."""
        tr = self.translations.get(lang)
        return tr.summary if tr and lang != self.language else self.summary
