"""Quickstart: a streamed answer, a tool-using agent turn, and what it cost.

    python examples/quickstart.py [model]

With ``OPENROUTER_API_KEY`` set it talks to OpenRouter. Without it, it starts the bundled
offline emulator (a real HTTP server on 127.0.0.1 with canned replies) and says so, so the same
code runs on a machine with no key and no network.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter
from openrouter_core import errors

DEFAULT_MODEL = "openai/gpt-4o-mini"


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny and 22°C in {city}"


@contextmanager
def openrouter_settings() -> Iterator[dict[str, Any]]:
    """Live settings when a key is set; otherwise an in-process emulator with canned replies."""
    if os.environ.get("OPENROUTER_API_KEY"):
        print("Using OpenRouter live (OPENROUTER_API_KEY is set).")
        yield {}
        return
    from openrouter_core.testing import Emulator, Reply

    with Emulator() as emulator:
        print(f"No OPENROUTER_API_KEY set: using the offline emulator at {emulator.base_url} "
              "(canned replies).")
        emulator.enqueue(
            Reply.text("OpenRouter routes one API to hundreds of models, picking providers "
                       "by price, speed and availability, with fallbacks when one fails."),
            Reply.tool_calls(("get_weather", {"city": "Paris"})),
            Reply.text("It is sunny and 22°C in Paris right now."),
        )
        yield {"base_url": emulator.base_url, "api_key": "sk-or-v1-offline-emulator"}


def cost_of(message: AIMessage) -> float:
    """OpenRouter's charged cost for one reply (USD), from its response metadata."""
    return float(message.response_metadata.get("cost") or 0.0)


def run(model_name: str) -> None:
    """Stream one answer, run one agent turn with a tool, print the cost."""
    with openrouter_settings() as settings:
        model = ChatOpenRouter(model=model_name, **settings)

        print(f"\n1) Streaming from {model_name}:\n")
        total = 0.0
        full = None
        for chunk in model.stream("In one sentence, what does OpenRouter do?"):
            print(chunk.text, end="", flush=True)
            full = chunk if full is None else full + chunk
        assert full is not None
        total += cost_of(full)
        served = full.response_metadata.get("model_name")
        print(f"\n   (served by {full.response_metadata.get('provider')}, model {served})")

        print("\n2) An agent turn with a tool:\n")
        agent = create_agent(model, tools=[get_weather])
        state = agent.invoke({"messages": [("user", "What's the weather in Paris?")]})
        for message in state["messages"]:
            if isinstance(message, AIMessage):
                total += cost_of(message)
                for call in message.tool_calls:
                    print(f"   tool call: {call['name']}({call['args']})")
        print(f"   answer: {state['messages'][-1].text}")

        print(f"\n3) Cost reported by OpenRouter for these calls: ${total:.6f}")


def explain(exc: errors.OpenRouterError) -> str:
    """One line a new user can act on."""
    if isinstance(exc, errors.AuthenticationError):
        return "OpenRouter rejected the API key (401): check OPENROUTER_API_KEY."
    if isinstance(exc, errors.PaymentRequiredError):
        return "Not enough OpenRouter credits (402): add credits or try a ':free' model."
    if isinstance(exc, (errors.NotFoundError, errors.BadRequestError)) and "model" in str(exc):
        return f"Unknown model: {exc.error_message}. Pick one from openrouter.ai/models."
    if isinstance(exc, errors.RateLimitError):
        return "Rate limited by OpenRouter or the provider (429): wait a moment and retry."
    if isinstance(exc, errors.APIConnectionError):
        return "Could not reach OpenRouter: check your network or OPENROUTER_API_BASE."
    return f"OpenRouter error: {exc}"


def main() -> int:
    """Entry point: returns a process exit code."""
    model_name = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OPENROUTER_MODEL",
                                                                       DEFAULT_MODEL)
    try:
        run(model_name)
    except errors.OpenRouterError as exc:
        print(f"\nError: {explain(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
