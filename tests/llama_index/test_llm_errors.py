"""Errors are the core's typed exceptions, with OpenRouter's metadata, sync and async."""

from __future__ import annotations

import openai
import pytest
from llama_index.core.base.llms.types import ChatMessage, CitableBlock
from llama_index.core.instrumentation.events.exception import ExceptionEvent

from llama_index_openrouter import OpenRouter
from openrouter_core import errors
from openrouter_core.testing import Emulator, Reply

from .conftest import TEST_KEY, Collected, make_llm

HI = [ChatMessage(role="user", content="Hi")]


def test_status_error_with_metadata(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.error(429, "Provider returned error",
                            metadata={"provider_name": "Chutes", "raw": '{"error": "busy"}'},
                            headers={"Retry-After": "3"}))
    with pytest.raises(errors.RateLimitError) as info:
        llm.chat(HI)
    exc = info.value
    assert isinstance(exc, openai.RateLimitError)
    assert exc.provider_name == "Chutes"
    assert exc.retry_after == 3.0
    assert exc.retryable
    assert TEST_KEY not in str(exc)


async def test_async_auth_error(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.error(401, "Missing Authentication header"))
    with pytest.raises(errors.AuthenticationError, match="Missing Authentication header"):
        await llm.achat(HI)


def test_error_body_under_200(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.error(402, "Insufficient credits", http_status=200))
    with pytest.raises(errors.PaymentRequiredError):
        llm.complete("x")


def test_context_length(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.error(400, "This endpoint's maximum context length is 8192 tokens"))
    with pytest.raises(errors.ContextLengthError):
        llm.chat(HI)


def test_mid_stream_error_raises_after_the_deltas(emu: Emulator, llm: OpenRouter,
                                                  instrumentation: Collected) -> None:
    emu.enqueue(Reply.text("one two three four", chunks=["one", " two", " three", " four"],
                           error_after=3, error_message="Token limit reached"))
    seen: list[str] = []
    with pytest.raises(errors.APIStatusError) as info:
        for response in llm.stream_chat(HI):
            seen.append(response.delta or "")
    exc = info.value
    assert exc.mid_stream
    assert exc.partial is not None
    # Every delta that arrived before the error chunk was yielded first.
    assert "".join(seen) == exc.partial.content == "one two three"
    assert "Token limit reached" in str(exc)
    assert instrumentation.of(ExceptionEvent)


async def test_async_mid_stream_error(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("a b c", chunks=["a", " b", " c"], error_after=2))
    gen = await llm.astream_complete("x")
    seen: list[str] = []
    with pytest.raises(errors.APIStatusError):
        async for response in gen:
            seen.append(response.text)
    assert seen[-1] == "a b"


def test_truncated_stream(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.fault("truncate_after", 2))
    with pytest.raises(errors.StreamInterruptedError):
        list(llm.stream_chat(HI))


def test_bad_input_is_rejected_before_sending(emu: Emulator, llm: OpenRouter) -> None:
    bad = [ChatMessage(role="user", blocks=[CitableBlock(title="t", source="s", content="c")])]
    with pytest.raises(errors.InputError, match="CitableBlock"):
        llm.chat(bad)
    with pytest.raises(errors.InputError, match="CitableBlock"):
        llm.stream_chat(bad)  # raised at the call, not at first iteration
    with pytest.raises(errors.InputError, match="temperature"):
        llm.chat(HI, temperature=7)
    assert emu.requests == []


def test_missing_key_is_a_clear_error(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    llm = OpenRouter(api_base=emu.base_url)
    with pytest.raises(errors.InputError, match="OPENROUTER_API_KEY"):
        llm.chat(HI)


def test_retries_follow_the_policy(emu: Emulator) -> None:
    llm = make_llm(emu, max_retries=1)
    emu.enqueue(Reply.error(503, "Upstream overloaded", headers={"Retry-After": "0"}),
                Reply.text("recovered"))
    assert llm.chat(HI).message.content == "recovered"
    assert len(emu.requests) == 2
