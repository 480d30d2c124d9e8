"""Scenario lookup for a team: the shipped library plus the team's private versions.

The one seam where the two sources meet. Team scenarios never shadow shipped ones (an upload
with a shipped id is refused), so an id means the same thing everywhere in a team. Access is
checked by the caller; this only finds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from bot.domain.scenario import Scenario
from bot.errors import ScenarioNotFound
from bot.scenarios.library import ScenarioLibrary
from bot.storage.team_repository import TeamRepository

Source = Literal["shipped", "team"]
Pin = tuple[int, str, int | None]
"""(team id, scenario id, version or None for the newest): what `find` is asked for."""


@dataclass(frozen=True)
class Found:
    """A scenario and where it came from."""

    scenario: Scenario
    source: Source


class TeamScenarios:
    """Finds scenarios a team may play."""

    def __init__(self, library: ScenarioLibrary) -> None:
        self.library = library

    def shipped(self, scenario_id: str) -> Scenario | None:
        """A shipped scenario, if there is one with this id."""
        return self.library.find(scenario_id)

    async def find(
        self, teams: TeamRepository, team_id: int, scenario_id: str, version: int | None = None
    ) -> Found:
        """A shipped scenario, or the team's version (newest unless `version` is given)."""
        shipped = self.shipped(scenario_id)
        if shipped is not None:
            return Found(shipped, "shipped")
        row = await teams.scenario(team_id, scenario_id, version)
        if row is None:
            raise ScenarioNotFound(scenario=scenario_id[:64])
        return Found(Scenario.model_validate(row.data), "team")

    async def find_many(self, teams: TeamRepository, pins: Iterable[Pin]) -> dict[Pin, Found]:
        """What `find` finds for each pin, reading pinned team versions all at once; a pin
        found nowhere is left out."""
        found: dict[Pin, Found] = {}
        unshipped: list[Pin] = []
        for pin in set(pins):
            shipped = self.shipped(pin[1])
            if shipped is not None:
                found[pin] = Found(shipped, "shipped")
            else:
                unshipped.append(pin)
        exact = [(team, sid, version) for team, sid, version in unshipped if version is not None]
        rows = await teams.pinned_scenarios(exact)
        for pin in unshipped:
            team, sid, version = pin
            if version is None:
                # The newest version of an id that is not shipped: rare (a shipped file
                # removed), so read on its own.
                try:
                    found[pin] = await self.find(teams, team, sid)
                except ScenarioNotFound:
                    continue
            elif (row := rows.get((team, sid, version))) is not None:
                found[pin] = Found(Scenario.model_validate(row.data), "team")
        return found

    async def visible(self, teams: TeamRepository, team_id: int) -> list[Found]:
        """Every scenario the team can play: shipped first, then its own (newest versions)."""
        own = await teams.latest_scenarios(team_id)
        return [Found(sc, "shipped") for sc in self.library.all()] + [
            Found(Scenario.model_validate(row.data), "team") for row in own
        ]


def titles(snapshot: dict[str, Any]) -> dict[str, str]:
    """A scenario's title by language, from its stored snapshot (its own language first)."""
    found = {str(snapshot.get("language", "zh")): str(snapshot.get("title", ""))}
    for lang, tr in (snapshot.get("translations") or {}).items():
        if isinstance(tr, dict) and tr.get("title"):
            found.setdefault(str(lang), str(tr["title"]))
    return {k: v for k, v in found.items() if v}


def pick_title(by_lang: dict[str, str], lang: str, fallback: str) -> str:
    """The title in `lang`, else in the scenario's own language, else the fallback (its id)."""
    return by_lang.get(lang) or next(iter(by_lang.values()), fallback)
