"""A cost report for an agent run: requests, tokens and USD per model, as OpenRouter billed.

    python examples/cost_report.py

Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator, which prices
tokens at a fixed fake rate (see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.callbacks import get_openrouter_callback


@tool
def exchange_rate(base: str, quote: str) -> float:
    """Exchange rate from one currency to another."""
    return 0.86 if (base, quote) == ("USD", "EUR") else 1.0


def report() -> None:
    """Run an agent and a summary call inside one tracking block, then print the bill."""
    planner = ChatOpenRouter(model="openai/gpt-4o-mini")
    writer = ChatOpenRouter(model="anthropic/claude-haiku-4.5")
    agent = create_agent(planner, tools=[exchange_rate])

    with get_openrouter_callback() as usage:  # counts every OpenRouter call in the block
        state = agent.invoke({"messages": [("user", "How many euros is 250 US dollars?")]})
        answer = state["messages"][-1].text
        summary = writer.invoke(f"Rewrite as a friendly one-liner: {answer}")

    print(f"Answer: {summary.text}")
    print(f"\n{usage.requests} requests, {usage.prompt_tokens} prompt + "
          f"{usage.completion_tokens} completion tokens, ${usage.total_cost:.6f} in total")
    for model, tally in usage.by_model.items():
        print(f"  {model:<32} {tally.requests} requests  ${float(tally.cost):.6f}")
# --8<-- [end:example]


CANNED = (
    Reply.tool_calls(("exchange_rate", {"base": "USD", "quote": "EUR"})),
    Reply.text("250 US dollars is 215 euros at today's rate of 0.86."),
    Reply.text("Good news: your 250 dollars come to about 215 euros!", provider="Anthropic"),
)

if __name__ == "__main__":
    sys.exit(run_example(report, *CANNED))
