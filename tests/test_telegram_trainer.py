"""Roles in Telegram: trainer commands refused to reps and hidden from their menu, staff menus
through per-chat scopes, teams and invite deep links, the linked group, /help."""

from __future__ import annotations

import pytest

from bot.i18n import Catalog
from bot.settings import Settings
from bot.telegram.menus import REP_COMMANDS, TRAINER_COMMANDS
from tests.support.bot_harness import eventually
from tests.support.team_bot import (
    GROUP,
    OPERATOR,
    OUTSIDER,
    REP,
    REP2,
    TRAINER,
    Setup,
    TeamBot,
    no_setup,
)
from tests.support.world import Clock

CATALOG = Catalog.load()
TRAINER_ONLY = CATALOG.t("zh", "team.denied.trainer_only")


@pytest.fixture
def tb_setup() -> Setup:
    """`tb` is the bot with an operator (ADMIN_TELEGRAM_IDS) on a test clock, and no team."""
    return no_setup


@pytest.mark.parametrize(
    "command",
    ["/team", "/newteam 我的团队", "/assign", "/review", "/export", "/upload"],
)
async def test_every_trainer_command_is_refused_to_a_rep(tb: TeamBot, command: str) -> None:
    await tb.team()
    await tb.say(REP, command)
    assert tb.last(REP) == TRAINER_ONLY


