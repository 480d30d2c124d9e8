"""What a real local server does to the gateway: a format refused with HTTP 500, no usage on
streams, a slow but steady stream, a stalled one; each handled by what the provider says."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import ProviderError
from bot.llm.gateway import Gateway, GatewayConfig
from bot.llm.tokens import estimate_messages, estimate_tokens
from tests.support.fake_openai import FakeOpenAI, Reply

SCHEMA: tuple[str, dict[str, Any]] = ("verdict", {"type": "object"})
HI = [{"role": "user", "content": "hi"}]


async def test_a_format_refused_with_http_500_falls_back_and_is_remembered(
    fake: FakeOpenAI,
) -> None:
    fake.reject_formats = {"json_schema"}
    fake.reject_status = 500  # llama.cpp: "Input should be 'text' or 'json_object'"
    gateway = Gateway(GatewayConfig(base_url=fake.url, max_retries=0))
    fake.script('{"a": 1}', '{"a": 2}')
    first = await gateway.complete("m", HI, schema=SCHEMA)
    second = await gateway.complete("m", HI, schema=SCHEMA)
    await gateway.aclose()
    assert (first.text, second.text) == ('{"a": 1}', '{"a": 2}')
    kinds = [(r.body.get("response_format") or {}).get("type") for r in fake.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert gateway.mode_for("m") == "json_object"


async def test_a_plain_server_error_is_not_taken_for_a_format_refusal(fake: FakeOpenAI) -> None:
    gateway = Gateway(GatewayConfig(base_url=fake.url, max_retries=0))
    fake.script(Reply(fault="server_error"))
    with pytest.raises(ProviderError) as caught:
        await gateway.complete("m", HI, schema=SCHEMA)
    await gateway.aclose()
    assert caught.value.code == "llm.error.unavailable"
    assert len(fake.requests) == 1
    assert gateway.mode_for("m") is None


async def test_usage_is_estimated_and_marked_when_the_server_sends_none(fake: FakeOpenAI) -> None:
    fake.reports_usage = False
    gateway = Gateway(GatewayConfig(base_url=fake.url))
    fake.script("您好，王科长在开会。")
    stream = await gateway.stream("m", [{"role": "user", "content": "请问王科长在吗？"}])
    text = "".join([p async for p in stream])
    await gateway.aclose()
    assert stream.usage.estimated
    assert stream.usage.completion_tokens == estimate_tokens(text) > 0
    assert stream.usage.prompt_tokens == estimate_messages(
        [{"role": "user", "content": "请问王科长在吗？"}]
    )
    assert stream.usage.as_dict()["estimated"] == 1


async def test_reported_usage_is_not_marked_estimated(fake: FakeOpenAI) -> None:
    gateway = Gateway(GatewayConfig(base_url=fake.url))
    fake.script(Reply("好", prompt_tokens=12, completion_tokens=3))
    done = await gateway.complete("m", HI)
    await gateway.aclose()
    assert (done.usage.prompt_tokens, done.usage.estimated) == (12, False)
    assert "estimated" not in done.usage.as_dict()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("验收", 2), ("acceptance", 3), ("WJW-2025-017", 5), ("", 0), ("Hi, 王科长!", 6)],
)
def test_the_token_estimate_is_the_documented_rule(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected


async def test_a_slow_stream_that_keeps_coming_is_not_cut_off(fake: FakeOpenAI) -> None:
    words = "王科长在开会。您先留个电话吧。"
    fake.script(Reply(words, chunk_chars=2, delay=0.3))
    # The whole reply takes longer than the first-token limit; each gap is short.
    gateway = Gateway(GatewayConfig(base_url=fake.url, timeout=1.0, token_gap=0.5))
    done = await gateway.complete("m", HI)
    await gateway.aclose()
    assert done.text == words


async def test_a_stream_that_stalls_between_tokens_counts_as_broken(fake: FakeOpenAI) -> None:
    fake.script(Reply("王科长在开会。您先留个电话吧。", chunk_chars=3, gate_after=2))
    gateway = Gateway(GatewayConfig(base_url=fake.url, timeout=5.0, token_gap=0.3))
    stream = await gateway.stream("m", HI)
    pieces = [p async for p in stream]
    fake.gate.set()
    await gateway.aclose()
    assert "".join(pieces) == "王科长在开会"
    assert stream.broken and not stream.complete
    assert stream.fault == "stalled"


async def test_prompt_slots_are_sent_only_when_configured(fake: FakeOpenAI) -> None:
    plain = Gateway(GatewayConfig(base_url=fake.url))
    slotted = Gateway(GatewayConfig(base_url=fake.url, prompt_slots=True))
    for gateway in (plain, slotted):
        await gateway.complete("m", HI, slot=1)
        await gateway.aclose()
    assert "id_slot" not in fake.requests[0].body
    assert fake.requests[1].body["id_slot"] == 1
    assert fake.requests[1].body["cache_prompt"] is True
