"""The loop between trainer and rep through the real Application: buttons obey the private-chat
rule, a stale button only says so on the button, corrections and comments reach the rep's view
of the session, notices lead somewhere, and screens are edited in place."""

from __future__ import annotations

import re

import pytest

from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.settings import Settings
from bot.telegram.picker_keys import BUTTON_WIDTH, width
from tests.support.team_bot import GROUP, OUTSIDER, REP, TRAINER, Setup, TeamBot, with_played_task
from tests.support.world import VALID_YAML_ID, Clock, scenario_yaml

CATALOG = Catalog.load()
TITLE = "区卫健委信息系统二期尾款"


def toast(tb: TeamBot) -> str:
    """The text of the newest callback answer (what the presser sees on the button)."""
    return tb.api.calls_to("answerCallbackQuery")[-1].text


@pytest.fixture
def tb_setup() -> Setup:
    """`tb` is a team whose rep has played and finished an assigned task."""
    return with_played_task


async def test_personal_and_team_buttons_pressed_in_a_group_post_nothing_there(
    tb: TeamBot,
) -> None:
    training = tb.bot.services.training
    trainer = await tb.user_id(TRAINER)
    (team,) = await training.teams.managed(trainer)
    (session,) = await training.review.sessions(trainer, team.id)
    await tb.say(TRAINER, "/linkgroup", chat=GROUP)
    shown = tb.texts(GROUP)
    photos = len(tb.api.calls_to("sendPhoto", GROUP))
    forged = (
        (REP, f"open:{session.id}"),  # the presser's scorecard and chart
        (REP, f"retry:{session.scenario_id}"),  # a brief
        (TRAINER, f"rvo:{session.id}"),  # a team transcript
        (TRAINER, f"ex:{team.id}:all"),  # the team's CSV / XLSX
        (TRAINER, f"tmm:{team.id}"),  # the member list
        (REP, f"bd:{team.id}:all:t:"),  # the team's board
    )
    for who, data in forged:
        await tb.bot.send(tb.api.forged(GROUP, data, sender=tb.user(who)))
        assert toast(tb) == CATALOG.t("zh", "loop.button_private"), data
    assert tb.texts(GROUP) == shown
    assert len(tb.api.calls_to("sendPhoto", GROUP)) == photos
    assert tb.api.calls_to("sendDocument", GROUP) == []


async def test_plan_button_on_a_finished_sessions_brief_only_says_it_is_out_of_date(
    tb: TeamBot,
) -> None:
    rep = await tb.user_id(REP)
    (done,) = await tb.bot.services.practice.history(rep)
    shown = tb.texts(REP)
    await tb.forge(REP, f"prep:{done.id}")
    assert toast(tb) == CATALOG.t("zh", "loop.stale")
    assert tb.texts(REP) == shown
    await tb.forge(REP, f"skip:{done.id}")
    assert toast(tb) == CATALOG.t("zh", "loop.stale")
    assert tb.texts(REP) == shown


def buttons_of(message: dict[str, object]) -> list[dict[str, str]]:
    """The buttons under a bot message."""
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def test_a_new_task_notice_has_a_start_button_that_opens_the_brief(
    settings: Settings,
) -> None:
    async with TeamBot(settings, Clock()) as tb:
        await tb.team()
        await tb.assign(mark="0")
        notice = tb.api.sent(REP)[-1]
        assert str(notice["text"]).startswith("📋 你有新的练习任务")
        assert [b["text"] for b in buttons_of(notice)] == ["▶️ 开始这个任务"]
        await tb.tap(REP, label="开始这个任务")
        assert tb.last(REP).startswith(f"<b>案例卡 · {TITLE}</b>")
        assert "跳过" in str([b["text"] for b in buttons_of(tb.api.sent(REP)[-1])])


async def test_a_group_post_links_to_the_private_chat_where_the_link_opens_the_task(
    settings: Settings,
) -> None:
    async with TeamBot(settings, Clock()) as tb:
        await tb.team()
        await tb.say(TRAINER, "/linkgroup", chat=GROUP)
        await tb.assign(mark="0")
        (link,) = buttons_of(tb.api.sent(GROUP)[-1])
        assert link["text"] == "▶️ 去私聊开始练习"
        assert link["url"].startswith("https://t.me/huikuan_test_bot?start=task_")
        payload = link["url"].rsplit("=", 1)[1]
        await tb.say(REP, f"/start {payload}")
        assert tb.last(REP).startswith(f"<b>案例卡 · {TITLE}</b>")


async def correct_listening(
    tb: TeamBot, reason: str = "复述做得不够，客户说的验收问题没有接住。"
) -> None:
    """The trainer corrects the newest session's listening score to 1, with a reason."""
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    await tb.tap(TRAINER, label="改分")
    await tb.tap(TRAINER, label="倾听力")
    await tb.tap(TRAINER, data="rvs:")  # the score row: first button is 1
    await tb.say(TRAINER, reason)


