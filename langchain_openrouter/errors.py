"""Core errors → LangChain ``ModelError`` classes that keep the core (and ``openai``) type.

Each class below inherits both the ``openrouter_core.errors`` class (itself an ``openai``
exception) and the matching ``langchain_core.exceptions`` class, so all of
``except openai.RateLimitError``, ``except openrouter_core.errors.RateLimitError`` and
``except langchain_core.exceptions.ModelRateLimitError`` catch the same failure.

The converted exception is a copy of the core one: same message (already redacted of keys by
the core), same attributes (``status_code``, ``metadata``, ``provider_name``, ``raw``,
``retryable``, ``retry_after``, ``generation_id``, ``partial``...), chained to the original.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from openrouter_core.errors import OpenRouterError

if TYPE_CHECKING:
    from langchain_openrouter._error_classes import (
        OpenRouterAPIError as OpenRouterAPIError,
        OpenRouterAuthenticationError as OpenRouterAuthenticationError,
        OpenRouterConnectionError as OpenRouterConnectionError,
        OpenRouterContextOverflowError as OpenRouterContextOverflowError,
        OpenRouterInvalidRequestError as OpenRouterInvalidRequestError,
        OpenRouterMalformedResponseError as OpenRouterMalformedResponseError,
        OpenRouterModerationError as OpenRouterModerationError,
        OpenRouterNotFoundError as OpenRouterNotFoundError,
        OpenRouterPaymentRequiredError as OpenRouterPaymentRequiredError,
        OpenRouterPermissionDeniedError as OpenRouterPermissionDeniedError,
        OpenRouterRateLimitError as OpenRouterRateLimitError,
        OpenRouterRequestTimeoutError as OpenRouterRequestTimeoutError,
        OpenRouterStatusError as OpenRouterStatusError,
        OpenRouterStreamInterruptedError as OpenRouterStreamInterruptedError,
        OpenRouterTimeoutError as OpenRouterTimeoutError,
    )

__all__ = [
    "OpenRouterAPIError",
    "OpenRouterAuthenticationError",
    "OpenRouterConnectionError",
    "OpenRouterContextOverflowError",
    "OpenRouterInvalidRequestError",
    "OpenRouterMalformedResponseError",
    "OpenRouterModerationError",
    "OpenRouterNotFoundError",
    "OpenRouterPaymentRequiredError",
    "OpenRouterPermissionDeniedError",
    "OpenRouterRateLimitError",
    "OpenRouterRequestTimeoutError",
    "OpenRouterStatusError",
    "OpenRouterStreamInterruptedError",
    "OpenRouterTimeoutError",
    "langchain_errors",
    "to_langchain_error",
]

_CLASSES = "langchain_openrouter._error_classes"


def __getattr__(name: str) -> Any:
    """Load the error classes on first use (they subclass ``openai``'s exceptions)."""
    if name.startswith("OpenRouter"):
        return getattr(importlib.import_module(_CLASSES), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_langchain_error(exc: OpenRouterError) -> Exception:
    """The LangChain-typed copy of a core error (``InputError`` and unknowns unchanged).

    ``InputError`` is a ``ValueError`` raised before anything was sent; it stays as is.
    """
    mapping: tuple[tuple[type[OpenRouterError], type[OpenRouterError]], ...] = (
        importlib.import_module(_CLASSES).MAPPING)
    for core_class, lc_class in mapping:
        if isinstance(exc, core_class):
            if isinstance(exc, lc_class):
                return exc
            converted = lc_class.__new__(lc_class, *exc.args)
            converted.__dict__.update(exc.__dict__)
            converted.args = exc.args
            # ``is_retryable`` is LangChain's name for what the core computed per response.
            converted.is_retryable = bool(exc.retryable)  # type: ignore[attr-defined]
            converted.__cause__ = exc
            converted.__traceback__ = exc.__traceback__
            return converted
    return exc


@contextmanager
def langchain_errors() -> Iterator[None]:
    """Re-raise core errors as their LangChain ``ModelError`` twins (same data, chained)."""
    try:
        yield
    except OpenRouterError as exc:
        converted = to_langchain_error(exc)
        if converted is exc:
            raise
        raise converted from exc
