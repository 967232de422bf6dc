"""Cost tracking for LlamaIndex: an instrumentation event handler summing OpenRouter's
reported ``usage.cost``.

Scoped to a block (thread- and task-local, nested blocks each count)::

    from llama_index_openrouter.callbacks import get_openrouter_callback

    with get_openrouter_callback() as costs:
        response = await agent.run("What's the weather in Paris?")
    print(costs.total_cost, costs.requests, costs.by_model)

or process-wide, like any LlamaIndex event handler::

    import llama_index.core.instrumentation as instrument
    costs = OpenRouterCostHandler()
    instrument.get_dispatcher().add_event_handler(costs)

Counted: every ``OpenRouter`` LLM call (chat, complete, streams, tool calls, structured
output) through its end event, whose response carries the usage and ``cost`` in
``additional_kwargs``; every ``OpenRouterEmbedding`` request through
:class:`~llama_index_openrouter.embeddings.OpenRouterEmbeddingUsageEvent`; and streams that
failed after OpenRouter reported usage (the error's ``partial.usage``) as failed requests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler, NullEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.exception import ExceptionEvent
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMCompletionEndEvent
from pydantic import PrivateAttr

from llama_index_openrouter.embeddings import OpenRouterEmbeddingUsageEvent
from openrouter_core.cost import CostEstimate, estimate_request
from openrouter_core.decode import Usage, decode_usage
from openrouter_core.totals import Tally, UsageTotals

if TYPE_CHECKING:
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.tools import BaseTool

    from llama_index_openrouter.base import OpenRouter

__all__ = ["OpenRouterCostHandler", "check_budget", "estimate_cost", "event_usage",
           "get_openrouter_callback"]


def response_usage(kwargs: Mapping[str, Any]) -> Usage | None:
    """The usage of an OpenRouter response: the wire's usage object that
    :func:`~llama_index_openrouter.responses.usage_kwargs` keeps under ``"usage"``, decoded by
    the core (``None`` for other responses)."""
    raw = kwargs.get("usage")
    return decode_usage(raw) if isinstance(raw, dict) else None


def event_usage(event: BaseEvent) -> tuple[str | None, Usage, bool, bool] | None:
    """``(model, usage, failed, embedding)`` for an event that reports OpenRouter usage."""
    if isinstance(event, OpenRouterEmbeddingUsageEvent):
        return event.model, event.usage(), False, True
    if isinstance(event, (LLMChatEndEvent, LLMCompletionEndEvent)):
        response = event.response
        if response is None:
            return None
        usage = response_usage(response.additional_kwargs)
        model = response.additional_kwargs.get("model")
        return None if usage is None else (model if isinstance(model, str) else None,
                                           usage, False, False)
    if isinstance(event, ExceptionEvent):
        partial = getattr(event.exception, "partial", None)
        usage = getattr(partial, "usage", None)
        if isinstance(usage, Usage):
            return getattr(partial, "model", None), usage, True, False
    return None


class OpenRouterCostHandler(BaseEventHandler):
    """Counts requests, tokens by kind and reported cost (see the module docs)."""

    _totals: UsageTotals = PrivateAttr(default_factory=UsageTotals)

    def __init__(self, max_cost: Decimal | float | str | None = None, **data: Any) -> None:
        super().__init__(**data)
        self._totals = UsageTotals(max_cost)

    @classmethod
    def class_name(cls) -> str:
        """Handler name."""
        return "OpenRouterCostHandler"

    def check_budget(self) -> None:
        """Raise ``BudgetExceededError`` once the reported cost has reached ``max_cost``."""
        self._totals.check_budget()

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:  # noqa: ARG002 - LlamaIndex's signature
        """Record ``event`` if it reports OpenRouter usage."""
        found = event_usage(event)
        if found is not None:
            model, usage, failed, embedding = found
            self._totals.record(model, usage, failed=failed, embedding=embedding)

    @property
    def totals(self) -> UsageTotals:
        """The running totals (thread-safe)."""
        return self._totals

    @property
    def total(self) -> Tally:
        """Every counter, overall."""
        return self._totals.total

    @property
    def by_model(self) -> dict[str, Tally]:
        """Counters per served model (embeddings under the requested slug)."""
        return self._totals.by_model

    @property
    def total_cost(self) -> float:
        """USD: the sum of every reported ``usage.cost``."""
        return self._totals.total_cost

    @property
    def requests(self) -> int:
        """Requests counted."""
        return self._totals.requests

    @property
    def prompt_tokens(self) -> int:
        """Prompt tokens (embeddings included)."""
        return self._totals.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        """Completion tokens."""
        return self._totals.completion_tokens

    def __repr__(self) -> str:
        return repr(self._totals)

    def __str__(self) -> str:
        return repr(self._totals)


_active: ContextVar[tuple[OpenRouterCostHandler, ...]] = ContextVar(
    "openrouter_cost_handlers", default=())


class _ContextRouter(BaseEventHandler):
    """Installed once on the root dispatcher: forwards events to the blocks active in the
    emitting thread or task."""

    @classmethod
    def class_name(cls) -> str:
        """Handler name."""
        return "OpenRouterCostRouter"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:  # noqa: ARG002 - LlamaIndex's signature
        """Forward ``event`` to the active handlers."""
        for handler in _active.get():
            handler.handle(event)


def idle(handler: BaseEventHandler) -> bool:
    """Whether ``handler`` would do nothing with an event: LlamaIndex's ``NullEventHandler``
    (the root dispatcher's default), or this module's router while no
    ``get_openrouter_callback`` block is active in this thread or task."""
    kind = type(handler)  # exact types: a subclass may handle events
    return kind is NullEventHandler or (kind is _ContextRouter and not _active.get())


_installed = False
_install_lock = threading.Lock()


def _install_router() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            get_dispatcher().add_event_handler(_ContextRouter())
            _installed = True


@contextmanager
def get_openrouter_callback(
        max_cost: Decimal | float | str | None = None) -> Iterator[OpenRouterCostHandler]:
    """Count OpenRouter usage and cost of LlamaIndex calls made inside the ``with`` block.

    Args:
        max_cost: A budget in USD of reported cost; once reached, the next ``OpenRouter`` or
            ``OpenRouterEmbedding`` request raises ``BudgetExceededError`` instead of being
            sent. ``None``: no budget.
    """
    _install_router()
    handler = OpenRouterCostHandler(max_cost)
    token = _active.set((*_active.get(), handler))
    try:
        yield handler
    finally:
        _active.reset(token)


def check_budget() -> None:
    """Raise ``BudgetExceededError`` if a budget of an active block is reached; the adapter's
    LLM and embedding classes call this before sending each request (LlamaIndex's event
    dispatcher swallows exceptions, so the check cannot live in an event handler)."""
    for handler in _active.get():
        handler.check_budget()


def estimate_cost(model: str | OpenRouter, messages_or_tokens: Sequence[ChatMessage] | str | int,
                  *, completion_tokens: int = 0, tools: Sequence[BaseTool] | None = None,
                  cached_tokens: int = 0, cache_write_tokens: int = 0) -> CostEstimate:
    """What a request would cost, from the model catalog's prices, before sending it.

    Args:
        model: A model id, or an ``OpenRouter`` LLM (its model and endpoint are used).
        messages_or_tokens: ``ChatMessage`` objects, a prompt string, or a prompt token count.
        completion_tokens: The output you expect, e.g. your ``max_tokens``.
        tools: Tools you would pass (their definitions count as prompt tokens).
        cached_tokens: Prompt tokens you expect to be read from the provider's cache.
        cache_write_tokens: Prompt tokens you expect to be written to it.

    Returns a :class:`~openrouter_core.cost.CostEstimate` (``total`` and each part in ``Decimal``
    USD). Raises ``InputError`` when the catalog does not know the model or its prices.
    """
    from llama_index_openrouter.messages import to_openrouter_messages
    from llama_index_openrouter.tools import tool_spec

    endpoint = None
    if not isinstance(model, str):
        endpoint, model = model.endpoint(), model.model
    prompt: Sequence[Mapping[str, Any]] | str | int = (
        messages_or_tokens if isinstance(messages_or_tokens, (str, int))
        else to_openrouter_messages(list(messages_or_tokens)))
    return estimate_request(model, prompt, completion_tokens=completion_tokens,
                            tools=[tool_spec(t) for t in tools] if tools else None,
                            cached_tokens=cached_tokens, cache_write_tokens=cache_write_tokens,
                            endpoint=endpoint)
