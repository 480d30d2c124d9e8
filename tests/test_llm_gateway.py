"""The gateway on the fake server: base URLs as operators paste them, usage per call, streams
on servers without usage reporting, a tolerant JSON reader, and a key that is never logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.errors import ProviderError
from bot.llm.gateway import Gateway, GatewayConfig
from bot.llm.structured import extract_json
from bot.settings import Settings, normalize_base_url
from tests.support.fake_openai import FakeOpenAI, Reply

SECRET = "sk-gateway-secret-987654321"


@pytest.mark.parametrize(
    ("pasted", "used"),
    [
        ("https://api.deepseek.com/v1", "https://api.deepseek.com/v1"),
        ("https://api.deepseek.com/v1/", "https://api.deepseek.com/v1"),
        (" http://localhost:11434/v1/chat/completions ", "http://localhost:11434/v1"),
        ("https://open.bigmodel.cn/api/paas/v4/", "https://open.bigmodel.cn/api/paas/v4"),
    ],
)
def test_base_url_is_normalised(pasted: str, used: str) -> None:
    assert normalize_base_url(pasted) == used
    assert Settings(_env_file=None, openai_base_url=pasted).openai_base_url == used  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure!\n```json\n{"a": 1,}\n```', {"a": 1}),
        ('The verdict is {"a": {"b": "}"}} — done', {"a": {"b": "}"}}),
        ('{"a": 1, "b": [1, 2', {"a": 1, "b": [1, 2]}),
        ("no json here", None),
        ("[1, 2]", None),
    ],
)
def test_tolerant_json_reader(text: str, expected: dict[str, Any] | None) -> None:
    assert extract_json(text) == expected


async def test_usage_is_read_from_every_call(fake: FakeOpenAI) -> None:
    gateway = Gateway(GatewayConfig(base_url=fake.url))
    fake.script(Reply("好", prompt_tokens=12, completion_tokens=3, cached_tokens=8))
    done = await gateway.complete("m", [{"role": "user", "content": "hi"}])
    stream = await gateway.stream("m", [{"role": "user", "content": "hi"}])
    pieces = [p async for p in stream]
    await gateway.aclose()
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (12, 3)
    assert done.usage.cached_tokens == 8
    assert stream.complete
    assert "".join(pieces) == "先问清楚验收现在卡在哪一步，再谈付款的事。"
    assert stream.usage.calls == 1
    assert stream.usage.completion_tokens > 0


async def test_a_server_without_stream_usage_still_streams(fake: FakeOpenAI) -> None:
    fake.reject_stream_options = True
    gateway = Gateway(GatewayConfig(base_url=fake.url))
    for _ in range(2):
        stream = await gateway.stream("m", [{"role": "user", "content": "hi"}])
        assert [p async for p in stream]
    await gateway.aclose()
    with_options = [bool(r.body.get("stream_options")) for r in fake.requests]
    assert with_options == [True, False, False]


async def test_the_api_key_is_sent_but_never_logged(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = Gateway(GatewayConfig(base_url=fake.url, api_key=SECRET, max_retries=0))
    fake.script(Reply(fault="bad_request"))
    with pytest.raises(ProviderError) as caught:
        await gateway.complete("m", [{"role": "user", "content": "hi"}])
    await gateway.aclose()
    assert fake.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in caplog.text
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(gateway.config)
