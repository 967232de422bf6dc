"""Core transport against the loopback emulator: pools, retries, timeouts, typed failures.

Fixtures ``emu`` (reset emulator, clients closed after) and ``sleeps`` (retry waits recorded,
not slept) come from ``tests/faults/conftest.py``.

Real HTTP bytes every time: the emulator is a socket server, the openai SDK client sends, and
the core's decoder and state machine read what comes back.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time

import openai
import pytest
from pydantic import SecretStr

from openrouter_core import errors, transport
from openrouter_core.request import build_body
from openrouter_core.settings import RequestSettings
from openrouter_core.stream import StreamAssembler
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
USER = [{"role": "user", "content": "hi"}]


def endpoint(emu: Emulator, **kwargs: object) -> transport.Endpoint:
    return transport.Endpoint(base_url=emu.base_url, api_key=SecretStr(KEY), **kwargs)  # type: ignore[arg-type]


def body(stream: bool = False) -> dict[str, object]:
    return build_body("openai/gpt-4o-mini", USER, RequestSettings(temperature=0.5),
                      stream=stream)


def collect(ep: transport.Endpoint, stream_body: dict[str, object]) -> tuple[list[str], object]:
    assembler = StreamAssembler()
    pieces = [d.content or "" for d in transport.stream(ep, stream_body, {}, assembler)]
    return pieces, assembler.result()


def test_endpoint_repr_hides_key_and_construction_opens_nothing(emu: Emulator) -> None:
    before = transport.connections_opened
    ep = endpoint(emu)
    assert KEY not in repr(ep)
    assert transport.connections_opened == before
    assert emu.requests == []


def test_one_shared_client_per_base_url_key_and_timeout(emu: Emulator) -> None:
    a, b = endpoint(emu), endpoint(emu)
    assert transport.sync_client(a) is transport.sync_client(b)
    assert transport.sync_client(a) is not transport.sync_client(endpoint(emu, timeout=5.0))


def test_body_headers_and_key_reach_the_wire_verbatim(emu: Emulator) -> None:
    emu.enqueue(Reply.text("Hi there"))
    result = transport.complete(endpoint(emu), body(), {"X-OpenRouter-Title": "Demo"})
    sent = emu.chat_requests[0]
    assert result.content == "Hi there"
    assert sent.json == {"model": "openai/gpt-4o-mini", "messages": USER, "temperature": 0.5}
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["x-openrouter-title"] == "Demo"


def test_padded_non_stream_body_and_usage(emu: Emulator) -> None:
    emu.enqueue(Reply.text("padded", pad_json=True, cost=0.25))
    result = transport.complete(endpoint(emu), body(), {})
    assert result.content == "padded"
    assert result.usage is not None
    assert result.usage.cost == 0.25
    assert result.id is not None
    assert result.id.startswith("gen-")


def test_stream_assembles_and_yields_pieces(emu: Emulator) -> None:
    emu.enqueue(Reply.text("one two three", comments_between=True))
    pieces, result = collect(endpoint(emu), body(stream=True))
    assert "".join(pieces) == "one two three"
    assert len([p for p in pieces if p]) >= 3
    assert result.usage is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("retry_after", ["0", "2", "HTTPDATE"])
def test_429_retried_honouring_retry_after(emu: Emulator, sleeps: list[float],
                                            retry_after: str) -> None:
    value = retry_after
    if retry_after == "HTTPDATE":
        value = email.utils.formatdate(time.time() + 3, usegmt=True)
    emu.enqueue(Reply.error(429, "Rate limited", headers={"Retry-After": value}),
                Reply.text("after retry"))
    result = transport.complete(endpoint(emu), body(), {})
    assert result.content == "after retry"
    assert len(emu.chat_requests) == 2
    assert len(sleeps) == 1
    if retry_after == "HTTPDATE":
        assert 1.0 <= sleeps[0] <= 3.0
    else:
        assert sleeps[0] == float(retry_after)


@pytest.mark.parametrize("status", [408, 500, 502, 503])
def test_transient_statuses_retried_with_backoff(emu: Emulator, sleeps: list[float],
                                                  status: int) -> None:
    emu.enqueue(Reply.error(status, "transient"), Reply.text("ok"))
    assert transport.complete(endpoint(emu), body(), {}).content == "ok"
    assert len(emu.chat_requests) == 2
    assert 0.375 <= sleeps[0] <= 0.5


def test_repeating_fault_gives_typed_error_after_max_retries_plus_one(
    emu: Emulator, sleeps: list[float]
) -> None:
    emu.enqueue(*[Reply.error(503, "all providers down")] * 4)
    with pytest.raises(errors.InternalServerError, match="all providers down") as info:
        transport.complete(endpoint(emu, max_retries=3), body(), {})
    assert isinstance(info.value, openai.InternalServerError)
    assert len(emu.chat_requests) == 4
    assert len(sleeps) == 3
    assert sleeps[2] > sleeps[0]


def test_max_retries_zero_means_exactly_one_request(emu: Emulator, sleeps: list[float]) -> None:
    emu.enqueue(Reply.error(429, "slow down", headers={"Retry-After": "0"}))
    with pytest.raises(errors.RateLimitError):
        transport.complete(endpoint(emu, max_retries=0), body(), {})
    assert len(emu.chat_requests) == 1
    assert sleeps == []


def test_402_retried_only_with_retry_after(emu: Emulator, sleeps: list[float]) -> None:
    emu.enqueue(Reply.error(402, "in-flight requests hold your budget",
                            headers={"Retry-After": "1"}), Reply.text("paid"))
    assert transport.complete(endpoint(emu), body(), {}).content == "paid"
    emu.reset()
    emu.enqueue(Reply.error(402, "This request requires more credits"))
    with pytest.raises(errors.PaymentRequiredError, match="more credits"):
        transport.complete(endpoint(emu), body(), {})
    assert len(emu.chat_requests) == 1


def test_connection_reset_before_headers_is_retried(emu: Emulator, sleeps: list[float]) -> None:
    emu.enqueue(Reply.fault("reset_before_headers"), Reply.text("recovered"))
    assert transport.complete(endpoint(emu), body(), {}).content == "recovered"
    assert len(emu.chat_requests) == 2
    emu.enqueue(Reply.fault("reset_before_headers"), Reply.text("stream recovered"))
    pieces, _ = collect(endpoint(emu), body(stream=True))
    assert "".join(pieces) == "stream recovered"


def test_200_with_error_body_is_an_error(emu: Emulator, sleeps: list[float]) -> None:
    emu.enqueue(Reply.error(401, "No cookie auth credentials found", http_status=200))
    with pytest.raises(errors.AuthenticationError, match="No cookie auth"):
        transport.complete(endpoint(emu), body(), {})


def test_mid_stream_error_after_chunks_carries_partial(emu: Emulator) -> None:
    emu.enqueue(Reply.text("alpha beta gamma delta", error_after=3))
    assembler = StreamAssembler()
    seen = []
    with pytest.raises(errors.BadRequestError, match="Token limit reached") as info:
        for delta in transport.stream(endpoint(emu), body(stream=True), {}, assembler):
            seen.append(delta.content or "")
    assert info.value.mid_stream
    assert info.value.partial is not None
    assert info.value.partial.content == "".join(seen)
    assert seen
    assert len(emu.chat_requests) == 1


@pytest.mark.parametrize(("fault", "cls"), [
    ("truncate_after", errors.StreamInterruptedError),
    ("reset_after", errors.StreamInterruptedError),
    ("malformed_at", errors.MalformedResponseError),
    ("invalid_utf8_at", errors.MalformedResponseError),
])
def test_broken_streams_raise_typed_errors_with_partial(emu: Emulator, fault: str,
                                                         cls: type) -> None:
    emu.enqueue(Reply.fault(fault, 3))  # type: ignore[arg-type]
    assembler = StreamAssembler()
    seen = []
    with pytest.raises(cls) as info:
        for delta in transport.stream(endpoint(emu), body(stream=True), {}, assembler):
            seen.append(delta.content or "")
    assert info.value.partial is not None
    assert info.value.partial.content == "".join(seen)
    assert len(emu.chat_requests) == 1


def test_wrong_content_type_is_malformed(emu: Emulator) -> None:
    emu.enqueue(Reply.fault("content_type", "text/html"))
    with pytest.raises(errors.MalformedResponseError, match="text/html"):
        collect(endpoint(emu, max_retries=0), body(stream=True))


def test_a_stall_after_headers_times_out_within_about_the_timeout(emu: Emulator) -> None:
    emu.enqueue(Reply.text("a b c d e f", stall_after=2, stall_seconds=10))
    start = time.monotonic()
    with pytest.raises(errors.APITimeoutError, match="sent nothing for 1 s") as info:
        collect(endpoint(emu, timeout=1.0, max_retries=0), body(stream=True))
    assert time.monotonic() - start < 2.0
    assert info.value.partial is not None
    assert info.value.partial.content == "a b "


def test_a_chunk_every_0_6_s_with_timeout_2_completes_however_long(emu: Emulator) -> None:
    words = ["one ", "two ", "three ", "four ", "five ", "six"]
    emu.enqueue(Reply.text("".join(words), chunks=words, drip_delay=0.6))
    start = time.monotonic()
    pieces, _ = collect(endpoint(emu, timeout=2.0, max_retries=0), body(stream=True))
    assert time.monotonic() - start > 3.0  # longer than the timeout, and never cut
    assert "".join(pieces) == "".join(words)


def test_keep_alive_comments_count_as_life(emu: Emulator) -> None:
    chunk = {"id": "gen-k", "object": "chat.completion.chunk", "model": "openai/gpt-4o-mini",
             "choices": [{"index": 0, "delta": {"content": "ready"}, "finish_reason": "stop"}]}
    pieces = [(b": OPENROUTER PROCESSING\n\n", 0.4)] * 6 + [
        (b"data: " + json.dumps(chunk).encode() + b"\n\ndata: [DONE]\n\n", 0.4)]
    emu.enqueue(Reply.raw(200, {"Content-Type": "text/event-stream"}, chunk_delays=pieces))
    pieces, _ = collect(endpoint(emu, timeout=0.75, max_retries=0), body(stream=True))
    assert "".join(pieces) == "ready"  # 2.8 s of comments, then data


def test_total_timeout_caps_the_call_and_is_never_retried(emu: Emulator) -> None:
    emu.enqueue(Reply.text("a b c d e f", stall_after=2, stall_seconds=10),
                Reply.text("a second attempt would get this"))
    start = time.monotonic()
    with pytest.raises(errors.APITimeoutError, match="total_timeout=1 s") as info:
        collect(endpoint(emu, total_timeout=1.0, max_retries=3), body(stream=True))
    assert time.monotonic() - start < 2.0
    assert info.value.retryable is False
    assert len(emu.chat_requests) == 1


def test_a_timeout_before_the_reply_starts_is_retried(emu: Emulator) -> None:
    emu.enqueue(Reply.text("late", delay_headers=3.0), Reply.text("on time"))
    pieces, _ = collect(endpoint(emu, timeout=0.5, max_retries=1), body(stream=True))
    assert "".join(pieces) == "on time"
    assert len(emu.chat_requests) == 2


def test_breaking_out_of_a_sync_stream_closes_the_connection(emu: Emulator) -> None:
    emu.enqueue(Reply.text(" ".join(["word"] * 200), drip_delay=0.01))
    generator = transport.stream(endpoint(emu), body(stream=True), {}, StreamAssembler())
    for _ in generator:
        break
    generator.close()
    assert emu.wait_for_disconnect(0, timeout=2.0)


async def test_async_complete_stream_and_retry(emu: Emulator, sleeps: list[float]) -> None:
    emu.enqueue(Reply.error(429, "later", headers={"Retry-After": "1"}), Reply.text("async ok"),
                Reply.text("async stream"))
    ep = endpoint(emu)
    assert (await transport.acomplete(ep, body(), {})).content == "async ok"
    assert sleeps == [1.0]
    assembler = StreamAssembler()
    pieces = [d.content or "" async for d in transport.astream(ep, body(stream=True), {},
                                                                 assembler)]
    assert "".join(pieces) == "async stream"
    assert assembler.result().usage is not None
    await transport.aclose()


async def test_cancelling_an_async_stream_closes_the_connection(emu: Emulator) -> None:
    emu.enqueue(Reply.text(" ".join(["word"] * 500), drip_delay=0.02))
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in transport.astream(endpoint(emu), body(stream=True), {},
                                         StreamAssembler()):
            started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    closed = await asyncio.to_thread(emu.wait_for_disconnect, 0, 2.0)
    assert closed
    await transport.aclose()


def test_five_megabyte_reply(emu: Emulator) -> None:
    text = "x" * (5 * 1024 * 1024)
    emu.enqueue(Reply.text(text, stream=False))
    assert len(transport.complete(endpoint(emu), body(), {}).content) == len(text)


def test_missing_key_is_a_clear_error_before_any_request(emu: Emulator) -> None:
    ep = transport.Endpoint(base_url=emu.base_url, api_key=None)
    with pytest.raises(errors.InputError, match="OPENROUTER_API_KEY"):
        transport.complete(ep, body(), {})
    assert emu.requests == []

