"""LlamaIndex cost handler: totals equal the sum of the ``usage.cost`` the server sent."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher

from llama_index_openrouter import OpenRouter
from llama_index_openrouter.callbacks import OpenRouterCostHandler, get_openrouter_callback
from llama_index_openrouter.embeddings import OpenRouterEmbedding
from openrouter_core.testing import Emulator, Reply
from tests.core.cost.conftest import TEST_KEY, decimal_sum, usage


def llm(emu: Emulator) -> OpenRouter:
    return OpenRouter(model="openai/gpt-4o-mini", api_key=TEST_KEY, api_base=emu.base_url,
                      max_retries=0)


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


def weather(city: str) -> str:
    """Report the weather in a city."""
    return f"Sunny in {city}"


def test_chat_complete_and_streams(emu: Emulator) -> None:
    emu.enqueue(Reply.text("a", usage=usage(0.0012, 100, 20, cached=40, cache_write=10)),
                Reply.text("b", usage=usage(3e-7, 7, 3, reasoning=2)),
                Reply.text("c", usage=usage(6e-7)),
                Reply.text("d", model="anthropic/claude-4.5-haiku-20251001",
                           usage=usage(9e-7)))
    model = llm(emu)
    with get_openrouter_callback() as costs:
        model.chat(user("one"))
        list(model.stream_chat(user("two")))
        model.complete("three")

        async def more() -> None:
            async for _ in await model.astream_complete("four"):
                pass

        asyncio.run(more())
    assert costs.total_cost == decimal_sum(0.0012, 3e-7, 6e-7, 9e-7)
    assert costs.requests == 4
    assert (costs.total.cached_tokens, costs.total.cache_write_tokens,
            costs.total.reasoning_tokens) == (40, 10, 2)
    assert "anthropic/claude-4.5-haiku-20251001" in costs.by_model


async def test_function_agent_run(emu: Emulator) -> None:
    emu.enqueue(Reply.tool_calls(("weather", {"city": "Paris"}), usage=usage(0.0011)),
                Reply.text("It is sunny in Paris.", usage=usage(0.0023, 30, 8)))
    agent = FunctionAgent(tools=[weather], llm=llm(emu))
    with get_openrouter_callback() as costs:
        response = await agent.run("Weather in Paris?")
    assert "sunny" in str(response).lower()
    assert costs.requests == 2 == len(emu.chat_requests)
    assert costs.total_cost == decimal_sum(0.0011, 0.0023)


def test_failed_stream_and_embeddings(emu: Emulator) -> None:
    emu.enqueue(Reply.fault("error_after", 2, usage=usage(0.0005)))
    embed = OpenRouterEmbedding(api_key=TEST_KEY, api_base=emu.base_url, batch_size=2)
    with get_openrouter_callback() as outer:
        with pytest.raises(Exception, match="Token limit"):
            list(llm(emu).stream_chat(user("x")))
        with get_openrouter_callback() as inner:
            embed.get_text_embedding_batch(["a", "b", "c"])
    assert inner.requests == 2 and inner.total.embedding_requests == 2
    assert outer.requests == 3 and outer.total.failed_requests == 1
    assert outer.total_cost == pytest.approx(0.0005 + inner.total_cost)
    assert "3 requests" in str(outer)


def test_process_wide_handler(emu: Emulator) -> None:
    handler = OpenRouterCostHandler()
    get_dispatcher().add_event_handler(handler)
    try:
        emu.enqueue(Reply.text("a", usage=usage(0.5)))
        llm(emu).chat(user("hi"))
    finally:
        get_dispatcher().event_handlers.remove(handler)
    assert handler.total_cost == 0.5 and handler.requests == 1
    assert handler.prompt_tokens == 10 and handler.completion_tokens == 5
