"""A rep message delivered again while its reply is still owed (a replay after a crash) is
answered once, not merged into itself; a genuinely new message is merged into the owed turn."""

from __future__ import annotations

import pytest

from bot.composition import Container
from bot.errors import ProviderError
from tests.support.scripted_client import ScriptedClient

SCENARIO = "district-health-tail-payment"


@pytest.fixture
def app_client() -> ScriptedClient:
    """`app`'s client: scripted, so a reply can be made to fail."""
    return ScriptedClient()


async def owed_turn(app: Container, client: ScriptedClient, text: str) -> tuple[int, str]:
    """A session whose rep turn `text` (source tg:1:5) was stored but never answered."""
    person = await app.users.local("replay")
    started = await app.practice.start(person.id, SCENARIO)
    await app.practice.begin(person.id, started.session.id)
    client.failures[text] = ProviderError()
    with pytest.raises(ProviderError):
        await app.practice.reply(person.id, started.session.id, text, source_key="tg:1:5")
    return person.id, started.session.id


async def test_same_message_replayed_while_its_reply_is_owed_is_answered_once(
    app: Container, app_client: ScriptedClient
) -> None:
    client = app_client
    user, session = await owed_turn(app, client, "您好，验收走到哪一步了？")
    result = await app.practice.reply(
        user, session, "您好，验收走到哪一步了？", source_key="tg:1:5"
    )
    assert [(t.speaker, t.text) for t in result.session.transcript][1:] == [
        ("rep", "您好，验收走到哪一步了？"),
        ("client", "reply to: 您好，验收走到哪一步了？"),
    ]


async def test_new_message_while_a_reply_is_owed_joins_the_owed_turn(
    app: Container, app_client: ScriptedClient
) -> None:
    client = app_client
    user, session = await owed_turn(app, client, "您好。")
    result = await app.practice.reply(user, session, "想了解验收情况。", source_key="tg:1:6")
    assert [(t.speaker, t.text) for t in result.session.transcript][1:] == [
        ("rep", "您好。\n想了解验收情况。"),
        ("client", "reply to: 您好。\n想了解验收情况。"),
    ]
