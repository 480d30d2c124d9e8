"""/newscenario through the real Application: a trainer's description goes to the author model
on the fake OpenAI-compatible server (the loader's errors back for repairs), the preview offers
试玩 / 保存为团队场景 / 修改…, and without a model six questions build the case. Drafts live in the
database, so a restart mid-way loses nothing, and a saved draft's buttons are stale."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.i18n import Catalog
from bot.settings import ROOT, Settings
from tests.support.bot_api import BotApi
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.llm import llm_settings
from tests.support.team_bot import REP, TRAINER, TeamBot, running
from tests.support.world import Clock

CATALOG = Catalog.load()
GOOD = (ROOT / "scenarios" / "district-water-smart-network.yaml").read_text("utf-8")
BROKEN = GOOD.replace("difficulty: 4", "difficulty: 9")
TITLE = "区水务局智慧水务一期尾款"
DESCRIPTION = "区水务局，智慧水务一期尾款拖了八个月，新来的局长是完美型，材料退回了三次。"
PREVIEW = f"<b>{CATALOG.t('zh', 'tg.studio.preview_title')}</b>"
QUIZ = ("某区水务局，智慧水务一期", "合同398万，逾期119万，8个月")


def t(key: str, **params: object) -> str:
    """A catalog text in Chinese, as the trainer reads it."""
    return CATALOG.t("zh", key, **params)


def fenced(text: str) -> str:
    return f"好的：\n```yaml\n{text}```\n"


def author_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    """Only the author model on the fake server; the client and judge stay offline."""
    return llm_settings(
        tmp_path,
        fake,
        llm_model_client=None,
        llm_model_judge=None,
        llm_model_coach=None,
        llm_model_author="fake-author",
        llm_timeout_seconds=0.5,
        llm_token_gap_seconds=0.5,
        llm_max_retries=0,
    )


@pytest.fixture
def tb_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    """`tb` is a trainer's team with one rep; the author model on the fake server."""
    return author_settings(tmp_path, fake)


@pytest.fixture
async def offline(settings: Settings) -> AsyncIterator[TeamBot]:
    """The same team with no model configured."""
    async for started in running(settings):
        yield started


def shown(tb: TeamBot, head: str = PREVIEW) -> str:
    """The preview, which may have been split over several messages (its buttons on the last)."""
    said = tb.texts(TRAINER)
    first = max(i for i, text in enumerate(said) if text.startswith(head))
    return "\n".join(said[first:])


def stale_toast(tb: TeamBot) -> str:
    return str(tb.api.calls_to("answerCallbackQuery")[-1].text)


async def versions(tb: TeamBot) -> str:
    await tb.say(TRAINER, "/upload")
    return tb.last(TRAINER)


async def test_a_description_becomes_a_preview_and_saving_makes_version_one(
    tb: TeamBot, fake: FakeOpenAI
) -> None:
    await tb.say(TRAINER, "/newscenario")
    assert tb.last(TRAINER) == t("tg.studio.describe", team="华东一组")
    fake.script(fenced(GOOD))
    await tb.say(TRAINER, DESCRIPTION)
    preview = shown(tb)
    assert preview.startswith(PREVIEW)
    assert f"案例卡 · {TITLE}" in preview
    assert "2. 孟局长：孟志远（区水务局局长" in preview  # the personas
    # the five facts and what earns each
    assert "• <b>付款责任人是谁</b>：孟局长本人签批，规划财务科郑燕科长经办" in preview
    assert "靠：开放式提问、复述对方的话、体谅对方；先要问出：交易项目是什么" in preview
    assert DESCRIPTION in fake.requests[0].text
    assert "智慧水务" not in await versions(tb)  # nothing is live before saving
    await tb.tap(TRAINER, label="保存为团队场景")
    assert tb.last(TRAINER) == t(
        "tg.team.uploaded",
        title=TITLE,
        id="district-water-smart-network-team",  # a shipped id is not taken
        team="华东一组",
        version=1,
    )
    assert len(fake.requests) == 1


