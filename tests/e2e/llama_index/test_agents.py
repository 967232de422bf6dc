"""Agents as a user runs them: FunctionAgent, AgentWorkflow hand-off, ReActAgent."""

from __future__ import annotations

import json

from llama_index.core.agent.workflow import (
    AgentStream,
    AgentWorkflow,
    FunctionAgent,
    ReActAgent,
    ToolCallResult,
)
from llama_index.core.memory import ChatMemoryBuffer
from pydantic import BaseModel

from llama_index_openrouter import OpenRouter
from openrouter_core.testing import Emulator, RecordedRequest, Reply, auto_respond, first_of
from openrouter_core.testing.records import text_of

from .conftest import make_llm


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def weather(city: str) -> str:
    """Report the weather in a city."""
    return f"Sunny and 21C in {city}"


def tool_names(request: RecordedRequest) -> list[str]:
    return [t["function"]["name"] for t in request.body_dict.get("tools", [])]


def scripted(request: RecordedRequest) -> Reply | None:
    """Call the tool the user's question is about; answer after tool results."""
    if "response_format" in request.body_dict:
        return None  # structured output: the auto responder fills the schema
    last = request.last_message or {}
    if last.get("role") == "tool":
        results = [text_of(m.get("content")) for m in request.messages if m.get("role") == "tool"]
        return Reply.text(f"Answer: {results[-1]}", chunks=["Answer: ", results[-1]])
    question = (request.last_user_text or "").lower()
    if "weather" in question and "add" in question:
        return Reply.tool_calls(("add", {"a": 2, "b": 3}), ("weather", {"city": "Oslo"}))
    if "weather" in question:
        return Reply.tool_calls(("weather", {"city": "Paris"}))
    if "add" in question:
        return Reply.tool_calls(("add", {"a": 2, "b": 3}))
    return None


def agent_llm(emu: Emulator) -> OpenRouter:
    emu.responder = first_of(scripted, fallback=auto_respond)
    return make_llm(emu)


async def test_function_agent_two_tools_two_turns_streaming(emu: Emulator) -> None:
    agent = FunctionAgent(tools=[add, weather], llm=agent_llm(emu),
                          system_prompt="You are helpful.")
    # Explicit memory: in this llama-index/workflows version a reused Context drops it.
    memory = ChatMemoryBuffer.from_defaults()
    handler = agent.run(user_msg="Please add 2 and 3", memory=memory)
    deltas: list[str] = []
    tool_results: list[ToolCallResult] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            deltas.append(event.delta)
        elif isinstance(event, ToolCallResult):
            tool_results.append(event)
    result = await handler
    assert str(result) == "Answer: 5"
    assert "".join(deltas).endswith("Answer: 5")
    assert [(r.tool_name, r.tool_kwargs) for r in tool_results] == [("add", {"a": 2, "b": 3})]

    second = await agent.run(user_msg="And the weather in Paris?", memory=memory)
    assert "Sunny and 21C in Paris" in str(second)

    requests = emu.chat_requests
    assert all(r.json["stream"] is True for r in requests)
    assert tool_names(requests[0]) == ["add", "weather"]
    # The second turn carries the whole first turn: call, result, answer.
    history = requests[-1].json["messages"]
    roles = [m["role"] for m in history]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "user", "assistant",
                     "tool"]
    assert history[4]["content"] == "Answer: 5"
    first_call = history[2]
    assert first_call["tool_calls"][0]["function"]["name"] == "add"
    assert json.loads(first_call["tool_calls"][0]["function"]["arguments"]) == {"a": 2, "b": 3}


async def test_function_agent_non_streaming_with_initial_tool_choice(emu: Emulator) -> None:
    agent = FunctionAgent(tools=[add, weather], llm=agent_llm(emu), streaming=False,
                          initial_tool_choice="weather")
    result = await agent.run(user_msg="What's the weather in Paris?")
    assert "Paris" in str(result)
    first, second = emu.chat_requests
    assert "stream" not in first.json
    assert first.json["tool_choice"] == {"type": "function", "function": {"name": "weather"}}
    assert "tool_choice" not in second.json  # only forced on the first step


async def test_parallel_tool_calls_in_one_turn(emu: Emulator) -> None:
    agent = FunctionAgent(tools=[add, weather], llm=agent_llm(emu))
    handler = agent.run(user_msg="add 2 and 3, and the weather in Oslo")
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    await handler
    assert sorted(r.tool_name for r in results) == ["add", "weather"]
    assert emu.chat_requests[0].json["parallel_tool_calls"] is True
    tool_messages = [m for m in emu.chat_requests[-1].json["messages"] if m["role"] == "tool"]
    assert len(tool_messages) == 2


async def test_agent_workflow_handoff(emu: Emulator) -> None:
    def handoff_script(request: RecordedRequest) -> Reply | None:
        system = text_of(request.messages[0].get("content"))
        results = [text_of(m.get("content")) for m in request.messages if m.get("role") == "tool"]
        if "You route" in system:
            return Reply.tool_calls(("handoff", {"to_agent": "weather_agent",
                                                 "reason": "weather question"}))
        if "You know the weather" in system:
            sunny = [r for r in results if r.startswith("Sunny")]
            if sunny:
                return Reply.text(f"Final: {sunny[-1]}")
            return Reply.tool_calls(("weather", {"city": "Rome"}))
        return None

    emu.responder = first_of(handoff_script, fallback=auto_respond)
    llm = make_llm(emu)
    router = FunctionAgent(name="router", description="Routes questions.",
                           system_prompt="You route questions.", llm=llm, tools=[add],
                           can_handoff_to=["weather_agent"])
    weather_agent = FunctionAgent(name="weather_agent", description="Knows the weather.",
                                  system_prompt="You know the weather.", llm=llm,
                                  tools=[weather])
    workflow = AgentWorkflow(agents=[router, weather_agent], root_agent="router")
    result = await workflow.run(user_msg="Weather in Rome?")
    assert "Sunny and 21C in Rome" in str(result)
    assert "handoff" in tool_names(emu.chat_requests[0])


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    summary: str


async def test_function_agent_output_cls(emu: Emulator) -> None:
    agent = FunctionAgent(tools=[weather], llm=agent_llm(emu), output_cls=Forecast)
    result = await agent.run(user_msg="weather in Paris?")
    assert isinstance(result.structured_response, dict)
    Forecast.model_validate(result.structured_response)
    last = emu.chat_requests[-1].json
    assert last["response_format"]["json_schema"]["name"] == "Forecast"


async def test_react_agent(emu: Emulator) -> None:
    def react_script(request: RecordedRequest) -> Reply:
        texts = [text_of(m.get("content")) for m in request.messages]
        if any(t.startswith("Observation:") for t in texts):
            return Reply.text("Thought: I can answer without using any more tools.\n"
                              "Answer: The sum is 5.")
        return Reply.text('Thought: I need to use a tool to help me answer the question.\n'
                          'Action: add\nAction Input: {"a": 2, "b": 3}')

    emu.responder = react_script
    agent = ReActAgent(tools=[add, weather], llm=make_llm(emu))
    handler = agent.run(user_msg="What is 2 + 3?")
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    result = await handler
    assert "The sum is 5." in str(result)
    assert results[0].tool_output.content == "5"
    assert "tools" not in emu.chat_requests[0].json  # ReAct works through text only
