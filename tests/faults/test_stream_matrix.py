"""Broken streams, odd replies, timeouts and cancellation through all eight call styles.

A stream that breaks after K deltas must hand those K deltas to the caller, then raise a typed
error whose ``partial`` holds exactly what was received: never a normal end, never an internal
``KeyError``/``TypeError``. Non-streaming styles get the JSON-body version of the same fault.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core import exceptions as lc

from openrouter_core import errors, transport
from openrouter_core.testing import Emulator, Reply
from tests.faults.cases import assert_typed
from tests.faults.drivers import STYLES, Style, default_prompt, make_model, run
from tests.faults.report import record

K = 3
TEXT = "alpha beta gamma delta epsilon zeta eta theta"
FIRST_K = "alpha beta gamma "
TIMEOUT = 0.75
STALL_SECONDS = 10
DRIP_SECONDS = 2  # the shorter of _drip's two replies (JSON: 10 x 0.2 s; stream: 60 x 0.05 s)
STREAMS = [s for s in STYLES if s.streaming]


@dataclass(frozen=True, slots=True)
class BrokenStream:
    """A fault at data chunk K; what streaming and non-streaming callers must see."""

    id: str
    label: str
    reply: Callable[[], Reply]
    core: type[BaseException]
    langchain: type[BaseException]
    message: str
    json_fault: bool
    """Whether the fault also applies to a JSON (non-stream) reply."""
    json_core: type[BaseException] | None = None
    """Error of the JSON version, or ``None`` when it is retried and then succeeds."""


BROKEN = [
    BrokenStream("error-chunk", "mid-stream error chunk after K deltas",
                 lambda: Reply.text(TEXT, error_after=K, error_code=502,
                                    error_message="Provider disconnected mid-generation"),
                 errors.InternalServerError, lc.ModelAPIError, "Provider disconnected",
                 json_fault=False),
    BrokenStream("reset", "connection reset after K deltas",
                 lambda: Reply.text(TEXT, reset_after=K),
                 errors.StreamInterruptedError, lc.ModelConnectionError, "broke after",
                 json_fault=True),
    BrokenStream("no-done", "stream closed without `[DONE]`",
                 lambda: Reply.text(TEXT, truncate_after=K),
                 errors.StreamInterruptedError, lc.ModelConnectionError, "before [DONE]",
                 json_fault=True),
    BrokenStream("malformed", "malformed JSON chunk at K",
                 lambda: Reply.text(TEXT, malformed_at=K),
                 errors.MalformedResponseError, lc.ModelAPIError, "not valid JSON",
                 json_fault=True, json_core=errors.MalformedResponseError),
    BrokenStream("utf8", "invalid UTF-8 at K",
                 lambda: Reply.text(TEXT, invalid_utf8_at=K),
                 errors.MalformedResponseError, lc.ModelAPIError, "UTF-8",
                 json_fault=True, json_core=errors.MalformedResponseError),
]


@pytest.mark.parametrize(("case", "style"), [
    pytest.param(c, s, id=f"{c.id}-{s.id}") for c in BROKEN for s in STYLES
    if s.streaming or c.json_fault])
def test_broken_stream(request: pytest.FixtureRequest, emu: Emulator, sleeps: list[float],
                       case: BrokenStream, style: Style) -> None:
    expected = (f"stream: the {K} deltas, then `{case.core.__name__}` with `partial`, "
                "1 request (never retried)")
    if case.json_fault:
        expected += ("; JSON: `MalformedResponseError`, 1 request" if case.json_core else
                     "; JSON (half body): retried, then success")
    record(request, "Broken streams (K = 3, max_retries=2)", case.label, expected, style.id)
    emu.enqueue(case.reply(), Reply.text("the retry"))
    outcome = run(style, emu, max_retries=2)
    if not style.streaming:
        if case.json_core is None:
            assert outcome.error is None, repr(outcome.error)
            assert outcome.text == "the retry"
            assert len(emu.chat_requests) == 2
        else:
            assert_typed(outcome, style, case.json_core, lc.ModelAPIError)
            assert len(emu.chat_requests) == 1
        return
    error = assert_typed(outcome, style, case.core, case.langchain)
    assert case.message in str(error)
    assert "".join(outcome.pieces) == FIRST_K
    partial = getattr(error, "partial", None)
    assert partial is not None, f"{style.id}: no partial result on {error!r}"
    assert partial.content == FIRST_K
    assert len(emu.chat_requests) == 1


def _event(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _text_chunk(text: str) -> bytes:
    return _event({"id": "gen-1", "object": "chat.completion.chunk", "created": 1,
                   "model": "openai/gpt-4o-mini", "provider": "OpenAI",
                   "choices": [{"index": 0, "delta": {"role": "assistant", "content": text},
                                "finish_reason": None}]})


_ERROR_CHUNK = _event({"id": "gen-1", "object": "chat.completion.chunk", "created": 1,
                       "model": "openai/gpt-4o-mini",
                       "error": {"code": 502, "message": "Provider disconnected"},
                       "choices": [{"index": 0, "delta": {"content": ""},
                                    "finish_reason": "error"}]})
_COALESCED = {
    "error": (_text_chunk("one ") + _text_chunk("two ") + _ERROR_CHUNK + b"data: [DONE]\n\n",
              errors.InternalServerError, "Provider disconnected"),
    "malformed": (_text_chunk("one ") + _text_chunk("two ") + b"data: {not json\n\n",
                  errors.MalformedResponseError, "not valid JSON"),
}


@pytest.mark.parametrize("kind", list(_COALESCED))
@pytest.mark.parametrize("style", STREAMS, ids=lambda s: s.id)
def test_fault_in_the_same_read_as_deltas(request: pytest.FixtureRequest, emu: Emulator,
                                          style: Style, kind: str) -> None:
    record(request, "Broken streams (K = 3, max_retries=2)",
           f"{kind} chunk in the same network read as 2 deltas",
           "the 2 deltas, then the typed error with `partial`", style.id)
    data, core, message = _COALESCED[kind]
    # One HTTP chunk sent after a pause: the client reads it in one piece.
    emu.enqueue(Reply.raw(200, {"Content-Type": "text/event-stream"},
                          chunk_delays=[(data, 0.01)]))
    outcome = run(style, emu)
    error = assert_typed(outcome, style, core)
    assert message in str(error)
    assert getattr(error, "partial", None) is not None
    assert error.partial.content == "one two "  # type: ignore[attr-defined]
    assert "".join(outcome.pieces) == "one two "


def _html() -> Reply:
    return Reply.raw(200, {"Content-Type": "text/html; charset=utf-8"},
                     b"<html><head><title>502 Bad Gateway</title></head>"
                     b"<body>cloudflare</body></html>")


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_200_with_error_body(request: pytest.FixtureRequest, emu: Emulator, style: Style) -> None:
    record(request, "Odd replies", "HTTP 200 with an error body (429 inside)",
           "`RateLimitError`, 1 request with `max_retries=0`", style.id)
    emu.enqueue(Reply.error(429, "Rate limit exceeded: free-models-per-day", http_status=200))
    outcome = run(style, emu, max_retries=0)
    error = assert_typed(outcome, style, errors.RateLimitError, lc.ModelRateLimitError)
    assert "free-models-per-day" in str(error)
    assert len(emu.chat_requests) == 1


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_200_with_error_body_is_retried(request: pytest.FixtureRequest, emu: Emulator,
                                        style: Style) -> None:
    # Nothing has reached the caller when a stream request gets one JSON error body instead
    # of events: it is retried as a non-streamed call's is.
    record(request, "Odd replies", "HTTP 200 with an error body (429 inside), then a reply",
           "success after 2 requests with `max_retries=1`", style.id)
    emu.enqueue(Reply.error(429, "Provider returned error", http_status=200,
                            metadata={"provider_name": "Google", "raw": "rate-limited"}))
    emu.enqueue(Reply.text(TEXT))
    outcome = run(style, emu, max_retries=1)
    assert outcome.error is None, repr(outcome.error)
    assert outcome.text == TEXT
    assert len(emu.chat_requests) == 2


@pytest.mark.parametrize("fault", ["reset_after", "truncate_after"])
@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_a_json_reply_cut_off_is_retried(request: pytest.FixtureRequest, emu: Emulator,
                                         style: Style, fault: str) -> None:
    # A whole JSON reply (here to a stream request too) whose body breaks off: nothing has
    # reached the caller, so it is retried as a non-streamed call's is.
    record(request, "Odd replies", f"whole JSON reply cut off ({fault}=1), then a reply",
           "success after 2 requests with `max_retries=1`", style.id)
    emu.enqueue(Reply.text("alpha beta gamma delta", stream=False, **{fault: 1}))
    emu.enqueue(Reply.text(TEXT))
    outcome = run(style, emu, max_retries=1)
    assert outcome.error is None, repr(outcome.error)
    assert outcome.text == TEXT
    assert len(emu.chat_requests) == 2


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_padded_body_and_keepalive_comments(request: pytest.FixtureRequest, emu: Emulator,
                                            style: Style) -> None:
    record(request, "Odd replies", "padded JSON body / 30 keep-alive comments",
           "success, text intact", style.id)
    emu.enqueue(Reply.text(TEXT, pad_json=True, comments_before=30, comments_between=True))
    outcome = run(style, emu)
    assert outcome.error is None, repr(outcome.error)
    assert outcome.text == TEXT


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_wrong_content_type(request: pytest.FixtureRequest, emu: Emulator,
                            style: Style) -> None:
    record(request, "Odd replies", "HTML page (`text/html`) instead of JSON/SSE",
           "`MalformedResponseError` naming the content type, 1 request", style.id)
    emu.enqueue(_html(), Reply.text("never requested"))
    outcome = run(style, emu, max_retries=2)
    error = assert_typed(outcome, style, errors.MalformedResponseError, lc.ModelAPIError)
    assert "text/html" in str(error)
    if not style.streaming:
        assert "502 Bad Gateway" in str(error)
    assert len(emu.chat_requests) == 1


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_stream_request_answered_with_json(request: pytest.FixtureRequest, emu: Emulator,
                                           style: Style) -> None:
    record(request, "Odd replies", "stream request answered with a whole JSON completion",
           "success (decoded as one delta)", style.id)
    emu.enqueue(Reply.text("a whole body", stream=False))
    outcome = run(style, emu)
    assert outcome.error is None, repr(outcome.error)
    assert outcome.text == "a whole body"


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_five_megabyte_reply(request: pytest.FixtureRequest, emu: Emulator,
                             style: Style) -> None:
    record(request, "Odd replies", "5 MB reply", "success, every byte", style.id)
    text = ("0123456789abcdef" * 64 + " ") * 5 * 1024  # ~5 MB in ~5,000 words
    emu.enqueue(Reply.text(text))
    outcome = run(style, emu)
    assert outcome.error is None, repr(outcome.error)
    assert outcome.text == text


def _slow_json_body() -> Reply:
    """A JSON reply trickled as OpenRouter's whitespace keep-alive, 0.2 s per piece."""
    body = json.dumps({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "openai/gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "late"},
                     "finish_reason": "stop"}]}).encode()
    pieces = [(b"\n         \n", 0.2)] * 9 + [(body, 0.2)]
    return Reply.raw(200, {"Content-Type": "application/json"}, chunk_delays=pieces)


