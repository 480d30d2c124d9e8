"""End to end for the trainer side: `trainer run` as a subprocess on the fake Bot API over
HTTP — the operator makes a trainer, who creates a team and uploads a scenario file, which the
bot downloads from the Bot API server's file URL (derived from TELEGRAM_API_BASE_URL)."""

from __future__ import annotations

from pathlib import Path

from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT
from tests.support.bot_api import BotApi
from tests.support.fake_bot_api import FakeBotApiServer
from tests.support.world import VALID_YAML_ID, scenario_yaml
from tests.test_telegram_e2e import WAIT, BotProcess, server

__all__ = ["server"]  # the fake Bot API fixture, shared with the rep's end-to-end test

OPERATOR, TRAINER = 7001, 7002


def say(api: BotApi, who: int, text: str) -> None:
    """A user sends a text in their private chat."""
    api.deliver(api.text(who, text, sender=api.user(who, f"u{who}")))


def wait_text(api: BotApi, who: int, fragment: str) -> str:
    """Block until the bot said something containing `fragment` to `who`."""
    found = api.wait_for(
        lambda: next((t for t in api.texts(who) if fragment in t), None), WAIT, repr(fragment)
    )
    return str(found)


def test_a_trainer_uploads_a_scenario_over_http(server: FakeBotApiServer, tmp_path: Path) -> None:
    api = server.api
    bot = BotProcess(server, tmp_path)
    bot.env["ADMIN_TELEGRAM_IDS"] = str(OPERATOR)
    try:
        bot.start()
        api.wait_calls("getUpdates", 1, timeout=WAIT)
        say(api, OPERATOR, "/start")
        say(api, TRAINER, "/start")
        wait_text(api, TRAINER, "回款陪练")
        say(api, OPERATOR, f"/grant {TRAINER}")
        wait_text(api, TRAINER, "你已被设为培训师")
        say(api, TRAINER, "/newteam 华东一组")
        wait_text(api, TRAINER, "团队「华东一组」已创建")
        scenario = ScenarioLibrary.from_directory(ROOT / "scenarios").get(
            "district-health-tail-payment"
        )
        content = scenario_yaml(scenario, title="县财政局年底支付").encode("utf-8")
        api.deliver(api.document(TRAINER, api.user(TRAINER, f"u{TRAINER}"), "county.yaml", content))
        saved = wait_text(api, TRAINER, "已保存")
        assert saved.startswith(
            f"已保存「县财政局年底支付」（{VALID_YAML_ID}）为团队「华东一组」的第 1 版"
        )
        assert len(api.downloads) == 1
        assert bot.stop() == 0
    finally:
        bot.close()
