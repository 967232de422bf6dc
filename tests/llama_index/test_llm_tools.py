"""Function calling against the emulator: chat_with_tools family, predict_and_call."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock, ToolCallBlock
from llama_index.core.tools import FunctionTool

from llama_index_openrouter import OpenRouter, OpenRouterToolSelection
from llama_index_openrouter.streaming import PARTIAL_KEY
from openrouter_core.errors import InputError, TruncatedToolCallError
from openrouter_core.testing import Emulator, Reply

from .conftest import PNG


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(weather)]


def test_chat_with_tools_wire_and_calls(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.tool_calls(("add", {"a": 2, "b": 3}, "call_1")))
    response = llm.chat_with_tools(TOOLS, user_msg="2+3?")
    body = emu.requests[-1].json
    assert [t["function"]["name"] for t in body["tools"]] == ["add", "weather"]
    assert body["tools"][0]["type"] == "function"
    assert body["parallel_tool_calls"] is False
    assert "tool_choice" not in body
    calls = llm.get_tool_calls_from_response(response)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_1", "add", {"a": 2, "b": 3})]
    blocks = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
    assert blocks[0].tool_kwargs == {"a": 2, "b": 3}
    assert response.message.additional_kwargs["tool_calls"][0]["id"] == "call_1"


def test_tool_required_and_named_choice(emu: Emulator, llm: OpenRouter) -> None:
    llm.chat_with_tools(TOOLS, user_msg="x", tool_required=True)
    assert emu.requests[-1].json["tool_choice"] == "required"
    llm.chat_with_tools(TOOLS, user_msg="x", tool_choice="weather")
    assert emu.requests[-1].json["tool_choice"] == {"type": "function",
                                                    "function": {"name": "weather"}}
    with pytest.raises(InputError, match="not bound"):
        llm.chat_with_tools(TOOLS, user_msg="x", tool_choice="nope")


def test_parallel_calls_kept_or_trimmed(emu: Emulator, llm: OpenRouter) -> None:
    two = Reply.tool_calls(("add", {"a": 1, "b": 2}), ("weather", {"city": "Oslo"}))
    emu.enqueue(two, two)
    both = llm.chat_with_tools(TOOLS, user_msg="x", allow_parallel_tool_calls=True)
    assert emu.requests[-1].json["parallel_tool_calls"] is True
    assert [c.tool_name for c in llm.get_tool_calls_from_response(both)] == ["add", "weather"]
    one = llm.chat_with_tools(TOOLS, user_msg="x")
    assert [c.tool_name for c in llm.get_tool_calls_from_response(one)] == ["add"]


@pytest.mark.parametrize("split", ["tokens", "pieces", "whole"])
def test_stream_chat_with_tools(emu: Emulator, llm: OpenRouter, split: str) -> None:
    emu.enqueue(Reply.tool_calls(("add", {"a": 10, "b": 20}), ("weather", {"city": "Rome"}),
                                 tool_split=split))
    responses = list(llm.stream_chat_with_tools(TOOLS, user_msg="x",
                                                allow_parallel_tool_calls=True))
    for response in responses:  # every partial response is readable without errors
        for call in llm.get_tool_calls_from_response(response, error_on_no_tool_call=False):
            assert isinstance(call.tool_kwargs, dict)
    final = llm.get_tool_calls_from_response(responses[-1])
    assert [(c.tool_name, c.tool_kwargs) for c in final] == [
        ("add", {"a": 10, "b": 20}), ("weather", {"city": "Rome"})]
    assert emu.requests[-1].json["stream"] is True


async def test_async_tool_methods(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.tool_calls(("add", {"a": 1, "b": 1})),
                Reply.tool_calls(("add", {"a": 2, "b": 2})))
    response = await llm.achat_with_tools(TOOLS, user_msg="x", tool_required=True)
    assert llm.get_tool_calls_from_response(response)[0].tool_kwargs == {"a": 1, "b": 1}
    gen = await llm.astream_chat_with_tools(TOOLS, user_msg="x")
    responses = [r async for r in gen]
    assert llm.get_tool_calls_from_response(responses[-1])[0].tool_kwargs == {"a": 2, "b": 2}


def test_no_tool_call(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("No tools needed."))
    response = llm.chat_with_tools(TOOLS, user_msg="hi")
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="0 tool calls"):
        llm.get_tool_calls_from_response(response)


def test_invalid_json_gives_a_per_call_error(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.tool_calls(("add", {"a": 1, "b": 2}), ("weather", '{"city": "Par'),
                                 finish_reason="tool_calls", native_finish_reason="tool_calls"))
    responses = list(llm.stream_chat_with_tools(TOOLS, user_msg="x",
                                                allow_parallel_tool_calls=True))
    good, bad = llm.get_tool_calls_from_response(responses[-1])
    assert good.tool_kwargs == {"a": 1, "b": 2}
    assert isinstance(bad, OpenRouterToolSelection)
    assert (bad.tool_kwargs, bad.raw_arguments, bad.truncated) == ({}, '{"city": "Par', False)
    assert bad.error is not None
    assert "'weather'" in bad.error and "not valid JSON" in bad.error


@pytest.mark.parametrize("streamed", [True, False])
def test_call_cut_off_by_the_output_limit_is_refused(emu: Emulator, llm: OpenRouter,
                                                     streamed: bool) -> None:
    """The RIG-06 shape: finish ``tool_calls``, native ``max_output_tokens``, args mid-JSON.
    An agent reading the calls gets an error naming the limit, with the raw text kept."""
    emu.enqueue(Reply.tool_calls(("add", {"a": 1, "b": 2}), ("weather", '{"city": "Par'),
                                 finish_reason="tool_calls",
                                 native_finish_reason="max_output_tokens"))
    if streamed:
        last = list(llm.stream_chat_with_tools(TOOLS, user_msg="x",
                                               allow_parallel_tool_calls=True))[-1]
        partial = list(llm.get_tool_calls_from_response(last.model_copy(update={
            "additional_kwargs": {**last.additional_kwargs, PARTIAL_KEY: True}})))
        assert partial[1].tool_kwargs == {"city": "Par"}  # mid-stream: fields seen so far
    else:
        last = llm.chat_with_tools(TOOLS, user_msg="x", allow_parallel_tool_calls=True)
    with pytest.raises(TruncatedToolCallError, match=r"'weather' .* cut off by the output "
                       r"limit \(finish reason 'max_output_tokens'\).*raise max_tokens") as info:
        llm.get_tool_calls_from_response(last)
    assert info.value.calls == [(info.value.calls[0][0], "weather", '{"city": "Par')]
    assert info.value.response is last
    blocks = [b for b in last.message.blocks if isinstance(b, ToolCallBlock)]
    assert blocks[1].tool_kwargs == '{"city": "Par'  # the message keeps the raw text


def test_predict_and_call(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.tool_calls(("add", {"a": 20, "b": 22})))
    result = llm.predict_and_call(TOOLS, user_msg="20+22?")
    assert result.response == "42"
    assert result.sources[0].tool_name == "add"


def test_tool_round_trip_and_image_results(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.tool_calls(("weather", {"city": "Oslo"}, "call_w")))
    first = llm.chat_with_tools(TOOLS, user_msg="weather?")
    history = [
        ChatMessage(role="user", content="weather?"), first.message,
        ChatMessage(role="tool", blocks=[TextBlock(text="radar:"), ImageBlock(image=PNG)],
                    additional_kwargs={"tool_call_id": "call_w"}),
    ]
    emu.enqueue(Reply.text("It is sunny."))
    final = llm.chat_with_tools(TOOLS, chat_history=history)
    assert final.message.content == "It is sunny."
    messages = emu.requests[-1].json["messages"]
    assert messages[1]["tool_calls"] == [{"id": "call_w", "type": "function", "function": {
        "name": "weather", "arguments": '{"city":"Oslo"}'}}]
    assert messages[1]["content"] is None
    assert messages[2]["role"] == "tool"
    assert messages[2]["tool_call_id"] == "call_w"
    assert [p["type"] for p in messages[2]["content"]] == ["text", "image_url"]
