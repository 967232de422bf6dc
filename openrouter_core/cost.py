"""What a request will cost, from catalog prices, before it is sent.

:func:`estimate` prices a planned request with the model's catalog prices (``Decimal`` USD, no
float rounding): prompt and completion tokens, cache reads and writes, input images and the
per-request fee, each only where the catalog lists a price. It is an estimate: the cost
OpenRouter reports in each response (``usage.cost``) is the real one.

The reported costs are summed by :class:`~openrouter_core.totals.UsageTotals`, which also holds
the budget of ``get_openrouter_callback(max_cost=...)`` in both adapters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openrouter_core.catalog import ModelInfo, lookup_cached
from openrouter_core.errors import InputError
from openrouter_core.tokens import count_messages, tokenizer_for
from openrouter_core.transport import Endpoint

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """A priced request, USD per part; ``total`` is their sum."""

    model: str
    prompt_tokens: int
    completion_tokens: int
    prompt: Decimal = ZERO
    completion: Decimal = ZERO
    cache_read: Decimal = ZERO
    cache_write: Decimal = ZERO
    images: Decimal = ZERO
    request: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """The whole estimate."""
        return (self.prompt + self.completion + self.cache_read + self.cache_write
                + self.images + self.request)


def _price(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO


def estimate(info: ModelInfo, prompt_tokens: int, completion_tokens: int = 0, *,
             cached_tokens: int = 0, cache_write_tokens: int = 0,
             images: int = 0) -> CostEstimate:
    """Price a request for ``info``'s model. ``cached_tokens`` and ``cache_write_tokens`` are
    the parts of ``prompt_tokens`` read from or written to the provider's cache, priced at the
    cache rates where the catalog has them (else at the prompt rate).

    Raises :class:`~openrouter_core.errors.InputError` when the catalog has no prompt or
    completion price for the model (router entries such as ``openrouter/auto`` price "varies").
    """
    pricing = info.pricing
    if pricing.prompt is None or pricing.completion is None:
        raise InputError(f"the catalog has no token prices for {info.id} (router models are "
                         "priced per served model); estimate with the model you route to")
    for name, count in (("prompt_tokens", prompt_tokens), ("completion_tokens", completion_tokens),
                        ("cached_tokens", cached_tokens),
                        ("cache_write_tokens", cache_write_tokens), ("images", images)):
        if count < 0:
            raise InputError(f"{name} must be 0 or more, got {count}")
    if cached_tokens + cache_write_tokens > prompt_tokens:
        raise InputError("cached_tokens + cache_write_tokens cannot exceed prompt_tokens "
                         f"({cached_tokens} + {cache_write_tokens} > {prompt_tokens})")
    plain = prompt_tokens - cached_tokens - cache_write_tokens
    read_rate = pricing.cache_read if pricing.cache_read is not None else pricing.prompt
    write_rate = pricing.cache_write if pricing.cache_write is not None else pricing.prompt
    return CostEstimate(
        model=info.id, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
        prompt=pricing.prompt * plain, completion=pricing.completion * completion_tokens,
        cache_read=read_rate * cached_tokens, cache_write=write_rate * cache_write_tokens,
        images=_price(pricing.image) * images, request=_price(pricing.request))


def model_info(model: str, endpoint: Endpoint | None = None) -> ModelInfo:
    """The catalog entry for ``model`` (no network), or an error naming the model."""
    info = lookup_cached(model, endpoint)
    if info is None:
        raise InputError(f"{model} is not in the model catalog, so its prices are unknown; "
                         "check the id, or refresh the catalog (openrouter_core.catalog)")
    return info


def estimate_request(model: str, messages: Sequence[Mapping[str, Any]] | str | int, *,
                     completion_tokens: int = 0, tools: Sequence[Mapping[str, Any]] | None = None,
                     cached_tokens: int = 0, cache_write_tokens: int = 0,
                     endpoint: Endpoint | None = None) -> CostEstimate:
    """Price a request to ``model`` from its catalog entry, before sending it.

    ``messages`` is OpenRouter-shaped messages (counted with :mod:`openrouter_core.tokens`;
    images count as the prompt tokens of their tiles, which is how OpenAI-shaped APIs bill
    them, so the catalog's ``pricing.image`` is not added on top), a prompt string, or a
    prompt token count. ``completion_tokens`` is the output you expect (e.g. your
    ``max_tokens``). Raises ``InputError`` naming the model when it has no catalog prices.
    """
    info = model_info(model, endpoint)
    if isinstance(messages, bool):
        raise InputError("messages_or_tokens must be messages, a prompt string or a token count")
    if isinstance(messages, int):
        prompt_tokens = messages
    elif isinstance(messages, str):
        prompt_tokens = count_messages([{"role": "user", "content": messages}],
                                       tokenizer_for(model), tools)
    else:
        prompt_tokens = count_messages(messages, tokenizer_for(model), tools)
    return estimate(info, prompt_tokens, completion_tokens, cached_tokens=cached_tokens,
                    cache_write_tokens=cache_write_tokens)
