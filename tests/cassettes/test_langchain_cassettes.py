"""``ChatOpenRouter`` replayed against ``cassettes/langchain/``: real HTTP bytes, no network.

Each test runs the adapter exactly as a user would and checks the LangChain result twice: against
literal values the prompt pins down (tool names, arguments) and against an independent reading of
the recorded bytes (:mod:`tests.cassettes.wire`). The request side is checked by vcrpy itself
(method, URI and JSON body must match the recording) and, where it matters, explicitly.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel, Field, SecretStr

from langchain_openrouter import ChatOpenRouter
from openrouter_core import errors as core
from openrouter_core.testing import Reply
from tests.cassettes.catalog import cassette
from tests.cassettes.conftest import Recording
from tests.cassettes.wire import WireReply, header, read, request_json

CASSETTE_FOLDER = "langchain"
MODEL = "openai/gpt-4o-mini"
ANTHROPIC = "anthropic/claude-sonnet-4.5"
TINY_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLv"
            "AAAAAElFTkSuQmCC")
"""A 1x1 PNG: the image a cassette carries (a real one would be ~1 MB)."""


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str = Field(description="City name, e.g. Paris")


def chat(recording: Recording, model: str = MODEL, **kwargs: Any) -> ChatOpenRouter:
    """The model under test, pointed where the recording mode says."""
    kwargs.setdefault("max_retries", 0)
    return ChatOpenRouter(model=model, api_key=SecretStr(recording.api_key),
                          base_url=recording.base_url, **kwargs)


def aggregate(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    """The chunks summed the way LangChain does."""
    assert chunks, "the stream yielded nothing"
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def wire(recording: Recording, index: int = 0) -> WireReply:
    """The recorded response ``index``, read independently of the adapter."""
    return read(recording.responses()[index])


def sent(recording: Recording, index: int = 0) -> dict[str, Any]:
    """The JSON body of recorded request ``index`` (what the package really sent)."""
    return request_json(recording.requests()[index])


def assert_usage(message: AIMessage, reply: WireReply) -> None:
    """Usage and cost in the message are the wire's, exactly."""
    usage = reply.usage
    assert usage is not None
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == usage["prompt_tokens"]
    assert message.usage_metadata["output_tokens"] == usage["completion_tokens"]
    assert message.usage_metadata["total_tokens"] == usage["total_tokens"]
    meta = message.response_metadata
    assert meta["cost"] == usage["cost"]
    assert meta["cost"] > 0
    if "cost_details" in usage:
        assert meta["cost_details"] == usage["cost_details"]


def assert_envelope(message: AIMessage, reply: WireReply) -> None:
    """Served model, provider, generation id and finish reasons are the wire's."""
    meta = message.response_metadata
    assert meta["model_provider"] == "openrouter"
    assert meta["model_name"] == reply.model
    assert meta["provider"] == reply.provider
    assert meta["id"] == reply.id
    assert str(reply.id).startswith("gen-")
    assert meta["finish_reason"] == reply.finish_reason
    assert meta["native_finish_reason"] == reply.native_finish_reason


def weather_tools(model: ChatOpenRouter, **kwargs: Any) -> Any:
    """``model`` with the ``get_weather`` tool bound."""
    return model.bind_tools([GetWeather], **kwargs)


# --- text -------------------------------------------------------------------------------


@cassette(CASSETTE_FOLDER, "stream_usage_cost")
def test_stream_usage_cost(recording: Recording) -> None:
    recording.script(Reply.text(
        "Paris is the capital of France.", model="openai/gpt-4o-mini-2024-07-18",
        comments_before=3, comments_between=True, service_tier="default",
        system_fingerprint="fp_cassette0001"))
    chunks = list(chat(recording).stream("What is the capital of France? One sentence."))
    assert sent(recording) == {
        "model": MODEL, "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "user",
                      "content": "What is the capital of France? One sentence."}]}
    reply = wire(recording)
    assert reply.done
    full = aggregate(chunks)
    assert "Paris" in full.content
    assert full.content == reply.content
    # The finish chunk may come twice (usage on the copy): usage is reported exactly once.
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert chunks[-1].chunk_position == "last"
    assert_usage(full, reply)
    assert_envelope(full, reply)
    assert full.response_metadata["finish_reason"] == "stop"
    assert header(recording.responses()[0], "content-type") == "text/event-stream"


# --- tool calls -------------------------------------------------------------------------


