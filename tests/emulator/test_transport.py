"""Real sockets: the project's own transport + stream assembler against the emulator."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from pydantic import SecretStr

from openrouter_core import errors, transport
from openrouter_core.stream import StreamAssembler
from openrouter_core.testing import COMPLETION_PRICE, PROMPT_PRICE, Emulator, Reply, answer_text

KEY = "sk-or-v1-test"
BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there"}]}
SIGNATURE = "c2lnbmF0dXJl"
IMAGE = "data:image/png;base64,iVBORw0KGgo="
CITATION = {"type": "url_citation", "url_citation": {
    "url": "https://example.com/a", "title": "A", "start_index": 0, "end_index": 0,
    "content": "excerpt"}}


def endpoint(emu, **kw):
    return transport.Endpoint(base_url=emu.base_url, api_key=SecretStr(KEY), max_retries=0,
                              **kw)


def stream(emu, body=None, **kw):
    assembler = StreamAssembler()
    deltas = list(transport.stream(endpoint(emu, **kw), {**(body or BODY), "stream": True}, {},
                                   assembler))
    return assembler.result(), deltas


def test_complete_auto_reply_and_recorded_request(openrouter_emulator):
    emu = openrouter_emulator
    result = transport.complete(endpoint(emu), BODY, {"X-OpenRouter-Title": "Tests"})
    assert result.content == answer_text("Hello there")
    assert result.provider == "OpenAI"
    assert result.model == "openai/gpt-4o-mini"
    assert result.finish_reason == "stop"
    usage = result.usage
    assert usage is not None
    assert usage.cost == pytest.approx(usage.prompt_tokens * PROMPT_PRICE
                                       + usage.completion_tokens * COMPLETION_PRICE)
    (recorded,) = emu.chat_requests
    assert recorded.method == "POST"
    assert recorded.headers["authorization"] == f"Bearer {KEY}"
    assert recorded.headers["x-openrouter-title"] == "Tests"
    assert recorded.json["messages"] == BODY["messages"]
    assert recorded.status == 200
    assert recorded.closed_at is None


def test_stream_assembles_everything_scripted(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.text(
        "The answer is 42.", reasoning="Think step by step.", signature=SIGNATURE,
        reasoning_format="anthropic-claude-v1", annotations=[CITATION], images=[IMAGE],
        provider="Anthropic", model="anthropic/claude-4.5-haiku-20251001",
        comments_between=True))
    result, deltas = stream(emu)
    assert result.content == "The answer is 42."
    assert result.reasoning == "Think step by step."
    assert result.reasoning_details == [{"type": "reasoning.text", "text": "Think step by step.",
                                         "format": "anthropic-claude-v1", "index": 0,
                                         "signature": SIGNATURE}]
    assert [i.url for i in result.images] == [IMAGE]
    assert result.annotations == [CITATION]
    assert result.provider == "Anthropic"
    assert result.model == "anthropic/claude-4.5-haiku-20251001"
    assert result.finish_reason == "stop"
    assert result.usage is not None
    assert sum(1 for d in deltas if d.finish_reason) == 1  # repeated finish chunk cleared


def test_stream_tool_calls(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.tool_calls(("get_weather", {"city": "Florence"}, "call_a"),
                                 ("get_time", {"tz": "CET"}, "call_b"),
                                 content="Let me check.", usage_shape="empty_choices"))
    result, deltas = stream(emu)
    assert result.content == "Let me check."
    assert [(t.id, t.name, t.parsed_arguments()) for t in result.tool_calls] == [
        ("call_a", "get_weather", {"city": "Florence"}), ("call_b", "get_time", {"tz": "CET"})]
    assert result.finish_reason == "tool_calls"
    names = [t.name for d in deltas for t in d.tool_calls if t.name]
    assert names == ["get_weather", "get_time"]  # assigned once, never repeated


@pytest.mark.parametrize("shape", ["separate", "empty_choices", "repeat_finish"])
def test_usage_reported_once_per_shape(openrouter_emulator, shape):
    openrouter_emulator.enqueue(Reply.text("hi there", usage_shape=shape, cost=0.5))
    result, _ = stream(openrouter_emulator)
    assert result.usage is not None
    assert result.usage.cost == 0.5


def test_non_stream_reply_to_stream_request_and_back(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.text("as json", stream=False))
    result, _ = stream(emu)
    assert result.content == "as json"
    emu.enqueue(Reply.text("as sse", stream=True))
    with pytest.raises(errors.MalformedResponseError):
        transport.complete(endpoint(emu), BODY, {})


async def test_async_stream_and_complete(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(Reply.text("async text", reasoning="r", reasoning_kind="reasoning.summary"))
    assembler = StreamAssembler()
    pieces = [d.content async for d in transport.astream(
        endpoint(emu), {**BODY, "stream": True}, {}, assembler) if d.content]
    assert "".join(pieces) == "async text"
    assert assembler.result().reasoning_details[0]["summary"] == "r"
    result = await transport.acomplete(endpoint(emu), BODY, {})
    assert result.content == answer_text("Hello there")
    await transport.aclose()


def test_structured_output_and_tools_through_the_wire(openrouter_emulator):
    schema = {"type": "object", "properties": {"city": {"type": "string"},
                                               "days": {"type": "integer"}},
              "required": ["city"]}
    body = {**BODY, "response_format": {"type": "json_schema",
                                        "json_schema": {"name": "x", "schema": schema}}}
    result = transport.complete(endpoint(openrouter_emulator), body, {})
    assert result.content == '{"city": "Paris", "days": 1}'
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": schema}}]
    result, _ = stream(openrouter_emulator, {**BODY, "tools": tools})
    assert result.tool_calls[0].parsed_arguments() == {"city": "Paris", "days": 1}


def test_large_body_five_megabytes(openrouter_emulator):
    text = "abcd " * 1_000_000
    openrouter_emulator.enqueue(Reply.text(text), Reply.text(text))
    assert transport.complete(endpoint(openrouter_emulator), BODY, {}).content == text
    result, _ = stream(openrouter_emulator)
    assert result.content == text


def test_callable_replies_and_custom_responder(openrouter_emulator):
    emu = openrouter_emulator
    emu.enqueue(lambda req: Reply.text(f"model was {req.model}"))
    assert transport.complete(endpoint(emu), BODY, {}).content == "model was openai/gpt-4o-mini"
    emu.responder = lambda req: Reply.text("custom")
    assert transport.complete(endpoint(emu), BODY, {}).content == "custom"
    emu.reset()
    assert emu.requests == []
    assert transport.complete(endpoint(emu), BODY, {}).content.startswith(
        "Here is a short answer about")


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("timeout", [None, 7.5])
@pytest.mark.parametrize("own_headers", [True, False])
def test_chat_requests_carry_the_bytes_the_sdk_would_send(openrouter_emulator, streamed,
                                                          timeout, own_headers):
    # Chat requests skip the SDK's per-request preparation (see transport._Shared), and
    # without headers of their own the pool's merged headers too (transport._Prepared). The
    # bytes must not change: the same body, headers and path as the SDK's create() sends.
    import openai

    emu = openrouter_emulator
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "héllo ☃"}],
            "temperature": 0.5, "provider": {"order": ["OpenAI"], "allow_fallbacks": False},
            "reasoning": {"effort": "low"}, "max_tokens": 20}
    if streamed:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    headers = {"HTTP-Referer": "https://example.com", "X-Title": "Parity"} if own_headers else {}
    sdk = openai.OpenAI(api_key=KEY, base_url=emu.base_url, max_retries=0,
                        **({"timeout": timeout} if timeout is not None else {}))
    rest = {k: v for k, v in body.items() if k not in ("model", "stream")}
    with sdk.chat.completions.with_streaming_response.create(
            model=body["model"], messages=[], extra_body=rest, extra_headers=headers,
            **({"stream": True} if streamed else {})) as raw:
        raw.read()
    sdk.close()
    ours = endpoint(emu, timeout=timeout)
    if streamed:
        list(transport.stream(ours, body, headers, StreamAssembler()))
    else:
        transport.complete(ours, body, headers)
    via_sdk, direct = emu.requests[-2:]
    # The same JSON in the same encoding (compact, UTF-8 unescaped): equal values and equal
    # length. The key order is the pinned SDK's; openai 1.x put messages first.
    assert json.loads(direct.body) == json.loads(via_sdk.body)
    assert len(direct.body) == len(via_sdk.body)
    if not openai.__version__.startswith("1."):
        assert direct.body == via_sdk.body
    assert (direct.method, direct.path, direct.query) == (via_sdk.method, via_sdk.path,
                                                          via_sdk.query)
    sent = dict(direct.headers)
    if openai.__version__.startswith("1."):
        sent.pop("x-stainless-read-timeout", None)  # openai 1.x did not send it yet
    assert sent == via_sdk.headers


async def test_async_streams_give_the_event_loop_back_within_one_read(openrouter_emulator):
    # A whole reply in one piece (a burst): the HTTP client then hands over buffered bytes
    # without waiting on the socket, and a stream must still let other tasks run, so other
    # streams' first tokens do not wait for this whole reply. A ticker task counts its turns;
    # no run of 16 events (transport._EVENTS_PER_TURN) may go without one.
    emu = openrouter_emulator
    events = [{"id": "gen-1", "model": "openai/gpt-4o-mini", "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": {"content": f"w{i} "}}]} for i in range(256)]
    body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    emu.enqueue(Reply.raw(200, {"Content-Type": "text/event-stream"},
                          chunk_delays=[(body + b"data: [DONE]\n\n", 0.0)]))
    turns = 0
    done = False

    async def ticker() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    seen: list[int] = []
    async for _ in transport.astream(endpoint(emu), {**BODY, "stream": True}, {},
                                     StreamAssembler()):
        seen.append(turns)
    done = True
    await task
    assert len(seen) == 256
    longest = max(len(list(run)) for _, run in itertools.groupby(seen))
    assert longest <= 16, longest  # transport._EVENTS_PER_TURN


@pytest.mark.parametrize("streamed", [False, True])
def test_a_redirect_loop_is_a_typed_connection_error(openrouter_emulator, streamed):
    # The SDK reported every request error of its HTTP library as a connection error; chat
    # requests go out on that library directly now, so the transport must do the same.
    emu = openrouter_emulator
    for _ in range(25):
        emu.enqueue(Reply.raw(307, {"Location": emu.base_url + "/chat/completions"}))
    with pytest.raises(errors.APIConnectionError) as info:
        if streamed:
            stream(emu)
        else:
            transport.complete(endpoint(emu), BODY, {})
    assert "redirect" in str(info.value).lower()
    assert KEY not in str(info.value)


@pytest.mark.parametrize("timeout", [None, 7.5])
def test_prepared_requests_equal_build_requests(openrouter_emulator, timeout):
    """The parts merged once per pool build, for the endpoint's timeout and no headers of the
    call's own, the request build_request builds: the same method, URL, headers in order,
    body and extensions."""
    ours = endpoint(openrouter_emulator, timeout=timeout)
    shared = transport._shared_sync(ours)
    assert shared.prepared is not None and shared.prepared.timeout == timeout
    content = json.dumps(BODY).encode()
    fast = shared.prepared.request(content)
    built = shared.built_request(content, {}, timeout)
    assert (fast.method, fast.url, fast.headers.raw, fast.content, fast.extensions) == (
        built.method, built.url, built.headers.raw, built.content, built.extensions)
    fast.headers["x-changed"] = "1"  # each request has headers of its own
    assert "x-changed" not in shared.prepared.request(content).headers
    # Other timeouts (a whole-call limit cuts each attempt's) and own headers are merged.
    other = shared.chat_request(BODY, {}, 1.25)
    assert other.headers["x-stainless-read-timeout"] == "1.25"
    assert other.extensions["timeout"]["read"] == 1.25


def test_a_pool_that_cannot_prepare_uses_build_request(openrouter_emulator, monkeypatch):
    """When the merged parts would not build what build_request builds (a change in the
    HTTP library), every request goes through build_request."""
    emu = openrouter_emulator
    real = transport._Prepared.request
    monkeypatch.setattr(transport._Prepared, "request",
                        lambda self, content: real(self, content + b" "))
    shared = transport._Shared.open(endpoint(emu), asynchronous=False)
    assert shared.prepared is None
    shared.http.close()


def test_cookies_the_pool_keeps_are_sent_as_the_sdk_would(openrouter_emulator):
    """A response's Set-Cookie lands in the pool's cookie jar, and the SDK sends it back on
    later requests: prepared requests must too (they go through build_request's merge)."""
    emu = openrouter_emulator
    ours = endpoint(emu, timeout=3.5)  # a pool of its own, not shared with other tests
    emu.enqueue(Reply.json({"id": "gen-c", "choices": [{"message": {
        "role": "assistant", "content": "hi"}}]}, headers={"Set-Cookie": "cf=abc; Path=/"}))
    transport.complete(ours, BODY, {})
    transport.complete(ours, BODY, {})
    first, second = emu.chat_requests[-2:]
    assert "cookie" not in first.headers
    assert second.headers["cookie"] == "cf=abc"
    transport._shared_sync(ours).http.cookies.clear()


def test_an_equal_timeout_of_another_type_is_sent_as_given(openrouter_emulator):
    """Endpoints with timeout=5 and timeout=5.0 share a pool; each request still carries its
    own timeout as build_request writes it (``5`` or ``5.0``)."""
    emu = openrouter_emulator
    transport.complete(endpoint(emu, timeout=5), BODY, {})
    transport.complete(endpoint(emu, timeout=5.0), BODY, {})
    sent = [r.headers["x-stainless-read-timeout"] for r in emu.chat_requests[-2:]]
    assert sent == ["5", "5.0"]


def test_pools_of_finished_event_loops_are_released(openrouter_emulator: Emulator) -> None:
    # Each asyncio.run() makes a loop and closes it; its pool held connections that refer back
    # to the loop, so the weak-keyed cache never let go: one pool, loop and open socket per run.
    import gc
    import warnings
    import weakref

    from langchain_openrouter import ChatOpenRouter

    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY,
                           base_url=openrouter_emulator.base_url)
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def call() -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        await model.ainvoke("hi")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(6):
            asyncio.run(call())
        gc.collect()
    # Only the last loop is still held (its pool is dropped when the next loop asks), and the
    # dropped connections were closed then, not left to collection (a ResourceWarning each).
    assert [ref() is None for ref in loops] == [True] * 5 + [False]
    assert loops[-1]() in transport._async_clients
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