async def test_a_saved_drafts_buttons_are_stale(tb: TeamBot, fake: FakeOpenAI) -> None:
    fake.script(fenced(GOOD))
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    await tb.tap(TRAINER, label="保存为团队场景")
    shown = tb.texts(TRAINER)
    await tb.tap(TRAINER, label="保存为团队场景")  # the preview's button again
    assert stale_toast(tb) == t("loop.stale")
    assert tb.texts(TRAINER) == shown  # no second version, nothing sent
    await tb.tap(TRAINER, label="修改")
    assert stale_toast(tb) == t("loop.stale")
    assert "第 1 版" in await versions(tb)


async def test_the_loaders_errors_go_back_and_the_repair_is_previewed(
    tb: TeamBot, fake: FakeOpenAI
) -> None:
    fake.script(fenced(BROKEN), fenced(GOOD))
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    assert tb.last(TRAINER).startswith(PREVIEW)
    repair = fake.requests[1].messages[-1]["content"]
    assert "difficulty" in repair and "less than or equal to 5" in repair


async def test_a_change_request_goes_through_the_same_loop(tb: TeamBot, fake: FakeOpenAI) -> None:
    fake.script(fenced(GOOD), fenced(GOOD.replace("difficulty: 4", "difficulty: 5")))
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    await tb.tap(TRAINER, label="修改")
    assert tb.last(TRAINER) == t("tg.studio.ask_changes")
    await tb.say(TRAINER, "难度调到五星。")
    assert "★★★★★" in tb.last(TRAINER)
    asked = fake.requests[1].text
    assert "难度调到五星。" in asked and "district-water-smart-network" in asked


async def test_a_model_timeout_says_so_and_offers_the_questionnaire(
    tb: TeamBot, fake: FakeOpenAI
) -> None:
    fake.script(Reply(fault="timeout"))
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    assert tb.last(TRAINER) == t("tg.studio.model_failed")
    await tb.tap(TRAINER, label="改用问卷")
    assert tb.last(TRAINER) == t("tg.studio.ask.case", n=1, total=6)


async def test_garbage_from_the_model_is_refused_after_two_repairs(
    tb: TeamBot, fake: FakeOpenAI
) -> None:
    fake.script("我不太明白你的意思。", "id: [", "随便写写")
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    assert tb.last(TRAINER).startswith(t("tg.studio.draft_invalid", attempts=3))
    assert len(fake.requests) == 3
    assert "Traceback" not in "".join(tb.texts(TRAINER))
    fake.script(fenced(GOOD))
    await tb.say(TRAINER, DESCRIPTION)  # the draft still waits for a description
    assert tb.last(TRAINER).startswith(PREVIEW)


async def test_a_rep_is_refused(tb: TeamBot, fake: FakeOpenAI) -> None:
    await tb.say(REP, "/newscenario 区水务局尾款")
    assert tb.last(REP) == CATALOG.error("zh", "team.denied.trainer_only", {})
    assert fake.requests == []


async def test_test_play_is_private_and_the_draft_can_be_saved_after(
    tb: TeamBot, fake: FakeOpenAI
) -> None:
    fake.script(fenced(GOOD))
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    await tb.tap(TRAINER, label="试玩")
    assert f"案例卡 · {TITLE}" in tb.last(TRAINER)
    await tb.tap(TRAINER, label="跳过")
    await tb.say(TRAINER, "您好，我是华信科技的小陈，来跟您汇报一下尾款的事。")
    current = await tb.bot.services.practice.current(await tb.user_id(TRAINER))
    assert current is not None
    assert (current.scenario.id, current.session.team_id) == (
        "district-water-smart-network-team",
        None,
    )
    await tb.say(TRAINER, "/end")
    await tb.tap(TRAINER, label="保存为团队场景")
    assert "为团队「华东一组」的第 1 版" in tb.last(TRAINER)


async def test_the_questionnaire_builds_the_case_without_a_model(offline: TeamBot) -> None:
    await offline.say(TRAINER, "/newscenario")
    assert offline.texts(TRAINER)[-2:] == [
        t("tg.studio.no_model"),
        t("tg.studio.ask.case", n=1, total=6),
    ]
    await offline.say(TRAINER, QUIZ[0])
    await offline.say(TRAINER, "一大笔钱")  # no amount in it: asked again, nothing lost
    assert offline.last(TRAINER) == CATALOG.error("zh", "team.error.studio_money", {})
    await offline.say(TRAINER, QUIZ[1])
    for label in ("完美型", "饱受回款折磨", "难约", "中文"):
        await offline.tap(TRAINER, label=label)
    preview = offline.last(TRAINER)
    assert preview.startswith(PREVIEW)
    assert "案例卡 · 智慧水务一期" in preview and "饱受回款折磨" in preview
    await offline.tap(TRAINER, label="保存为团队场景")
    assert "为团队「华东一组」的第 1 版" in offline.last(TRAINER)