@cassette(CASSETTE_FOLDER, "tool_call_token_split")
def test_streamed_tool_call_token_split(recording: Recording) -> None:
    recording.script(Reply.tool_calls(("GetWeather", {"city": "Paris"}), tool_split="tokens"))
    model = weather_tools(chat(recording), tool_choice="GetWeather")
    chunks = list(model.stream("What's the weather in Paris?"))
    body = sent(recording)
    assert body["tools"][0]["function"]["name"] == "GetWeather"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "GetWeather"}}
    reply = wire(recording)
    fragments = [c for c in reply.chunks if (c["choices"] or [{}])[0].get("delta", {})
                 .get("tool_calls")]
    assert len(fragments) > 3  # header + several argument fragments
    full = aggregate(chunks)
    assert len(full.tool_calls) == 1
    call = full.tool_calls[0]
    assert call["name"] == "GetWeather"
    assert call["args"] == {"city": "Paris"} == reply.arguments(0)
    assert call["id"] == reply.calls[0]["id"]
    assert str(call["id"]).startswith("call_")
    assert full.response_metadata["finish_reason"] == "tool_calls"
    assert_usage(full, reply)


@cassette(CASSETTE_FOLDER, "parallel_tool_calls")
def test_two_parallel_tool_calls(recording: Recording) -> None:
    recording.script(Reply.tool_calls(("GetWeather", {"city": "Paris"}),
                                      ("GetWeather", {"city": "Tokyo"})))
    model = weather_tools(chat(recording), parallel_tool_calls=True)
    full = aggregate(list(model.stream("Weather in Paris and in Tokyo? Call the tool "
                                       "once per city, in parallel.")))
    assert sent(recording)["parallel_tool_calls"] is True
    reply = wire(recording)
    assert sorted(reply.calls) == [0, 1]
    calls = full.tool_calls
    assert [c["name"] for c in calls] == ["GetWeather", "GetWeather"]
    assert [c["args"] for c in calls] == [reply.arguments(0), reply.arguments(1)]
    assert {c["args"]["city"] for c in calls} == {"Paris", "Tokyo"}
    assert [c["id"] for c in calls] == [reply.calls[0]["id"], reply.calls[1]["id"]]
    assert calls[0]["id"] != calls[1]["id"]
    assert not full.invalid_tool_calls


@cassette(CASSETTE_FOLDER, "tool_call_whole_arguments")
def test_tool_call_with_whole_arguments(recording: Recording) -> None:
    recording.script(Reply.tool_calls(
        ("GetWeather", {"city": "Paris"}, "tool_GetWeather_pQ7xZk2vLm9RtB4sYw1c"),
        tool_split="whole", provider="Google", model="google/gemini-2.5-flash",
        native_finish_reason="STOP", usage_shape="empty_choices"))
    model = weather_tools(chat(recording, "google/gemini-2.5-flash"), tool_choice="GetWeather")
    full = aggregate(list(model.stream("What's the weather in Paris?")))
    reply = wire(recording)
    argument_deltas = [c for c in reply.chunks if c["choices"] and any(
        t.get("function", {}).get("arguments") for t in
        c["choices"][0].get("delta", {}).get("tool_calls") or [])]
    assert len(argument_deltas) == 1  # the whole arguments in one delta
    assert full.tool_calls == [{"name": "GetWeather", "args": reply.arguments(0),
                                "id": reply.calls[0]["id"], "type": "tool_call"}]
    assert full.tool_calls[0]["args"] == {"city": "Paris"}
    assert_envelope(full, reply)
    assert_usage(full, reply)


# --- reasoning --------------------------------------------------------------------------


