"""ChatOpenRouter against the loopback emulator: real HTTP bytes, assertions on the wire."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAuthenticationError,
    ModelRateLimitError,
)
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter
from openrouter_core import errors as core
from openrouter_core.catalog import UnsupportedParameterWarning
from openrouter_core.testing import Emulator, Reply, ToolCallSpec, answer_text
from openrouter_core.testing.auto import SAMPLE_PNG
from tests.langchain.conftest import MODEL, TEST_KEY


def aggregate(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def test_invoke_sends_settings_and_decodes_metadata(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0,
                           temperature=0.2, openrouter_provider={"order": ["OpenAI"]},
                           reasoning={"effort": "low"}, app_title="My App",
                           app_url="https://app.test", default_headers={"X-Extra": "1"})
    emu.enqueue(Reply.text("Paris.", model="openai/gpt-4o-mini-2024-07-18", provider="Azure",
                           cached_tokens=2, prompt_tokens=10))
    # The bundled catalog does not list reasoning for gpt-4o-mini: sent anyway, with a warning.
    with pytest.warns(UnsupportedParameterWarning, match="does not list reasoning"):
        result = model.invoke([HumanMessage("Capital of France?")])
    request = emu.requests[-1]
    assert request.json == {
        "model": MODEL, "messages": [{"role": "user", "content": "Capital of France?"}],
        "temperature": 0.2, "provider": {"order": ["OpenAI"]}, "reasoning": {"effort": "low"}}
    assert request.header("authorization") == f"Bearer {TEST_KEY}"
    assert request.header("x-openrouter-title") == "My App"
    assert request.header("http-referer") == "https://app.test"
    assert request.header("x-extra") == "1"
    assert result.content == "Paris."
    meta = result.response_metadata
    assert meta["model_name"] == "openai/gpt-4o-mini-2024-07-18"
    assert meta["provider"] == "Azure"
    assert meta["cost"] > 0
    assert meta["id"].startswith("gen-")
    assert result.usage_metadata is not None
    assert result.usage_metadata["input_tokens"] == 10
    assert result.usage_metadata["input_token_details"]["cache_read"] == 2


def test_stream_sends_stream_options_and_one_usage_chunk(model: ChatOpenRouter,
                                                         emu: Emulator) -> None:
    emu.enqueue(Reply.text("one two three four", usage_shape="separate"))
    chunks = list(model.stream("count"))
    assert emu.requests[-1].json["stream"] is True
    assert emu.requests[-1].json["stream_options"] == {"include_usage": True}
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert chunks[-1].chunk_position == "last"
    full = aggregate(chunks)
    assert full.content == "one two three four"
    assert full.response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize("shape", ["separate", "empty_choices", "repeat_finish"])
def test_every_usage_shape_is_reported_once(model: ChatOpenRouter, emu: Emulator,
                                            shape: str) -> None:
    emu.enqueue(Reply.text("hi there", usage_shape=shape, comments_between=True))
    chunks = list(model.stream("x"))
    assert [c.usage_metadata is not None for c in chunks].count(True) == 1


def test_stream_usage_off(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                           stream_usage=False)
    chunks = list(model.stream("x"))
    assert "stream_options" not in emu.requests[-1].json
    assert all(c.usage_metadata is None for c in chunks)


async def test_async_invoke_and_stream(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply.text("async answer"), Reply.text("async stream"))
    result = await model.ainvoke("a")
    assert result.content == "async answer"
    chunks = [c async for c in model.astream("b")]
    assert aggregate(chunks).content == "async stream"
    assert [r.stream for r in emu.requests] == [False, True]


@pytest.mark.filterwarnings("ignore::openrouter_core.spelling.UnknownKeyWarning")  # on purpose
def test_batch_and_per_call_overrides(model: ChatOpenRouter, emu: Emulator) -> None:
    results = model.batch(["one", "two"])
    assert len(results) == 2 and len(emu.requests) == 2
    model.invoke("x", model="anthropic/claude-haiku-4.5", temperature=0.7,
                 openrouter_provider={"only": ["Anthropic"]}, models=["openai/gpt-4o-mini"],
                 stop=["END"],
                 custom_flag=True)
    body = emu.requests[-1].json
    assert body["model"] == "anthropic/claude-haiku-4.5"
    assert (body["temperature"], body["provider"], body["models"], body["stop"]) == (
        0.7, {"only": ["Anthropic"]}, ["openai/gpt-4o-mini"], ["END"])
    assert body["custom_flag"] is True
    bound = model.bind(top_k=3)
    with pytest.warns(UnsupportedParameterWarning, match="does not list top_k"):
        bound.invoke("y")
    assert emu.requests[-1].json["top_k"] == 3


async def test_abatch(model: ChatOpenRouter, emu: Emulator) -> None:
    results = await model.abatch(["one", "two", "three"])
    assert [r.content for r in results] == [answer_text(t) for t in ("one", "two", "three")]


def test_invalid_per_call_setting_fails_before_sending(model: ChatOpenRouter,
                                                       emu: Emulator) -> None:
    with pytest.raises(ValueError, match="temperature"):
        model.invoke("x", temperature=9)
    with pytest.raises(ValueError, match=r"'hologram'"):
        model.invoke([HumanMessage([{"type": "hologram", "data": "x"}])])
    assert emu.requests == []


def test_reasoning_round_trip_through_a_tool_loop(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply.tool_calls(("lookup", {"q": "x"}), reasoning="Need to look it up.",
                                 reasoning_format="anthropic-claude-v1", signature="SIG=="))
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    tools = model.bind_tools([{"type": "function",
                               "function": {"name": "lookup", "parameters": schema}}])
    chunks = list(tools.stream("find x"))
    first = aggregate(chunks)
    details = first.additional_kwargs["reasoning_details"]
    assert details[0]["signature"] == "SIG=="
    assert details[0]["text"] == "Need to look it up."
    assert first.content_blocks[0] == {"type": "reasoning", "reasoning": "Need to look it up."}
    call = first.tool_calls[0]
    tools.invoke([HumanMessage("find x"), first,
                  ToolMessage("found", tool_call_id=call["id"])])
    sent = emu.requests[-1].json["messages"]
    assert sent[1]["reasoning_details"] == details  # unchanged
    assert sent[1]["tool_calls"][0]["id"] == call["id"]
    assert sent[2] == {"role": "tool", "tool_call_id": call["id"], "content": "found"}


def test_images_and_citations_out(model: ChatOpenRouter, emu: Emulator) -> None:
    citation = {"type": "url_citation", "url_citation": {
        "url": "https://example.com", "title": "Ex", "start_index": 0, "end_index": 3}}
    emu.enqueue(Reply.text("A cat.", images=["data:image/png;base64,iVBORw0KGgo="],
                           annotations=[citation]))
    message = model.invoke("draw", modalities=["image", "text"])
    assert emu.requests[-1].json["modalities"] == ["image", "text"]
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["text", "image"]
    assert blocks[0]["annotations"][0]["url"] == "https://example.com"
    assert message.response_metadata["annotations"] == [citation]
    emu.enqueue(Reply.text("A cat.", images=["data:image/png;base64,iVBORw0KGgo="],
                           annotations=[citation]))
    streamed = aggregate(list(model.stream("draw")))
    assert [b["type"] for b in streamed.content_blocks] == ["text", "image"]


def test_refusal_surfaced(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply(refusal="I can't help with that.", content=None))
    message = model.invoke("bad")
    assert message.additional_kwargs["refusal"] == "I can't help with that."
    assert message.response_metadata["finish_reason"] == "content_filter"


def test_errors_are_model_errors_with_metadata(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply.error(401, "Missing Authentication header"))
    with pytest.raises(ModelAuthenticationError) as auth:
        model.invoke("x")
    assert isinstance(auth.value, core.AuthenticationError)
    emu.enqueue(Reply.error(429, "Provider returned error",
                            metadata={"provider_name": "Chutes", "raw": "slow down"}))
    with pytest.raises(ModelRateLimitError) as limited:
        model.invoke("x")
    assert isinstance(limited.value, core.RateLimitError)
    assert limited.value.provider_name == "Chutes"
    emu.enqueue(Reply.error(400, "This endpoint's maximum context length is 10 tokens"))
    with pytest.raises(ContextOverflowError):
        list(model.stream("x"))


def test_retry_after_then_success(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=1)
    emu.enqueue(Reply.error(429, "busy", headers={"Retry-After": "0"}), Reply.text("ok"))
    assert model.invoke("x").content == "ok"
    assert len(emu.requests) == 2


def test_mid_stream_error_raises_after_yielded_chunks(model: ChatOpenRouter,
                                                      emu: Emulator) -> None:
    emu.enqueue(Reply.fault("error_after", 3))
    seen: list[AIMessageChunk] = []
    with pytest.raises(core.BadRequestError) as info:
        for chunk in model.stream("x"):
            seen.append(chunk)
    assert seen and all(c.chunk_position is None for c in seen)
    assert info.value.partial is not None
    assert info.value.partial.content == "".join(str(c.content) for c in seen)


async def test_truncated_stream_never_ends_silently(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply.fault("truncate_after", 2))
    with pytest.raises(core.StreamInterruptedError):
        async for _ in model.astream("x"):
            pass


class Joke(BaseModel):
    """A joke."""

    setup: str
    punchline: str


def test_structured_output_methods_on_the_wire(model: ChatOpenRouter, emu: Emulator) -> None:
    result = model.with_structured_output(Joke).invoke("joke")
    assert isinstance(result, Joke)
    assert emu.requests[-1].json["response_format"]["type"] == "json_schema"
    emu.enqueue(Reply.text('{"setup": "a", "punchline": "b"}'))
    result = model.with_structured_output(Joke, method="json_mode").invoke("joke as json")
    assert result == Joke(setup="a", punchline="b")
    assert emu.requests[-1].json["response_format"] == {"type": "json_object"}
    raw = model.with_structured_output(Joke, method="function_calling",
                                       include_raw=True).invoke("joke")
    assert isinstance(raw["parsed"], Joke) and isinstance(raw["raw"], AIMessage)
    body = emu.requests[-1].json
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}
    assert body["parallel_tool_calls"] is False
    model.with_structured_output(Joke, response_healing=True).invoke("joke")
    assert emu.requests[-1].json["plugins"] == [{"id": "response-healing"}]


def test_structured_output_streams_partial_objects(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply.text('{"setup": "Why did the cat", "punchline": "Because."}'))
    parts = list(model.with_structured_output(Joke.model_json_schema()).stream("joke"))
    assert len(parts) > 1
    assert parts[-1] == {"setup": "Why did the cat", "punchline": "Because."}


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_callbacks_and_astream_events(model: ChatOpenRouter, emu: Emulator) -> None:
    handler = _Tokens()
    emu.enqueue(Reply.text("a b c"))
    list(model.stream("x", config={"callbacks": [handler]}))
    assert "".join(handler.tokens) == "a b c"


def test_stream_reports_each_chunk_to_the_run_manager_it_is_given(
        model: ChatOpenRouter, emu: Emulator) -> None:
    # langchain-core's callers that hand _stream/_astream a run manager (its streamed-events
    # path, our own _generate with streaming=True) rely on them reporting each chunk.
    from langchain_core.callbacks import AsyncCallbackManager, CallbackManager
    from langchain_core.messages import HumanMessage

    messages = [HumanMessage("x")]
    handler = _Tokens()
    (run,) = CallbackManager.configure([handler]).on_chat_model_start({}, [messages])
    emu.enqueue(Reply.text("a b c", chunks=["a", " b", " c"]))
    chunks = list(model._stream(messages, run_manager=run))
    assert handler.tokens == [c.text for c in chunks] and handler.tokens[:3] == ["a", " b", " c"]

    async def astream() -> list[Any]:
        (arun,) = await AsyncCallbackManager.configure([handler]).on_chat_model_start(
            {}, [messages])
        return [c async for c in model._astream(messages, run_manager=arun)]

    handler.tokens.clear()
    emu.enqueue(Reply.text("d e", chunks=["d", " e"]))
    chunks = asyncio.run(astream())
    assert handler.tokens == [c.text for c in chunks] and handler.tokens[:2] == ["d", " e"]


def test_invoke_with_streaming_on_reports_each_token(emu: Emulator) -> None:
    # streaming=True makes invoke/ainvoke stream; the tokens reach the callbacks.
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, streaming=True)
    handler = _Tokens()
    emu.enqueue(Reply.text("a b c", chunks=["a", " b", " c"]))
    assert model.invoke("x", config={"callbacks": [handler]}).content == "a b c"
    assert handler.tokens[:3] == ["a", " b", " c"]
    handler = _Tokens()
    emu.enqueue(Reply.text("d e", chunks=["d", " e"]))
    message = asyncio.run(model.ainvoke("x", config={"callbacks": [handler]}))
    assert message.content == "d e"
    assert handler.tokens[:2] == ["d", " e"]


async def test_astream_events_v2(model: ChatOpenRouter, emu: Emulator) -> None:
    emu.enqueue(Reply.text("a b c"))
    kinds = [e["event"] async for e in model.astream_events("x", version="v2")]
    assert kinds[0] == "on_chat_model_start"
    assert kinds[-1] == "on_chat_model_end"
    assert kinds.count("on_chat_model_stream") >= 3


def test_key_never_in_logs(model: ChatOpenRouter, emu: Emulator,
                           caplog: pytest.LogCaptureFixture) -> None:
    emu.enqueue(Reply.error(401, "bad key"))
    with caplog.at_level(logging.DEBUG), pytest.raises(ModelAuthenticationError) as info:
        model.invoke("x")
    assert TEST_KEY not in caplog.text
    assert TEST_KEY not in str(info.value)


def test_streaming_flag_makes_invoke_stream(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, streaming=True)
    emu.enqueue(Reply.text("streamed whole"))
    message = model.invoke("x")
    assert emu.requests[-1].json["stream"] is True
    assert message.content == "streamed whole"
    assert message.usage_metadata is not None


def test_multimodal_parts_on_the_wire(model: ChatOpenRouter, emu: Emulator) -> None:
    model.invoke([HumanMessage([
        {"type": "text", "text": "look", "cache_control": {"type": "ephemeral"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}},
        {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf",
         "filename": "r.pdf"},
        {"type": "audio", "base64": "UklGRg==", "mime_type": "audio/wav"},
        {"type": "video", "url": "https://example.com/v.mp4"},
    ])])
    parts = emu.requests[-1].json["messages"][0]["content"]
    assert parts == [
        {"type": "text", "text": "look", "cache_control": {"type": "ephemeral"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
        {"type": "file", "file": {"filename": "r.pdf",
                                  "file_data": "data:application/pdf;base64,JVBERi0="}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}},
    ]


def test_v1_output_round_trips(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                           output_version="v1")
    emu.enqueue(Reply.text("Answer.", reasoning="Because.", signature="S"))
    message = model.invoke("q")
    assert [b["type"] for b in message.content] == ["reasoning", "text"]  # type: ignore[index]
    model.invoke([HumanMessage("q"), message, HumanMessage("again")])
    replayed = emu.requests[-1].json["messages"][1]
    assert replayed["content"] == "Answer."
    assert replayed["reasoning_details"][0]["signature"] == "S"


def _add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


_SAMPLE_GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


_CITED = [{"type": "url_citation", "url_citation": {
    "url": "https://example.test/a", "title": "A", "start_index": 0, "end_index": 3}}]

SUMMED_REPLIES = {
    "text and a tool call": lambda: Reply.tool_calls(("_add", {"a": 1, "b": 2}, "call_1"),
                                                     content="Let me add."),
    "reasoning and a tool call": lambda: Reply.tool_calls(("_add", {"a": 1, "b": 2}, "c"),
                                                          reasoning="think first"),
    "two tool calls": lambda: Reply.tool_calls(("_add", {"a": 1, "b": 2}, "c1"),
                                               ("_add", {"a": 3, "b": 4}, "c2")),
    "citations": lambda: Reply.web_search("Answer [1]."),
    "image": lambda: Reply.text("Here", images=[SAMPLE_PNG]),
    # Two blocks of one type in one chunk: langchain-core's v1 stream numbers them alike.
    "two images": lambda: Reply.text("Here", images=[SAMPLE_PNG, _SAMPLE_GIF]),
    "reasoning and text": lambda: Reply.text("Answer.", reasoning="Because.", signature="S"),
    "text, a tool call and citations": lambda: Reply(
        content="Let me add [1].", calls=[ToolCallSpec("_add", {"a": 1, "b": 2}, "c1")],
        annotations=_CITED, finish_reason="tool_calls"),
    "a tool call and citations": lambda: Reply(
        content=None, calls=[ToolCallSpec("_add", {"a": 1, "b": 2}, "c1")],
        annotations=_CITED, finish_reason="tool_calls"),
    "reasoning and citations": lambda: Reply(content=None, reasoning="think",
                                             annotations=_CITED),
}


def _without_index(content: Any) -> Any:
    # Streamed v1 blocks carry the index langchain-core merges them by; invoke's do not.
    if isinstance(content, str):
        return content
    return [{k: v for k, v in block.items() if k != "index"} if isinstance(block, dict)
            else block for block in content]


@pytest.mark.parametrize("output_version", ["v0", "v1"])
@pytest.mark.parametrize("name", list(SUMMED_REPLIES))
def test_summed_stream_content_is_invokes(emu: Emulator, name: str, output_version: str) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                           output_version=output_version).bind_tools([_add])
    emu.enqueue(SUMMED_REPLIES[name]())
    invoked = model.invoke("q")
    emu.enqueue(SUMMED_REPLIES[name]())
    summed = aggregate(list(model.stream("q")))
    if name in ("image", "two images") and output_version == "v0":
        # langchain-core adds a list to a string as [string, *list]: the same parts, the text
        # as a plain string (docs/langchain.md, Streaming).
        assert invoked.content[0] == {"type": "text", "text": "Here"}  # type: ignore[index]
        assert summed.content == ["Here", *invoked.content[1:]]
    else:
        assert _without_index(summed.content) == _without_index(invoked.content)
    assert summed.tool_calls == invoked.tool_calls
    assert _without_index(summed.content_blocks) == _without_index(invoked.content_blocks)


class _City(BaseModel):
    name: str


_UNANSWERED = {
    "refusal": (lambda: Reply.text(None, refusal="I can't help with that."),
                "the model refused to answer: \"I can't help with that.\""),
    "output limit": (lambda: Reply.text('{"name": "Po', finish_reason="length"),
                     "cut off by the output limit (finish reason 'length')"),
    "cut tool call": (lambda: Reply.tool_calls(("_City", '{"name": "Po', "c1"),
                                               finish_reason="tool_calls",
                                               native_finish_reason="max_output_tokens"),
                      "tool call '_City' (c1) was cut off by the output limit"),
}


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
@pytest.mark.parametrize("case", list(_UNANSWERED))
def test_structured_output_says_why_a_reply_holds_no_answer(emu: Emulator, case: str,
                                                            method: str) -> None:
    from langchain_core.exceptions import OutputParserException

    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    reply, reason = _UNANSWERED[case]
    emu.enqueue(reply())
    with pytest.raises(OutputParserException) as info:
        model.with_structured_output(_City, method=method).invoke("x")  # type: ignore[arg-type]
    assert reason in str(info.value)
    emu.enqueue(reply())
    out: Any = model.with_structured_output(_City, method=method,  # type: ignore[arg-type]
                                            include_raw=True).invoke("x")
    assert out["parsed"] is None
    assert reason in str(out["parsing_error"])
    # An answer is still parsed as before.
    emu.enqueue(Reply.tool_calls(("_City", {"name": "Porto"}, "c2")) if method ==
                "function_calling" else Reply.text('{"name": "Porto"}'))
    assert model.with_structured_output(_City, method=method).invoke("x") == _City(  # type: ignore[arg-type]
        name="Porto")


async def test_several_choices_are_never_streamed_silently(emu: Emulator) -> None:
    # A stream is read as one choice: an explicit stream with n > 1 fails naming n, and a
    # handler that would stream an invoke (astream_events here, LangGraph's messages mode)
    # gets the non-streamed call instead of losing the other choices.
    from langchain_core.runnables import RunnableLambda

    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, n=2)
    with pytest.raises(core.InputError, match=r"n: must be 1 for a streamed reply \(got 2\)"):
        list(model.stream("x"))
    plain = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    with pytest.raises(core.InputError, match=r"\(got 3\)"):
        plain.invoke("x", n=3, stream=True)
    assert emu.requests == []
    chain = RunnableLambda(lambda text: model.invoke(text))
    events = [e["event"] async for e in chain.astream_events("x", version="v2")
              if "chat_model" in e["event"]]
    assert events == ["on_chat_model_start", "on_chat_model_end"]
    body = emu.chat_requests[-1].json
    assert (body["n"], "stream" in body) == (2, False)


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_a_whole_answer_at_the_output_limit_is_parsed(emu: Emulator, method: str) -> None:
    # finish_reason "length" with complete JSON (repaired by response-healing, say) is an
    # answer; only a cut-off object is refused (langchain-core's parser would complete it).
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    emu.enqueue(Reply.text('```json\n{"name": "Porto"}\n```', finish_reason="length"))
    assert model.with_structured_output(_City, method=method).invoke(  # type: ignore[arg-type]
        "x") == _City(name="Porto")


def test_a_stream_cut_at_the_limit_still_streams_its_partial_objects(emu: Emulator) -> None:
    # The reply check is for whole replies; the partial parses of a stream go on as before.
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    emu.enqueue(Reply.text('{"name": "Porto", "extra": "cut', finish_reason="length"))
    parts = list(model.with_structured_output(_City.model_json_schema()).stream("x"))
    assert parts and parts[-1]["name"] == "Porto"


def test_structured_output_parsers_keep_langchain_cores_names(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    names = {method: model.with_structured_output(  # type: ignore[call-overload]
        schema, method=method).last.get_name()
        for method, schema in (("json_schema", _City), ("json_mode", None),
                               ("function_calling", _City))}
    assert names == {"json_schema": "PydanticOutputParser", "json_mode": "JsonOutputParser",
                     "function_calling": "PydanticToolsParser"}


def test_a_complete_answer_with_a_raw_newline_at_the_limit_is_parsed(emu: Emulator) -> None:
    # The completeness check reads control characters in strings as langchain-core does.
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    emu.enqueue(Reply.text('{"name": "line one\nline two"}', finish_reason="length"))
    assert model.with_structured_output(_City).invoke("x") == _City(
        name="line one\nline two")


def test_a_parser_named_by_its_user_keeps_that_name(emu: Emulator) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    parser = model.with_structured_output(_City).last  # type: ignore[attr-defined]
    parser.name = "Mine"
    assert parser.get_name() == "Mine"
    assert parser.get_name("Suffix") == "MineSuffix"


@pytest.mark.parametrize(("fields", "call"), [
    ({"n": 2}, {"n": None}),
    ({"extra_body": {"n": 2}}, {}),
    ({}, {"extra_body": {"n": 2}}),
], ids=["per-call n of None", "model extra_body", "per-call extra_body"])
async def test_several_choices_from_anywhere_are_not_streamed_for_a_handler(
        emu: Emulator, fields: dict[str, Any], call: dict[str, Any]) -> None:
    from langchain_core.runnables import RunnableLambda

    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, **fields)
    chain = RunnableLambda(lambda text: model.invoke(text, **call))
    [_ async for _ in chain.astream_events("x", version="v2")]
    body = emu.chat_requests[-1].json
    assert (body.get("n"), "stream" in body) == (2, False)


def test_the_output_limit_is_read_from_either_finish_reason(emu: Emulator) -> None:
    # As for cut-off tool calls: a provider may say it only in native_finish_reason.
    from langchain_core.exceptions import OutputParserException

    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url)
    emu.enqueue(Reply.text('{"name": "Po', finish_reason="stop",
                           native_finish_reason="MAX_TOKENS"))
    with pytest.raises(OutputParserException,
                       match=r"cut off by the output limit \(finish reason 'MAX_TOKENS'\)"):
        model.with_structured_output(_City).invoke("x")


class _TokenListener(BaseCallbackHandler):
    """A streaming handler (what LangGraph's messages mode attaches): langchain-core streams
    an invoke for it, numbering the v1 blocks of each chunk itself."""

    def tap_output_iter(self, run_id: Any, output: Iterator[Any]) -> Iterator[Any]:
        return output

    def tap_output_aiter(self, run_id: Any, output: AsyncIterator[Any]) -> AsyncIterator[Any]:
        return output


@pytest.mark.parametrize("how", ["stream", "astream", "invoke-streaming", "invoke-handler"])
def test_two_images_of_one_v1_reply_stay_apart_on_every_streamed_path(
        emu: Emulator, how: str) -> None:
    # Each image block of a streamed chunk is named by its index in the reply (lc_img_<n>),
    # so that adding the chunks up cannot merge two images into one corrupt block.
    # (streaming=False given explicitly would make stream() fall back to invoke.)
    fields = {"streaming": True} if how == "invoke-streaming" else {}
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                           output_version="v1", **fields)
    emu.enqueue(Reply.text("Two.", images=[SAMPLE_PNG, _SAMPLE_GIF]))
    invoked = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                             output_version="v1").invoke("q")
    emu.enqueue(Reply.text("Two.", images=[SAMPLE_PNG, _SAMPLE_GIF]))
    if how == "stream":
        message: Any = aggregate(list(model.stream("q")))
    elif how == "astream":
        async def collect() -> list[Any]:
            return [chunk async for chunk in model.astream("q")]
        message = aggregate(asyncio.run(collect()))
    elif how == "invoke-streaming":
        message = model.invoke("q")
    else:
        message = model.invoke("q", {"callbacks": [_TokenListener()]})
    images = [b for b in message.content_blocks if b["type"] == "image"]
    assert [(b["mime_type"], b["base64"]) for b in images] == [
        ("image/png", SAMPLE_PNG.split(",", 1)[1]), ("image/gif", _SAMPLE_GIF.split(",", 1)[1])]
    assert _without_index(message.content_blocks) == _without_index(invoked.content_blocks)


def _streamed_deltas(*deltas: dict[str, Any]) -> Reply:
    # A stream whose chunks carry exactly these deltas (the last one finishes the reply).
    events = [{"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": MODEL,
               "provider": "OpenAI",
               "choices": [{"index": 0, "delta": delta,
                            "finish_reason": "stop" if last else None}]}
              for last, delta in ((i == len(deltas) - 1, d) for i, d in enumerate(deltas))]
    body = b"".join(b"data: " + json.dumps(event).encode() + b"\n\n" for event in events)
    return Reply.raw(headers={"Content-Type": "text/event-stream"},
                     body=body + b"data: [DONE]\n\n")


@pytest.mark.parametrize("between", [[], [{"content": " and"}]], ids=["adjacent", "text-between"])
@pytest.mark.parametrize("wire_index", [None, 0], ids=["no-wire-index", "wire-index-per-chunk"])
def test_images_of_one_v1_reply_in_separate_chunks_stay_apart(
        emu: Emulator, between: list[dict[str, Any]], wire_index: int | None) -> None:
    # The names count images over the whole stream: the wire's index, where one is given,
    # may start again in each chunk.
    def image(url: str) -> dict[str, Any]:
        block: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
        return block if wire_index is None else {**block, "index": wire_index}

    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                           output_version="v1")
    emu.enqueue(_streamed_deltas({"role": "assistant", "content": "Two"},
                                 {"content": "", "images": [image(SAMPLE_PNG)]}, *between,
                                 {"content": "", "images": [image(_SAMPLE_GIF)]}))
    message = aggregate(list(model.stream("q")))
    images = [b for b in message.content_blocks if b["type"] == "image"]
    assert [(b["mime_type"], b["base64"]) for b in images] == [
        ("image/png", SAMPLE_PNG.split(",", 1)[1]), ("image/gif", _SAMPLE_GIF.split(",", 1)[1])]
