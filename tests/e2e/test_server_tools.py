"""Server tools end to end, in both frameworks, against the emulator.

``openrouter:image_generation`` and ``openrouter:web_search`` go out next to function tools,
are checked before anything is sent, are never run locally by an agent, and what comes back
(images linked in the text, citations, server-tool usage and fee) reaches the user and the cost
callbacks.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ImageBlock
from llama_index.core.tools import FunctionTool

from langchain_openrouter import ChatOpenRouter, server_tools as lc_tools
from langchain_openrouter.callbacks import get_openrouter_callback as lc_costs
from llama_index_openrouter import OpenRouter, OpenRouterServerTool, server_tools as li_tools
from llama_index_openrouter.callbacks import get_openrouter_callback as li_costs
from openrouter_core.errors import InputError
from openrouter_core.testing import Emulator, RecordedRequest, Reply

KEY = "sk-or-v1-e2e-test-key-0000000000"
IMAGE_URL = "https://images.openrouter.ai/emulator/cat.png"
ran: list[str] = []


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    ran.append(city)
    return f"Sunny in {city}"


def weather(city: str) -> str:
    """Report the weather in a city."""
    ran.append(city)
    return f"Sunny in {city}"


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    ran.clear()
    return openrouter_emulator


def chat(emu: Emulator, **kwargs: object) -> ChatOpenRouter:
    return ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY, base_url=emu.base_url,
                          max_retries=0, **kwargs)  # type: ignore[arg-type]


def llm(emu: Emulator) -> OpenRouter:
    return OpenRouter(model="openai/gpt-4o-mini", api_key=KEY, api_base=emu.base_url,
                      max_retries=0)


def tool_types(request: RecordedRequest) -> list[str]:
    return [t["type"] if t["type"] != "function" else t["function"]["name"]
            for t in request.json["tools"]]


def weather_then_image(request: RecordedRequest) -> Reply:
    """Turn 1 calls the function tool; after its result the model draws (server side)."""
    if request.messages[-1]["role"] == "tool":
        return Reply.image_generation("Sunny in Paris. Here is a picture:", [IMAGE_URL])
    return Reply.tool_calls(("get_weather", {"city": "Paris"}, "call_w"))


# --- LangChain --------------------------------------------------------------------------------

@pytest.mark.parametrize("streaming", [False, True])
def test_langchain_bind_tools_mixes_server_and_function_tools(emu: Emulator,
                                                              streaming: bool) -> None:
    emu.enqueue(Reply.image_generation("A cat:", [IMAGE_URL]))
    model = chat(emu, streaming=streaming).bind_tools([
        get_weather, lc_tools.image_generation(quality="high", aspect_ratio="1:1"),
        {"type": "openrouter:web_search", "parameters": {"max_results": 2}}])
    with lc_costs() as costs:
        message = model.invoke("Draw a cat")
    assert isinstance(message, AIMessage)
    sent = emu.chat_requests[0].json["tools"]
    assert sent[1:] == [
        {"type": "openrouter:image_generation",
         "parameters": {"quality": "high", "aspect_ratio": "1:1"}},
        {"type": "openrouter:web_search", "parameters": {"max_results": 2}}]
    assert lc_tools.generated_images(message) == [{"type": "image", "url": IMAGE_URL}]
    meta = message.response_metadata
    assert meta["server_tool_use"] == {"tool_calls_requested": 1, "tool_calls_executed": 1}
    assert meta["server_tool_cost"] == 0.04
    assert costs.server_tool_cost == 0.04
    assert costs.server_tool_use == {"tool_calls_requested": 1, "tool_calls_executed": 1}
    assert Decimal(repr(costs.total_cost)) > Decimal("0.04")  # the model's tokens on top


def test_langchain_bad_server_tool_fails_before_sending(emu: Emulator) -> None:
    with pytest.raises(InputError, match="'quality' must be one of 'auto', 'low', 'medium', "
                       "'high', got 'ultra'"):
        chat(emu).bind_tools([{"type": "openrouter:image_generation",
                               "parameters": {"quality": "ultra"}}])
    with pytest.raises(InputError, match="did you mean 'quality'"):
        lc_tools.image_generation(quallity="high")
    assert emu.requests == []


@pytest.mark.parametrize("streamed", [False, True])
def test_langchain_agent_runs_function_tools_and_leaves_server_tools_to_openrouter(
        emu: Emulator, streamed: bool) -> None:
    emu.responder = weather_then_image
    agent = create_agent(chat(emu), tools=[get_weather, lc_tools.image_generation(),
                                           lc_tools.web_search(max_results=3)])
    question = {"messages": [("user", "Weather in Paris, and draw it")]}
    with lc_costs() as costs:
        if streamed:
            events = list(agent.stream(question, stream_mode=["messages", "values"]))
            state = [data for mode, data in events if mode == "values"][-1]
        else:
            state = agent.invoke(question)
    assert ran == ["Paris"]  # the function tool ran locally, once
    first, second = emu.chat_requests
    assert tool_types(first) == tool_types(second) == [
        "get_weather", "openrouter:image_generation", "openrouter:web_search"]
    last = state["messages"][-1]
    assert lc_tools.generated_images(last) == [{"type": "image", "url": IMAGE_URL}]
    assert costs.requests == 2 and costs.server_tool_cost == 0.04


async def test_langchain_web_search_citations_and_search_count(emu: Emulator) -> None:
    emu.enqueue(Reply.web_search("Paris is sunny [1].", [
        ("https://weather.example/paris", "Paris weather", "Sunny, 21 C")], searches=2))
    with lc_costs() as costs:
        chunks = [c async for c in chat(emu).bind_tools([lc_tools.web_search()]).astream("x")]
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    [citation] = [a for b in full.content_blocks if b["type"] == "text"
                  for a in b.get("annotations", [])]
    assert (citation["url"], citation["title"], citation["cited_text"]) == (
        "https://weather.example/paris", "Paris weather", "Sunny, 21 C")
    assert costs.server_tool_use["web_search_requests"] == 2
    assert costs.server_tool_cost == 0.014


# --- LlamaIndex -------------------------------------------------------------------------------

async def test_llama_index_chat_with_tools_mixes_server_and_function_tools(
        emu: Emulator) -> None:
    emu.enqueue(Reply.image_generation("A cat:", [IMAGE_URL]),
                Reply.image_generation("A cat:", [IMAGE_URL]))
    model = llm(emu)
    tools = [FunctionTool.from_defaults(weather), li_tools.image_generation(quality="low"),
             {"type": "openrouter:datetime", "parameters": {"timezone": "UTC"}}]
    with li_costs() as costs:
        response = model.chat_with_tools(tools, user_msg="Draw a cat")  # type: ignore[arg-type]
        streamed = [r async for r in await model.astream_chat_with_tools(
            tools, user_msg="Draw a cat")]  # type: ignore[arg-type]
    for request in emu.chat_requests:
        assert request.json["tools"][1:] == [
            {"type": "openrouter:image_generation", "parameters": {"quality": "low"}},
            {"type": "openrouter:datetime", "parameters": {"timezone": "UTC"}}]
    for reply in (response, streamed[-1]):
        [image] = li_tools.generated_images(reply)
        assert isinstance(image, ImageBlock) and str(image.url) == IMAGE_URL
        assert reply.additional_kwargs["server_tool_cost"] == 0.04
        assert model.get_tool_calls_from_response(reply, error_on_no_tool_call=False) == []
    assert costs.totals.server_tool_cost == 0.08
    assert costs.totals.server_tool_use == {"tool_calls_requested": 2,
                                            "tool_calls_executed": 2}


def test_llama_index_bad_server_tool_fails_before_sending(emu: Emulator) -> None:
    with pytest.raises(InputError, match="output_compression applies only to lossy"):
        li_tools.image_generation(output_compression=80)
    with pytest.raises(InputError, match="'quality' must be one of"):
        llm(emu).chat_with_tools([{"type": "openrouter:image_generation",  # type: ignore[list-item]
                                   "parameters": {"quality": "ultra"}}], user_msg="x")
    assert emu.requests == []


def test_server_tool_is_never_called_locally() -> None:
    server_tool = li_tools.web_search()
    assert isinstance(server_tool, OpenRouterServerTool)
    assert server_tool.metadata.name == "openrouter:web_search"
    with pytest.raises(InputError, match="OpenRouter server tool: OpenRouter runs it"):
        server_tool(query="x")


@pytest.mark.parametrize("workflow", [False, True])
async def test_llama_index_agents_use_server_tools_next_to_function_tools(
        emu: Emulator, workflow: bool) -> None:
    emu.responder = weather_then_image
    tools = [FunctionTool.from_defaults(weather, name="get_weather"),
             li_tools.image_generation()]
    agent = FunctionAgent(tools=tools, llm=llm(emu), system_prompt="You are helpful.")
    runner = AgentWorkflow(agents=[agent]) if workflow else agent
    with li_costs() as costs:
        result = await runner.run(user_msg="Weather in Paris, and draw it")
    assert ran == ["Paris"]
    first, second = emu.chat_requests[:2]
    assert "openrouter:image_generation" in tool_types(first)
    assert tool_types(first) == tool_types(second)
    message: ChatMessage = result.response
    assert [str(i.url) for i in li_tools.generated_images(message)] == [IMAGE_URL]
    assert costs.totals.server_tool_cost == 0.04