async def test_the_rep_opens_a_corrected_and_commented_session_from_the_notice(
    tb: TeamBot,
) -> None:
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    await tb.tap(TRAINER, label="点评")
    await tb.say(TRAINER, "开场不错，下次先问清楚验收人是谁。")
    comment_notice = tb.api.sent(REP)[-1]
    assert [b["text"] for b in buttons_of(comment_notice)] == ["🔎 查看这次练习"]
    await correct_listening(tb)
    assert tb.last(REP).startswith("✏️ 培训师 张老师 把你的「倾听力」")
    await tb.tap(REP, label="查看这次练习")
    card = next(t for t in reversed(tb.texts(REP)) if t.startswith("<b>评分卡"))
    assert "✏️ 培训师改过这张评分卡的分数" in card
    assert "<b>倾听力</b> 1/5" in card
    found = re.search(
        r"✏️ 培训师 张老师 于 \d{4}-\d\d-\d\d \d\d:\d\d 改分：原 ([\d.]+) 分 → 1 分。"
        r"理由：复述做得不够，客户说的验收问题没有接住。",
        card,
    )
    assert found, card
    assert "<b>点评</b>\n张老师（" in card
    assert "）：开场不错，下次先问清楚验收人是谁。" in card
    # The trainer's view tells the same story.
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    assert found.group(0) in tb.last(TRAINER)


async def test_history_shows_the_transcript_on_demand(tb: TeamBot) -> None:
    await tb.say(REP, "/history")
    (first, *_) = buttons_of(tb.api.sent(REP)[-1])
    assert re.fullmatch(rf"1\. {TITLE} · \d\d-\d\d", first["text"]), first["text"]
    await tb.tap(REP, label="1. ")
    await tb.tap(REP, label="对话记录")
    shown = tb.last(REP)
    # The rep's lines are numbered as the scorecard counts them; the client's are not.
    assert shown.startswith(f"<b>对话记录 · {TITLE}</b>\n<b>小刘</b>：")
    assert "\n#1 <b>小陈</b>：王科长您好" in shown


async def test_history_compares_an_attempt_with_the_previous_one_per_dimension(
    tb: TeamBot,
) -> None:
    await tb.play_task(REP)
    await correct_listening(tb)  # the newest attempt's listening drops to 1
    await tb.say(REP, "/history")
    await tb.tap(REP, label="1. ")
    await tb.tap(REP, label="和上一次比")
    shown = tb.last(REP)
    assert shown.startswith(f"<b>「{TITLE}」和上一次（")
    assert re.search(r"\n倾听力 [\d.]+ → 1 ↓", shown), shown
    assert re.search(r"\n说服力 ([\d.]+) → \1 ＝", shown), shown
    await tb.tap(REP, label="2. ", data=None)
    await tb.tap(REP, label="和上一次比")
    assert tb.last(REP) == f"这是你第一次评过分的「{TITLE}」，还没有上一次可以比较。"


async def test_history_hides_abandoned_sessions_unless_asked(tb: TeamBot) -> None:
    practice = tb.bot.services.practice
    rep = await tb.user_id(REP)
    started = await practice.start(rep, "district-health-tail-payment")
    await practice.abandon(rep, started.session.id)
    await tb.say(REP, "/history")
    listing = tb.last(REP)
    assert "已放弃" not in listing.split("（另有")[0]
    assert "（另有 1 次已放弃的练习没有列出" in listing
    messages = len(tb.api.sent(REP))
    await tb.tap(REP, label="显示已放弃的练习")
    assert len(tb.api.sent(REP)) == messages  # the same message, edited
    assert "已放弃" in tb.last(REP)


async def test_board_buttons_switch_one_photo_message_in_place(tb: TeamBot) -> None:
    await tb.say(REP, "/board")
    count = len(tb.api.sent(REP))
    sends = len(tb.api.calls)
    for label in ("全部时间", "倾听力", "按场景", "区卫健委"):
        await tb.tap(REP, label=label)
    assert len(tb.api.sent(REP)) == count  # one message, switched by editing it
    methods = [c.method for c in tb.api.calls[sends:] if c.chat_id == REP]
    assert methods.count("editMessageMedia") == 3
    assert methods.count("editMessageReplyMarkup") == 1
    assert not {"sendMessage", "sendPhoto"} & set(methods)
    board = tb.api.sent(REP)[-1]
    assert str(board["caption"]).startswith(
        f"<b>华东一组 · 全部时间 · 场景「{TITLE}」</b>\n1. 小陈 — "
    )


