"""Cost tracking: ``get_openrouter_callback()`` sums what OpenRouter reports as ``usage.cost``.

Like ``langchain_community``'s ``get_openai_callback`` but with OpenRouter's numbers rather
than a price table::

    from langchain_openrouter import ChatOpenRouter, get_openrouter_callback

    with get_openrouter_callback() as cb:
        agent.invoke({"messages": [("user", "What's the weather in Paris?")]})
    print(cb.total_cost, cb.requests, cb.by_model)

Every ``ChatOpenRouter`` call inside the block is counted — ``invoke``, ``stream``, async
forms, calls made by agents and tools — and so is every ``OpenRouterEmbeddings`` request. A
stream that fails after OpenRouter reported usage (a mid-stream error chunk) is counted too
(``failed_requests``). Tokens are counted by kind (prompt, completion, cached, cache write,
reasoning); ``cost`` is the exact decimal sum of the reported costs, per served model in
``by_model``. The handler is found through a context variable, so it is scoped to the ``with``
block in this thread or task (and the tasks it starts); concurrent blocks count separately.

A budget: ``get_openrouter_callback(max_cost=0.50)`` raises
:class:`~openrouter_core.errors.BudgetExceededError` before the next ``ChatOpenRouter`` or
``OpenRouterEmbeddings`` request once the reported cost has reached 0.50 USD; nothing more is
sent. In an agent, :class:`~langchain_openrouter.middleware.OpenRouterBudgetMiddleware` ends the
run cleanly instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from openrouter_core.cost import CostEstimate, estimate_request
from openrouter_core.decode import Usage, decode_usage
from openrouter_core.totals import UsageTotals

__all__ = ["OpenBlocks", "OpenRouterCallbackHandler", "check_budget", "estimate_cost",
           "get_openrouter_callback", "record_embedding_usage"]

PROVIDER = "openrouter"


def message_usage(message: AIMessage) -> Usage | None:
    """The core ``Usage`` of a ChatOpenRouter message: the wire's usage object, which
    :func:`~langchain_openrouter.responses.response_metadata` keeps, decoded by the core."""
    raw = (message.response_metadata or {}).get("usage")
    return decode_usage(raw) if isinstance(raw, dict) else None


def _is_openrouter(message: AIMessage) -> bool:
    provider = (message.response_metadata or {}).get("model_provider")
    # Aggregated stream chunks may repeat the provider name; a prefix match tolerates it.
    return isinstance(provider, str) and provider.startswith(PROVIDER)


class OpenRouterCallbackHandler(UsageTotals, BaseCallbackHandler):
    """Counts requests, tokens by kind and reported cost of ChatOpenRouter and
    OpenRouterEmbeddings calls (see the module docs). Attributes: ``total_cost``,
    ``requests``, ``prompt_tokens``, ``completion_tokens``, ``total_tokens``,
    ``cached_tokens``, ``cache_write_tokens``, ``reasoning_tokens``, ``total`` (a
    :class:`~openrouter_core.totals.Tally`) and ``by_model``.
    """

    raise_error = False
    run_inline = True  # record in the caller's thread and context, in call order

    def __init__(self, max_cost: Decimal | float | str | None = None) -> None:
        # The budget is checked by ChatOpenRouter itself before each request: an exception
        # raised from a callback would also be logged by LangChain as a callback failure.
        UsageTotals.__init__(self, max_cost)
        BaseCallbackHandler.__init__(self)

    def on_llm_end(self, response: LLMResult, **_kwargs: Any) -> None:
        """Count one chat call (the first generation per prompt: ``n`` > 1 shares usage)."""
        for generations in response.generations:
            generation = generations[0] if generations else None
            if not isinstance(generation, ChatGeneration):
                continue
            message = generation.message
            if isinstance(message, AIMessage) and _is_openrouter(message):
                model = message.response_metadata.get("model_name")
                self.record(model if isinstance(model, str) else None, message_usage(message))

    def on_llm_error(self, error: BaseException, **_kwargs: Any) -> None:
        """Count a call that failed after OpenRouter reported usage (``error.partial``)."""
        partial = getattr(error, "partial", None)
        usage = getattr(partial, "usage", None)
        if isinstance(usage, Usage):
            self.record(getattr(partial, "model", None), usage, failed=True)


class OpenBlocks(BaseCallbackHandler):
    """The handlers of every open ``get_openrouter_callback`` block, outermost first: the one
    handler LangChain's configure hook attaches to a run, passing each result to all of them,
    so that nested blocks each count and each budget holds (as in the LlamaIndex adapter)."""

    raise_error = False
    run_inline = True

    def __init__(self, handlers: tuple[OpenRouterCallbackHandler, ...]) -> None:
        super().__init__()
        self.handlers = handlers

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Each open block counts the call."""
        for handler in self.handlers:
            handler.on_llm_end(response, **kwargs)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        """Each open block counts a failed call's reported usage."""
        for handler in self.handlers:
            handler.on_llm_error(error, **kwargs)

    def check_budget(self) -> None:
        """Raise ``BudgetExceededError`` if any open block's budget is reached."""
        for handler in self.handlers:
            handler.check_budget()