@cassette(CASSETTE_FOLDER, "anthropic_reasoning_tool_call")
def test_anthropic_reasoning_then_tool_call_then_second_turn(recording: Recording) -> None:
    recording.script(
        Reply.tool_calls(
            ("GetWeather", {"city": "Paris"}, "toolu_bdrk_01CassetteWeatherParis1"),
            reasoning="The user asks about Paris weather. I should call GetWeather.",
            reasoning_format="anthropic-claude-v1", signature="EpYCCkYICBgCKkCassetteSig==",
            provider="Amazon Bedrock", model="anthropic/claude-4.5-sonnet-20250929",
            native_finish_reason="tool_use", comments_between=True),
        Reply.text("It is 18 °C and sunny in Paris.", provider="Amazon Bedrock",
                   model="anthropic/claude-4.5-sonnet-20250929",
                   native_finish_reason="end_turn"))
    model = weather_tools(chat(recording, ANTHROPIC, reasoning={"max_tokens": 1024}))
    question = HumanMessage("What's the weather in Paris? Use the tool.")
    first = aggregate(list(model.stream([question])))
    reply = wire(recording)
    # Fact 24: a signature-only fragment (no text) arrives before the tool call.
    assert any(d.get("signature") and not d.get("text") for d in reply.details)
    details = first.additional_kwargs["reasoning_details"]
    assert details == reply.merged_details()
    assert details[0]["type"] == "reasoning.text"
    assert details[0]["format"] == "anthropic-claude-v1"
    assert details[0]["signature"]
    assert details[0]["text"] == reply.reasoning
    assert first.additional_kwargs["reasoning_content"] == reply.reasoning
    assert first.content_blocks[0] == {"type": "reasoning", "reasoning": reply.reasoning}
    call = first.tool_calls[0]
    assert call["name"] == "GetWeather"
    assert call["args"] == {"city": "Paris"} == reply.arguments(0)
    assert call["id"] == reply.calls[0]["id"]
    assert first.response_metadata["native_finish_reason"] == "tool_use"

    answer = model.invoke([question, first,
                           ToolMessage("18 °C, sunny", tool_call_id=call["id"])])
    turn = sent(recording, 1)
    assistant = turn["messages"][1]
    assert assistant["role"] == "assistant"
    assert assistant["reasoning_details"] == details  # sent back unchanged
    assert assistant["tool_calls"][0]["id"] == call["id"]
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == call["args"]
    assert turn["messages"][2] == {"role": "tool", "tool_call_id": call["id"],
                                   "content": "18 °C, sunny"}
    second = wire(recording, 1)
    assert answer.content == second.content
    assert "18" in str(answer.content)
    assert_envelope(answer, second)


@cassette(CASSETTE_FOLDER, "openai_encrypted_reasoning")
def test_openai_encrypted_reasoning(recording: Recording) -> None:
    recording.script(Reply.text(
        "391.", reasoning="gAAAAABoCassetteEncryptedReasoningBlob0123456789==",
        reasoning_kind="reasoning.encrypted", reasoning_format="openai-responses-v1",
        model="openai/gpt-5-mini-2025-08-07", native_finish_reason="completed",
        reasoning_tokens=64, completion_tokens=66))
    model = chat(recording, "openai/gpt-5-mini", reasoning={"effort": "low"})
    full = aggregate(list(model.stream("What is 17 * 23? Answer with the number only.")))
    assert sent(recording)["reasoning"] == {"effort": "low"}
    reply = wire(recording)
    encrypted = [d for d in reply.merged_details() if d["type"] == "reasoning.encrypted"]
    assert encrypted and encrypted[0]["data"]
    assert encrypted[0]["format"] == "openai-responses-v1"
    assert full.additional_kwargs["reasoning_details"] == reply.merged_details()
    assert full.additional_kwargs.get("reasoning_content", "") == reply.reasoning
    assert "391" in str(full.content)
    assert full.content == reply.content
    assert full.usage_metadata is not None
    assert reply.usage is not None
    details = reply.usage["completion_tokens_details"]
    assert full.usage_metadata["output_token_details"]["reasoning"] == details[
        "reasoning_tokens"] > 0
    assert_envelope(full, reply)


# --- structured output, images, citations -----------------------------------------------


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    temperature_c: int
    conditions: str


@cassette(CASSETTE_FOLDER, "structured_output_json_schema")
def test_streamed_structured_output_json_schema(recording: Recording) -> None:
    tokens = ['{"', "city", '":"', "Paris", '","', "temperature", "_c", '":', "18", ',"',
              "conditions", '":"', "sunny", '"}']
    recording.script(Reply.text("".join(tokens), chunks=tokens))
    structured = chat(recording).with_structured_output(
        Forecast.model_json_schema(), method="json_schema", strict=True)
    parts = list(structured.stream("Forecast for Paris: 18 degrees C and sunny. As JSON."))
    body = sent(recording)
    assert body["stream"] is True
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]
    assert schema["name"] == "Forecast"
    assert schema["strict"] is True
    assert set(schema["schema"]["properties"]) == {"city", "temperature_c", "conditions"}
    reply = wire(recording)
    assert len(parts) > 1  # partial objects while the JSON streams in
    assert parts[-1] == json.loads(reply.content)
    assert parts[-1]["city"] == "Paris"
    assert parts[-1]["temperature_c"] == 18
    assert Forecast.model_validate(parts[-1])


