"""LlamaIndex ``OpenRouter`` replayed against ``cassettes/llama_index/``: real HTTP bytes, no
network.

As for LangChain, each result is checked against literals the prompt pins down and against an
independent reading of the recorded bytes (:mod:`tests.cassettes.wire`); vcrpy checks that the
request (method, URI, JSON body) is the one recorded.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import openai
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, SecretStr

from llama_index_openrouter import OpenRouter
from openrouter_core import errors as core
from openrouter_core.testing import Reply
from tests.cassettes.catalog import cassette
from tests.cassettes.conftest import Recording
from tests.cassettes.wire import WireReply, read, request_json

CASSETTE_FOLDER = "llama_index"
MODEL = "openai/gpt-4o-mini"
ANTHROPIC = "anthropic/claude-sonnet-4.5"
TINY_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLv"
            "AAAAAElFTkSuQmCC")
"""A 1x1 PNG: the image a cassette carries (a real one would be ~1 MB)."""


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"18 °C and sunny in {city}"


TOOLS = [FunctionTool.from_defaults(get_weather)]


def make_llm(recording: Recording, model: str = MODEL, **kwargs: Any) -> OpenRouter:
    """The LLM under test, pointed where the recording mode says."""
    kwargs.setdefault("max_retries", 0)
    return OpenRouter(model=model, api_key=SecretStr(recording.api_key),
                      api_base=recording.base_url, **kwargs)


def wire(recording: Recording, index: int = 0) -> WireReply:
    """The recorded response ``index``, read independently of the adapter."""
    return read(recording.responses()[index])


def sent(recording: Recording, index: int = 0) -> dict[str, Any]:
    """The JSON body of recorded request ``index``."""
    return request_json(recording.requests()[index])


def user(text: str) -> ChatMessage:
    """A user message."""
    return ChatMessage(role=MessageRole.USER, content=text)


def assert_usage(response: ChatResponse, reply: WireReply) -> None:
    """Token counts and cost in ``additional_kwargs`` (and ``raw``) are the wire's."""
    usage = reply.usage
    assert usage is not None
    extra = response.additional_kwargs
    assert extra["prompt_tokens"] == usage["prompt_tokens"]
    assert extra["completion_tokens"] == usage["completion_tokens"]
    assert extra["total_tokens"] == usage["total_tokens"]
    assert extra["cost"] == usage["cost"] > 0
    assert response.raw is not None
    assert response.raw["usage"] == usage  # where LlamaIndex's token counters look


def assert_envelope(response: ChatResponse, reply: WireReply) -> None:
    """Served model, provider, generation id and finish reasons are the wire's."""
    extra = response.additional_kwargs
    assert extra["model"] == reply.model
    assert extra["provider"] == reply.provider
    assert extra["id"] == reply.id
    assert extra["finish_reason"] == reply.finish_reason
    assert extra["native_finish_reason"] == reply.native_finish_reason


def tool_blocks(message: ChatMessage) -> list[ToolCallBlock]:
    """The message's tool-call blocks."""
    return [b for b in message.blocks if isinstance(b, ToolCallBlock)]


@cassette(CASSETTE_FOLDER, "stream_chat_usage_cost")
def test_stream_chat_usage_cost(recording: Recording) -> None:
    recording.script(Reply.text("Paris is the capital of France.", usage_shape="separate",
                                comments_before=2, model="openai/gpt-4o-mini-2024-07-18"))
    responses = list(make_llm(recording).stream_chat(
        [user("What is the capital of France? One sentence.")]))
    body = sent(recording)
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user",
                                 "content": "What is the capital of France? One sentence."}]
    reply = wire(recording)
    final = responses[-1]
    assert "".join(r.delta or "" for r in responses) == reply.content
    assert final.message.content == reply.content
    assert "Paris" in reply.content
    assert all(r.additional_kwargs.get("partial") for r in responses[:-1])
    assert "partial" not in final.additional_kwargs
    assert_usage(final, reply)
    assert_envelope(final, reply)
    assert final.additional_kwargs["cost_details"] == reply.usage["cost_details"]  # type: ignore[index]


@cassette(CASSETTE_FOLDER, "tool_call_token_split")
def test_streamed_tool_call_token_split(recording: Recording) -> None:
    recording.script(Reply.tool_calls(("get_weather", {"city": "Paris"}), tool_split="tokens"))
    llm = make_llm(recording)
    responses = list(llm.stream_chat_with_tools(TOOLS, user_msg="What's the weather in Paris?",
                                                tool_required=True))
    body = sent(recording)
    assert [t["function"]["name"] for t in body["tools"]] == ["get_weather"]
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False
    reply = wire(recording)
    for response in responses:  # partial arguments are readable at every step
        for call in llm.get_tool_calls_from_response(response, error_on_no_tool_call=False):
            assert isinstance(call.tool_kwargs, dict)
    calls = llm.get_tool_calls_from_response(responses[-1])
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        (reply.calls[0]["id"], "get_weather", reply.arguments(0))]
    assert calls[0].tool_kwargs == {"city": "Paris"}
    message = responses[-1].message
    assert message.additional_kwargs["tool_calls"][0]["id"] == reply.calls[0]["id"]
    assert tool_blocks(message)[0].tool_kwargs == {"city": "Paris"}
    assert_usage(responses[-1], reply)