async def test_practise_again_starts_with_a_short_card_and_the_full_one_a_button_away(
    tb: TeamBot,
) -> None:
    await tb.say(REP, "/history")
    await tb.tap(REP, label="1. ")
    before = len(tb.api.sent(REP))
    await tb.tap(REP, label="再练一次")
    assert len(tb.api.sent(REP)) == before + 1  # one message
    card = tb.api.sent(REP)[-1]
    text = str(card["text"])
    assert text.startswith(f"<b>案例卡 · {TITLE}</b>\n<b>目标</b> ")
    assert "及格线 60 分" in text
    assert len(text) < 300
    assert buttons_of(card)[0]["text"] == "📄 完整案例卡"
    await tb.tap(REP, label="完整案例卡")
    assert len(tb.api.sent(REP)) == before + 1  # the same message, edited
    full = str(tb.api.sent(REP)[-1]["text"])
    assert "<b>客户</b>" in full and "<b>评分标准（权重）</b>" in full
    assert "完整案例卡" not in str(buttons_of(tb.api.sent(REP)[-1]))
    await tb.tap(REP, label="跳过")
    shown = tb.texts(REP)
    await tb.forge(
        REP,
        "brief:"
        + str(card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]).split(":")[1],
    )
    assert toast(tb) == CATALOG.t("zh", "loop.stale")
    assert tb.texts(REP) == shown


async def test_a_teams_own_scenario_is_in_its_members_practice_marked_as_the_teams(
    settings: Settings, scenario: Scenario
) -> None:
    async with TeamBot(settings, Clock()) as tb:
        await tb.team()
        text = scenario_yaml(scenario, title="县财政局年底支付")
        await tb.send_file(TRAINER, "county.yaml", text.encode("utf-8"))
        await tb.say(REP, "/practice")
        for _ in range(5):  # to the page that lists it
            if "县财政局年底支付" in tb.last(REP):
                break
            await tb.tap(REP, label="下一页")
        assert "县财政局年底支付\n   难度 " in tb.last(REP)
        assert "👥 团队「华东一组」自己的场景" in tb.last(REP)
        await tb.tap(REP, label="县财政局年底支付 👥")
        assert tb.last(REP).startswith("<b>案例卡 · 县财政局年底支付</b>")
        current = await tb.bot.services.practice.current(await tb.user_id(REP))
        assert current is not None and current.scenario.id == VALID_YAML_ID
        await tb.say(OUTSIDER, "/practice")
        assert "县财政局年底支付" not in "".join(tb.texts(OUTSIDER))


async def test_english_picker_labels_fit_a_button_and_say_the_language_played(
    settings: Settings,
) -> None:
    async with TeamBot(settings, Clock()) as tb:
        await tb.say(REP, "/lang")
        await tb.tap(REP, label="English")
        await tb.say(REP, "/practice")
        labels = [b["text"] for b in buttons_of(tb.api.sent(REP)[-1]) if b["text"][0].isdigit()]
        assert labels and all(width(label) <= BUTTON_WIDTH for label in labels)
        assert any(label.endswith(" · zh") for label in labels)
        assert "· played in Chinese" in tb.last(REP)


async def test_the_assign_flow_edits_its_own_message(settings: Settings) -> None:
    async with TeamBot(settings, Clock()) as tb:
        await tb.team(reps=())
        sent = len(tb.api.calls_to("sendMessage", TRAINER))
        await tb.say(TRAINER, "/assign")
        for label in ("区卫健委", "全体销售", "3 天", "场景默认", "1", "布置"):
            await tb.tap(TRAINER, label=label)
        assert len(tb.api.calls_to("sendMessage", TRAINER)) == sent + 1  # one message in all
        assert tb.last(TRAINER).startswith(f"已布置「{TITLE}」")
        # Typed answers (a due date, a pass mark) come below the trainer's own message: the
        # question after each is a new message, and the buttons after it edit that one.
        sent = len(tb.api.calls_to("sendMessage", TRAINER))
        await tb.assign(mark="0")
        assert len(tb.api.calls_to("sendMessage", TRAINER)) == sent + 3


async def test_me_sends_a_short_summary_with_a_dated_chart(tb: TeamBot) -> None:
    await tb.play_task(REP)
    await correct_listening(tb)
    await tb.say(REP, "/me")
    summary, chart = tb.api.sent(REP)[-2:]
    text = str(summary["text"])
    assert text.startswith("<b>我的进步</b>\n共 2 次评分 · 最近 ")
    assert re.search(r"\n倾听力 最近 1 分 ↓", text), text
    assert str(chart["caption"]).startswith("共 2 次评分")
    assert tb.api.calls_to("sendPhoto", REP)[-1].files["photo"].startswith(b"\x89PNG")


async def test_review_buttons_name_the_rep_and_the_score(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/review")
    (first,) = buttons_of(tb.api.sent(TRAINER)[-1])
    assert re.fullmatch(r"1\. 小陈 · \d+ 分 (✅|❌)", first["text"]), first["text"]