def _timeout_params() -> list[Any]:
    return [pytest.param(fault, style, id=f"{fault}-{style.id}")
            for fault in ("stall", "drip", "drip-total") for style in STYLES]


def _drip(style: Style) -> Reply:
    # Every gap is well under the timeout; the whole reply takes several times the timeout.
    return (Reply.text(" ".join(["w"] * 60), drip_delay=0.05) if style.streaming
            else _slow_json_body())


@pytest.mark.parametrize(("fault", "style"), _timeout_params())
def test_timeout_bounds_silence_and_total_timeout_the_call(
        request: pytest.FixtureRequest, emu: Emulator, fault: str, style: Style) -> None:
    label, expected = {
        "stall": ("stall after headers (+K deltas), timeout=0.75 s",
                  "`APITimeoutError` long before the 10 s stall ends; streams keep the partial"),
        "drip": ("slow but steady reply, 3 s in all, timeout=0.75 s",
                 "completes: bytes keep arriving (padding and keep-alive count)"),
        "drip-total": ("the same reply with total_timeout=0.75 s",
                       "`APITimeoutError` naming total_timeout before the reply ends; "
                       "partial kept"),
    }[fault]
    record(request, "Timeouts (max_retries=0)", label, expected, style.id)
    if fault == "stall":
        emu.enqueue(Reply.text(TEXT, stall_after=K, stall_seconds=STALL_SECONDS))
        settings = {"timeout": TIMEOUT}
    else:
        emu.enqueue(_drip(style))
        settings = {"timeout": TIMEOUT} if fault == "drip" else {"total_timeout": TIMEOUT}
    start = time.monotonic()
    outcome = run(style, emu, max_retries=0, **settings)
    elapsed = time.monotonic() - start
    if fault == "drip":
        assert outcome.error is None, outcome.error
        assert elapsed > 2 * TIMEOUT  # it really outlasted the silence limit
        assert outcome.received.replace(" ", "") in ("w" * 60, "late")
        return
    assert outcome.error is not None, f"finished in {elapsed:.2f}s without a timeout"
    assert_typed(outcome, style, errors.APITimeoutError, lc.ModelTimeoutError)
    # The typed timeout error is the proof; the bound only shows the call did not wait the
    # fault out (half the stall, or the 2-3 s slow reply), with room for a loaded machine.
    limit = STALL_SECONDS / 2 if fault == "stall" else DRIP_SECONDS
    assert elapsed < limit, f"{elapsed:.2f}s"
    # What does not depend on the machine's load: the read timeout the request went out with
    # (the SDK's header, which openai 1.x before 1.60 does not send).
    sent = emu.requests[-1].header("x-stainless-read-timeout")
    assert sent is None or float(sent) <= TIMEOUT, sent
    assert ("total_timeout=0.75" in str(outcome.error)) == (fault == "drip-total")
    if style.streaming:
        partial = getattr(outcome.error, "partial", None)
        assert partial is not None
        assert partial.content == "".join(outcome.pieces)
        if fault == "stall":
            assert "".join(outcome.pieces) == FIRST_K