@cassette(CASSETTE_FOLDER, "parallel_tool_calls")
async def test_parallel_tool_calls(recording: Recording) -> None:
    recording.script(Reply.tool_calls(("get_weather", {"city": "Paris"}),
                                      ("get_weather", {"city": "Tokyo"})))
    llm = make_llm(recording)
    stream = await llm.astream_chat_with_tools(
        TOOLS, user_msg="Weather in Paris and in Tokyo? Call the tool once per city, "
                        "in parallel.", allow_parallel_tool_calls=True)
    responses = [r async for r in stream]
    assert sent(recording)["parallel_tool_calls"] is True
    reply = wire(recording)
    assert sorted(reply.calls) == [0, 1]
    calls = llm.get_tool_calls_from_response(responses[-1])
    assert [c.tool_id for c in calls] == [reply.calls[0]["id"], reply.calls[1]["id"]]
    assert [c.tool_kwargs for c in calls] == [reply.arguments(0), reply.arguments(1)]
    assert {c.tool_kwargs["city"] for c in calls} == {"Paris", "Tokyo"}
    assert all(c.tool_name == "get_weather" for c in calls)


@cassette(CASSETTE_FOLDER, "reasoning_round_trip")
def test_reasoning_details_sent_back_next_turn(recording: Recording) -> None:
    recording.script(
        Reply.tool_calls(
            ("get_weather", {"city": "Paris"}, "toolu_01CassetteWeatherParisLI"),
            reasoning="The user wants the weather in Paris; I will call get_weather.",
            reasoning_format="anthropic-claude-v1", signature="ErUBCkYIBxgCKkCassetteLISig==",
            provider="Anthropic", model="anthropic/claude-4.5-sonnet-20250929",
            native_finish_reason="tool_use"),
        Reply.text("It is 18 °C and sunny in Paris.", provider="Anthropic",
                   model="anthropic/claude-4.5-sonnet-20250929",
                   native_finish_reason="end_turn"))
    llm = make_llm(recording, ANTHROPIC, reasoning={"max_tokens": 1024})
    question = user("What's the weather in Paris? Use the tool.")
    responses = list(llm.stream_chat_with_tools(TOOLS, chat_history=[question]))
    reply = wire(recording)
    assert any(d.get("signature") and not d.get("text") for d in reply.details)
    thinking = "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
    assert thinking == reply.reasoning
    first = responses[-1].message
    block = first.blocks[0]
    assert isinstance(block, ThinkingBlock)
    assert block.content == reply.reasoning
    details = block.additional_information["reasoning_details"]
    assert details == reply.merged_details()
    assert details[0]["signature"]
    assert details[0]["format"] == "anthropic-claude-v1"
    call = llm.get_tool_calls_from_response(responses[-1])[0]
    assert (call.tool_name, call.tool_kwargs) == ("get_weather", {"city": "Paris"})
    assert call.tool_id == reply.calls[0]["id"]

    result = ChatMessage(role=MessageRole.TOOL, content=get_weather("Paris"),
                         additional_kwargs={"tool_call_id": call.tool_id})
    answer = llm.chat_with_tools(TOOLS, chat_history=[question, first, result])
    turn = sent(recording, 1)
    assistant = turn["messages"][1]
    assert assistant["role"] == "assistant"
    assert assistant["reasoning_details"] == details  # sent back unchanged
    assert assistant["tool_calls"][0]["id"] == call.tool_id
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == call.tool_kwargs
    assert turn["messages"][2] == {"role": "tool", "tool_call_id": call.tool_id,
                                   "content": "18 °C and sunny in Paris"}
    second = wire(recording, 1)
    assert answer.message.content == second.content
    assert "18" in str(answer.message.content)
    assert_envelope(answer, second)


@cassette(CASSETTE_FOLDER, "image_output")
def test_streamed_image_output(recording: Recording) -> None:
    recording.script(Reply.text(
        "Here is a red dot.", images=[f"data:image/png;base64,{TINY_PNG}"],
        provider="Google AI Studio", model="google/gemini-2.5-flash-image",
        native_finish_reason="STOP"))
    llm = make_llm(recording, "google/gemini-2.5-flash-image", modalities=["image", "text"])
    responses = list(llm.stream_chat([user("Draw a single red dot.")]))
    assert sent(recording)["modalities"] == ["image", "text"]
    reply = wire(recording)
    image_chunks = [c for c in reply.chunks if c["choices"] and c["choices"][0]["delta"]
                    .get("images")]
    assert len(image_chunks) == 1
    assert image_chunks[0]["choices"][0]["finish_reason"] == "stop"
    final = responses[-1]
    texts = [b for b in final.message.blocks if isinstance(b, TextBlock)]
    images = [b for b in final.message.blocks if isinstance(b, ImageBlock)]
    assert [t.text for t in texts] == [reply.content]
    assert len(images) == 1
    url = reply.images[0]["image_url"]["url"]
    assert url == f"data:image/png;base64,{TINY_PNG}" or url.startswith("data:image/")
    assert images[0].image_mimetype == "image/png"
    image = images[0].image
    assert isinstance(image, bytes)
    assert base64.b64decode(image) == base64.b64decode(url.split(",", 1)[1])
    assert final.additional_kwargs["image_tokens"] == reply.usage[  # type: ignore[index]
        "completion_tokens_details"]["image_tokens"] > 0


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str
    population: int


