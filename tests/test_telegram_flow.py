"""The rep's flow through the real PTB Application, on the offline Bot API and the offline
client: start, language, picker, brief, prepare, play, hint, end, scorecard, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.domain.session import Phase
from bot.settings import Settings
from bot.storage.models import PracticeSessionRow
from bot.telegram.menus import REP_COMMANDS
from tests.support.bot_api import BotApi
from tests.support.bot_harness import PRIVATE, BotHarness
from tests.support.statements import counting

OPENING = (
    "王科长您好，我是华信科技的小陈，今天来主要是想了解一下项目验收的情况，您看现在进展到哪一步了？"
)

FULL_SESSION_READ = "SELECT practice_sessions.id, practice_sessions.user_id"


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[BotHarness]:
    """The bot on the offline Bot API; fails the test on any method the fake does not know."""
    async with BotHarness(settings) as harness:
        yield harness
    assert harness.api.unexpected == []


async def begin_play(bot: BotHarness, chat_id: int = PRIVATE, plan: str | None = None) -> None:
    """/practice → first scenario → skip (or send a plan)."""
    await bot.text("/practice", chat_id)
    await bot.press(label="区卫健委", chat_id=chat_id)
    if plan is None:
        await bot.press(label="跳过", chat_id=chat_id)
    else:
        await bot.press(label="写计划", chat_id=chat_id)
        await bot.text(plan, chat_id)


def markup_labels(message: dict[str, object]) -> list[str]:
    """The button labels under a bot message."""
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_command_menus_are_set_in_chinese_and_english_at_start(bot: BotHarness) -> None:
    calls = bot.api.calls_to("setMyCommands")
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_language) == {"zh", "en", None}
    assert [c["command"] for c in by_language["zh"]] == list(REP_COMMANDS)
    assert by_language["zh"][0]["description"] == "选一个场景开始练习"
    assert by_language["en"][0]["description"] == "Pick a scenario and practise"
    assert by_language[None] == by_language["zh"]


async def test_start_welcomes_the_rep_in_chinese_with_language_buttons(bot: BotHarness) -> None:
    await bot.text("/start")
    welcome = bot.api.sent(PRIVATE)[-1]
    assert "我是<b>回款陪练</b>" in str(welcome["text"])
    assert markup_labels(welcome) == ["中文", "English"]


async def test_rep_goes_from_practice_to_a_graded_scorecard_with_a_radar_chart(
    bot: BotHarness,
) -> None:
    await bot.text("/practice")
    picker = bot.api.sent(PRIVATE)[-1]
    assert "难度 ★★★☆☆ · 忠诚型 · 久拖不决" in str(picker["text"])
    await bot.press(label="区卫健委")
    brief = bot.last_text()
    assert "案例卡 · 区卫健委信息系统二期尾款" in brief
    assert "<b>评分标准（权重）</b>" in brief
    assert markup_labels(bot.api.sent(PRIVATE)[-1]) == ["✍️ 写计划", "▶️ 跳过准备，直接开始"]
    await bot.press(label="写计划")
    await bot.text("先问清楚验收人和付款责任人，开场白：王科长您好。")
    assert bot.api.texts(PRIVATE)[-2].startswith("计划已保存。")
    await bot.text(OPENING)
    await bot.text("/end")
    texts = bot.api.texts(PRIVATE)
    card = next(t for t in texts if t.startswith("<b>评分卡 · 区卫健委信息系统二期尾款</b>"))
    assert "总分" in card
    assert "自我问答五件事" in card
    photo = bot.api.calls_to("sendPhoto", PRIVATE)[-1]
    assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.text.startswith("五项能力雷达图 · 总分")
    assert markup_labels(bot.api.sent(PRIVATE)[-1])[0] == "🔁 再练一次"
    current = await bot.services.practice.current(await bot.rep_id())
    assert current is None  # graded, so nothing is in progress


async def test_reply_streams_as_drafts_then_is_sent_for_good_in_a_private_chat(
    bot: BotHarness,
) -> None:
    await begin_play(bot)
    before = len(bot.api.calls)
    await bot.text(OPENING)
    # (The typing action shows only if the first words take over a second.)
    methods = [c.method for c in bot.api.calls[before:] if c.method != "sendChatAction"]
    assert methods[:2] == ["sendMessageDraft", "sendMessage"]
    draft = bot.api.calls_to("sendMessageDraft", PRIVATE)[-1].text
    final = bot.api.calls_to("sendMessage", PRIVATE)[-1]
    assert final.params["parse_mode"] == "HTML"
    assert draft and draft in final.text  # the draft was the start of the same reply


async def test_without_drafts_a_reply_is_sent_then_edited_in_place(bot: BotHarness) -> None:
    await begin_play(bot)
    bot.api.fail_next("sendMessageDraft", 400, "Bad Request: method is not available")
    await bot.text(OPENING)
    before = len(bot.api.calls)
    await bot.text("您的意思是验收还没走完？")
    methods = [c.method for c in bot.api.calls[before:]]
    assert "sendMessageDraft" not in methods
    first = bot.api.calls_to("sendMessage", PRIVATE)[-1]
    edit = bot.api.calls_to("editMessageText", PRIVATE)[-1]
    assert "parse_mode" not in first.params  # plain text while streaming
    assert edit.params["parse_mode"] == "HTML"  # formatted once complete
    assert edit.params["message_id"] == bot.api.sent(PRIVATE)[-1]["message_id"]


async def test_refused_drafts_fall_back_to_editing_a_message(bot: BotHarness) -> None:
    await begin_play(bot)
    bot.api.fail_next("sendMessageDraft", 400, "Bad Request: method is not available")
    await bot.text(OPENING)
    assert bot.api.calls_to("editMessageText", PRIVATE)
    await bot.text("您的意思是验收还没走完？")
    # The chat is remembered: no more drafts are attempted there.
    assert len(bot.api.calls_to("sendMessageDraft", PRIVATE)) == 1


async def test_flood_limit_is_waited_out_and_never_shown(bot: BotHarness) -> None:
    await begin_play(bot)
    bot.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await bot.text(OPENING)
    replies = bot.api.calls_to("sendMessage", PRIVATE)
    assert replies[-1].text == replies[-2].text  # the refused message went out on retry
    assert not any("retry" in t.lower() or "Too Many" in t for t in bot.api.texts(PRIVATE))


async def test_over_long_message_is_refused_kindly_and_not_played(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("我" * 1500)
    assert bot.last_text() == (
        "这条消息太长了（1500 字），一次最多 1000 字。真实拜访里也没人听得完这么长的话——"
        "请分开说或精简一下，消息没有发出。"
    )
    current = await bot.services.practice.current(await bot.rep_id())
    assert current is not None
    assert [t.speaker for t in current.session.transcript] == ["client"]


async def test_an_over_long_plan_is_refused_with_its_length_and_the_rep_still_prepares(
    bot: BotHarness,
) -> None:
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    await bot.press(label="写计划")
    await bot.text("计" * 2001)
    assert bot.last_text() == (
        "这条消息太长了（2001 字），一次最多 2000 字。真实拜访里也没人听得完这么长的话——"
        "请分开说或精简一下，消息没有发出。"
    )
    current = await bot.services.practice.current(await bot.rep_id())
    assert current is not None
    assert (current.session.phase, current.session.plan) == (Phase.PREPARE, None)


@pytest.mark.parametrize("kind", ["sticker", "photo", "document"])
async def test_non_text_input_in_a_conversation_asks_for_words(bot: BotHarness, kind: str) -> None:
    await begin_play(bot)
    await bot.send(getattr(bot.api, kind)(PRIVATE))
    assert bot.last_text() == "我只能读文字消息。请用文字回复客户。"


async def test_a_photo_while_preparing_asks_for_the_plan_in_words(bot: BotHarness) -> None:
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    await bot.press(label="写计划")
    await bot.send(bot.api.photo(PRIVATE))
    assert bot.last_text() == (
        "我只读文字消息。请把计划打成文字发给我，或者点「跳过准备，直接开始」。"
    )


@pytest.mark.parametrize("kind", ["sticker", "photo", "document"])
async def test_non_text_input_outside_a_conversation_does_not_mention_a_client(
    bot: BotHarness, kind: str
) -> None:
    await bot.send(getattr(bot.api, kind)(PRIVATE))
    assert bot.last_text() == (
        "我只读文字消息。发 /practice 选一个场景开始练习；培训师上传场景请发送 .yaml 文件。"
    )


async def test_edited_message_is_not_played_again(bot: BotHarness) -> None:
    await begin_play(bot)
    sent = await bot.text(OPENING)
    await bot.send(bot.api.edited(sent, "改过的话"))
    assert bot.last_text() == "改过的消息我不会重新读取。请把想说的话重新发一条。"
    current = await bot.services.practice.current(await bot.rep_id())
    assert current is not None
    assert [t.text for t in current.session.transcript.rep_turns()] == [OPENING]


async def test_unknown_command_lists_the_commands(bot: BotHarness) -> None:
    await bot.text("/dance")
    assert bot.last_text().startswith("不认识这个命令。")


async def test_text_without_a_session_points_to_practice(bot: BotHarness) -> None:
    await bot.text("你好")
    assert bot.last_text() == "现在没有进行中的练习。发 /practice 选一个场景开始吧。"


async def test_group_chatter_and_photos_without_a_session_are_left_alone(bot: BotHarness) -> None:
    group = -100900
    await bot.text("大家好，今天的周会改到下午", group)
    await bot.send(bot.api.photo(group))
    await bot.text("/otherbot_command", group)
    assert bot.api.sent(group) == []


async def test_hint_gives_the_coachs_next_move(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("/hint")
    assert bot.last_text().startswith("💡 提示：")


async def test_cancel_asks_first_and_abandons_once_confirmed(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text(OPENING)
    await bot.text("/cancel")
    question = bot.api.sent(PRIVATE)[-1]
    assert str(question["text"]).startswith("要放弃「区卫健委信息系统二期尾款」吗？你已经说了 1 轮")
    assert markup_labels(question) == ["🗑 放弃这次练习", "▶️ 继续这场练习"]
    assert await bot.services.practice.current(await bot.rep_id()) is not None
    await bot.press(label="放弃这次练习")
    assert bot.api.sent(PRIVATE)[-1]["message_id"] == question["message_id"]  # edited
    assert bot.last_text() == "已放弃这次练习。发 /practice 重新开始。"
    assert await bot.services.practice.current(await bot.rep_id()) is None


async def test_cancel_then_continue_keeps_the_session(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("/cancel")
    await bot.press(label="继续这场练习")
    assert await bot.services.practice.current(await bot.rep_id()) is not None
    assert bot.last_text().startswith("继续")


@pytest.mark.parametrize("command", ["/end", "/hint"])
async def test_end_or_hint_before_the_conversation_says_how_to_begin(
    bot: BotHarness, command: str
) -> None:
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    sent = len(bot.api.sent(PRIVATE))
    await bot.text(command)
    assert bot.api.texts(PRIVATE)[sent:] == [
        "对话还没开始。点「写计划」或「跳过准备，直接开始」；不想练了就发 /cancel。"
    ]


async def test_commands_needing_a_session_say_there_is_none(bot: BotHarness) -> None:
    await bot.text("/end")
    assert bot.last_text() == "你现在没有进行中的练习。"


async def test_second_practice_offers_to_continue_or_abandon_the_first(bot: BotHarness) -> None:
    await begin_play(bot)
    first = await bot.services.practice.current(await bot.rep_id())
    assert first is not None
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    assert bot.last_text().startswith("你还有一场「区卫健委信息系统二期尾款」的练习没有结束。")
    assert markup_labels(bot.api.sent(PRIVATE)[-1]) == ["▶️ 继续这场练习", "🗑 放弃它，开始新的"]
    await bot.press(label="放弃它")
    second = await bot.services.practice.current(await bot.rep_id())
    assert second is not None
    assert second.session.id != first.session.id
    assert second.session.phase == Phase.BRIEF
    assert "案例卡" in bot.last_text()


async def test_the_session_in_the_way_is_named_in_the_reps_language(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("/lang")
    await bot.press(label="English")
    await bot.text("/practice")
    await bot.press(label="County")
    assert bot.last_text().startswith(
        "You still have a practice of &quot;District health bureau — phase-2 final payment&quot;"
    )


async def test_continue_shows_where_the_conversation_stopped(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text(OPENING)
    await bot.text("/practice")
    await bot.press(label="区卫健委")
    await bot.press(label="继续")
    # Rounds as the turn budget counts them: the rep's one message so far.
    assert bot.last_text().startswith(
        "继续「区卫健委信息系统二期尾款」，已进行 1 轮。\n客户上一句："
    )


async def test_picker_pages_through_many_scenarios(settings: Settings, tmp_path: Path) -> None:
    source = (settings.scenarios_dir / "district-health-tail-payment.yaml").read_text("utf-8")
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(7):
        text = source.replace("id: district-health-tail-payment", f"id: case-{n}", 1)
        (folder / f"case-{n}.yaml").write_text(text, "utf-8")
    async with BotHarness(settings.model_copy(update={"scenarios_dir": folder})) as bot:
        await bot.text("/practice")
        first = bot.api.sent(PRIVATE)[-1]
        assert str(first["text"]).startswith("选择一个场景（第 1/2 页）")
        assert markup_labels(first)[-1] == "下一页 ▶"
        await bot.press(label="下一页")
        edited = bot.api.sent(PRIVATE)[-1]
        assert edited["message_id"] == first["message_id"]  # the same message, turned
        assert str(edited["text"]).startswith("选择一个场景（第 2/2 页）")
        assert markup_labels(edited)[:2] == [
            "6. 区卫健委信息系统二期尾款",
            "7. 区卫健委信息系统二期尾款",
        ]
        assert markup_labels(edited)[-1] == "◀ 上一页"


async def test_english_rep_gets_english_everywhere(bot: BotHarness) -> None:
    await bot.text("/lang")
    await bot.press(label="English")
    assert bot.last_text() == "Done — I will talk to you in English from now on."
    await bot.text("/practice")
    assert "District health bureau — phase-2 final payment" in bot.last_text()
    await bot.press(label="District health")
    assert "<b>How you will be graded (weights)</b>" in bot.last_text()
    await bot.press(label="Skip")
    await bot.text("Hello, I'm here about the acceptance of the project. Where does it stand?")
    await bot.text("/end")
    assert any(t.startswith("<b>Scorecard") for t in bot.api.texts(PRIVATE))
    assert bot.api.calls_to("sendPhoto")[-1].text.startswith("Your five skills · overall")


async def test_first_contact_takes_the_language_of_the_telegram_client(bot: BotHarness) -> None:
    rep = bot.api.user(2002, "Alex", language_code="en-US")
    await bot.text("/start", 2002, sender=rep)
    assert bot.last_text(2002).startswith("Hello, Alex!")


async def test_better_wording_button_shows_the_rewritten_turn(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("您好，我是华信科技的小陈。")
    await bot.text("你们必须马上付款，不然我们就起诉！")
    await bot.text("/end")
    await bot.press(label="更好的说法")
    shown = bot.last_text()
    # The rep's second message (not the transcript's fourth turn), the dimension it fixes, why.
    assert shown.startswith("<b>更好的说法（第 2 轮）</b>\n原话：<i>你们必须马上付款"), shown
    assert "是这次最弱的一项" in shown and "施压" in shown


async def test_retry_button_opens_the_same_scenario_again(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("/end")
    await bot.press(label="再练一次")
    assert "案例卡 · 区卫健委信息系统二期尾款" in bot.last_text()
    current = await bot.services.practice.current(await bot.rep_id())
    assert current is not None
    assert current.session.phase == Phase.BRIEF


async def test_history_lists_sessions_and_opens_a_scorecard(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text(OPENING)
    await bot.text("/end")
    await bot.text("/history")
    listing = bot.api.sent(PRIVATE)[-1]
    assert str(listing["text"]).startswith("最近的练习\n1. ")
    assert "分 ❌" in str(listing["text"]) or "分 ✅" in str(listing["text"])
    (label,) = markup_labels(listing)  # the button names what it opens
    assert label.startswith("1. 区卫健委信息系统二期尾款 · ")
    photos = len(bot.api.calls_to("sendPhoto"))
    await bot.press(label="1. 区卫健委")
    assert any(t.startswith("<b>评分卡") for t in bot.api.texts(PRIVATE)[-2:])
    assert len(bot.api.calls_to("sendPhoto")) == photos + 1


async def test_history_dates_a_session_in_the_reps_time_zone(bot: BotHarness) -> None:
    await begin_play(bot)
    await bot.text("/end")
    async with bot.services.db.session() as s:
        # 20:30 UTC on 1 March is 04:30 on 2 March in Beijing.
        moment = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)
        await s.execute(update(PracticeSessionRow).values(created_at=moment))
    await bot.text("/history")
    assert bot.last_text().startswith("最近的练习\n1. 2026-03-02 04:30 区卫健委信息系统二期尾款")


async def test_history_when_empty_invites_a_first_practice(bot: BotHarness) -> None:
    await bot.text("/history")
    assert bot.last_text() == "还没有练习记录。发 /practice 开始第一次。"


async def test_me_shows_progress_as_a_chart(bot: BotHarness) -> None:
    for _ in range(2):
        await begin_play(bot)
        await bot.text(OPENING)
        await bot.text("/end")
    await bot.text("/me")
    photo = bot.api.calls_to("sendPhoto")[-1]
    assert photo.files["photo"].startswith(b"\x89PNG")
    assert photo.text.startswith("共 2 次评分 · 最近 ")


async def test_me_without_graded_sessions_says_so(bot: BotHarness) -> None:
    await bot.text("/me")
    assert bot.last_text().startswith("还没有评过分的练习。")


async def test_button_from_an_unknown_keyboard_is_answered_as_expired(bot: BotHarness) -> None:
    await bot.text("/start")
    message = bot.api.sent(PRIVATE)[-1]
    message["reply_markup"] = {"inline_keyboard": [[{"text": "旧", "callback_data": "gone:1"}]]}
    shown = bot.api.texts(PRIVATE)
    await bot.press(label="旧")
    assert bot.api.texts(PRIVATE) == shown
    assert bot.api.calls_to("answerCallbackQuery")[-1].text.startswith("这个按钮已经过期了")


def test_fake_bot_api_refuses_a_message_over_4096_characters() -> None:
    api = BotApi()
    api.text(PRIVATE, "hi")
    status, body = api.handle("sendMessage", {"chat_id": str(PRIVATE), "text": "x" * 4097}, {})
    assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_a_practice_message_loads_the_session_twice_however_long_the_talk(
    bot: BotHarness,
) -> None:
    # Locked once to store the rep's turn and once to store the reply; routing the message
    # reads only the session's phase, and storing needs no re-read. (One of the statements
    # keeps the delivered reply's message id, so a replay does not show it twice.)
    await begin_play(bot)
    counts = []
    for text in (OPENING, "明白，您的意思是验收还在走流程，对吧？验收人是哪位？"):
        with counting(bot.services.db) as seen:
            await bot.text(text)
        loads = [s for s in seen.sent if s.startswith(FULL_SESSION_READ)]
        counts.append((seen.count, len(loads)))
    assert counts == [(19, 2), (19, 2)]
