"""Team scenario upload through the service door: broken, hostile and valid files; versions."""

from __future__ import annotations

import pytest

from bot.domain.scenario import Scenario
from bot.errors import InvalidRequest, ScenarioInvalid
from bot.storage.team_repository import TeamRepository
from tests.support.world import VALID_YAML_ID, World, scenario_yaml


async def _team(world: World) -> tuple[int, int, int]:
    trainer, team = await world.trainer(600, "张老师")
    rep = await world.rep(700, "小陈", trainer, team)
    return trainer, team, rep


async def _refusal(world: World, content: bytes | str, filename: str = "bad.yaml") -> str:
    """The error detail a trainer gets back for this upload."""
    trainer, team = await world.trainer(600, "张老师")
    with pytest.raises(ScenarioInvalid) as caught:
        await world.training.uploads.upload(trainer, team, content, filename)
    return str(caught.value.params["detail"])


# --- valid files ---------------------------------------------------------------------------


async def test_a_valid_upload_becomes_a_team_scenario_members_can_play(
    world: World, scenario: Scenario
) -> None:
    trainer, team, rep = await _team(world)
    raw = b"\xef\xbb\xbf" + scenario_yaml(scenario, title="县财政局年底支付").encode()
    uploaded = await world.training.uploads.upload(trainer, team, raw, "county.yaml")
    assert (uploaded.scenario.id, uploaded.version, uploaded.changed) == (VALID_YAML_ID, 1, True)
    listed = await world.training.uploads.scenarios(rep, team)
    assert [(e.scenario.id, e.source) for e in listed][-1] == (VALID_YAML_ID, "team")
    test_play = await world.training.uploads.play(trainer, team, VALID_YAML_ID)
    assert test_play.scenario.title == "县财政局年底支付"
    played = await world.training.uploads.play(rep, team, VALID_YAML_ID)
    sessions = await world.training.review.sessions(trainer, team)
    assert {s.id for s in sessions} == {test_play.session.id, played.session.id}


async def test_an_edit_is_a_new_version_and_the_same_file_again_is_not(
    world: World, scenario: Scenario
) -> None:
    trainer, team, _ = await _team(world)
    uploads = world.training.uploads
    first = scenario_yaml(scenario, title="第一版")
    await uploads.upload(trainer, team, first)
    second = await uploads.upload(trainer, team, scenario_yaml(scenario, title="第二版"))
    again = await uploads.upload(trainer, team, scenario_yaml(scenario, title="第二版"))
    assert (second.version, second.changed) == (2, True)
    assert (again.version, again.changed) == (2, False)
    versions = await uploads.versions(trainer, team, VALID_YAML_ID)
    assert [(v.version, v.title, v.author) for v in versions] == [
        (2, "第二版", "张老师"),
        (1, "第一版", "张老师"),
    ]
    assert await uploads.source(trainer, team, VALID_YAML_ID, version=1) == first


async def test_past_sessions_and_pinned_assignments_keep_the_version_they_played(
    world: World, scenario: Scenario
) -> None:
    trainer, team, rep = await _team(world)
    uploads = world.training.uploads
    await uploads.upload(trainer, team, scenario_yaml(scenario, title="第一版"))
    assigned = await world.training.assignments.assign(trainer, team, VALID_YAML_ID, "3d")
    old = await world.complete(rep, await uploads.play(rep, team, VALID_YAML_ID))
    await uploads.upload(trainer, team, scenario_yaml(scenario, title="第二版", difficulty=5))
    new = await uploads.play(rep, team, VALID_YAML_ID, replace=True)
    assert (new.scenario.version, new.scenario.title) == (2, "第二版")
    review = await world.training.review.open(trainer, old)
    assert (review.started.scenario.version, review.started.scenario.title) == (1, "第一版")
    task = await world.training.assignments.start(rep, assigned.assignment.id, replace=True)
    assert (task.scenario.version, task.scenario.title) == (1, "第一版")


async def test_a_built_in_id_cannot_be_taken(world: World, scenario: Scenario) -> None:
    trainer, team, _ = await _team(world)
    with pytest.raises(InvalidRequest) as caught:
        await world.training.uploads.upload(trainer, team, scenario_yaml(scenario, scenario.id))
    assert caught.value.code == "team.error.scenario_id_taken"


