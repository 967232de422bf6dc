"""One exception hierarchy for OpenRouter failures, built from HTTP status and error body.

Every class also subclasses the matching ``openai`` exception, so code written against the
OpenAI SDK (``except openai.RateLimitError``) keeps working. OpenRouter's extras are parsed
once here: ``error.code``/``message``/``metadata`` (``provider_name``, ``raw`` parsed when it is
JSON, moderation ``reasons``/``flagged_input``, ``previous_errors``), retryability,
``Retry-After``, the generation id, and for interrupted streams the partial result.

The classes that subclass ``openai`` exceptions live in :mod:`openrouter_core._http_errors` and
are loaded on first use (PEP 562), so importing this package, or an adapter, does not import the
``openai`` SDK (about 0.7 s) until a request is made or an error class is named.
"""

from __future__ import annotations

import email.utils
import importlib
import re
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from openrouter_core.decode import JSONDict

if TYPE_CHECKING:
    from openrouter_core._http_errors import (
        APIConnectionError as APIConnectionError,
        APIStatusError as APIStatusError,
        APITimeoutError as APITimeoutError,
        AuthenticationError as AuthenticationError,
        BadRequestError as BadRequestError,
        ContextLengthError as ContextLengthError,
        InternalServerError as InternalServerError,
        MalformedResponseError as MalformedResponseError,
        ModerationError as ModerationError,
        NotFoundError as NotFoundError,
        PaymentRequiredError as PaymentRequiredError,
        PermissionDeniedError as PermissionDeniedError,
        RateLimitError as RateLimitError,
        RequestTimeoutError as RequestTimeoutError,
        StreamInterruptedError as StreamInterruptedError,
        connection_error as connection_error,
        error_from_body as error_from_body,
        malformed_error as malformed_error,
    )
    from openrouter_core.decode import ChatResult

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ContextLengthError",
    "InputError",
    "InternalServerError",
    "MalformedResponseError",
    "ModerationError",
    "NotFoundError",
    "OpenRouterError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "StreamInterruptedError",
    "TruncatedToolCallError",
    "connection_error",
    "error_from_body",
    "malformed_error",
    "parse_retry_after",
    "redact",
    "tried_url",
]

_LAZY = frozenset(__all__) - {"InputError", "OpenRouterError", "TruncatedToolCallError",
                              "parse_retry_after", "redact", "tried_url"}

_KEY_PATTERN = re.compile(r"sk-or-[A-Za-z0-9_-]{8,}")

def tried_url(request: Any) -> str:
    """``request``'s URL (or a URL string) as safe to show: scheme, host, port and path only,
    so no userinfo or query parameter (where a key could have been put) reaches a message."""
    raw = request if isinstance(request, str) else str(request.url)
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else ""


def redact(text: str) -> str:
    """Mask anything shaped like an OpenRouter key, wherever a message came from."""
    return _KEY_PATTERN.sub("sk-or-***", text)


class OpenRouterError(Exception):
    """Base of every error this package raises for a failed OpenRouter call.

    Attributes hold what OpenRouter said: ``status_code`` (status errors only), ``code``,
    ``error_message`` (the server's own words, anything shaped like a key masked as in the
    exception's text), ``metadata``, ``provider_name``, ``raw``
    (upstream error, parsed when it is JSON), ``previous_errors``, ``generation_id``,
    ``retryable``, ``retry_after`` (seconds) and, for streams that failed part-way,
    ``partial``: the result assembled before the failure.
    """

    code: Any = None
    error_message: str = ""
    metadata: JSONDict
    provider_name: str | None = None
    raw: Any = None
    previous_errors: list[JSONDict]
    generation_id: str | None = None
    user_id: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    partial: ChatResult | None = None
    mid_stream: bool = False

    def _attach(self, **fields: Any) -> None:
        self.metadata = {}
        self.previous_errors = []
        for name, value in fields.items():
            setattr(self, name, value)
        # Printed as readily as the exception's text (the docs show it), so masked the same
        # way; ``raw`` and the response body stay as they came.
        if isinstance(self.error_message, str):
            self.error_message = redact(self.error_message)


class InputError(OpenRouterError, ValueError):
    """Bad input caught before any request was sent; the message names the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self._attach(error_message=message)


class BudgetExceededError(OpenRouterError):
    """The cost OpenRouter reported so far has reached the budget: no further request is sent.

    ``spent`` and ``budget`` are USD as exact decimals; ``requests`` is how many requests were
    counted against the budget.
    """

    def __init__(self, spent: Decimal, budget: Decimal, requests: int) -> None:
        message = (f"OpenRouter budget reached: ${spent} spent of ${budget} over {requests} "
                   "requests; no further request was sent")
        super().__init__(message)
        self._attach(error_message=message)
        self.spent = spent
        self.budget = budget
        self.requests = requests


class TruncatedToolCallError(OpenRouterError, ValueError):
    """The output limit cut off the arguments of a tool call, so it cannot be run.

    Raised where a framework would otherwise run the call (LlamaIndex's
    ``get_tool_calls_from_response``, which agents use). ``calls`` holds ``(id, name, raw
    arguments)`` of every cut-off call and ``response`` the whole reply, so nothing is lost.
    """

    def __init__(self, problems: list[str], calls: list[tuple[str, str, str]],
                 response: Any) -> None:
        message = "; ".join(problems)
        super().__init__(message)
        self._attach(error_message=message)
        self.calls = calls
        self.response = response


def parse_retry_after(headers: Any, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``retry-after-ms``."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # an unreadable header must not turn one error into another
    return max(parsed.timestamp() - (time.time() if now is None else now), 0.0)


def __getattr__(name: str) -> Any:
    """Load the ``openai``-derived classes and factories on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module("openrouter_core._http_errors"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