async def test_an_old_choice_button_is_stale(offline: TeamBot) -> None:
    await offline.say(TRAINER, "/newscenario")
    for answer in QUIZ:
        await offline.say(TRAINER, answer)
    await offline.tap(TRAINER, label="完美型")
    await offline.tap(TRAINER, label="完美型")  # the temperament's button, pressed again
    assert stale_toast(offline) == t("loop.stale")


async def test_the_questionnaire_survives_a_restart(settings: Settings) -> None:
    clock, api = Clock(), BotApi()
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.say(TRAINER, "/newscenario")
        for answer in QUIZ:
            await tb.say(TRAINER, answer)
        await tb.tap(TRAINER, label="完美型")
    async with TeamBot(settings, clock, api) as tb:
        for label in ("饱受回款折磨", "难约", "英文"):  # buttons sent before the restart
            await tb.tap(TRAINER, label=label)
        assert tb.last(TRAINER).startswith(PREVIEW)


async def test_a_drafted_preview_survives_a_restart(tmp_path: Path, fake: FakeOpenAI) -> None:
    clock, api, settings = Clock(), BotApi(), author_settings(tmp_path, fake)
    fake.script(fenced(GOOD))
    async with TeamBot(settings, clock, api) as tb:
        await tb.team()
        await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    async with TeamBot(settings, clock, api) as tb:
        await tb.tap(TRAINER, label="保存为团队场景")
        assert "为团队「华东一组」的第 1 版" in tb.last(TRAINER)
    assert len(fake.requests) == 1  # the model was not asked again


async def test_a_txt_file_is_the_description(tb: TeamBot, fake: FakeOpenAI) -> None:
    await tb.say(TRAINER, "/newscenario")
    fake.script(fenced(GOOD))
    await tb.send_file(TRAINER, "brief.txt", DESCRIPTION.encode("utf-8"))
    assert tb.last(TRAINER).startswith(PREVIEW)
    assert DESCRIPTION in fake.requests[0].text


async def test_drafting_is_counted_in_the_spend_ledger(tb: TeamBot, fake: FakeOpenAI) -> None:
    fake.script(fenced(BROKEN), fenced(GOOD))
    await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
    ledger = tb.bot.services.usage
    assert ledger is not None
    spent = await ledger.totals(user_id=await tb.user_id(TRAINER))
    assert spent.calls == 2 and spent.tokens > 0


async def test_a_trainer_over_the_monthly_cap_is_offered_the_questionnaire(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    capped = author_settings(tmp_path, fake).model_copy(update={"llm_user_monthly_token_cap": 1})
    async with TeamBot(capped, Clock()) as tb:
        await tb.team()
        fake.script(fenced(GOOD))
        await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")  # this one spends the month's cap
        await tb.say(TRAINER, f"/newscenario {DESCRIPTION}")
        assert tb.last(TRAINER) == t("tg.studio.over_cap")
        await tb.tap(TRAINER, label="改用问卷")
        assert tb.last(TRAINER) == t("tg.studio.ask.case", n=1, total=6)
    assert len(fake.requests) == 1


async def test_an_english_speaking_trainer_gets_the_questionnaire_in_english(
    offline: TeamBot,
) -> None:
    await offline.say(TRAINER, "/lang")
    await offline.tap(TRAINER, label="English")
    await offline.say(TRAINER, "/newscenario")
    assert offline.last(TRAINER) == CATALOG.t("en", "tg.studio.ask.case", n=1, total=6)
    await offline.say(TRAINER, "District water bureau, smart water phase one")
    await offline.say(TRAINER, "contract 3.98m, overdue 1.19m, 8 months")
    for label in ("Perfectionist", "Painful collection", "hard to book", "English"):
        await offline.tap(TRAINER, label=label)
    preview = shown(offline, f"<b>{CATALOG.t('en', 'tg.studio.preview_title')}</b>")
    assert "Case card · smart water phase one" in preview
    assert "Save as team scenario" in str(offline.api.sent(TRAINER)[-1]["reply_markup"])
