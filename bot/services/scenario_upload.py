"""Team-private scenarios: a trainer uploads YAML, members play it; every edit is a new version.

Uploads go through the same strict loader as the shipped files (size, node count against
alias bombs, depth, duplicate keys, `file:line: field` errors). Bytes are checked before they
are decoded, so binary or oversized files are refused without being parsed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.roles import Action
from bot.domain.scenario import Scenario
from bot.errors import InvalidRequest, ScenarioNotFound
from bot.scenarios.loader import MAX_BYTES, file_problem, parse_scenario
from bot.scenarios.team_scenarios import Source, TeamScenarios
from bot.services.access import Access
from bot.services.practice import PlayContext, PracticeService, Started
from bot.storage.database import Database
from bot.storage.team_repository import VersionTaken

MAX_FILENAME = 64
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Uploaded:
    """A stored team scenario version (or the latest one, when the upload changed nothing)."""

    team_id: int
    scenario: Scenario
    version: int
    changed: bool


@dataclass(frozen=True)
class ScenarioEntry:
    """A scenario a team can play."""

    scenario: Scenario
    source: Source


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of a team scenario."""

    version: int
    author: str
    created_at: dt.datetime
    title: str


def upload_name(filename: str | None) -> str:
    """The uploaded file's name, made safe to echo back in error messages."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE_NAME.sub("_", base)[:MAX_FILENAME] or "scenario.yaml"


def decode_upload(content: bytes | str, source: str) -> str:
    """The upload as text, or `ScenarioInvalid` if it is too large, binary or not UTF-8."""
    if isinstance(content, str):
        return content
    if len(content) > MAX_BYTES:
        limit = str(MAX_BYTES // 1024)
        raise file_problem(source, 1, f"larger than {limit} KB", "file_too_big", {"le": limit})
    if b"\x00" in content:
        raise file_problem(source, 1, "not a text file", "not_text")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_problem(source, 1, "not UTF-8 text", "not_utf8") from None


class TeamScenarioService:
    """Uploading, listing and test-playing a team's own scenarios."""

    def __init__(
        self, db: Database, access: Access, scenarios: TeamScenarios, practice: PracticeService
    ) -> None:
        self.db = db
        self.access = access
        self.team_scenarios = scenarios
        self.practice = practice

    async def upload(
        self, actor: int, team_id: int, content: bytes | str, filename: str | None = None
    ) -> Uploaded:
        """Check a YAML scenario with the strict loader and store it as the team's next version."""
        async with self.db.unit() as u:  # refuse non-trainers before reading a byte
            await self.access.require(u.teams, actor, team_id, Action.UPLOAD_SCENARIO)
        source = upload_name(filename)
        text = decode_upload(content, source)
        parsed = parse_scenario(text, source)
        if self.team_scenarios.shipped(parsed.id) is not None:
            raise InvalidRequest("team.error.scenario_id_taken", scenario=parsed.id)
        try:
            async with self.db.unit() as u:
                await self.access.require(u.teams, actor, team_id, Action.UPLOAD_SCENARIO)
                repo = u.teams
                latest = await repo.scenario(team_id, parsed.id)
                if latest is not None and latest.yaml_text == text:
                    return Uploaded(
                        team_id, Scenario.model_validate(latest.data), latest.version, False
                    )
                version = latest.version + 1 if latest else 1
                scenario = parsed.model_copy(update={"version": version})
                await repo.add_scenario(
                    team_id, scenario.id, version, text, scenario.model_dump(mode="json"), actor
                )
        except VersionTaken:
            raise InvalidRequest("team.error.upload_conflict") from None
        return Uploaded(team_id, scenario, version, True)

    async def scenarios(self, actor: int, team_id: int) -> list[ScenarioEntry]:
        """Every scenario the team can play: the shipped ones and its own newest versions."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.PLAY_TEAM_SCENARIO)
            return [
                ScenarioEntry(f.scenario, f.source)
                for f in await self.team_scenarios.visible(u.teams, team_id)
            ]

    async def of_my_teams(self, actor: int) -> list[tuple[int, str, Scenario]]:
        """The own scenarios (newest versions) of every team the actor is in: (team id, team
        name, scenario), for the rep's /practice."""
        async with self.db.unit() as u:
            repo = u.teams
            return [
                (team.id, team.name, Scenario.model_validate(row.data))
                for team, _ in await repo.teams_of(actor)
                for row in await repo.latest_scenarios(team.id)
            ]

    async def versions(self, actor: int, team_id: int, scenario_id: str) -> list[VersionInfo]:
        """The stored versions of a team scenario, newest first."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.UPLOAD_SCENARIO)
            repo = u.teams
            rows = await repo.scenario_versions(team_id, scenario_id)
            if not rows:
                raise ScenarioNotFound(scenario=scenario_id[:64])
            result = []
            for row in rows:
                author = await repo.user(row.author_id)
                title = str(row.data.get("title", row.scenario_id))
                name = author.display_name if author else ""
                result.append(VersionInfo(row.version, name, row.created_at, title))
            return result

    async def source(
        self, actor: int, team_id: int, scenario_id: str, version: int | None = None
    ) -> str:
        """The YAML a version was uploaded as (to edit and upload again)."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.UPLOAD_SCENARIO)
            row = await u.teams.scenario(team_id, scenario_id, version)
            if row is None:
                raise ScenarioNotFound(scenario=scenario_id[:64])
            return row.yaml_text

    async def play(
        self, actor: int, team_id: int, scenario_id: str, replace: bool = False
    ) -> Started:
        """Practise a scenario in the team (a trainer's test play of an upload, or a rep's)."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.PLAY_TEAM_SCENARIO)
            found = await self.team_scenarios.find(u.teams, team_id, scenario_id)
        context = PlayContext(found.scenario, team_id)
        return await self.practice.start(actor, found.scenario.id, replace, context=context)
