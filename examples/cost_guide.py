"""The topics of the cost tracking guide (docs/cost-tracking.md), runnable in one go.

    python examples/cost_guide.py

The guide shows them as whole programs (the ``--8<--`` markers are kept).
Live with ``OPENROUTER_API_KEY`` set;
otherwise against the offline emulator with canned replies, which prices tokens at a fixed
fake rate and answers ``/key`` and ``/generation`` (see ``_offline.py``).
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import parse_qs

from _offline import explain, openrouter

from openrouter_core import errors
from openrouter_core.testing import Reply
from openrouter_core.testing.endpoints import generation_record
from openrouter_core.testing.records import RecordedRequest


# --8<-- [start:tool]
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny and 22 °C in {city}."
# --8<-- [end:tool]


def langchain() -> None:
    """``get_openrouter_callback`` around a LangChain agent."""
    # --8<-- [start:langchain]
    from langchain.agents import create_agent

    from langchain_openrouter import ChatOpenRouter, get_openrouter_callback

    agent = create_agent(ChatOpenRouter(model="openai/gpt-4o-mini"), tools=[get_weather])
    with get_openrouter_callback() as cb:
        agent.invoke({"messages": [("user", "Weather in Paris?")]})

    print(f"${cb.total_cost:.6f} for {cb.requests} requests")  # e.g. $0.000143 for 2 requests
    print(cb.prompt_tokens, cb.completion_tokens, cb.cached_tokens, cb.reasoning_tokens)
    for model, tally in cb.by_model.items():  # per served model; tally.cost is a Decimal
        print(f"  {model}: {tally.requests} requests, ${tally.cost}")
    print(cb)  # one-line summary
    # --8<-- [end:langchain]


async def llama_index() -> None:
    """``get_openrouter_callback`` around a LlamaIndex agent."""
    # --8<-- [start:llama_index]
    from llama_index.core.agent.workflow import FunctionAgent

    from llama_index_openrouter import OpenRouter
    from llama_index_openrouter.callbacks import get_openrouter_callback

    agent = FunctionAgent(tools=[get_weather], llm=OpenRouter(model="openai/gpt-4o-mini"))
    with get_openrouter_callback() as costs:
        answer = await agent.run("Weather in Paris?")
    print(answer)
    print(f"${costs.total_cost:.6f} for {costs.requests} requests, by model: "
          f"{ {model: tally.requests for model, tally in costs.by_model.items()} }")
    # --8<-- [end:llama_index]


def process_wide() -> None:
    """A handler on LlamaIndex's root dispatcher counts every call in the process."""
    # --8<-- [start:process_wide]
    import llama_index.core.instrumentation as instrument

    from llama_index_openrouter import OpenRouter
    from llama_index_openrouter.callbacks import OpenRouterCostHandler

    costs = OpenRouterCostHandler()
    instrument.get_dispatcher().add_event_handler(costs)

    OpenRouter(model="openai/gpt-4o-mini").complete("Say OK.")  # anywhere in the process
    print(costs)
    # --8<-- [end:process_wide]


def budget() -> None:
    """The key's remaining credit, and the authoritative record of one call."""
    # --8<-- [start:budget]
    import os

    from pydantic import SecretStr

    from langchain_openrouter import ChatOpenRouter
    from openrouter_core.account import generation, key_info
    from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

    endpoint = Endpoint(base_url=os.environ.get("OPENROUTER_API_BASE", DEFAULT_BASE_URL),
                        api_key=SecretStr(os.environ["OPENROUTER_API_KEY"]))
    info = key_info(endpoint)  # GET /key
    if info.remaining is not None and info.remaining < 1.0:
        raise SystemExit("less than $1 left on this key")
    print(f"${info.usage} used, ${info.remaining} left (limit ${info.limit}, {info.limit_reset})")

    reply = ChatOpenRouter(model="openai/gpt-4o-mini").invoke("Say OK.")
    record = generation(endpoint, reply.response_metadata["id"])  # retries 404s for 10 s
    print(f"{record.id}: ${record.total_cost or 0:.6f} "
          f"({record.native_tokens_prompt} prompt tokens, {record.provider_name}, "
          f"{record.latency} ms)")
    # --8<-- [end:budget]