_current: ContextVar[OpenBlocks | None] = ContextVar("openrouter_callback", default=None)
# Every callback manager configured while the variable is set gets the open blocks (and passes
# them on to child runs): agents, chains and tools included.
register_configure_hook(_current, inheritable=True)


@contextmanager
def get_openrouter_callback(
        max_cost: Decimal | float | str | None = None) -> Iterator[OpenRouterCallbackHandler]:
    """Track OpenRouter usage and cost inside the ``with`` block (see the module docs).

    Blocks nest: a call inside two blocks is counted by both, and stopped by either budget.

    Args:
        max_cost: A budget in USD of reported cost; once reached, the next request raises
            ``BudgetExceededError`` instead of being sent. ``None``: no budget.
    """
    handler = OpenRouterCallbackHandler(max_cost)
    outer = _current.get()
    token = _current.set(OpenBlocks((*outer.handlers, handler) if outer else (handler,)))
    try:
        yield handler
    finally:
        _current.reset(token)


def check_budget() -> None:
    """Raise ``BudgetExceededError`` if an open block's budget is reached. Embeddings have no
    LangChain callbacks, and langchain-core streams some calls without their run's callbacks,
    so :class:`~langchain_openrouter.OpenRouterEmbeddings` and ``ChatOpenRouter`` call this."""
    blocks = _current.get()
    if blocks is not None:
        blocks.check_budget()


def record_embedding_usage(model: str | None, usage: Usage | None) -> None:
    """Report one embeddings request to every open block (embeddings have no LangChain
    callbacks, so :class:`~langchain_openrouter.OpenRouterEmbeddings` calls this)."""
    blocks = _current.get()
    for handler in blocks.handlers if blocks is not None else ():
        handler.record(model, usage, embedding=True)


def estimate_cost(model: str | BaseChatModel, messages_or_tokens: Sequence[BaseMessage] | str | int,
                  *, completion_tokens: int = 0, tools: Sequence[Any] | None = None,
                  cached_tokens: int = 0, cache_write_tokens: int = 0) -> CostEstimate:
    """What a request would cost, from the model catalog's prices, before sending it.

    Args:
        model: A model id, or a ``ChatOpenRouter`` (its model and endpoint are used).
        messages_or_tokens: The messages you would send (counted as
            ``get_num_tokens_from_messages`` does), a prompt string, or a prompt token count.
        completion_tokens: The output you expect, e.g. your ``max_tokens``.
        tools: Tools you would bind (their definitions count as prompt tokens).
        cached_tokens: Prompt tokens you expect to be read from the provider's cache.
        cache_write_tokens: Prompt tokens you expect to be written to it.

    Returns a :class:`~openrouter_core.cost.CostEstimate` (``total`` and each part in ``Decimal``
    USD). Raises ``InputError`` when the catalog does not know the model or its prices.
    """
    from langchain_openrouter.chat_models import ChatOpenRouter
    from langchain_openrouter.messages import convert_messages
    from langchain_openrouter.tools import format_tools

    endpoint = None
    if isinstance(model, ChatOpenRouter):
        endpoint, model = model._connection().endpoint(), model.model_name
    elif not isinstance(model, str):
        raise TypeError(f"estimate_cost needs a model id or a ChatOpenRouter, got "
                        f"{type(model).__name__}")
    prompt: Sequence[Mapping[str, Any]] | str | int = (
        messages_or_tokens if isinstance(messages_or_tokens, (str, int))
        else convert_messages(list(messages_or_tokens)))
    return estimate_request(model, prompt, completion_tokens=completion_tokens,
                            tools=format_tools(list(tools)) if tools else None,
                            cached_tokens=cached_tokens, cache_write_tokens=cache_write_tokens,
                            endpoint=endpoint)
