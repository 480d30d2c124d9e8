"""A model voice that stays the client: a reply that carries another speaker's label, narrates
the scene, hands back the rep's own words or quotes the instructions is stopped before any of
it is shown; a sentence is held while hidden text could run on into the next one."""

from __future__ import annotations

from bot.composition import Container
from bot.llm.guard import Guard
from bot.llm.speech import GuardedSpeech
from tests.support.fake_openai import FakeOpenAI
from tests.support.llm import Deltas, begin_session, client_reply

HELLO = (
    "尊敬的王科长，您好！我是华信科技的小陈，负责信息系统二期，想跟您约十五分钟谈一下验收和尾款。"
)


async def _play(app: Container, fake: FakeOpenAI, words: str, rep: str = HELLO) -> tuple[str, str]:
    user, session = await begin_session(app)
    fake.script(client_reply(words))
    shown = Deltas()
    result = await app.practice.reply(user, session, rep, on_delta=shown)
    assert shown.text == result.reply
    return result.reply, await _guard_kind(app, session)


async def _guard_kind(app: Container, session: str) -> str:
    from bot.storage.usage import UsageRepository

    async with app.db.session() as s:
        rows = await UsageRepository(s).for_session(session)
    detail = rows[-1].detail or {}
    return str(detail.get("guard", {}).get("kind", ""))


async def test_a_reply_in_the_reps_own_words_is_not_shown(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    reply, kind = await _play(llm_app, fake, HELLO)
    assert "华信科技的小陈" not in reply
    assert reply
    assert kind == "role"


async def test_a_reply_that_narrates_both_sides_is_stopped(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    reply, kind = await _play(llm_app, fake, "好的，我会尽快处理。谢谢您！（王建华和销售离开）")
    assert "离开" not in reply
    assert kind == "role"


async def test_a_reply_with_another_speakers_label_is_stopped(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    reply, kind = await _play(llm_app, fake, "您稍等。\n王建华：好的，请进来吧。")
    assert "王建华：" not in reply
    assert kind == "role"


async def test_the_speakers_own_label_is_dropped_not_shown(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    words = "小刘：您是哪个单位的？找王科长什么事呢？"
    reply, kind = await _play(llm_app, fake, words, rep="您好，请问王科长在吗？")
    assert reply == "您是哪个单位的？找王科长什么事呢？"
    assert kind == ""


async def test_a_short_sentence_of_instruction_text_is_never_shown(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    reply, kind = await _play(llm_app, fake, "Your spoken words (plain text). 王科长在开会。")
    assert "spoken words" not in reply.lower()
    assert kind == "instructions"


async def test_a_reply_without_the_state_block_keeps_every_word(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    user, session = await begin_session(llm_app)
    fake.script("王科长在开会。您是哪个单位的？")
    result = await llm_app.practice.reply(user, session, "您好，请问王科长在吗？")
    assert result.reply == "王科长在开会。您是哪个单位的？"


async def test_a_sentence_is_held_while_hidden_text_could_go_on_into_the_next() -> None:
    guard = Guard(markers={}, hidden={"fact:x": "甲乙丙丁戊己庚辛"}, instructions="", public=())
    shown = Deltas()
    speech = GuardedSpeech(guard, shown)
    await speech.feed("好的甲乙丙丁。")
    assert shown.text == ""  # its end is the start of a hidden line: wait for the next one
    await speech.feed("戊己庚辛。")
    await speech.finish()
    assert speech.leak is not None
    assert shown.text == ""


async def test_a_held_sentence_is_shown_once_the_next_one_passes() -> None:
    guard = Guard(markers={}, hidden={"fact:x": "甲乙丙丁戊己庚辛"}, instructions="", public=())
    shown = Deltas()
    speech = GuardedSpeech(guard, shown)
    await speech.feed("好的甲乙丙丁。")
    await speech.feed("您先回去吧。")
    assert shown.text == "好的甲乙丙丁。您先回去吧。"
    await speech.finish()
    assert speech.leak is None


async def test_each_sentence_is_checked_once(monkeypatch: object) -> None:
    guard = Guard(markers={}, hidden={}, instructions="", public=())
    speech = GuardedSpeech(guard, None)
    seen: list[str] = []
    original = speech._scan.check

    def counting(sentence: str) -> object:
        seen.append(sentence)
        return original(sentence)

    speech._scan.check = counting  # type: ignore[method-assign]
    for piece in ("您好。", "王科长", "在开会。", "您先", "留个电话吧。"):
        await speech.feed(piece)
    await speech.finish()
    assert [s.strip() for s in seen] == ["您好。", "王科长在开会。", "您先留个电话吧。"]


async def test_a_reply_that_repeats_the_clients_last_turn_whole_is_not_shown(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    user, session = await begin_session(llm_app)
    fake.script(
        client_reply("您是哪个单位的？找王科长什么事呢？领导今天安排得很满，我得先问清楚情况。")
    )
    first = await llm_app.practice.reply(user, session, "您好，请问王科长在吗？")
    fake.script(client_reply(first.reply))
    second = await llm_app.practice.reply(user, session, "我是华信科技的。")
    assert second.reply != first.reply
    assert await _guard_kind(llm_app, session) == "role"
