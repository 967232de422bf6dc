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

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from openrouter_core import errors as core

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
    "to_langchain_error",
]


class OpenRouterInvalidRequestError(core.BadRequestError, ModelInvalidRequestError):
    """400: OpenRouter rejected the request (bad model id, parameter or schema)."""


class OpenRouterContextOverflowError(core.ContextLengthError, ContextOverflowError):
    """400: the prompt does not fit the model's context window."""


class OpenRouterAuthenticationError(core.AuthenticationError, ModelAuthenticationError):
    """401: missing or invalid API key."""


class OpenRouterPaymentRequiredError(core.PaymentRequiredError, ModelError):
    """402: not enough credits, or the key's budget is exhausted."""


class OpenRouterPermissionDeniedError(core.PermissionDeniedError, ModelPermissionDeniedError):
    """403: the request was refused (region block, key limits)."""


class OpenRouterModerationError(core.ModerationError, ModelPermissionDeniedError):
    """403 from input moderation; ``reasons`` and ``flagged_input`` say why."""


class OpenRouterNotFoundError(core.NotFoundError, ModelNotFoundError):
    """404: unknown model or endpoint."""


class OpenRouterRequestTimeoutError(core.RequestTimeoutError, ModelTimeoutError):
    """408: OpenRouter timed out waiting for the upstream provider."""


class OpenRouterRateLimitError(core.RateLimitError, ModelRateLimitError):
    """429: rate limited by OpenRouter or the upstream provider."""


class OpenRouterAPIError(core.InternalServerError, ModelAPIError):
    """5xx: OpenRouter or every upstream provider failed."""


class OpenRouterStatusError(core.APIStatusError, ModelError):
    """Any other error status from OpenRouter."""


class OpenRouterConnectionError(core.APIConnectionError, ModelConnectionError):
    """OpenRouter could not be reached."""


class OpenRouterTimeoutError(core.APITimeoutError, ModelTimeoutError):
    """The request (or stream) exceeded its timeout."""


class OpenRouterStreamInterruptedError(core.StreamInterruptedError, ModelConnectionError):
    """A stream broke or ended before ``[DONE]``; ``partial`` holds what arrived."""


class OpenRouterMalformedResponseError(core.MalformedResponseError, ModelAPIError):
    """OpenRouter sent bytes that are not valid JSON or SSE."""


# Most specific first: the first core class the error is an instance of wins.
_MAPPING: tuple[tuple[type[core.OpenRouterError], type[core.OpenRouterError]], ...] = (
    (core.ContextLengthError, OpenRouterContextOverflowError),
    (core.BadRequestError, OpenRouterInvalidRequestError),
    (core.AuthenticationError, OpenRouterAuthenticationError),
    (core.PaymentRequiredError, OpenRouterPaymentRequiredError),
    (core.ModerationError, OpenRouterModerationError),
    (core.PermissionDeniedError, OpenRouterPermissionDeniedError),
    (core.NotFoundError, OpenRouterNotFoundError),
    (core.RequestTimeoutError, OpenRouterRequestTimeoutError),
    (core.RateLimitError, OpenRouterRateLimitError),
    (core.InternalServerError, OpenRouterAPIError),
    (core.APIStatusError, OpenRouterStatusError),
    (core.StreamInterruptedError, OpenRouterStreamInterruptedError),
    (core.APITimeoutError, OpenRouterTimeoutError),
    (core.APIConnectionError, OpenRouterConnectionError),
    (core.MalformedResponseError, OpenRouterMalformedResponseError),
)


def to_langchain_error(exc: core.OpenRouterError) -> Exception:
    """The LangChain-typed copy of a core error (``InputError`` and unknowns unchanged).

    ``InputError`` is a ``ValueError`` raised before anything was sent; it stays as is.
    """
    for core_class, lc_class in _MAPPING:
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
