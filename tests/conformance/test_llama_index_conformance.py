"""Replay every real recorded OpenRouter chat exchange through the LlamaIndex adapter.

The recorded response bytes are served by the loopback emulator (``Reply.raw``) to
``llama_index_openrouter.OpenRouter``: the HTTP stack, the core decoder and stream assembler and
the adapter's conversions all run. What LlamaIndex code sees (message blocks, tool calls,
thinking, images, annotations, token counts, cost, envelope, errors) is compared with
``expected.py``'s independent reading of the same bytes. Streamed recordings go through
``stream_chat``/``astream_chat``, the others through ``chat``/``achat``.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.callbacks.token_counting import get_tokens_from_response

from llama_index_openrouter import OpenRouter
from openrouter_core import errors, transport
from openrouter_core.testing import Emulator
from tests.conformance.expected import ExpectedError, ExpectedReply, expected_error, expected_reply
from tests.conformance.recordings import Exchange, recorded_model, serve

# Recordings name models withdrawn since the catalog snapshot (and deliberately invalid
# ids): the client-side "unknown model id" warning is right, and not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::openrouter_core.catalog.UnknownModelWarning")

_MESSAGES = [ChatMessage(role="user", content="Hello")]
_CLASSES: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError, 401: errors.AuthenticationError,
    402: errors.PaymentRequiredError, 403: errors.PermissionDeniedError,
    404: errors.NotFoundError, 408: errors.RequestTimeoutError, 429: errors.RateLimitError,
}


def _llm(server: Emulator, exchange: Exchange) -> OpenRouter:
    serve(server, exchange)
    return OpenRouter(model=recorded_model(exchange), api_key="sk-or-v1-conformance",
                      api_base=server.base_url, max_retries=0, timeout=30.0)


def _error_class(expected: ExpectedError) -> type[errors.APIStatusError]:
    if expected.status == 400 and expected.context_length:
        return errors.ContextLengthError
    if expected.status >= 500:
        return errors.InternalServerError
    return _CLASSES.get(expected.status, errors.APIStatusError)


def _assert_error(exc: BaseException, expected: ExpectedError) -> None:
    assert type(exc) is _error_class(expected), f"{type(exc).__name__}: {exc}"
    assert isinstance(exc, errors.APIStatusError)
    assert exc.error_message == expected.message
    assert exc.provider_name == expected.provider_name


def _assert_response(response: ChatResponse, expected: ExpectedReply) -> None:
    message = response.message
    assert (message.content or "") == expected.content
    thinking = [b for b in message.blocks if isinstance(b, ThinkingBlock)]
    if expected.reasoning or expected.reasoning_details:
        assert thinking[0].content == expected.reasoning
        assert thinking[0].additional_information["reasoning_details"] == \
            expected.reasoning_details
    else:
        assert thinking == []
    calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id or "", c.tool_name) for c in calls] == [
        (t.id, t.name) for t in expected.tool_calls]
    wire_calls = message.additional_kwargs.get("tool_calls", [])
    assert [c["function"]["arguments"] for c in wire_calls] == [
        t.arguments for t in expected.tool_calls]
    images = [b for b in message.blocks if isinstance(b, ImageBlock)]
    assert len(images) == len(expected.image_urls)
    assert message.additional_kwargs.get("annotations", []) == expected.annotations
    assert message.additional_kwargs.get("refusal") == expected.refusal
    extra = response.additional_kwargs
    for name in ("id", "provider", "model", "finish_reason", "native_finish_reason"):
        assert extra.get(name) == getattr(expected, name), name
    usage = expected.usage
    if usage is None:
        assert "prompt_tokens" not in extra
        return
    assert (extra["prompt_tokens"], extra["completion_tokens"], extra["total_tokens"]) == (
        usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)
    assert extra.get("cost") == usage.cost
    assert get_tokens_from_response(response) == (usage.prompt_tokens, usage.completion_tokens)


def _assert_stream(responses: list[ChatResponse], expected: ExpectedReply) -> None:
    assert "".join(r.delta or "" for r in responses) == expected.content
    thinking = "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
    assert thinking == (expected.reasoning or "")
    _assert_response(responses[-1], expected)


def _check(outcome: Any, exchange: Exchange, streamed: bool) -> None:
    """Compare a fetched outcome — responses, or (exception, responses so far) — to the bytes."""
    error = expected_error(exchange)
    expected = None if error is not None else expected_reply(exchange)
    if isinstance(outcome, tuple):
        exc, seen = outcome
        if error is not None:
            _assert_error(exc, error)
            return
        assert expected is not None
        assert expected.stream_error is not None, f"unexpected {type(exc).__name__}: {exc}"
        _assert_error(exc, expected.stream_error)
        assert "".join(r.delta or "" for r in seen) == expected.partial_content
        return
    assert error is None, "an error was expected"
    assert expected is not None
    assert expected.stream_error is None, "a mid-stream error was expected"
    if streamed:
        _assert_stream(outcome, expected)
    else:
        _assert_response(outcome, expected)


def test_llama_index_replay_sync(server: Emulator, chat_exchange: Exchange) -> None:
    """``chat``/``stream_chat`` turn the recorded bytes into the right LlamaIndex objects."""
    llm = _llm(server, chat_exchange)
    streamed = chat_exchange.streamed_request
    seen: list[ChatResponse] = []
    outcome: Any
    try:
        if streamed:
            for response in llm.stream_chat(_MESSAGES):
                seen.append(response)
            outcome = seen
        else:
            outcome = llm.chat(_MESSAGES)
    except errors.OpenRouterError as exc:
        outcome = (exc, seen)
    _check(outcome, chat_exchange, streamed)


async def test_llama_index_replay_async(server: Emulator, chat_exchange: Exchange) -> None:
    """``achat``/``astream_chat`` give the same objects."""
    llm = _llm(server, chat_exchange)
    streamed = chat_exchange.streamed_request
    seen: list[ChatResponse] = []
    outcome: Any
    try:
        if streamed:
            async for response in await llm.astream_chat(_MESSAGES):
                seen.append(response)
            outcome = seen
        else:
            outcome = await llm.achat(_MESSAGES)
    except errors.OpenRouterError as exc:
        outcome = (exc, seen)
    finally:
        await transport.aclose()
    _check(outcome, chat_exchange, streamed)