async def test_linkgroup_is_refused_to_a_rep_in_the_group(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(REP, "/linkgroup", chat=GROUP)
    assert tb.last(GROUP) == TRAINER_ONLY


@pytest.mark.parametrize("who", [REP, TRAINER])
async def test_grant_is_refused_to_everyone_but_an_operator(tb: TeamBot, who: int) -> None:
    await tb.team()
    await tb.say(who, f"/grant {REP2}")
    assert tb.last(who) == CATALOG.t("zh", "team.denied.operator_only")


async def test_a_yaml_file_from_a_rep_is_refused_without_being_downloaded(tb: TeamBot) -> None:
    await tb.team()
    await tb.send_file(REP, "case.yaml", b"id: x\n")
    assert tb.last(REP) == TRAINER_ONLY
    assert tb.api.calls_to("getFile") == []


async def test_someone_outside_any_team_is_refused_trainer_commands(tb: TeamBot) -> None:
    await tb.say(OUTSIDER, "/assign")
    assert tb.last(OUTSIDER) == TRAINER_ONLY


def _scoped(tb: TeamBot, chat: int) -> dict[str | None, list[str]]:
    """The commands set for one chat's scope, by language."""
    return {
        c.params.get("language_code"): [x["command"] for x in c.params["commands"]]
        for c in tb.api.calls_to("setMyCommands")
        if c.params.get("scope") == {"type": "chat", "chat_id": chat}
    }


async def test_reps_menu_has_no_trainer_command(tb: TeamBot) -> None:
    default = [c.params for c in tb.api.calls_to("setMyCommands") if "scope" not in c.params]
    assert {p.get("language_code") for p in default} == {"zh", "en", None}
    for params in default:
        assert [c["command"] for c in params["commands"]] == list(REP_COMMANDS)
        assert not set(TRAINER_COMMANDS) & {c["command"] for c in params["commands"]}


async def test_operator_gets_the_operator_menu_through_a_chat_scope_at_start(tb: TeamBot) -> None:
    async def set_for_operator() -> bool:
        return set(_scoped(tb, OPERATOR)) == {"zh", "en", None}

    await eventually(set_for_operator)
    menu = _scoped(tb, OPERATOR)["zh"]
    assert menu[: len(TRAINER_COMMANDS) + 1] == [*TRAINER_COMMANDS, "grant"]
    assert menu[len(TRAINER_COMMANDS) + 1 :] == list(REP_COMMANDS)


async def test_a_new_trainer_gets_the_trainer_menu_at_once_and_reps_get_none(tb: TeamBot) -> None:
    await tb.team()
    assert _scoped(tb, TRAINER)["zh"] == [*TRAINER_COMMANDS, *REP_COMMANDS]
    assert _scoped(tb, TRAINER)["en"][0] == "team"
    assert _scoped(tb, REP) == {}


async def test_staff_menus_are_set_again_after_a_restart(settings: Settings) -> None:
    clock = Clock()
    async with TeamBot(settings, clock) as tb:
        await tb.team()
    async with TeamBot(settings, clock, tb.api) as again:
        before = len(again.api.calls_to("setMyCommands"))

        async def trainer_set_again() -> bool:
            calls = again.api.calls_to("setMyCommands")[before:]
            return any(c.params.get("scope", {}).get("chat_id") == TRAINER for c in calls)

        await eventually(trainer_set_again)


async def test_invite_deep_link_joins_the_rep_and_tells_the_trainer(tb: TeamBot) -> None:
    await tb.team_with_trainer()
    code = await tb.invite_code()
    assert "https://t.me/huikuan_test_bot?start=" + code in tb.last(TRAINER)
    await tb.join(REP, code)
    assert (
        tb.texts(REP)[0]
        == "🎉 你已加入团队「华东一组」（销售）。发送 /tasks 查看任务，/board 看团队排行榜。"
    )
    assert tb.last(TRAINER) == "👋 小陈 加入了团队「华东一组」。"
    training = tb.bot.services.training
    (team,) = await training.teams.managed(await tb.user_id(TRAINER))
    members = await training.teams.members(await tb.user_id(TRAINER), team.id)
    assert [(m.name, m.role.value) for m in members] == [("张老师", "trainer"), ("小陈", "rep")]


async def test_following_the_link_twice_says_already_a_member(tb: TeamBot) -> None:
    code = await tb.team()
    await tb.join(REP, code)
    assert tb.texts(REP)[-2] == "你已经在团队「华东一组」里了（销售）。"


async def test_revoked_invite_no_longer_joins(tb: TeamBot) -> None:
    await tb.team_with_trainer()
    code = await tb.invite_code()
    await tb.tap(TRAINER, label="管理邀请")
    assert f"…{code[-4:]} · 销售 · 已用 0 次 · 可用（长期有效，可随时撤销）" in tb.last(TRAINER)
    await tb.tap(TRAINER, label="撤销 1")
    assert tb.last(TRAINER) == "已撤销这个邀请链接。已经加入的人不受影响。"
    await tb.join(REP, code)
    assert tb.texts(REP)[0] == CATALOG.t("zh", "team.error.invite_revoked")


async def test_seven_day_invite_expires_on_the_team_clock(tb: TeamBot) -> None:
    await tb.team_with_trainer()
    code = await tb.invite_code(label="邀请链接（7 天）")
    assert "有效期至 2026-12-10 12:00" in tb.last(TRAINER)
    tb.clock.advance(days=7, minutes=1)
    await tb.join(REP, code)
    assert tb.texts(REP)[0] == CATALOG.t("zh", "team.error.invite_expired")


async def test_a_co_trainer_invite_gives_the_trainer_menu(tb: TeamBot) -> None:
    await tb.team_with_trainer()
    code = await tb.invite_code(label="邀请培训师")
    await tb.join(REP2, code)
    assert tb.texts(REP2)[0].startswith("🎉 你已加入团队「华东一组」（培训师）")
    assert _scoped(tb, REP2)["zh"][0] == "team"


async def test_team_lists_my_teams_and_opens_a_card_with_members(tb: TeamBot) -> None:
    await tb.team(reps=(REP, REP2))
    await tb.say(TRAINER, "/team")
    assert tb.last(TRAINER).startswith("<b>你的团队</b>\n1. 华东一组 · 3 人 · Asia/Shanghai")
    await tb.tap(TRAINER, label="华东一组")
    assert tb.last(TRAINER).startswith("<b>华东一组</b>\n成员 3 人 · 时区 Asia/Shanghai")
    await tb.tap(TRAINER, label="成员")
    assert tb.last(TRAINER) == (
        "<b>「华东一组」的成员（3 人）</b>\n1. 张老师 · 培训师\n2. 小陈 · 销售\n3. 小李 · 销售"
    )


async def test_newteam_without_a_name_explains_the_usage(tb: TeamBot) -> None:
    await tb.team_with_trainer()
    await tb.say(TRAINER, "/newteam")
    assert tb.last(TRAINER).startswith("用法：/newteam 团队名称")


async def test_newteam_takes_a_time_zone_at_the_end(tb: TeamBot) -> None:
    await tb.team_with_trainer()
    await tb.say(TRAINER, "/newteam 欧洲组 Europe/Berlin")
    assert tb.last(TRAINER).startswith("团队「欧洲组」已创建（时区 Europe/Berlin）。")


async def test_linkgroup_links_the_group_where_it_is_sent(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(TRAINER, "/linkgroup", chat=GROUP)
    assert tb.last(GROUP).startswith("本群已绑定团队「华东一组」")
    (team,) = await tb.bot.services.training.teams.managed(await tb.user_id(TRAINER))
    assert team.chat_linked


async def test_linkgroup_in_private_says_to_send_it_in_the_group(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(TRAINER, "/linkgroup")
    assert tb.last(TRAINER) == "请把我拉进团队群，在群里发送 /linkgroup。"


async def test_personal_commands_in_a_group_point_to_the_private_chat(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(TRAINER, "/review", chat=GROUP)
    assert tb.last(GROUP) == "这个命令请在和我的私聊里使用。"


async def test_help_explains_the_leaderboard_formula_to_a_rep(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(REP, "/help")
    text = tb.last(REP)
    assert text.startswith("<b>回款陪练 · 使用说明</b>")
    assert text.endswith(CATALOG.t("zh", "team.board.formula"))
    assert "/assign" not in text


async def test_help_lists_the_trainer_commands_to_a_trainer(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(TRAINER, "/help")
    assert "<b>培训师</b>\n/team — 我的团队：成员、邀请链接、任务\n/newteam" in tb.last(TRAINER)
    assert "/grant" not in tb.last(TRAINER)


async def test_grant_by_an_unknown_id_asks_them_to_start_the_bot_first(tb: TeamBot) -> None:
    await tb.say(OPERATOR, "/grant 424242")
    assert tb.last(OPERATOR) == CATALOG.t("zh", "team.error.unknown_user")


async def test_an_english_trainer_works_in_english(tb: TeamBot) -> None:
    await tb.say(OPERATOR, "/start")
    trainer = tb.user(TRAINER, lang="en-US")
    await tb.bot.send(tb.api.text(TRAINER, "/start", sender=trainer))
    await tb.say(OPERATOR, f"/grant {TRAINER}")
    await tb.bot.send(tb.api.text(TRAINER, "/newteam East-1", sender=trainer))
    assert tb.last(TRAINER).startswith('Team "East-1" created (time zone Asia/Shanghai).')
    await tb.bot.send(tb.api.press(TRAINER, label="Members", sender=trainer))
    assert tb.last(TRAINER) == '<b>Members of "East-1" (1)</b>\n1. 张老师 · Trainer'


@pytest.mark.parametrize("command", ["/practice", "/history", "/me", "/hint", "/end", "/cancel"])
async def test_a_reps_practice_and_scores_stay_out_of_the_group(tb: TeamBot, command: str) -> None:
    await tb.team()
    await tb.say(REP, command, chat=GROUP)
    assert tb.last(GROUP) == "这个命令请在和我的私聊里使用。"


async def test_text_in_a_group_is_never_played_as_a_turn(tb: TeamBot) -> None:
    await tb.team()
    await tb.say(REP, "/practice")
    await tb.tap(REP, "区卫健委")
    await tb.tap(REP, "跳过")
    before = len(tb.texts(GROUP))
    await tb.say(REP, "您好，我是华信科技的小陈。", chat=GROUP)
    assert len(tb.texts(GROUP)) == before
    rep = await tb.user_id(REP)
    current = await tb.bot.services.practice.current(rep)
    assert current is not None
    assert [t.speaker for t in current.session.transcript] == ["client"]