# --- cancellation -------------------------------------------------------------------------


def _long_reply() -> Reply:
    return Reply.text(" ".join(["word"] * 300), drip_delay=0.02)


@pytest.mark.parametrize("style", [s for s in STREAMS if not s.is_async], ids=lambda s: s.id)
def test_break_out_of_sync_stream_closes_connection(request: pytest.FixtureRequest,
                                                    emu: Emulator, style: Style) -> None:
    record(request, "Cancellation", "cancel the task / `break` out of the loop",
           "the emulator sees the connection closed within 2 s", style.id)
    emu.enqueue(_long_reply())
    model: Any = make_model(style, emu)
    stream = (model.stream(default_prompt(style)) if style.framework == "langchain"
              else model.stream_chat(default_prompt(style)))
    for _ in stream:
        break
    del stream  # what leaving a for loop over a temporary does: the generator is closed
    assert emu.wait_for_disconnect(0, timeout=2.0)


async def _consume(style: Style, model: Any, started: asyncio.Event) -> None:
    if style.method == "astream":
        async for _ in model.astream(default_prompt(style)):
            started.set()
    elif style.method == "astream_chat":
        async for _ in await model.astream_chat(default_prompt(style)):
            started.set()
    else:
        started.set()
        if style.method == "ainvoke":
            await model.ainvoke(default_prompt(style))
        else:
            await model.achat(default_prompt(style))


@pytest.mark.parametrize("style", [s for s in STYLES if s.is_async], ids=lambda s: s.id)
async def test_cancelling_async_call_closes_connection(request: pytest.FixtureRequest,
                                                       emu: Emulator, style: Style) -> None:
    record(request, "Cancellation", "cancel the task / `break` out of the loop",
           "the emulator sees the connection closed within 2 s", style.id)
    emu.enqueue(_long_reply() if style.streaming else Reply.text("slow", delay_headers=5))
    model = make_model(style, emu)
    started = asyncio.Event()
    task = asyncio.create_task(_consume(style, model, started))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.to_thread(emu.wait_for_requests, 1, 2.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    try:
        assert await asyncio.to_thread(emu.wait_for_disconnect, 0, 2.0)
    finally:
        await transport.aclose()
