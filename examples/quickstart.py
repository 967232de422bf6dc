"""Quickstart: a streamed answer, a tool-using agent turn, and what it cost.

    python examples/quickstart.py [model]

With ``OPENROUTER_API_KEY`` set it talks to OpenRouter. Without it, it starts the bundled
offline emulator (a real HTTP server on 127.0.0.1 with canned replies) and says so, so the same
code runs on a machine with no key and no network.
"""

from __future__ import annotations

import os
import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter, get_openrouter_callback

MODEL = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OPENROUTER_MODEL",
                                                             "openai/gpt-4o-mini")


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny and 22°C in {city}"


def main() -> None:
    """Stream one answer, run one agent turn with a tool, print what OpenRouter charged."""
    model = ChatOpenRouter(model=MODEL)
    with get_openrouter_callback() as usage:
        print(f"\n1) Streaming from {MODEL}:\n")
        full: AIMessageChunk | None = None
        for chunk in model.stream("In one sentence, what does OpenRouter do?"):
            print(chunk.text, end="", flush=True)  # shown as it arrives
            full = chunk if full is None else full + chunk
        assert full is not None
        meta = full.response_metadata
        print(f"\n   (served by {meta.get('provider')}, model {meta.get('model_name')})")

        print("\n2) An agent turn with a tool:\n")
        agent = create_agent(model, tools=[get_weather])
        state = agent.invoke({"messages": [("user", "What's the weather in Paris?")]})
        for message in state["messages"]:
            for call in getattr(message, "tool_calls", None) or []:
                print(f"   tool call: {call['name']}({call['args']})")
        print(f"   answer: {state['messages'][-1].text}")

    print(f"\n3) Cost reported by OpenRouter for {usage.requests} calls: "
          f"${float(usage.total_cost):.6f}")


if __name__ == "__main__":
    sys.exit(run_example(
        main,
        Reply.text("OpenRouter routes one API to hundreds of models, picking providers by "
                   "price, speed and availability, with fallbacks when one fails."),
        Reply.tool_calls(("get_weather", {"city": "Paris"})),
        Reply.text("It is sunny and 22°C in Paris right now."),
    ))
