"""Cost before the call (catalog prices) and budgets over the cost the server reported."""

from __future__ import annotations

import base64
import struct
from decimal import Decimal

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from llama_index.core.base.llms.types import ChatMessage
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter, estimate_cost
from langchain_openrouter.callbacks import get_openrouter_callback
from langchain_openrouter.embeddings import OpenRouterEmbeddings
from langchain_openrouter.middleware import OpenRouterBudgetMiddleware
from llama_index_openrouter import (
    OpenRouter,
    OpenRouterEmbedding,
    estimate_cost as li_estimate_cost,
)
from llama_index_openrouter.callbacks import get_openrouter_callback as li_callback
from openrouter_core import catalog, errors
from openrouter_core.cost import estimate, estimate_request
from openrouter_core.testing import Emulator, Reply
from openrouter_core.tokens import count_messages, tokenizer_for

from .conftest import TEST_KEY, usage

MINI = "openai/gpt-4o-mini"  # snapshot: $0.15 / $0.60 per million, cache read $0.075
COSTS = (0.1, 0.2, 0.3, 0.4)
BUDGET = 0.5  # reached after the third reply: 0.1 + 0.2 + 0.3 = 0.6


def _snapshot_info(model: str = MINI) -> catalog.ModelInfo:
    info = catalog.lookup_cached(model)
    assert info is not None
    return info


def test_estimate_prices_each_part_exactly() -> None:
    found = estimate(_snapshot_info(), 1000, 500, cached_tokens=400)
    assert found.prompt == Decimal("0.00000015") * 600
    assert found.cache_read == Decimal("0.000000075") * 400
    assert found.completion == Decimal("0.0000006") * 500
    assert found.total == Decimal("0.00009") + Decimal("0.00003") + Decimal("0.0003")
    assert (found.images, found.request, found.cache_write) == (0, 0, 0)


def test_estimate_refuses_what_it_cannot_price() -> None:
    with pytest.raises(errors.InputError, match="openrouter/auto"):
        estimate(_snapshot_info("openrouter/auto"), 10)
    with pytest.raises(errors.InputError, match="someone/unknown-model is not in the model"):
        estimate_request("someone/unknown-model", 10)
    with pytest.raises(errors.InputError, match="completion_tokens must be 0 or more"):
        estimate(_snapshot_info(), 10, -1)
    with pytest.raises(errors.InputError, match="cannot exceed prompt_tokens"):
        estimate(_snapshot_info(), 10, cached_tokens=11)


def _png_url() -> str:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 64, 64)
    return "data:image/png;base64," + base64.b64encode(header + b"\x08\x02\x00\x00\x00").decode()


def test_langchain_estimate_counts_messages_tools_and_images() -> None:
    @tool
    def lookup(term: str) -> str:
        """Look a term up."""
        return term

    messages = [SystemMessage("Be brief."), HumanMessage("What is OpenRouter?")]
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY)
    tokens = model.get_num_tokens_from_messages(messages, tools=[lookup])
    found = estimate_cost(model, messages, completion_tokens=200, tools=[lookup])
    assert found.prompt_tokens == tokens
    assert found.total == estimate(_snapshot_info(), tokens, 200).total
    assert estimate_cost(MINI, 1234).total == estimate(_snapshot_info(), 1234).total
    # An image counts as the prompt tokens of its tiles (64x64: one tile, 85 + 170).
    text_only = estimate_cost(MINI, [HumanMessage("What is this?")])
    with_image = estimate_cost(MINI, [HumanMessage(content=[
        {"type": "text", "text": "What is this?"}, {"type": "image", "url": _png_url()}])])
    assert with_image.prompt_tokens - text_only.prompt_tokens == 255
    assert with_image.images == 0
    with pytest.raises(TypeError, match="model id or a ChatOpenRouter"):
        estimate_cost(object(), 10)  # type: ignore[arg-type]


