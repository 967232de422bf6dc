"""Running totals of what OpenRouter reported, for both frameworks' cost callbacks.

:class:`UsageTotals` sums requests, tokens by kind, the exact reported cost (``Decimal``) and
the server tools' share of it, overall and per served model, thread-safely, with an optional
budget (``max_cost``) that adapters check before each request. The account look-ups
(``/key``, ``/generation``) are in :mod:`openrouter_core.account`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal

from openrouter_core import errors
from openrouter_core.decode import Usage


@dataclass(slots=True)
class Tally:
    """Requests, tokens by kind and cost (exact ``Decimal`` sum of reported ``usage.cost``)."""

    requests: int = 0
    failed_requests: int = 0
    embedding_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost: Decimal = Decimal(0)
    server_tool_cost: Decimal = Decimal(0)
    """The part of ``cost`` that server tools added (see ``Usage.server_tool_cost``)."""
    server_tool_use: dict[str, int] = field(default_factory=dict)
    """Summed ``server_tool_use_details`` counters (``web_search_requests``, …)."""

    def add(self, usage: Usage | None, *, failed: bool = False, embedding: bool = False) -> None:
        """Count one request and its usage (``None``: a request without reported usage)."""
        self.requests += 1
        self.failed_requests += failed
        self.embedding_requests += embedding
        if usage is None:
            return
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.total_tokens += usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
        self.cached_tokens += usage.cached_tokens or 0
        self.cache_write_tokens += usage.cache_write_tokens or 0
        self.reasoning_tokens += usage.reasoning_tokens or 0
        if usage.cost is not None:
            # repr() of the float is the shortest text that round-trips: the server's number.
            self.cost += Decimal(repr(usage.cost))
        fee = usage.server_tool_cost
        if fee is not None:
            self.server_tool_cost += Decimal(repr(fee))
        for name, count in (usage.server_tool_use or {}).items():
            if isinstance(count, int) and not isinstance(count, bool):
                self.server_tool_use[name] = self.server_tool_use.get(name, 0) + count


def parse_budget(value: Decimal | float | str) -> Decimal:
    """A ``max_cost`` in USD as an exact decimal; an error naming it unless finite and > 0."""
    try:
        limit = Decimal(repr(value) if isinstance(value, float) else str(value))
    except ArithmeticError:
        limit = Decimal("NaN")
    if isinstance(value, bool) or not limit.is_finite() or limit <= 0:
        raise errors.InputError(f"max_cost must be a positive number of USD, got {value!r}")
    return limit


class UsageTotals:
    """Thread-safe running totals, overall and per model (the served model name), with an
    optional budget: ``max_cost`` USD of reported cost, checked by :meth:`check_budget`."""

    def __init__(self, max_cost: Decimal | float | str | None = None) -> None:
        self._lock = threading.Lock()
        self.total = Tally()
        self.by_model: dict[str, Tally] = {}
        self.max_cost: Decimal | None = None if max_cost is None else parse_budget(max_cost)

    def check_budget(self) -> None:
        """Raise :class:`~openrouter_core.errors.BudgetExceededError` when the reported cost
        has reached ``max_cost``; adapters call it before sending each request."""
        if self.max_cost is None:
            return
        with self._lock:
            spent, requests = self.total.cost, self.total.requests
        if spent >= self.max_cost:
            raise errors.BudgetExceededError(spent, self.max_cost, requests)

    def record(self, model: str | None, usage: Usage | None, *, failed: bool = False,
               embedding: bool = False) -> None:
        """Add one request's usage under ``model`` (``"unknown"`` when not reported)."""
        with self._lock:
            self.total.add(usage, failed=failed, embedding=embedding)
            tally = self.by_model.setdefault(model or "unknown", Tally())
            tally.add(usage, failed=failed, embedding=embedding)

    @property
    def total_cost(self) -> float:
        """USD: the sum of every ``usage.cost`` OpenRouter reported."""
        return float(self.total.cost)

    @property
    def requests(self) -> int:
        """Requests counted (chat, streams, embeddings; failed ones that reported usage)."""
        return self.total.requests

    @property
    def prompt_tokens(self) -> int:
        """Prompt (input) tokens, embeddings included."""
        return self.total.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        """Completion (output) tokens, reasoning included."""
        return self.total.completion_tokens

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.total.total_tokens

    @property
    def cached_tokens(self) -> int:
        """Prompt tokens read from the provider's cache."""
        return self.total.cached_tokens

    @property
    def cache_write_tokens(self) -> int:
        """Prompt tokens written to the provider's cache."""
        return self.total.cache_write_tokens

    @property
    def reasoning_tokens(self) -> int:
        """Completion tokens spent on reasoning."""
        return self.total.reasoning_tokens

    @property
    def server_tool_cost(self) -> float:
        """USD of ``total_cost`` that server tools added (web search, image generation, …)."""
        return float(self.total.server_tool_cost)

    @property
    def server_tool_use(self) -> dict[str, int]:
        """Summed server-tool counters, e.g. ``{"web_search_requests": 3}``."""
        with self._lock:
            return dict(self.total.server_tool_use)

    def __repr__(self) -> str:
        t = self.total
        return (f"OpenRouter usage: {t.requests} requests ({t.failed_requests} failed, "
                f"{t.embedding_requests} embeddings), {t.prompt_tokens} prompt + "
                f"{t.completion_tokens} completion tokens ({t.cached_tokens} cached, "
                f"{t.cache_write_tokens} cache writes, {t.reasoning_tokens} reasoning), "
                f"cost ${t.cost}" + (f" (server tools ${t.server_tool_cost})"
                                     if t.server_tool_use else ""))
