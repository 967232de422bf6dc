"""What a :class:`ModelInfo` means for a request or a framework: pure functions.

* :func:`native_structured_output` — native JSON schema or the tool route, for both adapters;
* :func:`unsupported_parameters` / :func:`warn_unsupported_once` — request parameters the model
  does not list in ``supported_parameters`` (warned about once per model and parameter, never
  silently dropped: the request still carries them);
* :func:`filter_models` — pick models by capability, modality, price and context.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from openrouter_core.catalog.models import ModelInfo
from openrouter_core.spelling import caller_stacklevel

logger = logging.getLogger("openrouter_core.catalog")

JSONDict = dict[str, Any]

# Body keys that OpenRouter lists in ``supported_parameters`` (others are routing or plumbing).
_CHECKED = frozenset({
    "temperature", "top_p", "top_k", "min_p", "top_a", "frequency_penalty", "presence_penalty",
    "repetition_penalty", "seed", "stop", "max_tokens", "logit_bias", "logprobs", "top_logprobs",
    "tools", "tool_choice", "parallel_tool_calls", "reasoning", "reasoning_effort",
    "include_reasoning", "verbosity", "web_search_options", "response_format",
    "structured_outputs",
})
# A body key that is accepted when the model lists any of these instead.
_ALIASES: dict[str, tuple[str, ...]] = {
    "max_completion_tokens": ("max_tokens",),
    "max_tokens": ("max_tokens", "max_completion_tokens"),
    "reasoning": ("reasoning", "include_reasoning", "reasoning_effort"),
    "reasoning_effort": ("reasoning", "reasoning_effort"),
    "include_reasoning": ("include_reasoning", "reasoning"),
    "parallel_tool_calls": ("tools",),
}


def native_structured_output(info: ModelInfo | None) -> bool:
    """Whether structured output should use the model's native JSON schema.

    Only when the catalog lists ``structured_outputs`` for the model. An unknown model gets the
    tool-calling route instead: a forced tool works on every tool-calling model, while a
    ``json_schema`` response format sent to a model without it can be ignored upstream and come
    back as free text. Both adapters decide with this one function.
    """
    return info is not None and info.supports_structured_output


def _needed(key: str, value: Any) -> tuple[str, ...] | None:
    """The supported_parameters entries that allow ``key=value``; ``None``: not checked."""
    if key == "response_format" and isinstance(value, Mapping):
        if value.get("type") == "json_schema":
            return ("structured_outputs",)
        if value.get("type") == "text":
            return None
        return ("response_format", "structured_outputs")
    if key in _ALIASES:
        return _ALIASES[key]
    return (key,) if key in _CHECKED else None


def unsupported_parameters(info: ModelInfo, body: Mapping[str, Any]) -> list[str]:
    """Request parameters in ``body`` that ``info`` does not list as supported.

    Only model parameters are checked (sampling, tools, reasoning, response format...), never
    routing keys (``provider``, ``models``, ``plugins``...). ``None`` values count as unset.
    A model with no ``supported_parameters`` at all is unknown: nothing is reported.
    """
    if not info.supported_parameters:
        return []
    problems = []
    for key, value in body.items():
        if value is None:
            continue
        needed = _needed(key, value)
        if needed is not None and not info.supported_parameters.intersection(needed):
            problems.append(key)
    return problems


class UnsupportedParameterWarning(UserWarning):
    """A request parameter the chosen model does not support (it is still sent)."""


_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def warn_unsupported_once(model: str, parameters: Iterable[str], *,
                          stacklevel: int | None = None) -> list[str]:
    """Warn (``warnings`` and the ``openrouter_core.catalog`` logger) about each parameter
    once per process and model; returns the parameters warned about now. The warning points
    at ``stacklevel``, by default at the first line outside this package, its adapters and
    their frameworks (the user's call)."""
    if not parameters:  # the common case, on every request: no lock to take
        return []
    with _warned_lock:
        fresh = [p for p in parameters if (model, p) not in _warned]
        _warned.update((model, p) for p in fresh)
    if fresh:
        message = (f"{model} does not list {', '.join(fresh)} among its supported parameters; "
                   "OpenRouter may ignore them or route to a provider that accepts them "
                   "(set provider={'require_parameters': True} to enforce)")
        logger.warning(message)
        warnings.warn(message, UnsupportedParameterWarning,
                      stacklevel=caller_stacklevel() if stacklevel is None else stacklevel)
    return fresh


def warned(model: str, parameter: str) -> bool:
    """Whether :func:`warn_unsupported_once` has warned about ``parameter`` for ``model`` (and
    not forgotten it since)."""
    return (model, parameter) in _warned


def reset_warnings() -> None:
    """Forget which (model, parameter) pairs were warned about (for tests)."""
    with _warned_lock:
        _warned.clear()


def _price_ok(price: Decimal | None, limit: Decimal | float | str | None) -> bool:
    return limit is None or (price is not None and price <= Decimal(str(limit)))


def filter_models(
    models: Iterable[ModelInfo],
    *,
    supports: str | Iterable[str] | None = None,
    input_modality: str | Iterable[str] | None = None,
    output_modality: str | Iterable[str] | None = None,
    max_prompt_price: Decimal | float | str | None = None,
    max_completion_price: Decimal | float | str | None = None,
    min_context: int | None = None,
    free: bool | None = None,
) -> list[ModelInfo]:
    """The models meeting every given condition, cheapest prompt price first.

    Prices are USD per token, like the catalog's (``max_prompt_price="0.000001"`` is $1/M).
    """
    needed = {supports} if isinstance(supports, str) else set(supports or ())
    ins = {input_modality} if isinstance(input_modality, str) else set(input_modality or ())
    outs = {output_modality} if isinstance(output_modality, str) else set(output_modality or ())
    chosen = [
        m for m in models
        if needed <= m.supported_parameters and ins <= set(m.input_modalities)
        and outs <= set(m.output_modalities)
        and _price_ok(m.pricing.prompt, max_prompt_price)
        and _price_ok(m.pricing.completion, max_completion_price)
        and (min_context is None or (m.context_length or 0) >= min_context)
        and (free is None or m.pricing.is_free == free)
    ]
    return sorted(chosen, key=lambda m: (m.pricing.prompt is None,
                                         m.pricing.prompt or Decimal(0), m.id))