@cassette(CASSETTE_FOLDER, "structured_output")
async def test_structured_output(recording: Recording) -> None:
    recording.script(Reply.text('{"name": "Lyon", "country": "France", "population": 522000}',
                                pad_json=True))
    llm = make_llm(recording)
    city = await llm.astructured_predict(
        City, PromptTemplate("Give the name, country and population of {city} as JSON."),
        city="Lyon")
    body = sent(recording)
    assert "stream" not in body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "City"
    assert set(body["response_format"]["json_schema"]["schema"]["properties"]) == {
        "name", "country", "population"}
    assert "tools" not in body
    raw = recording.responses()[0]["body"]["string"]
    assert (raw.decode() if isinstance(raw, bytes) else raw).startswith("\n")  # padding
    reply = wire(recording)
    assert isinstance(city, City)
    assert city == City.model_validate_json(reply.content)
    assert (city.name, city.country) == ("Lyon", "France")


@cassette(CASSETTE_FOLDER, "mid_stream_error")
def test_mid_stream_error_keeps_partial_output(recording: Recording) -> None:
    recording.script(Reply.text(
        "Once upon a time", chunks=["Once", " upon", " a", " time"], finish_reason="length",
        error_after=5, error_code=400, error_message="Token limit reached",
        provider="Minimax", model="minimax/minimax-m2"))
    seen: list[str] = []
    llm = make_llm(recording, "minimax/minimax-m2", max_tokens=4)
    with pytest.raises(core.OpenRouterError) as info:
        for response in llm.stream_chat([user("Tell me a long story.")]):
            seen.append(response.delta or "")
    reply = wire(recording)
    assert reply.error is not None
    assert reply.error["code"] == 400
    assert reply.usage is not None  # the error chunk carries usage
    assert reply.done
    exc = info.value
    assert isinstance(exc, openai.APIStatusError)
    assert exc.mid_stream
    assert reply.error["message"] in str(exc)
    assert exc.partial is not None
    assert exc.partial.content == reply.content == "Once upon a time"
    assert "".join(seen) == reply.content


@cassette(CASSETTE_FOLDER, "server_tool_web_search")
def test_server_tool_web_search(recording: Recording) -> None:
    from llama_index_openrouter import server_tools

    recording.script(Reply.web_search("The tower is 330 m tall [1].", [
        ("https://www.toureiffel.paris/en", "Official site", "Height: 330 m.")]))
    llm = make_llm(recording)
    response = llm.chat_with_tools([server_tools.web_search(max_results=2)],
                                   user_msg="How tall is the Eiffel Tower?")
    assert sent(recording)["tools"] == [{"type": "openrouter:web_search",
                                         "parameters": {"max_results": 2}}]
    reply = wire(recording)
    assert reply.usage is not None
    [citation] = [b for b in response.message.blocks if isinstance(b, CitationBlock)]
    assert citation.source == reply.annotations[0]["url_citation"]["url"]
    assert response.additional_kwargs["server_tool_use"] == reply.usage["server_tool_use_details"]
    fee = reply.usage["cost"] - reply.usage["cost_details"]["upstream_inference_cost"]
    assert fee > 0
    assert response.additional_kwargs["server_tool_cost"] == pytest.approx(fee)
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    assert_usage(response, reply)


@cassette(CASSETTE_FOLDER, "server_tool_image_generation")
def test_server_tool_image_generation(recording: Recording) -> None:
    from llama_index_openrouter import server_tools

    url = "https://images.openrouter.ai/emulator/lighthouse.png"
    recording.script(Reply.image_generation("A lighthouse at dusk:", [url]))
    llm = make_llm(recording)
    tools = [FunctionTool.from_defaults(get_weather), server_tools.image_generation(
        model="openai/gpt-5-image-mini", quality="low")]
    responses = list(llm.stream_chat_with_tools(tools, user_msg="Draw a lighthouse"))
    body = sent(recording)
    assert body["stream"] is True
    assert body["tools"][1] == {"type": "openrouter:image_generation", "parameters": {
        "model": "openai/gpt-5-image-mini", "quality": "low"}}
    reply = wire(recording)
    last = responses[-1]
    assert last.message.content == reply.content
    assert [str(i.url) for i in server_tools.generated_images(last)] == [url]
    assert last.additional_kwargs["server_tool_cost"] > 0
    assert_usage(last, reply)
