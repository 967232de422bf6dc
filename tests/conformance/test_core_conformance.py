"""Replay every real recorded OpenRouter chat-completions exchange through the core transport.

Each recorded response (status, headers, body bytes) is served again by the loopback emulator
(``openrouter_core.testing``, ``Reply.raw``) and fetched with the real
``openrouter_core.transport``: the ``openai`` SDK's HTTP stack, the SSE parser, the decoder and
the stream assembler all run. The decoded ``ChatResult`` (or the raised error) is compared field
by field with ``expected.py``'s independent reading of the same bytes. Streams are fetched with
``transport.stream``/``astream`` when the recorded request asked for one (or, with no request
recorded, when the response is SSE); everything else with ``complete``/``acomplete``.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from openrouter_core import errors, transport
from openrouter_core.decode import ChatResult, ChunkDelta
from openrouter_core.stream import StreamAssembler
from openrouter_core.testing import Emulator
from tests.conformance.expected import (
    ExpectedError,
    ExpectedReply,
    expected_error,
    expected_reply,
)
from tests.conformance.recordings import Exchange, recorded_model, serve

_ERROR_CLASSES: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.PaymentRequiredError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    408: errors.RequestTimeoutError,
    429: errors.RateLimitError,
}
_MINIMAL_MESSAGES = [{"role": "user", "content": "Hello"}]


# --- fixtures and helpers ----------------------------------------------------------------------


def _endpoint(server: Emulator) -> transport.Endpoint:
    return transport.Endpoint(base_url=server.base_url, api_key=SecretStr("sk-or-v1-test"),
                              max_retries=0, timeout=30.0)


def _request_body(exchange: Exchange) -> dict[str, Any]:
    """The recorded request JSON, completed where the recording has no request at all."""
    body: dict[str, Any] = dict(exchange.request_json or {})
    body.setdefault("model", recorded_model(exchange))
    body.setdefault("messages", _MINIMAL_MESSAGES)
    if exchange.streamed_request:
        body["stream"] = True
    return body


def _error_class(expected: ExpectedError) -> type[errors.APIStatusError]:
    if expected.status == 400 and expected.context_length:
        return errors.ContextLengthError
    if expected.status >= 500:
        return errors.InternalServerError
    return _ERROR_CLASSES.get(expected.status, errors.APIStatusError)


_Fetched = tuple[ChatResult, list[ChunkDelta] | None]
"""The decoded reply, and for streams every delta the transport yielded."""


def _fetch(server: Emulator, exchange: Exchange) -> _Fetched:
    serve(server, exchange)
    endpoint, body = _endpoint(server), _request_body(exchange)
    try:
        if not exchange.streamed_request:
            return transport.complete(endpoint, body, {}), None
        assembler = StreamAssembler()
        deltas = list(transport.stream(endpoint, body, {}, assembler))
        return assembler.result(), deltas
    finally:
        _assert_request_arrived(server, body)


async def _afetch(server: Emulator, exchange: Exchange) -> _Fetched:
    serve(server, exchange)
    endpoint, body = _endpoint(server), _request_body(exchange)
    try:
        if not exchange.streamed_request:
            return await transport.acomplete(endpoint, body, {}), None
        assembler = StreamAssembler()
        deltas = [delta async for delta in transport.astream(endpoint, body, {}, assembler)]
        return assembler.result(), deltas
    finally:
        await transport.aclose()
        _assert_request_arrived(server, body)


def _assert_request_arrived(server: Emulator, body: dict[str, Any]) -> None:
    """The transport sent the recorded request body unchanged, once (no retries), to the
    chat-completions path."""
    assert server.pending == 0, "the queued reply was never requested"
    requests = server.requests
    assert [(r.method, r.path) for r in requests] == [("POST", "/api/v1/chat/completions")]
    # ``"stream": false`` is the default; the transport may leave it out.
    sent = {k: v for k, v in body.items() if not (k == "stream" and v is False)}
    assert requests[0].json == sent


# --- assertions --------------------------------------------------------------------------------


def _assert_reply(fetched: _Fetched, expected: ExpectedReply) -> None:
    result, deltas = fetched
    assert result.id == expected.id
    assert result.content == expected.content
    assert result.reasoning == expected.reasoning
    assert result.reasoning_details == expected.reasoning_details
    assert [(t.id, t.name, t.arguments) for t in result.tool_calls] == [
        (t.id, t.name, t.arguments) for t in expected.tool_calls
    ]
    assert [image.url for image in result.images] == expected.image_urls
    assert result.annotations == expected.annotations
    assert result.refusal == expected.refusal
    assert result.provider == expected.provider
    assert result.model == expected.model
    assert result.finish_reason == expected.finish_reason
    assert result.native_finish_reason == expected.native_finish_reason
    if expected.usage is None:
        assert result.usage is None
        return
    usage = result.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (
        expected.usage.prompt_tokens, expected.usage.completion_tokens,
        expected.usage.total_tokens)
    assert usage.cost == expected.usage.cost
    assert usage.cached_tokens == expected.usage.cached_tokens
    assert usage.cache_write_tokens == expected.usage.cache_write_tokens
    assert usage.reasoning_tokens == expected.usage.reasoning_tokens
    assert usage.image_tokens == expected.usage.image_tokens
    if deltas is not None:
        _assert_deltas(deltas, expected)


def _assert_deltas(deltas: list[ChunkDelta], expected: ExpectedReply) -> None:
    """What a framework adapter sees: concatenating the yielded deltas gives the reply, tool
    ids and names come once per call, and exactly one delta carries the finish reason."""
    assert "".join(d.content or "" for d in deltas) == expected.content
    reasoning = "".join(d.reasoning or "" for d in deltas)
    assert reasoning == (expected.reasoning or "")
    calls: dict[int, list[str]] = {}
    for fragment in (t for d in deltas for t in d.tool_calls):
        call = calls.setdefault(fragment.index, ["", "", ""])
        call[0] += fragment.id or ""
        call[1] += fragment.name or ""
        call[2] += fragment.arguments or ""
    assert [tuple(calls[i]) for i in sorted(calls)] == [
        (t.id, t.name, t.arguments) for t in expected.tool_calls
    ]
    finishes = [d.finish_reason for d in deltas if d.finish_reason is not None]
    assert finishes == ([expected.finish_reason] if expected.finish_reason else [])


def _assert_error(exc: BaseException, expected: ExpectedError) -> None:
    assert type(exc) is _error_class(expected), f"{type(exc).__name__}: {exc}"
    assert isinstance(exc, errors.APIStatusError)
    assert expected.message in str(exc)
    assert exc.error_message == expected.message
    assert exc.status_code == expected.status
    assert exc.provider_name == expected.provider_name
    assert exc.user_id == expected.user_id
    assert exc.generation_id == expected.generation_id


def _assert_stream_error(exc: BaseException, expected: ExpectedReply) -> None:
    assert expected.stream_error is not None
    _assert_error(exc, expected.stream_error)
    assert isinstance(exc, errors.OpenRouterError)
    assert exc.mid_stream
    assert exc.partial is not None
    assert exc.partial.content == expected.partial_content
    assert exc.partial.reasoning == expected.partial_reasoning


# --- the tests ---------------------------------------------------------------------------------


def test_replay_sync(server: Emulator, chat_exchange: Exchange) -> None:
    """``transport.complete``/``stream`` decode the recorded reply exactly."""
    error = expected_error(chat_exchange)
    if error is not None:
        with pytest.raises(errors.OpenRouterError) as info:
            _fetch(server, chat_exchange)
        _assert_error(info.value, error)
        return
    expected = expected_reply(chat_exchange)
    if expected.stream_error is not None:
        with pytest.raises(errors.OpenRouterError) as info:
            _fetch(server, chat_exchange)
        _assert_stream_error(info.value, expected)
        return
    _assert_reply(_fetch(server, chat_exchange), expected)


async def test_replay_async(server: Emulator, chat_exchange: Exchange) -> None:
    """``transport.acomplete``/``astream`` decode the recorded reply exactly."""
    error = expected_error(chat_exchange)
    if error is not None:
        with pytest.raises(errors.OpenRouterError) as info:
            await _afetch(server, chat_exchange)
        _assert_error(info.value, error)
        return
    expected = expected_reply(chat_exchange)
    if expected.stream_error is not None:
        with pytest.raises(errors.OpenRouterError) as info:
            await _afetch(server, chat_exchange)
        _assert_stream_error(info.value, expected)
        return
    _assert_reply(await _afetch(server, chat_exchange), expected)
