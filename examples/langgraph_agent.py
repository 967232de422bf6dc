"""A LangGraph agent with two tools and memory, its answer streamed token by token.

    python examples/langgraph_agent.py [model]

Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator with canned
replies (see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from langchain_openrouter import ChatOpenRouter


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Light rain and 14°C in {city}"


@tool
def local_time(city: str) -> str:
    """Local time in a city."""
    return f"It is 18:40 in {city}"


def chat(model_name: str = "openai/gpt-4o-mini") -> None:
    """Two turns with one agent; tokens and tool activity are printed as they arrive."""
    model = ChatOpenRouter(model=model_name, temperature=0)
    agent = create_agent(model, tools=[get_weather, local_time],
                         system_prompt="You are a concise travel assistant.",
                         checkpointer=InMemorySaver())  # remembers the thread between turns
    config = {"configurable": {"thread_id": "trip-1"}}

    for question in ("What's the weather and the local time in Lisbon?",
                     "Should I take a jacket for dinner?"):
        print(f"\nuser: {question}\nagent: ", end="", flush=True)
        for message, _metadata in agent.stream({"messages": [("user", question)]}, config,
                                               stream_mode="messages"):
            if isinstance(message, AIMessageChunk):
                for call in message.tool_call_chunks:
                    if call.get("name"):
                        print(f"[calls {call['name']}] ", end="", flush=True)
                print(message.text, end="", flush=True)
            elif isinstance(message, ToolMessage):
                print(f"[{message.name} says: {message.text}] ", end="", flush=True)
        print()
# --8<-- [end:example]


CANNED = (
    Reply.tool_calls(("get_weather", {"city": "Lisbon"}), ("local_time", {"city": "Lisbon"})),
    Reply.text("It's raining lightly in Lisbon at 14°C, and the local time is 18:40."),
    Reply.text("Yes: with light rain and 14°C this evening, a light waterproof jacket is "
               "a good idea."),
)

if __name__ == "__main__":
    sys.exit(run_example(lambda: chat(*sys.argv[1:2]), *CANNED))