def before_the_call() -> None:
    """Cost before the call, from catalog prices, in both frameworks."""
    # --8<-- [start:estimate]
    from langchain_core.messages import HumanMessage, SystemMessage
    from llama_index.core.base.llms.types import ChatMessage

    from langchain_openrouter import estimate_cost
    from llama_index_openrouter import estimate_cost as estimate_llama_index

    messages = [SystemMessage("Answer in one paragraph."),
                HumanMessage("What does OpenRouter's provider routing do?")]
    guess = estimate_cost("openai/gpt-4o-mini", messages, completion_tokens=300)
    print(f"{guess.prompt_tokens} prompt tokens: ${guess.prompt} + up to ${guess.completion} "
          f"for 300 completion tokens = ${guess.total}")
    print("a 100k-token prompt on claude-sonnet-4:",
          f"${estimate_cost('anthropic/claude-sonnet-4', 100_000).total}")
    same = estimate_llama_index("openai/gpt-4o-mini", [
        ChatMessage(role="system", content="Answer in one paragraph."),
        ChatMessage(role="user", content="What does OpenRouter's provider routing do?")],
        completion_tokens=300)
    print("LlamaIndex agrees:", same.total == guess.total)
    # --8<-- [end:estimate]


def spending_limit() -> None:
    """A budget: an exception in a block, a clean stop in an agent."""
    # --8<-- [start:spending_limit]
    from langchain.agents import create_agent

    from langchain_openrouter import ChatOpenRouter, get_openrouter_callback
    from langchain_openrouter.middleware import OpenRouterBudgetMiddleware
    from openrouter_core.errors import BudgetExceededError

    model = ChatOpenRouter(model="openai/gpt-4o-mini")
    try:
        with get_openrouter_callback(max_cost=0.000001) as cb:
            for question in ("Say one.", "Say two.", "Say three."):
                model.invoke(question)
    except BudgetExceededError as stop:
        print(f"stopped after {stop.requests} requests: ${stop.spent} of ${stop.budget}")
    print(f"callback total: ${cb.total.cost}")

    agent = create_agent(model, tools=[get_weather],
                         middleware=[OpenRouterBudgetMiddleware(max_cost=0.000001)])
    state = agent.invoke({"messages": [("user", "Weather in Paris, Rome and Oslo?")]})
    print(state["messages"][-1].content)
    print("agent spent:", state["openrouter_cost"])
    # --8<-- [end:spending_limit]


def main() -> None:
    """Run every section in order (the process-wide handler last: it stays installed)."""
    print("\n== langchain ==")
    langchain()
    print("\n== llama_index ==")
    asyncio.run(llama_index())
    for section in (before_the_call, spending_limit, budget, process_wide):
        print(f"\n== {section.__name__} ==")
        section()


CANNED = (
    # langchain
    Reply.tool_calls(("get_weather", {"city": "Paris"})),
    Reply.text("It is sunny and 22 °C in Paris."),
    # llama_index
    Reply.tool_calls(("get_weather", {"city": "Paris"})),
    Reply.text("Paris: sunny, 22 °C."),
    # spending_limit: the block stops after the first reply, the agent after one tool turn
    Reply.text("One."),
    Reply.tool_calls(("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})),
    # budget
    Reply.text("OK."),
    # process_wide
    Reply.text("OK."),
)


def any_generation(request: RecordedRequest) -> Reply:
    """``GET /generation?id=...`` answered for any id (the emulator knows only added ones)."""
    wanted = parse_qs(request.query).get("id", [""])[0]
    return Reply.json({"data": generation_record(
        wanted, total_cost=0.000003, native_tokens_prompt=10, native_tokens_completion=2)})


def run() -> int:
    """Like ``_offline.run_example``, with the emulator's ``/generation`` answering."""
    try:
        with openrouter(*CANNED) as emulator:
            if emulator is not None:
                emulator.generation_responder = any_generation
            main()
    except errors.OpenRouterError as exc:
        print(f"\nError: {explain(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run())
