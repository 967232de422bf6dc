"""The LangChain error classes themselves (see :mod:`langchain_openrouter.errors`).

Kept apart so that defining them, which needs the ``openai`` exception classes, happens on the
first failure rather than when ``langchain_openrouter`` is imported.
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
MAPPING: tuple[tuple[type[core.OpenRouterError], type[core.OpenRouterError]], ...] = (
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
