"""Every fault kind over a real socket, surfacing as the typed errors of openrouter_core.errors."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from openrouter_core import errors, transport
from openrouter_core.stream import StreamAssembler
from openrouter_core.testing import Reply, answer_text

BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
TEXT = "one two three four five six seven eight"


def endpoint(emu, **kw):
    return transport.Endpoint(base_url=emu.base_url, api_key=SecretStr("sk-or-v1-test"),
                              max_retries=0, **kw)


def run_stream(emu, **kw):
    assembler = StreamAssembler()
    return list(transport.stream(endpoint(emu, **kw), {**BODY, "stream": True}, {}, assembler))


def test_mid_stream_error_carries_partial(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.text(TEXT, error_after=3, error_message="Token limit"))
    with pytest.raises(errors.BadRequestError) as info:
        run_stream(openrouter_emulator)
    exc = info.value
    assert exc.mid_stream
    assert exc.error_message == "Token limit"
    assert exc.partial is not None
    assert exc.partial.content == "one two three "


def test_reset_after_k_is_stream_interrupted(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.fault("reset_after", 2, content=TEXT))
    with pytest.raises(errors.StreamInterruptedError) as info:
        run_stream(openrouter_emulator)
    assert info.value.partial is not None
    assert info.value.partial.content == "one two "


def test_truncate_after_k_is_stream_interrupted(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.fault("truncate_after", 4, content=TEXT))
    with pytest.raises(errors.StreamInterruptedError, match="before"):
        run_stream(openrouter_emulator)


def test_reset_before_headers_is_a_connection_error(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.fault("reset_before_headers"))
    with pytest.raises(errors.APIConnectionError) as info:
        run_stream(openrouter_emulator)
    assert not isinstance(info.value, errors.StreamInterruptedError)
    assert info.value.retryable


@pytest.mark.parametrize("kind", ["malformed_at", "invalid_utf8_at"])
def test_broken_chunk_is_malformed(openrouter_emulator, kind):
    openrouter_emulator.enqueue(Reply.fault(kind, 2, content=TEXT))
    with pytest.raises(errors.MalformedResponseError) as info:
        run_stream(openrouter_emulator)
    assert info.value.partial is not None


def test_wrong_content_type_is_malformed(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.fault("content_type", "text/html"))
    with pytest.raises(errors.MalformedResponseError, match="text/html"):
        run_stream(openrouter_emulator)


def test_stall_hits_the_read_timeout(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.fault("stall_after", 2, stall_seconds=5))
    started = time.monotonic()
    with pytest.raises(errors.APITimeoutError):
        run_stream(openrouter_emulator, timeout=0.5)
    assert time.monotonic() - started < 3
    assert openrouter_emulator.wait_for_disconnect(0, timeout=2)


def test_drip_and_header_delays(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.text("a b c d", drip_delay=0.05, delay_headers=0.2))
    started = time.monotonic()
    deltas = run_stream(openrouter_emulator)
    assert time.monotonic() - started >= 0.2 + 5 * 0.05
    assert "".join(d.content or "" for d in deltas) == "a b c d"


def test_error_status_with_retry_after(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.error(
        429, "Provider returned error", metadata={"provider_name": "Google", "raw": "slow down"},
        headers={"Retry-After": "3"}, user_id="user_abc"))
    with pytest.raises(errors.RateLimitError) as info:
        run_stream(openrouter_emulator)
    exc = info.value
    assert exc.retry_after == 3
    assert exc.provider_name == "Google"
    assert exc.user_id == "user_abc"
    assert exc.retryable


def test_error_body_with_http_200(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.error(429, "Rate limit exceeded", http_status=200))
    with pytest.raises(errors.RateLimitError):
        transport.complete(endpoint(openrouter_emulator), BODY, {})


def test_server_error_is_retried_by_policy(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.error(502, "Bad gateway", headers={"Retry-After": "0"}), Reply.text("ok"))
    ep = transport.Endpoint(base_url=emu.base_url, api_key=SecretStr("sk-or-v1-test"),
                            max_retries=1)
    assert transport.complete(ep, BODY, {}).content == "ok"
    assert [r.status for r in emu.chat_requests] == [502, 200]


def test_require_api_key(openrouter_emulator):
    openrouter_emulator.require_api_key = "sk-or-v1-right"
    with pytest.raises(errors.AuthenticationError, match="Missing Authentication header"):
        transport.complete(endpoint(openrouter_emulator), BODY, {})
    ep = transport.Endpoint(base_url=openrouter_emulator.base_url, max_retries=0,
                            api_key=SecretStr("sk-or-v1-right"))
    assert transport.complete(ep, BODY, {}).content == answer_text("Hi")


@pytest.mark.parametrize("fault", [{"reset_after": 0}, {"truncate_after": 0},
                                   {"malformed_at": 0}])
def test_json_body_faults(openrouter_emulator, fault):
    openrouter_emulator.enqueue(Reply.text("hello", **fault))
    with pytest.raises((errors.APIConnectionError, errors.MalformedResponseError)):
        transport.complete(endpoint(openrouter_emulator), BODY, {})


def test_bad_script_answers_500(openrouter_emulator):
    openrouter_emulator.enqueue(Reply.text("x", error_after=1))  # needs a stream
    with pytest.raises(errors.InternalServerError, match="streamed reply"):
        transport.complete(endpoint(openrouter_emulator), BODY, {})


def test_client_cancellation_is_seen_within_two_seconds(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.text("word " * 200, drip_delay=0.05))
    generator = transport.stream(endpoint(emu), {**BODY, "stream": True}, {}, StreamAssembler())
    for _ in range(3):
        next(generator)
    generator.close()
    assert emu.wait_for_disconnect(0, timeout=2)
    assert emu.requests[0].cancelled_by_client


async def test_async_cancellation_during_a_stall(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.fault("stall_after", 1, stall_seconds=30))
    generator = transport.astream(endpoint(emu), {**BODY, "stream": True}, {},
                                  StreamAssembler())
    await generator.__anext__()
    await generator.aclose()
    assert emu.wait_for_disconnect(0, timeout=2)
    await transport.aclose()
