"""A tool call cut off by the output limit is never run, in either framework.

The wire shape is RIG-06's (a real recording): ``finish_reason`` ``"tool_calls"``,
``native_finish_reason`` ``"max_output_tokens"``, arguments ending mid-JSON. LangChain:
``invoke`` (streamed or not) puts the call in ``invalid_tool_calls`` with the raw text and an
error naming the limit; a stream's final chunk lists it in ``response_metadata``; an agent does
not run it. LlamaIndex: the raw text stays on the message, and an agent stops with
``TruncatedToolCallError`` instead of running the tool with guessed arguments.
"""

from __future__ import annotations

import re

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.tools import tool
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.tools import FunctionTool
from llama_index.core.workflow.errors import WorkflowRuntimeError

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core.errors import TruncatedToolCallError
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-e2e-test-key-0000000000"
CUT = '{"city": "Par'
LIMIT_ERROR = r"'get_weather' \(call_cut\) was cut off by the output limit \(finish reason " \
              r"'max_output_tokens'\).*raise max_tokens"

ran: list[str] = []


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    ran.append(city)
    return f"Sunny in {city}"


def cut_reply() -> Reply:
    return Reply.tool_calls(("get_weather", CUT, "call_cut"), finish_reason="tool_calls",
                            native_finish_reason="max_output_tokens")


def chat(emu: Emulator, **kwargs: object) -> ChatOpenRouter:
    return ChatOpenRouter(model="openai/gpt-4.1-mini", api_key=KEY, base_url=emu.base_url,
                          max_retries=0, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    ran.clear()
    return openrouter_emulator


@pytest.mark.parametrize("streaming", [False, True])
def test_langchain_invoke_marks_the_cut_call_invalid(emu: Emulator, streaming: bool) -> None:
    emu.enqueue(cut_reply())
    message = chat(emu, streaming=streaming).bind_tools([get_weather]).invoke("weather?")
    assert isinstance(message, AIMessage)
    assert message.tool_calls == []
    [bad] = message.invalid_tool_calls
    assert (bad["id"], bad["name"], bad["args"]) == ("call_cut", "get_weather", CUT)
    assert re.search(LIMIT_ERROR, bad["error"] or "")
    assert message.response_metadata["native_finish_reason"] == "max_output_tokens"


async def test_langchain_stream_aggregate_carries_the_verdict(emu: Emulator) -> None:
    emu.enqueue(cut_reply())
    chunks = [c async for c in chat(emu).astream("weather?")]
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full, AIMessageChunk)
    # langchain-core's partial-JSON reading completes the object on the aggregate ...
    assert full.tool_calls[0]["args"] == {"city": "Par"}
    # ... so the final chunk says which calls were cut, with the raw text.
    [verdict] = full.response_metadata["invalid_tool_calls"]
    assert (verdict["id"], verdict["args"]) == ("call_cut", CUT)


@pytest.mark.parametrize("streamed", [False, True])
def test_langchain_agent_never_runs_a_cut_call(emu: Emulator, streamed: bool) -> None:
    emu.enqueue(cut_reply())
    agent = create_agent(chat(emu), tools=[get_weather])
    question = {"messages": [("user", "weather in Paris?")]}
    if streamed:  # token streaming: langchain-core aggregates the model's chunks itself
        events = list(agent.stream(question, stream_mode=["messages", "values"]))
        assert any(mode == "messages" for mode, _ in events)
        state = [data for mode, data in events if mode == "values"][-1]
    else:
        state = agent.invoke(question)
    assert ran == []
    assert len(emu.chat_requests) == 1  # no tool ran, so nothing went back to the model
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    assert last.tool_calls == []
    assert last.invalid_tool_calls[0]["args"] == CUT


@pytest.mark.parametrize("streaming", [True, False])
async def test_llama_index_agent_stops_with_the_reason(emu: Emulator, streaming: bool) -> None:
    emu.enqueue(cut_reply())
    llm = OpenRouter(model="openai/gpt-4.1-mini", api_key=KEY, api_base=emu.base_url,
                     max_retries=0)

    def weather_tool(city: str) -> str:
        """Report the weather in a city."""
        ran.append(city)
        return f"Sunny in {city}"

    tools = [FunctionTool.from_defaults(weather_tool, name="get_weather")]
    agent = FunctionAgent(tools=tools, llm=llm, streaming=streaming)
    with pytest.raises((TruncatedToolCallError, WorkflowRuntimeError)) as info:
        await agent.run(user_msg="weather in Paris?")
    error = info.value
    while not isinstance(error, TruncatedToolCallError) and error.__cause__ is not None:
        error = error.__cause__  # type: ignore[assignment]
    assert isinstance(error, TruncatedToolCallError)
    assert error.calls == [("call_cut", "get_weather", CUT)]
    assert ran == []
    assert len(emu.chat_requests) == 1


async def test_langchain_ainvoke_streamed_marks_the_cut_call_invalid(emu: Emulator) -> None:
    emu.enqueue(cut_reply())
    message = await chat(emu, streaming=True).bind_tools([get_weather]).ainvoke("weather?")
    assert message.tool_calls == []
    assert re.search(LIMIT_ERROR, message.invalid_tool_calls[0]["error"] or "")


@pytest.mark.parametrize("output_version", ["v0", "v1"])
@pytest.mark.parametrize("how", ["plain", "stream=True", "streaming=True"])
def test_langchain_invoke_names_why_unreadable_arguments_are_invalid(
        emu: Emulator, how: str, output_version: str) -> None:
    # Arguments that are no JSON at all are put in invalid_tool_calls by langchain-core's own
    # aggregation of a stream, without a reason: the reason must be the one invoke gives
    # without streaming.
    model = chat(emu, output_version=output_version,
                 streaming=how == "streaming=True").bind_tools([get_weather])
    emu.enqueue(Reply.tool_calls(("get_weather", "not json", "call_bad")))
    message = model.invoke("x", **({"stream": True} if how == "stream=True" else {}))
    assert message.tool_calls == []
    (call,) = message.invalid_tool_calls
    assert (call["id"], call["args"]) == ("call_bad", "not json")
    assert "'get_weather' (call_bad): arguments are not valid JSON" in (call["error"] or "")
    if output_version == "v1":
        (block,) = message.content
        assert block["type"] == "invalid_tool_call"  # type: ignore[index]
        assert block["error"] == call["error"]  # type: ignore[index]
