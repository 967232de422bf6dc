"""Replay every real recorded OpenRouter chat exchange through ``ChatOpenRouter``.

The recorded response bytes are served again by the loopback emulator (``Reply.raw``) and
fetched by the LangChain adapter with ``invoke`` (or ``stream`` when the recorded request
streamed, ``ainvoke``/``astream`` in the async test). The LangChain objects are compared with
``expected.py``'s independent reading of the same bytes: text, reasoning (text and unchanged
``reasoning_details``), tool calls, images, usage, cost and metadata, or the typed error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_openrouter import ChatOpenRouter, responses
from openrouter_core import errors, transport
from openrouter_core.testing import Emulator
from tests.conformance.expected import (
    ExpectedError,
    ExpectedReply,
    expected_error,
    expected_reply,
)
from tests.conformance.recordings import Exchange, recorded_model, serve
from tests.langchain_parity import assert_same, record

# Recordings name models withdrawn since the catalog snapshot (and deliberately invalid
# ids): the client-side "unknown model id" warning is right, and not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::openrouter_core.catalog.UnknownModelWarning")

_LC_CLASSES: dict[int, type[ModelError]] = {
    401: ModelAuthenticationError, 403: ModelPermissionDeniedError, 404: ModelNotFoundError,
    408: ModelTimeoutError, 429: ModelRateLimitError,
}


def _model(server: Emulator, exchange: Exchange) -> ChatOpenRouter:
    return ChatOpenRouter(model=recorded_model(exchange), api_key="sk-or-v1-conformance",
                          base_url=server.base_url, max_retries=0, timeout=30.0)


def _lc_class(expected: ExpectedError) -> type[ModelError]:
    if expected.status == 400:
        return ContextOverflowError if expected.context_length else ModelInvalidRequestError
    if expected.status >= 500:
        return ModelAPIError
    return _LC_CLASSES.get(expected.status, ModelError)


def _fetch(server: Emulator, exchange: Exchange) -> tuple[BaseMessage, list[AIMessageChunk]]:
    serve(server, exchange)
    model = _model(server, exchange)
    if not exchange.streamed_request:
        return model.invoke("Hello"), []
    chunks: list[AIMessageChunk] = []
    try:
        for chunk in model.stream("Hello"):
            chunks.append(chunk)
    except errors.OpenRouterError as exc:
        exc.add_note(f"{len(chunks)} chunks before the error")
        exc.chunks = chunks  # type: ignore[attr-defined]
        raise
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full, chunks


async def _afetch(server: Emulator, exchange: Exchange) -> tuple[BaseMessage,
                                                                 list[AIMessageChunk]]:
    serve(server, exchange)
    model = _model(server, exchange)
    try:
        if not exchange.streamed_request:
            return await model.ainvoke("Hello"), []
        chunks = [chunk async for chunk in model.astream("Hello")]
    finally:
        await transport.aclose()
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full, chunks


def _assert_message(message: BaseMessage, chunks: list[AIMessageChunk],
                    expected: ExpectedReply) -> None:
    assert isinstance(message, AIMessage)
    assert message.text == expected.content
    extra = message.additional_kwargs
    assert extra.get("reasoning_content") == (expected.reasoning or None)
    assert extra.get("reasoning_details", []) == expected.reasoning_details
    assert extra.get("refusal") == expected.refusal
    valid, broken = [], []
    for call in expected.tool_calls:
        try:
            args: Any = json.loads(call.arguments) if call.arguments.strip() else {}
        except ValueError:
            args = None
        if isinstance(args, dict):
            valid.append((call.id, call.name, args))
        else:
            broken.append(call.id)
    got = [(c["id"], c["name"], c["args"]) for c in message.tool_calls]
    raw = {c.id: c.arguments for c in expected.tool_calls}
    if chunks:
        # Adding chunks re-reads the fragments with langchain-core's partial-JSON parser, which
        # completes a cut-off object; the final chunk's verdict lists such calls, raw text kept,
        # and invoke() (what agents call) moves them out of tool_calls.
        verdict = message.response_metadata.get("invalid_tool_calls", [])
        assert [(c["id"], c["args"]) for c in verdict] == [(i, raw[i]) for i in broken]
        assert responses.settle_tool_calls(message).tool_calls == [
            c for c in message.tool_calls if c["id"] not in broken]
        got = [c for c in got if c[0] not in broken]
    else:
        assert [(c["id"], c["args"]) for c in message.invalid_tool_calls] == [
            (i, raw[i]) for i in broken]
        assert "invalid_tool_calls" not in message.response_metadata
    assert got == valid
    every_id = {c["id"] for c in message.tool_calls} | {c["id"] for c in message.invalid_tool_calls}
    assert every_id == {c.id for c in expected.tool_calls}
    images = [b for b in message.content_blocks if b["type"] == "image"]
    assert len(images) == len(expected.image_urls)
    meta = message.response_metadata
    assert meta["model_provider"] == "openrouter"
    assert meta.get("provider") == expected.provider
    assert meta.get("finish_reason") == expected.finish_reason
    assert meta.get("native_finish_reason") == expected.native_finish_reason
    assert meta.get("annotations", []) == expected.annotations
    if expected.model:
        assert meta["model_name"] == expected.model
    if chunks:
        assert chunks[-1].chunk_position == "last"
        assert sum(1 for c in chunks if c.usage_metadata) == (1 if expected.usage else 0)
    if expected.usage is None:
        assert message.usage_metadata is None
        return
    usage = message.usage_metadata
    assert usage is not None
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (
        expected.usage.prompt_tokens, expected.usage.completion_tokens,
        expected.usage.total_tokens or expected.usage.prompt_tokens
        + expected.usage.completion_tokens)
    assert meta.get("cost") == expected.usage.cost
    details = usage.get("input_token_details", {})
    assert details.get("cache_read") == expected.usage.cached_tokens
    assert details.get("cache_creation") == expected.usage.cache_write_tokens
    assert usage.get("output_token_details", {}).get("reasoning") == expected.usage.reasoning_tokens


def _assert_error(exc: BaseException, expected: ExpectedError) -> None:
    assert isinstance(exc, _lc_class(expected)), f"{type(exc).__name__}: {exc}"
    assert isinstance(exc, errors.APIStatusError)
    assert exc.error_message == expected.message
    assert exc.status_code == expected.status
    assert exc.provider_name == expected.provider_name


def _assert_stream_error(exc: BaseException, expected: ExpectedReply) -> None:
    assert expected.stream_error is not None
    _assert_error(exc, expected.stream_error)
    assert isinstance(exc, errors.OpenRouterError) and exc.mid_stream
    assert exc.partial is not None
    assert exc.partial.content == expected.partial_content
    chunks = getattr(exc, "chunks", None)
    if chunks is not None:  # the chunks already yielded carry the partial text
        assert "".join(c.text for c in chunks) == expected.partial_content


def test_langchain_replay_sync(server: Emulator, chat_exchange: Exchange) -> None:
    """``invoke``/``stream`` turn the recorded reply into the right LangChain objects."""
    error = expected_error(chat_exchange)
    if error is not None:
        with pytest.raises(ModelError) as info:
            _fetch(server, chat_exchange)
        _assert_error(info.value, error)
        return
    expected = expected_reply(chat_exchange)
    if expected.stream_error is not None:
        with pytest.raises(ModelError) as info:
            _fetch(server, chat_exchange)
        _assert_stream_error(info.value, expected)
        return
    _assert_message(*_fetch(server, chat_exchange), expected)


async def test_langchain_replay_async(server: Emulator, chat_exchange: Exchange) -> None:
    """``ainvoke``/``astream`` turn the recorded reply into the right LangChain objects."""
    error = expected_error(chat_exchange)
    if error is not None:
        with pytest.raises(ModelError) as info:
            await _afetch(server, chat_exchange)
        _assert_error(info.value, error)
        return
    expected = expected_reply(chat_exchange)
    if expected.stream_error is not None:
        with pytest.raises(ModelError) as info:
            await _afetch(server, chat_exchange)
        _assert_stream_error(info.value, expected)
        return
    _assert_message(*await _afetch(server, chat_exchange), expected)


def test_langchain_stream_lifecycle_matches_langchain_core(server: Emulator,
                                                           chat_exchange: Exchange) -> None:
    """Our ``stream`` and ``BaseChatModel.stream`` give the same chunks and callback events.

    ``ChatOpenRouter.stream`` re-implements langchain-core's lifecycle so as not to keep every
    chunk; on every recorded reply (text, tools, reasoning, images, errors before and during
    the stream) the two must be indistinguishable to a callback handler, tracer or consumer.
    """
    recordings = []
    for inherited in (False, True):
        serve(server, chat_exchange)
        recordings.append(record(_model(server, chat_exchange), "Hello", inherited=inherited))
    ours, theirs = recordings
    assert_same(ours, theirs)
    assert ours.events[-1][0] == ("error" if ours.error else "end")