def test_llama_index_estimate_matches_the_core() -> None:
    messages = [ChatMessage(role="system", content="Be brief."),
                ChatMessage(role="user", content="What is OpenRouter?")]
    wire = [{"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is OpenRouter?"}]
    tokens = count_messages(wire, tokenizer_for(MINI))
    llm = OpenRouter(model=MINI, api_key=TEST_KEY)
    assert li_estimate_cost(llm, messages, completion_tokens=50).total == estimate(
        _snapshot_info(), tokens, 50).total
    assert li_estimate_cost(MINI, "What is OpenRouter?").prompt_tokens == count_messages(
        [{"role": "user", "content": "What is OpenRouter?"}], tokenizer_for(MINI))


@pytest.mark.parametrize("bad", [0, -1, "abc", float("nan"), True])
def test_a_budget_must_be_a_positive_amount(bad: object) -> None:
    with (pytest.raises(errors.InputError, match="max_cost must be a positive number"),
          get_openrouter_callback(max_cost=bad)):  # type: ignore[arg-type]
        pass
    with pytest.raises(errors.InputError, match="max_cost"):
        OpenRouterBudgetMiddleware(max_cost=bad)  # type: ignore[arg-type]


def _enqueue_costs(emu: Emulator) -> None:
    emu.enqueue(*(Reply.text(f"reply {i}", usage=usage(c)) for i, c in enumerate(COSTS)))


def test_langchain_budget_stops_before_the_next_request(emu: Emulator) -> None:
    _enqueue_costs(emu)
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    embedder = OpenRouterEmbeddings(api_key=TEST_KEY, base_url=emu.base_url)
    with get_openrouter_callback(max_cost=BUDGET) as cb:
        model.invoke("one")
        list(model.stream("two"))
        model.invoke("three")
        with pytest.raises(errors.BudgetExceededError) as caught:
            model.invoke("four")
        with pytest.raises(errors.BudgetExceededError):
            embedder.embed_query("also blocked")
        with pytest.raises(errors.BudgetExceededError):
            list(model.stream("a stream is stopped too"))
    assert len(emu.chat_requests) == 3  # the fourth was never sent
    assert not [r for r in emu.requests if r.path.endswith("/embeddings")]
    assert caught.value.spent == Decimal("0.6") == cb.total.cost
    assert caught.value.budget == Decimal("0.5")
    assert caught.value.requests == 3
    assert "$0.6 spent of $0.5 over 3 requests" in str(caught.value)


@pytest.mark.parametrize("mode", ["values", "messages", "events"])
async def test_langchain_budget_holds_when_langchain_streams_for_a_handler(
        emu: Emulator, mode: str) -> None:
    # LangGraph's messages mode and astream_events stream invoke through langchain-core,
    # which does not hand the run's callbacks to _stream: the open block must still stop it.
    emu.enqueue(Reply.tool_calls(("search", {"query": "a"}), usage=usage(0.01)),
                Reply.text("done", usage=usage(0.01)))
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    agent = create_agent(model, tools=[search])
    with get_openrouter_callback(max_cost="0.005") as cb, \
            pytest.raises(errors.BudgetExceededError):
        request = {"messages": [HumanMessage("Research.")]}
        if mode == "events":
            async for _ in agent.astream_events(request, version="v2"):
                pass
        else:
            async for _ in agent.astream(request, stream_mode=mode):
                pass
    assert len(emu.chat_requests) == 1
    assert cb.total.cost == Decimal("0.01")


def test_langchain_blocks_nest_each_counting_and_each_budget_holding(emu: Emulator) -> None:
    emu.enqueue(*(Reply.text(f"r{i}", usage=usage(0.01)) for i in range(3)))
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    embedder = OpenRouterEmbeddings(api_key=TEST_KEY, base_url=emu.base_url)
    with get_openrouter_callback() as outer:
        model.invoke("a")
        with get_openrouter_callback() as inner:
            model.invoke("b")
            embedder.embed_query("c")
    assert (outer.requests, inner.requests) == (3, 2)
    assert outer.total.cost == inner.total.cost + Decimal("0.01")
    with get_openrouter_callback(max_cost="0.005") as budgeted:
        model.invoke("d")
        with get_openrouter_callback(), pytest.raises(errors.BudgetExceededError):
            model.invoke("e")  # the outer budget holds inside the inner block
    assert budgeted.requests == 1