@cassette(CASSETTE_FOLDER, "image_output")
def test_streamed_image_output(recording: Recording) -> None:
    recording.script(Reply.text(
        "Here is a red dot.", images=[f"data:image/png;base64,{TINY_PNG}"],
        provider="Google AI Studio", model="google/gemini-2.5-flash-image",
        native_finish_reason="STOP", usage_shape="separate"))
    model = chat(recording, "google/gemini-2.5-flash-image", modalities=["image", "text"])
    chunks = list(model.stream("Draw a single red dot."))
    assert sent(recording)["modalities"] == ["image", "text"]
    reply = wire(recording)
    image_chunks = [c for c in reply.chunks if c["choices"] and c["choices"][0]["delta"]
                    .get("images")]
    assert len(image_chunks) == 1
    assert image_chunks[0]["choices"][0]["finish_reason"] == "stop"
    full = aggregate(chunks)
    blocks: list[dict[str, Any]] = [dict(b) for b in full.content_blocks]
    assert [b["type"] for b in blocks] == ["text", "image"]
    assert blocks[0]["text"] == reply.content
    url = reply.images[0]["image_url"]["url"]
    assert blocks[1]["base64"] == url.split(",", 1)[1] == TINY_PNG
    assert blocks[1]["mime_type"] == "image/png"
    assert_usage(full, reply)
    assert reply.usage is not None
    assert reply.usage["completion_tokens_details"]["image_tokens"] > 0


@cassette(CASSETTE_FOLDER, "url_citations")
async def test_streamed_url_citations(recording: Recording) -> None:
    citations = [
        {"type": "url_citation", "url_citation": {
            "url": "https://en.wikipedia.org/wiki/Eiffel_Tower", "title": "Eiffel Tower",
            "start_index": 0, "end_index": 0,
            "content": "The Eiffel Tower is 330 metres tall."}},
        {"type": "url_citation", "url_citation": {
            "url": "https://www.toureiffel.paris/en", "title": "Official site",
            "start_index": 0, "end_index": 0, "content": "Height: 330 m."}},
    ]
    recording.script(Reply.text("The Eiffel Tower is about 330 metres tall.",
                                annotations=citations))
    model = chat(recording, plugins=[{"id": "web", "max_results": 2}])
    chunks = [c async for c in model.astream("How tall is the Eiffel Tower?")]
    assert sent(recording)["plugins"] == [{"id": "web", "max_results": 2}]
    reply = wire(recording)
    assert reply.annotations
    first_text = next(i for i, c in enumerate(reply.chunks)
                      if c["choices"] and c["choices"][0]["delta"].get("content"))
    first_citation = next(i for i, c in enumerate(reply.chunks)
                          if c["choices"] and c["choices"][0]["delta"].get("annotations"))
    assert first_citation < first_text  # citations stream before any text
    full = aggregate(chunks)
    assert full.content == reply.content
    assert "330" in str(full.content)
    assert full.response_metadata["annotations"] == reply.annotations
    text_block: dict[str, Any] = dict(full.content_blocks[0])
    assert text_block["type"] == "text"
    cited = [a["url"] for a in text_block.get("annotations", [])]
    assert cited == [a["url_citation"]["url"] for a in reply.annotations]


# --- failures ---------------------------------------------------------------------------


@cassette(CASSETTE_FOLDER, "mid_stream_error")
def test_mid_stream_error_keeps_partial_output(recording: Recording) -> None:
    recording.script(Reply.text(
        "Once upon a time", chunks=["Once", " upon", " a", " time"], finish_reason="length",
        error_after=5, error_code=400, error_message="Token limit reached",
        provider="Minimax", model="minimax/minimax-m2"))
    seen: list[AIMessageChunk] = []
    with pytest.raises(core.OpenRouterError) as info:
        for chunk in chat(recording, "minimax/minimax-m2", max_tokens=4).stream(
                "Tell me a long story."):
            seen.append(chunk)
    reply = wire(recording)
    assert reply.error is not None
    assert reply.done  # [DONE] follows the error chunk
    exc = info.value
    assert isinstance(exc, openai.APIStatusError)
    assert exc.mid_stream
    assert reply.error["message"] in str(exc)
    assert exc.partial is not None
    assert exc.partial.content == reply.content == "Once upon a time"
    assert exc.partial.finish_reason == "length"
    assert "".join(str(c.content) for c in seen) == reply.content
    assert all(c.chunk_position is None for c in seen)


@cassette(CASSETTE_FOLDER, "mid_stream_error", replay_only=True)
def test_mid_stream_error_yields_every_delta_first(recording: Recording) -> None:
    seen: list[str] = []
    with pytest.raises(core.OpenRouterError):
        for chunk in chat(recording, "minimax/minimax-m2", max_tokens=4).stream(
                "Tell me a long story."):
            seen.append(str(chunk.content))
    assert "".join(seen) == wire(recording).content


