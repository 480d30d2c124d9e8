"""What a set of scenarios covers: filtering by the method's labels, and the coverage counts.

Pure functions over `Scenario`s, shared by the CLI picker and the library's coverage test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import get_args

from bot.domain.lang import LANGS
from bot.domain.scenario import Hardship, Phenomenon, RootCause, Scenario, Temperament
from bot.i18n import Catalog

TEMPERAMENTS: tuple[Temperament, ...] = get_args(Temperament)
PHENOMENA: tuple[Phenomenon, ...] = get_args(Phenomenon)
ROOT_CAUSES: tuple[RootCause, ...] = get_args(RootCause)
HARDSHIPS: tuple[Hardship, ...] = get_args(Hardship)


@dataclass(frozen=True)
class Filter:
    """Which scenarios to keep; an empty field keeps everything."""

    temperaments: frozenset[str] = field(default_factory=frozenset)
    phenomena: frozenset[str] = field(default_factory=frozenset)
    difficulties: frozenset[int] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    hardships: frozenset[str] = field(default_factory=frozenset)
    prevention: bool | None = None

    def keeps(self, scenario: Scenario) -> bool:
        """Whether a scenario passes every set condition."""
        main = scenario.main_hardship
        return (
            (not self.temperaments or scenario.temperament in self.temperaments)
            and (not self.phenomena or scenario.phenomenon in self.phenomena)
            and (not self.difficulties or scenario.difficulty in self.difficulties)
            and (not self.languages or scenario.language in self.languages)
            and (not self.hardships or (main is not None and main in self.hardships))
            and (self.prevention is None or (scenario.focus == "prevention") == self.prevention)
        )

    def apply(self, scenarios: Iterable[Scenario]) -> list[Scenario]:
        """The scenarios this filter keeps, in their order."""
        return [s for s in scenarios if self.keeps(s)]


def resolve(value: str, codes: Iterable[str], labels: Mapping[str, Iterable[str]]) -> str | None:
    """A code from what a person typed: the code itself or any of its labels (any language)."""
    wanted = value.strip().lower()
    for code in codes:
        names = {code.lower(), *(n.strip().lower() for n in labels.get(code, ()))}
        if wanted in names:
            return code
    return None


@dataclass(frozen=True)
class Coverage:
    """How many scenarios fall under each label of the method."""

    total: int
    grid: dict[tuple[str, str], int]
    temperaments: Counter[str]
    phenomena: Counter[str]
    root_causes: Counter[str]
    main_hardships: Counter[str]
    difficulties: Counter[int]
    languages: Counter[str]
    prevention: int

    def gaps(self, minimum_causes: int = 2, minimum_hardships: int = 2) -> list[str]:
        """Labels the set does not cover well enough, as short codes (empty when complete)."""
        missing = [f"temperament:{t}" for t in TEMPERAMENTS if not self.temperaments[t]]
        missing += [f"phenomenon:{p}" for p in PHENOMENA if not self.phenomena[p]]
        missing += [f"root_cause:{c}" for c in ROOT_CAUSES if self.root_causes[c] < minimum_causes]
        missing += [
            f"main_hardship:{h}" for h in HARDSHIPS if self.main_hardships[h] < minimum_hardships
        ]
        missing += [f"difficulty:{d}" for d in range(1, 6) if not self.difficulties[d]]
        return missing


def coverage(scenarios: Iterable[Scenario]) -> Coverage:
    """Count a set of scenarios by temperament × pattern and by every other label."""
    items = list(scenarios)
    grid: Counter[tuple[str, str]] = Counter((s.temperament, s.phenomenon) for s in items)
    return Coverage(
        total=len(items),
        grid=dict(grid),
        temperaments=Counter(s.temperament for s in items),
        phenomena=Counter(s.phenomenon for s in items),
        root_causes=Counter(c for s in items for c in set(s.root_causes)),
        main_hardships=Counter(s.main_hardship for s in items if s.main_hardship),
        difficulties=Counter(s.difficulty for s in items),
        languages=Counter(s.language for s in items),
        prevention=sum(s.focus == "prevention" for s in items),
    )


_PREVENTION_WORDS = ("预防", "防控", "风险防控", "签约前", "prevention", "prevent")
_STARS = re.compile(r"^(?:([1-5])\s*(?:星|stars?|★)?|(★{1,5}))$")


def filter_from_words(words: Iterable[str], catalog: Catalog) -> tuple[Filter, list[str]]:
    """A filter from free words (完美型, 久拖不决, 3星, ★★, 预防 — either language), and the
    words that matched nothing."""
    temperaments: set[str] = set()
    phenomena: set[str] = set()
    difficulties: set[int] = set()
    prevention: bool | None = None
    unknown: list[str] = []
    t_labels: dict[str, list[str]] = {
        c: [catalog.t(lang, f"temperament.{c}") for lang in LANGS] for c in TEMPERAMENTS
    }
    p_labels: dict[str, list[str]] = {
        c: [catalog.t(lang, f"phenomenon.{c}") for lang in LANGS] for c in PHENOMENA
    }
    for word in (w.strip() for w in words):
        if not word:
            continue
        stars = _STARS.match(word.lower())
        if (code := resolve(word, TEMPERAMENTS, t_labels)) is not None:
            temperaments.add(code)
        elif (code := resolve(word, PHENOMENA, p_labels)) is not None:
            phenomena.add(code)
        elif stars:
            difficulties.add(int(stars.group(1)) if stars.group(1) else len(stars.group(2)))
        elif word.lower() in _PREVENTION_WORDS:
            prevention = True
        else:
            unknown.append(word)
    chosen = Filter(
        temperaments=frozenset(temperaments),
        phenomena=frozenset(phenomena),
        difficulties=frozenset(difficulties),
        prevention=prevention,
    )
    return chosen, unknown