async def test_langchain_budget_async(emu: Emulator) -> None:
    _enqueue_costs(emu)
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    with get_openrouter_callback(max_cost="0.3") as cb:
        await model.ainvoke("one")
        async for _ in model.astream("two"):
            pass
        with pytest.raises(errors.BudgetExceededError):
            await model.ainvoke("three")
        with pytest.raises(errors.BudgetExceededError):
            async for _ in model.astream("four"):
                pass
    assert len(emu.chat_requests) == 2
    assert cb.total.cost == Decimal("0.3")


@tool
def search(query: str) -> str:
    """Search the web."""
    return f"results for {query}"


def test_agent_middleware_ends_the_run_at_the_budget(emu: Emulator) -> None:
    # Every reply asks for another search: without a budget the agent would loop on.
    emu.enqueue(*(Reply.tool_calls(("search", {"query": f"q{i}"}), usage=usage(c))
                  for i, c in enumerate(COSTS)))
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    agent = create_agent(model, tools=[search],
                         middleware=[OpenRouterBudgetMiddleware(max_cost=BUDGET)])
    with get_openrouter_callback() as cb:
        state = agent.invoke({"messages": [HumanMessage("Research OpenRouter.")]})
    assert len(emu.chat_requests) == 3
    assert state["openrouter_cost"] == 0.6
    assert Decimal(repr(state["openrouter_cost"])) == cb.total.cost == Decimal("0.6")
    last = state["messages"][-1]
    assert last.name == "openrouter_budget"
    assert last.content == "Stopped: the OpenRouter budget of $0.5 is reached ($0.6 spent)."
    assert sum(1 for m in state["messages"] if m.type == "tool") == 3  # every call answered


class Person(BaseModel):
    """A person."""

    name: str
    age: int


def test_agent_middleware_counts_a_reply_answered_through_a_structured_output_tool(
        emu: Emulator) -> None:
    # With ToolStrategy the model node ends with the tool message of the structured answer:
    # the reply before it must still be counted.
    from langchain.agents.structured_output import ToolStrategy

    emu.enqueue(Reply.tool_calls(("search", {"query": "bob"}), usage=usage(0.01)),
                Reply.tool_calls(("Person", {"name": "Bob", "age": 42}), usage=usage(0.02)))
    model = ChatOpenRouter(model=MINI, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    agent = create_agent(model, tools=[search], response_format=ToolStrategy(Person),
                         middleware=[OpenRouterBudgetMiddleware(max_cost=1)])
    with get_openrouter_callback() as cb:
        state = agent.invoke({"messages": [HumanMessage("Who is Bob?")]})
    assert state["structured_response"] == Person(name="Bob", age=42)
    assert state["messages"][-1].type == "tool"
    assert Decimal(repr(state["openrouter_cost"])) == cb.total.cost == Decimal("0.03")


def test_llama_index_budget_stops_before_the_next_request(emu: Emulator) -> None:
    _enqueue_costs(emu)
    llm = OpenRouter(model=MINI, api_key=TEST_KEY, api_base=emu.base_url, max_retries=0)
    embedder = OpenRouterEmbedding(api_key=TEST_KEY, api_base=emu.base_url)
    with li_callback(max_cost=BUDGET) as costs:
        llm.complete("one")
        list(llm.stream_chat([ChatMessage(role="user", content="two")]))
        llm.chat([ChatMessage(role="user", content="three")])
        with pytest.raises(errors.BudgetExceededError) as caught:
            llm.complete("four")
        with pytest.raises(errors.BudgetExceededError):
            embedder.get_query_embedding("also blocked")
    assert len(emu.chat_requests) == 3
    assert not [r for r in emu.requests if r.path.endswith("/embeddings")]
    assert caught.value.spent == Decimal("0.6") == costs.total.cost
    # Outside the block there is no budget.
    llm.complete("five")
    assert len(emu.chat_requests) == 4
