"""Running totals of what OpenRouter reported, for both frameworks' cost callbacks.

:class:`UsageTotals` sums requests, tokens by kind, the exact reported cost (``Decimal``) and
the server tools' share of it, overall and per served model, thread-safely, with an optional
budget (``max_cost``) that adapters check before each request. The account look-ups
(``/key``, ``/generation``) are in :mod:`openrouter_core.account`.

Work spread over processes (Ray workers, ``multiprocessing``) adds up the same way: a
``UsageTotals`` pickles, and :meth:`UsageTotals.merge` adds other processes' totals into one;
:func:`sum_costs` adds a column of reported costs (``response_metadata["cost"]``,
``additional_kwargs["cost"]``) exactly. Both read each float as the shortest decimal that
round-trips, which is the number OpenRouter wrote on the wire, so the sum is the server's own
sum and not a float approximation of it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Self

from openrouter_core import errors
from openrouter_core.decode import Usage


def exact_cost(value: float | int | str | Decimal) -> Decimal:
    """One reported cost in USD as the exact decimal OpenRouter wrote.

    A float is read through its shortest round-tripping text (``repr``): JSON numbers decoded
    to floats, and floats stored in Arrow or NumPy columns (``numpy.float64`` included), come
    back as the digits the server sent. Raises ``InputError`` for anything else, or for a
    value that is not a finite number.
    """
    if isinstance(value, bool):
        raise errors.InputError(f"a cost must be a number of USD, got {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        # float.__repr__, not repr(): numpy 2 spells repr(np.float64(0.1)) "np.float64(0.1)".
        number = Decimal(float.__repr__(value))
    elif isinstance(value, (int, str)):
        try:
            number = Decimal(value)
        except ArithmeticError:
            number = Decimal("NaN")
    else:
        raise errors.InputError(f"a cost must be a number of USD, got {type(value).__name__}")
    if not number.is_finite():
        raise errors.InputError(f"a cost must be a finite number of USD, got {value!r}")
    return number


def sum_costs(costs: Iterable[Any]) -> Decimal:
    """The exact sum (USD) of reported costs, e.g. a ``cost`` column gathered from workers.

    Each value is read by :func:`exact_cost`. ``None`` and NaN mean "no cost reported" (a
    column of floats with gaps holds NaN there) and add nothing; JSON has no NaN, so no real
    cost is ever skipped.
    """
    total = Decimal(0)
    for cost in costs:
        if cost is None or (isinstance(cost, float) and math.isnan(cost)):
            continue
        total += exact_cost(cost)
    return total


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
            self.cost += exact_cost(usage.cost)
        fee = usage.server_tool_cost
        if fee is not None:
            self.server_tool_cost += exact_cost(fee)
        for name, count in (usage.server_tool_use or {}).items():
            if isinstance(count, int) and not isinstance(count, bool):
                self.server_tool_use[name] = self.server_tool_use.get(name, 0) + count

    def merge(self, other: Tally) -> None:
        """Add every counter of ``other`` (a tally kept elsewhere, e.g. by another worker)."""
        for counter in fields(self):  # every field, so that a new counter cannot be missed
            name = counter.name
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, dict):
                for key, count in theirs.items():
                    mine[key] = mine.get(key, 0) + count
            else:
                setattr(self, name, mine + theirs)


def parse_budget(value: Decimal | float | str) -> Decimal:
    """A ``max_cost`` in USD as an exact decimal; an error naming it unless finite and > 0."""
    message = f"max_cost must be a positive number of USD, got {value!r}"
    try:
        limit = exact_cost(value)  # read as a reported cost is (a float by its repr)
    except errors.InputError:
        raise errors.InputError(message) from None
    if limit <= 0:
        raise errors.InputError(message)
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

    def merge(self, *others: UsageTotals) -> Self:
        """Add the totals of ``others`` (overall and per model) into these; returns ``self``.

        The way to one total across processes: each Ray actor, task or ``multiprocessing``
        worker keeps its own totals and returns them (they pickle), and the driver adds them
        up, ``UsageTotals().merge(*ray.get(parts))``. Costs stay exact decimals. The budget
        (``max_cost``) of ``self`` is kept; those of ``others`` are ignored.
        """
        for other in others:
            if other is self:
                raise errors.InputError("UsageTotals.merge: cannot add totals to themselves")
            total, by_model = other._snapshot()
            with self._lock:
                self.total.merge(total)
                for name, tally in by_model.items():
                    self.by_model.setdefault(name, Tally()).merge(tally)
        return self

    def _snapshot(self) -> tuple[Tally, dict[str, Tally]]:
        """Copies of the overall and per-model tallies, taken under the lock."""
        with self._lock:
            total = Tally()
            total.merge(self.total)
            by_model = {name: Tally() for name in self.by_model}
            for name, tally in self.by_model.items():
                by_model[name].merge(tally)
        return total, by_model

    def __getstate__(self) -> dict[str, Any]:
        """Picklable (for Ray and ``multiprocessing``): a copy of the counters, no lock."""
        state = {k: v for k, v in self.__dict__.items() if k != "_lock"}
        state["total"], state["by_model"] = self._snapshot()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the counters with a lock of this process's own."""
        self.__dict__.update(state)
        self._lock = threading.Lock()

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