@cassette(CASSETTE_FOLDER, "rate_limit_then_success")
def test_rate_limit_then_success(recording: Recording) -> None:
    limit_headers = {"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0",
                     "X-RateLimit-Reset": "1767225600000"}
    recording.script(
        Reply.error(429, "Rate limit exceeded: limit_rpm/meta-llama/llama-3.3-70b-instruct:free/"
                    "00000000-0000-0000-0000-cassette0000. High demand for "
                    "meta-llama/llama-3.3-70b-instruct:free on OpenRouter - limited to 1 "
                    "requests per minute.", metadata={"headers": limit_headers},
                    headers={"Retry-After": "0", **limit_headers}),
        Reply.text("Hello!", provider="Chutes"))
    free = "meta-llama/llama-3.3-70b-instruct:free"
    full = aggregate(list(chat(recording, free, max_retries=1).stream("Say hello.")))
    responses = recording.responses()
    assert [r["status"]["code"] for r in responses] == [429, 200]
    assert header(responses[0], "retry-after") == "0"
    assert header(responses[0], "content-type") == "application/json"
    assert sent(recording, 0) == sent(recording, 1)  # the retry sends the same body
    assert sent(recording, 0)["stream"] is True
    assert full.content == wire(recording, 1).content == "Hello!"
    if recording.mode == "replay":
        assert recording.cassette.play_count == 2  # the 429, then the retried request


@cassette(CASSETTE_FOLDER, "padded_non_streaming")
def test_padded_non_streaming_body(recording: Recording) -> None:
    recording.script(Reply.text("Bonjour !", pad_json=True, provider="OpenAI",
                                model="openai/gpt-4o-mini-2024-07-18"))
    message = chat(recording).invoke("Say hello in French.")
    assert "stream" not in sent(recording)
    raw = recording.responses()[0]["body"]["string"]
    text = raw.decode() if isinstance(raw, bytes) else raw
    assert text.startswith("\n         \n")  # the keep-alive padding is in the cassette
    reply = wire(recording)
    choice_message = reply.chunks[0]["choices"][0]["message"]
    assert choice_message["refusal"] is None
    assert "reasoning" in choice_message
    assert message.content == reply.content == "Bonjour !"
    assert_usage(message, reply)
    assert_envelope(message, reply)


@cassette(CASSETTE_FOLDER, "server_tool_web_search")
def test_server_tool_web_search(recording: Recording) -> None:
    from langchain_openrouter import server_tools

    recording.script(Reply.web_search("The tower is 330 m tall [1].", [
        ("https://www.toureiffel.paris/en", "Official site", "Height: 330 m.")]))
    model = chat(recording).bind_tools([GetWeather, server_tools.web_search(max_results=2)])
    chunks = list(model.stream("How tall is the Eiffel Tower?"))
    assert sent(recording)["tools"][1] == {"type": "openrouter:web_search",
                                           "parameters": {"max_results": 2}}
    reply = wire(recording)
    assert reply.usage is not None
    fee = reply.usage["cost"] - reply.usage["cost_details"]["upstream_inference_cost"]
    assert fee > 0
    full = aggregate(chunks)
    assert full.content == reply.content
    assert full.tool_calls == []  # OpenRouter ran the search; nothing for the caller to run
    meta = full.response_metadata
    assert meta["annotations"] == reply.annotations
    assert meta["server_tool_use"] == reply.usage["server_tool_use_details"]
    assert meta["server_tool_use"]["web_search_requests"] == 1
    assert meta["server_tool_cost"] == pytest.approx(fee)
    assert_usage(full, reply)


@cassette(CASSETTE_FOLDER, "server_tool_image_generation")
def test_server_tool_image_generation(recording: Recording) -> None:
    from langchain_openrouter import server_tools

    url = "https://images.openrouter.ai/emulator/lighthouse.png"
    recording.script(Reply.image_generation("A lighthouse at dusk:", [url]))
    model = chat(recording).bind_tools([server_tools.image_generation(
        model="openai/gpt-5-image-mini", quality="low", aspect_ratio="16:9")])
    message = model.invoke("Draw a lighthouse at dusk")
    assert sent(recording)["tools"] == [{"type": "openrouter:image_generation", "parameters": {
        "model": "openai/gpt-5-image-mini", "quality": "low", "aspect_ratio": "16:9"}}]
    reply = wire(recording)
    assert f"]({url})" in reply.content  # only a link in the text: no structured field
    assert server_tools.generated_images(message) == [{"type": "image", "url": url}]
    assert message.response_metadata["server_tool_use"] == reply.usage[  # type: ignore[index]
        "server_tool_use_details"]
    assert message.response_metadata["server_tool_cost"] > 0
    assert_usage(message, reply)  # type: ignore[arg-type]
