"""``get_openrouter_callback``: totals equal the sum of the ``usage.cost`` the server sent."""

from __future__ import annotations

import asyncio
import threading

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.callbacks import get_openrouter_callback, message_usage
from langchain_openrouter.embeddings import OpenRouterEmbeddings
from openrouter_core.testing import Emulator, Reply
from tests.core.cost.conftest import TEST_KEY, decimal_sum, usage


def chat(emu: Emulator, **kwargs: object) -> ChatOpenRouter:
    return ChatOpenRouter(model="openai/gpt-4o-mini", api_key=TEST_KEY, base_url=emu.base_url,
                          max_retries=0, **kwargs)  # type: ignore[arg-type]


@tool
def get_weather(city: str) -> str:
    """Report the weather in a city."""
    return f"Sunny in {city}"


def test_invoke_stream_and_async_are_counted(emu: Emulator) -> None:
    emu.enqueue(Reply.text("a", usage=usage(0.0012, 100, 20, cached=40, cache_write=10)),
                Reply.text("b", usage=usage(3e-7, 7, 3, reasoning=2)),
                Reply.text("c", model="anthropic/claude-4.5-haiku-20251001",
                           usage=usage(6e-7, 5, 5)))
    model = chat(emu)
    with get_openrouter_callback() as cb:
        model.invoke("one")
        list(model.stream("two"))
        asyncio.run(model.ainvoke("three"))
    assert cb.total_cost == decimal_sum(0.0012, 3e-7, 6e-7)
    assert cb.requests == 3 and cb.total.failed_requests == 0
    assert (cb.prompt_tokens, cb.completion_tokens) == (112, 28)
    assert (cb.cached_tokens, cb.cache_write_tokens, cb.reasoning_tokens) == (40, 10, 2)
    assert set(cb.by_model) == {"openai/gpt-4o-mini", "anthropic/claude-4.5-haiku-20251001"}
    assert cb.by_model["openai/gpt-4o-mini"].requests == 2


def test_agent_with_a_tool(emu: Emulator) -> None:
    emu.enqueue(Reply.tool_calls(("get_weather", {"city": "Paris"}), usage=usage(0.0011)),
                Reply.text("It is sunny in Paris.", usage=usage(0.0023, 30, 8)))
    agent = create_agent(chat(emu), tools=[get_weather])
    with get_openrouter_callback() as cb:
        result = agent.invoke({"messages": [("user", "Weather in Paris?")]})
    assert result["messages"][-1].content == "It is sunny in Paris."
    assert cb.requests == 2 == len(emu.chat_requests)
    assert cb.total_cost == decimal_sum(0.0011, 0.0023)


async def test_streaming_async_agent(emu: Emulator) -> None:
    emu.enqueue(Reply.tool_calls(("get_weather", {"city": "Oslo"}), usage=usage(2e-5)),
                Reply.text("Sunny.", usage=usage(4e-5)))
    agent = create_agent(chat(emu, streaming=True), tools=[get_weather])
    with get_openrouter_callback() as cb:
        async for _ in agent.astream({"messages": [("user", "Weather in Oslo?")]},
                                     stream_mode="messages"):
            pass
    assert cb.requests == 2 and cb.total_cost == decimal_sum(2e-5, 4e-5)


def test_failed_stream_counts_reported_usage(emu: Emulator) -> None:
    emu.enqueue(Reply.fault("error_after", 2, usage=usage(0.0005)),
                Reply.fault("reset_after", 2),
                Reply.text("fine", usage=usage(0.0001)))
    model = chat(emu)
    with get_openrouter_callback() as cb:
        with pytest.raises(Exception, match="Token limit"):
            list(model.stream("x"))
        with pytest.raises(Exception):  # noqa: B017 - no usage was reported: not counted
            list(model.stream("y"))
        model.invoke("z")
    assert cb.total_cost == decimal_sum(0.0005, 0.0001)
    assert cb.requests == 2 and cb.total.failed_requests == 1


def test_embeddings_are_counted(emu: Emulator) -> None:
    emu.enqueue(Reply.json({"object": "list", "data": [{"index": 0, "embedding": [1.0]}],
                            "usage": {"prompt_tokens": 3, "total_tokens": 3, "cost": 2e-8}}),
                route="embeddings")
    embeddings = OpenRouterEmbeddings(api_key=TEST_KEY, base_url=emu.base_url, batch_size=1)
    with get_openrouter_callback() as cb:
        embeddings.embed_documents(["a", "b"])  # second batch: the emulator's auto reply
        chat(emu).invoke("hi")
    auto_cost = 1e-6  # one token at the emulator's prompt price
    assert cb.total.embedding_requests == 2 and cb.requests == 3
    assert float(cb.by_model["openai/text-embedding-3-small"].cost) == \
        pytest.approx(decimal_sum(2e-8, auto_cost))
    embeddings.embed_query("outside")  # no active block: nothing recorded, nothing raised


def test_blocks_are_scoped_per_thread(emu: Emulator) -> None:
    emu.responder = lambda request: Reply.text("ok", usage=usage(0.25))
    model = chat(emu)
    costs: dict[str, float] = {}

    def run(name: str, calls: int) -> None:
        with get_openrouter_callback() as cb:
            for _ in range(calls):
                model.invoke(name)
        costs[name] = cb.total_cost

    threads = [threading.Thread(target=run, args=(name, n)) for name, n in (("a", 2), ("b", 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert costs == {"a": 0.5, "b": 0.75}
    with get_openrouter_callback() as outside:
        pass
    model.invoke("after")
    assert outside.requests == 0


def test_non_openrouter_messages_are_ignored() -> None:
    with get_openrouter_callback() as cb:
        other = AIMessage("x", response_metadata={"model_provider": "openai", "cost": 1.0})
        cb.on_llm_end(LLMResult(generations=[[ChatGeneration(message=other)]]))
    assert cb.requests == 0
    assert message_usage(AIMessage("x")) is None
