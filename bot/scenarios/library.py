"""The shipped scenarios, loaded once from the scenarios directory."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.domain.scenario import Scenario
from bot.errors import ScenarioInvalid, ScenarioNotFound
from bot.scenarios.loader import load_scenario


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """YAML files named directly or found in the given directories, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


class ScenarioLibrary:
    """Scenarios by id, in a stable order (difficulty, then id)."""

    def __init__(self, scenarios: Iterable[Scenario]) -> None:
        items = sorted(scenarios, key=lambda s: (s.difficulty, s.id))
        self._by_id: dict[str, Scenario] = {}
        for scenario in items:
            if scenario.id in self._by_id:
                raise ScenarioInvalid(detail=f"duplicate scenario id {scenario.id!r}")
            self._by_id[scenario.id] = scenario

    @classmethod
    def from_directory(cls, directory: Path) -> ScenarioLibrary:
        """Load and validate every scenario file in a directory."""
        return cls(load_scenario(p) for p in scenario_files([directory]))

    def all(self) -> list[Scenario]:
        """Every scenario."""
        return list(self._by_id.values())

    def find(self, scenario_id: str) -> Scenario | None:
        """One scenario by id, or None."""
        return self._by_id.get(scenario_id)

    def get(self, scenario_id: str) -> Scenario:
        """One scenario by id, or `ScenarioNotFound`."""
        found = self.find(scenario_id)
        if found is None:
            raise ScenarioNotFound(scenario=scenario_id)
        return found
