"""LangChain v1 agent middleware: end an agent run cleanly when its OpenRouter spend hits a budget.

``get_openrouter_callback(max_cost=...)`` stops with an exception; an agent usually wants to
stop with an answer instead. This middleware adds the cost OpenRouter reports on every model
reply to the agent state (``openrouter_cost``, USD) and, before the next model call, ends the
run once the total has reached ``max_cost``, with a closing message saying what was spent::

    from langchain.agents import create_agent
    from langchain_openrouter import ChatOpenRouter
    from langchain_openrouter.middleware import OpenRouterBudgetMiddleware

    agent = create_agent(ChatOpenRouter(model="openai/gpt-4o-mini"), tools=[...],
                         middleware=[OpenRouterBudgetMiddleware(max_cost=0.05)])
    state = agent.invoke({"messages": [("user", "Research this for me")]})
    print(state["openrouter_cost"])

The total lives in the graph state, so with a checkpointer it spans every run of a thread.
Needs the ``langchain`` package (the ``[agents]`` extra).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NotRequired

from langchain.agents.middleware.types import AgentMiddleware, AgentState, hook_config
from langchain_core.messages import AIMessage, ToolMessage

from openrouter_core.totals import parse_budget

if TYPE_CHECKING:
    from langgraph.runtime import Runtime

__all__ = ["OpenRouterBudgetMiddleware", "OpenRouterBudgetState"]


class OpenRouterBudgetState(AgentState[Any]):
    """Agent state with the OpenRouter spend so far."""

    openrouter_cost: NotRequired[float]
    """USD of cost OpenRouter reported for this thread's model calls."""


def _reported_cost(message: object) -> Decimal:
    meta = getattr(message, "response_metadata", None) or {}
    cost = meta.get("cost") if isinstance(meta, dict) else None
    if isinstance(cost, bool) or not isinstance(cost, (int, float)):
        return Decimal(0)
    # repr() is the shortest text that round-trips: the server's own number, summed exactly.
    return Decimal(repr(cost))


def _last_reply(messages: list[Any]) -> AIMessage | None:
    # The model call's reply: the last message, or, when the agent answered in a structured
    # form through a tool (``ToolStrategy``), the reply before the tool messages it added.
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            return message
        if not isinstance(message, ToolMessage):
            return None
    return None


class OpenRouterBudgetMiddleware(AgentMiddleware[OpenRouterBudgetState, Any]):
    """Ends the agent run before a model call once reported spend reaches ``max_cost`` USD."""

    state_schema = OpenRouterBudgetState

    def __init__(self, max_cost: Decimal | float | str) -> None:
        super().__init__()
        self.max_cost = parse_budget(max_cost)  # the same check as get_openrouter_callback's

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: OpenRouterBudgetState,
                     runtime: Runtime[Any]) -> dict[str, Any] | None:  # noqa: ARG002
        """Jump to the end, with a message naming the spend, when the budget is reached."""
        spent = Decimal(repr(state.get("openrouter_cost", 0.0)))
        if spent < self.max_cost:
            return None
        note = (f"Stopped: the OpenRouter budget of ${self.max_cost} is reached "
                f"(${spent} spent).")
        return {"jump_to": "end", "messages": [AIMessage(note, name="openrouter_budget")]}

    @hook_config(can_jump_to=["end"])
    async def abefore_model(self, state: OpenRouterBudgetState,
                            runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`before_model`."""
        return self.before_model(state, runtime)

    def after_model(self, state: OpenRouterBudgetState,
                    runtime: Runtime[Any]) -> dict[str, Any] | None:  # noqa: ARG002
        """Add the cost the last model reply reported to ``openrouter_cost``."""
        reply = _last_reply(state.get("messages") or [])
        if reply is None:
            return None
        spent = Decimal(repr(state.get("openrouter_cost", 0.0))) + _reported_cost(reply)
        return {"openrouter_cost": float(spent)}

    async def aafter_model(self, state: OpenRouterBudgetState,
                           runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`after_model`."""
        return self.after_model(state, runtime)
