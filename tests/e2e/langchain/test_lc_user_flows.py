"""LangChain user flows end to end: agents with memory, structured agents, init_chat_model, LCEL.

Every test drives real HTTP against the loopback emulator and checks both what the user gets
and what went on the wire.
"""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy
from langchain.chat_models import init_chat_model
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Emulator, Reply, answer_text

KEY = "sk-or-v1-e2e-test-key-0000000000"


class _AnyId(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith("call_")

    __hash__ = str.__hash__


ANY_ID = _AnyId("call_*")
MODEL = "anthropic/claude-haiku-4.5"


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


@tool
def get_time(timezone: str) -> str:
    """Current time in a timezone."""
    return f"10:00 in {timezone}"


def script_two_turns(emu: Emulator) -> None:
    """Turn 1 calls both tools (one after the other), then answers; turn 2 answers directly."""
    emu.enqueue(
        Reply.tool_calls(("get_weather", {"city": "Paris"}, "call_w"), reasoning="Weather first.",
                         reasoning_format="anthropic-claude-v1", signature="SIG1"),
        Reply.tool_calls(("get_time", {"timezone": "CET"}, "call_t")),
        Reply.text("Sunny in Paris, 10:00 CET."),
        Reply.text("You asked about Paris."),
    )


def assert_two_turn_wire(emu: Emulator) -> None:
    bodies = [r.json for r in emu.chat_requests]
    assert len(bodies) == 4
    assert {t["function"]["name"] for t in bodies[0]["tools"]} == {"get_weather", "get_time"}
    second = bodies[1]["messages"]
    assert second[-2]["tool_calls"][0]["id"] == "call_w"
    assert second[-2]["reasoning_details"][0]["signature"] == "SIG1"  # replayed unchanged
    assert second[-1] == {"role": "tool", "tool_call_id": "call_w", "content": "Sunny in Paris"}
    assert bodies[2]["messages"][-1]["content"] == "10:00 in CET"
    # Turn 2 carries the whole first turn from the checkpointer.
    turn2 = bodies[3]["messages"]
    assert [m["role"] for m in turn2] == ["user", "assistant", "tool", "assistant", "tool",
                                          "assistant", "user"]
    assert turn2[-1]["content"] == "What did I ask?"


def make_model(emu: Emulator, **kwargs: object) -> ChatOpenRouter:
    settings: dict[str, object] = {"model": MODEL, **kwargs}
    return ChatOpenRouter(api_key=KEY, base_url=emu.base_url, max_retries=0, **settings)


def test_agent_two_tools_two_turns_sync(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    script_two_turns(emu)
    agent = create_agent(make_model(emu), tools=[get_weather, get_time],
                         checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    first = agent.invoke({"messages": [HumanMessage("Weather and time in Paris?")]}, config)
    assert first["messages"][-1].content == "Sunny in Paris, 10:00 CET."
    tool_results = [m.content for m in first["messages"] if isinstance(m, ToolMessage)]
    assert tool_results == ["Sunny in Paris", "10:00 in CET"]
    second = agent.invoke({"messages": [HumanMessage("What did I ask?")]}, config)
    assert second["messages"][-1].content == "You asked about Paris."
    assert_two_turn_wire(emu)


async def test_agent_two_tools_two_turns_async(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    script_two_turns(emu)
    agent = create_agent(make_model(emu), tools=[get_weather, get_time],
                         checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t2"}}
    await agent.ainvoke({"messages": [HumanMessage("Weather and time in Paris?")]}, config)
    second = await agent.ainvoke({"messages": [HumanMessage("What did I ask?")]}, config)
    assert second["messages"][-1].content == "You asked about Paris."
    assert_two_turn_wire(emu)


def test_agent_stream_mode_messages(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    script_two_turns(emu)
    agent = create_agent(make_model(emu), tools=[get_weather, get_time],
                         checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t3"}}
    tokens: list[AIMessageChunk] = []
    for message, _meta in agent.stream(
        {"messages": [HumanMessage("Weather and time in Paris?")]}, config,
        stream_mode="messages",
    ):
        if isinstance(message, AIMessageChunk):
            tokens.append(message)
    text = "".join(c.text for c in tokens)
    assert "Sunny in Paris, 10:00 CET." in text
    assert sum(1 for c in tokens if c.usage_metadata) == 3  # one per model call
    streamed_calls = [tc["name"] for c in tokens for tc in c.tool_call_chunks if tc.get("name")]
    assert streamed_calls == ["get_weather", "get_time"]
    agent.invoke({"messages": [HumanMessage("What did I ask?")]}, config)
    assert all(r.json.get("stream") is True for r in emu.chat_requests[:3])
    assert_two_turn_wire(emu)


class Forecast(BaseModel):
    """A forecast."""

    city: str
    summary: str


# From the bundled catalog: claude-sonnet-4 calls tools but lists no `structured_outputs`;
# claude-haiku-4.5 (MODEL) lists both.
NO_NATIVE_SCHEMA = "anthropic/claude-sonnet-4"


def test_agent_response_format_uses_the_tool_strategy_without_native_schemas(
        openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    model = make_model(emu, model=NO_NATIVE_SCHEMA)
    assert model.profile is not None
    assert model.profile["structured_output"] is False
    agent = create_agent(model, tools=[get_weather], response_format=Forecast)
    emu.enqueue(Reply.tool_calls(("get_weather", {"city": "Oslo"})),
                Reply.tool_calls(("Forecast", {"city": "Oslo", "summary": "Sunny"})))
    result = agent.invoke({"messages": [HumanMessage("Forecast for Oslo?")]})
    assert result["structured_response"] == Forecast(city="Oslo", summary="Sunny")
    # The profile says no native JSON schema: the agent forces a "Forecast" tool instead.
    last_body = emu.chat_requests[-1].json
    assert [t["function"]["name"] for t in last_body["tools"]] == ["get_weather", "Forecast"]
    assert last_body["tool_choice"] == "required"
    assert "response_format" not in last_body
    assert last_body["messages"][-1] == {"role": "tool", "tool_call_id": ANY_ID,
                                         "content": "Sunny in Oslo"}


def test_agent_tool_strategy_answers_offline_with_the_auto_responder(
        openrouter_emulator: Emulator) -> None:
    # Nothing queued: the emulator must call the structured-answer tool when the agent forces
    # a call after the weather tool's result, as a real model must.
    model = make_model(openrouter_emulator, model=NO_NATIVE_SCHEMA)
    agent = create_agent(model, tools=[get_weather], response_format=Forecast)
    result = agent.invoke({"messages": [HumanMessage("Forecast for Oslo?")]})
    assert isinstance(result["structured_response"], Forecast)
    assert [m.type for m in result["messages"]] == ["human", "ai", "tool", "ai", "tool"]


def test_agent_whose_structured_answer_keeps_failing_ends_offline(
        openrouter_emulator: Emulator) -> None:
    # Every tool called and the answer refused by its validator: the emulator answers in text
    # rather than calling a tool again, so the agent ends instead of hitting the recursion
    # limit.
    from langchain.agents.structured_output import ToolStrategy
    from pydantic import field_validator

    class Never(BaseModel):
        city: str

        @field_validator("city")
        @classmethod
        def refuse(cls, value: str) -> str:
            raise ValueError("never valid")

    model = make_model(openrouter_emulator, model=NO_NATIVE_SCHEMA)
    agent = create_agent(model, tools=[get_weather], response_format=ToolStrategy(Never))
    result = agent.invoke({"messages": [HumanMessage("Weather in Paris?")]},
                          {"recursion_limit": 12})
    assert result.get("structured_response") is None
    assert result["messages"][-1].type == "ai"


def test_agent_response_format_uses_the_provider_strategy_when_the_profile_allows(
        openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    model = make_model(emu)
    assert model.profile is not None
    assert model.profile["structured_output"] is True
    agent = create_agent(model, tools=[get_weather], response_format=Forecast)
    emu.enqueue(Reply.tool_calls(("get_weather", {"city": "Oslo"})),
                Reply.text('{"city": "Oslo", "summary": "Sunny"}'))
    result = agent.invoke({"messages": [HumanMessage("Forecast for Oslo?")]})
    assert result["structured_response"] == Forecast(city="Oslo", summary="Sunny")
    last_body = emu.chat_requests[-1].json
    assert last_body["response_format"]["type"] == "json_schema"
    assert last_body["response_format"]["json_schema"]["schema"]["required"] == ["city",
                                                                                "summary"]
    assert [t["function"]["name"] for t in last_body["tools"]] == ["get_weather"]


def test_agent_with_provider_strategy(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    agent = create_agent(make_model(emu), tools=[], response_format=ProviderStrategy(Forecast))
    emu.enqueue(Reply.text('{"city": "Oslo", "summary": "Cold"}'))
    result = agent.invoke({"messages": [HumanMessage("Forecast for Oslo?")]})
    assert result["structured_response"] == Forecast(city="Oslo", summary="Cold")
    response_format = emu.chat_requests[-1].json["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["schema"]["required"] == ["city", "summary"]


def test_init_chat_model_loads_chat_openrouter(openrouter_emulator: Emulator,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    emu = openrouter_emulator
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    model = init_chat_model(f"openrouter:{MODEL}", base_url=emu.base_url, temperature=0)
    assert isinstance(model, ChatOpenRouter)
    same = init_chat_model(MODEL, model_provider="openrouter", base_url=emu.base_url)
    assert isinstance(same, ChatOpenRouter)
    emu.enqueue(Reply.text("Bonjour"))
    assert model.invoke("hello").content == "Bonjour"
    body = emu.chat_requests[-1].json
    assert body["model"] == MODEL
    assert body["temperature"] == 0
    assert emu.chat_requests[-1].header("authorization") == f"Bearer {KEY}"
    configurable = init_chat_model(configurable_fields=("model",), model_provider="openrouter",
                                   base_url=emu.base_url)
    configurable.invoke("x", config={"configurable": {"model": "openai/gpt-4o"}})
    assert emu.chat_requests[-1].json["model"] == "openai/gpt-4o"


def test_lcel_chain_streaming(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    prompt = ChatPromptTemplate.from_messages([
        ("system", "You are terse."), ("human", "Say something about {topic}."),
    ])
    chain = prompt | make_model(emu, max_tokens=50) | StrOutputParser()
    emu.enqueue(Reply.text("Cats nap a lot."))
    pieces = list(chain.stream({"topic": "cats"}))
    assert len(pieces) > 1
    assert "".join(pieces) == "Cats nap a lot."
    body = emu.chat_requests[-1].json
    assert body["messages"] == [{"role": "system", "content": "You are terse."},
                                {"role": "user", "content": "Say something about cats."}]
    assert body["max_tokens"] == 50 and body["stream"] is True


async def test_lcel_chain_async_batch(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    chain = ChatPromptTemplate.from_template("Echo {x}") | make_model(emu) | StrOutputParser()
    results = await chain.abatch([{"x": "a"}, {"x": "b"}])
    assert results == [answer_text("Echo a"), answer_text("Echo b")]
    assert isinstance(AIMessage("x"), AIMessage)
