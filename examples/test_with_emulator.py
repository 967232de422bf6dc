"""Testing your own app offline with the emulator's pytest fixture.

    python -m pytest examples/test_with_emulator.py

Installing this package registers the ``openrouter_emulator`` fixture: a real HTTP server on
127.0.0.1 that speaks OpenRouter's wire format, reset before every test.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter, OpenRouterRateLimitError
from openrouter_core.testing import Emulator, Reply


# --8<-- [start:app]
# The code under test: it builds its model from the environment, as most apps do.
@tool
def lookup_order(order_id: str) -> str:
    """Status of an order."""
    return f"Order {order_id} shipped yesterday."


def support_bot(question: str) -> str:
    """Answer a customer, calling ``lookup_order`` when the model asks for it."""
    model = ChatOpenRouter(model="openai/gpt-4o-mini", max_retries=1)
    bound = model.bind_tools([lookup_order])
    messages: list[Any] = [("user", question)]
    reply = bound.invoke(messages)
    while reply.tool_calls:
        messages.append(reply)
        messages.extend(lookup_order.invoke(call) for call in reply.tool_calls)
        reply = bound.invoke(messages)
    return reply.text
# --8<-- [end:app]


# --8<-- [start:fixture]
@pytest.fixture
def emulator(openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """Point every ChatOpenRouter the app creates at the emulator."""
    monkeypatch.setenv("OPENROUTER_API_BASE", openrouter_emulator.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-test")
    return openrouter_emulator
# --8<-- [end:fixture]


# --8<-- [start:tests]
def test_answers_from_the_tool(emulator: Emulator) -> None:
    emulator.enqueue(
        Reply.tool_calls(("lookup_order", {"order_id": "A-17"})),
        Reply.text("Good news: order A-17 shipped yesterday."),
    )
    assert support_bot("Where is order A-17?") == "Good news: order A-17 shipped yesterday."

    first, second = emulator.chat_requests  # what went over the wire
    assert first.json["tools"][0]["function"]["name"] == "lookup_order"
    assert second.json["messages"][-1] == {
        "role": "tool", "tool_call_id": second.json["messages"][-2]["tool_calls"][0]["id"],
        "content": "Order A-17 shipped yesterday."}


def test_rate_limit_is_retried(emulator: Emulator) -> None:
    emulator.enqueue(Reply.error(429, "Rate limit exceeded", headers={"Retry-After": "0"}),
                     Reply.text("Hello!"))
    assert support_bot("Hi") == "Hello!"
    assert len(emulator.chat_requests) == 2


def test_persistent_rate_limit_surfaces_a_typed_error(emulator: Emulator) -> None:
    emulator.enqueue(*[Reply.error(429, "Rate limit exceeded", headers={"Retry-After": "0"})] * 2)
    with pytest.raises(OpenRouterRateLimitError) as caught:
        support_bot("Hi")
    assert caught.value.status_code == 429


@pytest.mark.usefixtures("emulator")
def test_unscripted_requests_get_automatic_answers() -> None:
    # Nothing queued: the auto responder calls the tool, then quotes its result.
    assert support_bot("Where is order B-2?").startswith("The tool returned: Order")
# --8<-- [end:tests]
