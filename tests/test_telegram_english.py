"""The trainer side read by English speakers (Telegram language `en`): no "1 members", no
"1 days" buttons that the due-date box then refuses, English punctuation in transcripts."""

from __future__ import annotations

import pytest

from tests.support.bot_api import JSON
from tests.support.team_bot import REP, TRAINER, Setup, TeamBot


class EnglishTeamBot(TeamBot):
    """Everyone's Telegram is set to English."""

    def user(self, telegram_id: int, lang: str = "en") -> JSON:
        return super().user(telegram_id, lang)


async def english_team(bot: TeamBot) -> None:
    """An English-speaking trainer with a team of one rep."""
    await bot.team_with_trainer("East One")
    code = await bot.invite_code(label="Invite link (no expiry)")
    await bot.join(REP, code)


@pytest.fixture
def tb_kind() -> type[TeamBot]:
    """`tb`'s users all have their Telegram set to English."""
    return EnglishTeamBot


@pytest.fixture
def tb_setup() -> Setup:
    """`tb` is an English-speaking trainer with a team of one rep."""
    return english_team


async def test_the_team_card_counts_members_without_a_wrong_plural(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/team")
    assert "East One · members: 2 · Asia/Shanghai" in tb.last(TRAINER)
    await tb.tap(TRAINER, label="East One")
    assert "Members: 2 · time zone Asia/Shanghai" in tb.last(TRAINER)


async def test_a_due_date_typed_as_the_buttons_say_it_is_accepted(tb: TeamBot) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="Water-quality")
    await tb.tap(TRAINER, label="All reps")
    labels = [
        b["text"]
        for row in tb.api.sent(TRAINER)[-1]["reply_markup"]["inline_keyboard"]
        for b in row
    ]
    assert labels == ["+1d", "+3d", "+7d", "+14d"]
    await tb.say(TRAINER, "2 days")
    assert tb.last(TRAINER).startswith("Step 4: pass mark?")


async def test_a_reviewed_transcript_uses_english_colons(
    tb: TeamBot,
) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="Water-quality")
    await tb.tap(TRAINER, label="All reps")
    await tb.say(TRAINER, "3d")
    await tb.say(TRAINER, "0")
    await tb.tap(TRAINER, label="1")
    await tb.tap(TRAINER, label="Assign")
    await tb.say(REP, "/tasks")
    await tb.tap(REP, label="Start 1")
    await tb.tap(REP, label="Skip")
    await tb.say(REP, "Good afternoon. What is holding up the final acceptance?")
    await tb.say(REP, "/end")
    await tb.say(TRAINER, "/review")
    await tb.tap(TRAINER, label="1")
    opened = tb.last(TRAINER)
    assert "#1 <b>小陈</b>: Good afternoon." in opened  # the rep's first message
    assert "</b>：" not in opened


async def test_a_rep_who_reflects_is_coached_on_another_turn_numbered_by_their_messages(
    tb: TeamBot,
) -> None:
    await tb.say(TRAINER, "/assign")
    await tb.tap(TRAINER, label="Water-quality")
    await tb.tap(TRAINER, label="All reps")
    await tb.say(TRAINER, "3d")
    await tb.say(TRAINER, "0")
    await tb.tap(TRAINER, label="1")
    await tb.tap(TRAINER, label="Assign")
    await tb.say(REP, "/tasks")
    await tb.tap(REP, label="Start 1")
    await tb.tap(REP, label="Skip")
    await tb.say(REP, "So if I understand you correctly, the final acceptance is still open?")
    await tb.say(REP, "So if I understand you correctly, the comparison has to be redone first?")
    await tb.say(REP, "You must pay us this month.")
    await tb.say(REP, "/end")
    await tb.tap(REP, label="A better wording")
    shown = tb.last(REP)
    heading, said, tried = shown.splitlines()[:3]
    # The pushy third message, not a reflection (which would lose what it earned).
    assert heading == "<b>Better wording (turn 3)</b>"
    assert said == "You said: <i>You must pay us this month.</i>"
    assert not tried.startswith("Try: <i>If I've understood you")
    assert "was your weakest area" in shown
    assert "1 questions" not in shown and "1 times" not in shown