async def test_a_version_a_concurrent_upload_stored_first_is_refused_as_a_conflict(
    world: World, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer, team, _ = await _team(world)
    uploads = world.training.uploads
    await uploads.upload(trainer, team, scenario_yaml(scenario, title="第一版"))

    async def unseen(*_args: object, **_kwargs: object) -> None:
        return None  # as if the other upload had not committed when this one looked

    monkeypatch.setattr(TeamRepository, "scenario", unseen)
    with pytest.raises(InvalidRequest) as caught:
        await uploads.upload(trainer, team, scenario_yaml(scenario, title="第二版"))
    assert caught.value.code == "team.error.upload_conflict"
    monkeypatch.undo()
    versions = await uploads.versions(trainer, team, VALID_YAML_ID)
    assert [(v.version, v.title) for v in versions] == [(1, "第一版")]


# --- broken files ----------------------------------------------------------------------------


async def test_a_field_error_names_file_line_and_field(world: World, scenario: Scenario) -> None:
    text = scenario_yaml(scenario)
    line = text.splitlines().index("difficulty: 3") + 1
    detail = await _refusal(world, text.replace("difficulty: 3", "difficulty: 9"), "county.yaml")
    assert detail.startswith(f"county.yaml:{line}: difficulty: ")


async def test_a_syntax_error_names_its_line(world: World) -> None:
    detail = await _refusal(world, "id: a-b\ntitle: [unclosed\nsummary: x\n")
    assert detail.startswith("bad.yaml:3: YAML syntax")


async def test_an_unknown_field_is_an_error_not_ignored(world: World, scenario: Scenario) -> None:
    text = scenario_yaml(scenario) + "secret_bonus: 100\n"
    detail = await _refusal(world, text)
    assert f"bad.yaml:{len(text.splitlines())}: secret_bonus: Extra inputs are not permitted" in (
        detail
    )


async def test_the_file_name_is_made_safe_before_it_is_echoed(world: World) -> None:
    detail = await _refusal(world, "- just\n- a list\n", "../../etc/pass wd\n<b>.yaml")
    assert detail == "pass_wd_b_.yaml:1: the document must be a mapping of fields"


# --- hostile files ----------------------------------------------------------------------------


async def test_a_yaml_bomb_is_refused_without_expanding_it(world: World) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    detail = await _refusal(world, "\n".join(lines) + "\n")
    assert "too many aliases" in detail


async def test_a_huge_anchor_repeated_is_refused(world: World) -> None:
    big = "big: &x [" + ", ".join(["1"] * 12000) + "]\n"
    detail = await _refusal(world, big + "copy1: *x\ncopy2: *x\n")
    assert detail == "bad.yaml:1: document too large or uses too many aliases"  # the anchor


async def test_a_binary_file_is_refused(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert await _refusal(world, png, "photo.png") == "photo.png: not a text file"


async def test_a_file_that_is_not_utf8_is_refused(world: World) -> None:
    gbk = "id: 县财政局\n".encode("gbk")
    assert await _refusal(world, gbk) == "bad.yaml: not UTF-8 text"


async def test_an_oversized_file_is_refused_before_parsing(world: World) -> None:
    huge = b"# " + b"x" * (300 * 1024) + b"\n"
    assert await _refusal(world, huge) == "bad.yaml: larger than 256 KB"


async def test_duplicate_keys_are_refused(world: World, scenario: Scenario) -> None:
    text = scenario_yaml(scenario)
    dup = text + "title: 偷偷换个标题\n"
    detail = await _refusal(world, dup)
    assert detail == f"bad.yaml:{len(dup.splitlines())}: duplicate key 'title'"


async def test_a_refused_upload_stores_nothing(world: World) -> None:
    trainer, team, _ = await _team(world)
    with pytest.raises(ScenarioInvalid):
        await world.training.uploads.upload(trainer, team, b"\x00\x01")
    shipped = len(world.library.all())
    assert len(await world.training.uploads.scenarios(trainer, team)) == shipped
