"""The error classes that also subclass ``openai`` exceptions, and the factories that build them.

Kept apart from :mod:`openrouter_core.errors` so that the ``openai`` SDK is imported only when an
error is raised or named; import these names from :mod:`openrouter_core.errors`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai

from openrouter_core._sdk_http import http
from openrouter_core.decode import JSONDict
from openrouter_core.errors import OpenRouterError, parse_retry_after, redact, tried_url

if TYPE_CHECKING:
    from openrouter_core.decode import ChatResult

_CONTEXT_PATTERN = re.compile(
    r"context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long"
    r"|context_length_exceeded|exceeds? the (model'?s? )?(maximum|limit)",
    re.IGNORECASE,
)

_PLACEHOLDER_URL = "https://openrouter.ai/api/v1/chat/completions"



class APIStatusError(OpenRouterError, openai.APIStatusError):
    """An error status (or an error body) from OpenRouter."""


class BadRequestError(APIStatusError, openai.BadRequestError):
    """400: the request was invalid (model id, parameters, schema)."""


class ContextLengthError(BadRequestError):
    """400 caused by the prompt exceeding the model's context window."""


class AuthenticationError(APIStatusError, openai.AuthenticationError):
    """401: missing or invalid API key."""


class PaymentRequiredError(APIStatusError):
    """402: not enough credits, or the request's cost exceeds the key's budget."""


class PermissionDeniedError(APIStatusError, openai.PermissionDeniedError):
    """403: refused (region block, key limits, moderation)."""


class ModerationError(PermissionDeniedError):
    """403 from input moderation; ``reasons`` and ``flagged_input`` say why."""

    reasons: list[str]
    flagged_input: str | None = None


class NotFoundError(APIStatusError, openai.NotFoundError):
    """404: unknown model or endpoint."""


class RequestTimeoutError(APIStatusError):
    """408: OpenRouter timed out waiting for the upstream."""


class RateLimitError(APIStatusError, openai.RateLimitError):
    """429: rate limited by OpenRouter or the upstream provider."""


class InternalServerError(APIStatusError, openai.InternalServerError):
    """5xx: OpenRouter or every upstream provider failed."""


class APIConnectionError(OpenRouterError, openai.APIConnectionError):
    """The connection failed before a response arrived."""


class APITimeoutError(APIConnectionError, openai.APITimeoutError):
    """The request exceeded its timeout."""


class StreamInterruptedError(APIConnectionError):
    """A stream ended without ``[DONE]`` or its connection broke part-way."""


class MalformedResponseError(OpenRouterError, openai.APIResponseValidationError, ValueError):
    """The server sent bytes that are not the JSON or SSE it should have, or a reply without an
    answer (no choices). Also a ``ValueError``: ``langchain-openrouter`` raised that for these
    cases, and ``except ValueError`` code written for it keeps working."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


def _rate_limit_reset(headers: Any, metadata: JSONDict) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (epoch milliseconds), OpenRouter's free-tier 429 hint.

    It may come as a response header or inside ``error.metadata.headers``.
    """
    candidates = [headers.get("x-ratelimit-reset") if headers is not None else None]
    inner = metadata.get("headers")
    if isinstance(inner, dict):
        candidates += [v for k, v in inner.items() if k.lower() == "x-ratelimit-reset"]
    for value in candidates:
        if value is None:
            continue
        try:
            reset_ms = float(value)
        except (TypeError, ValueError):
            continue
        return max(reset_ms / 1000.0 - time.time(), 0.0)
    return None


def _parse_raw(raw: Any) -> Any:
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped.startswith(("{", "[")):
            try:
                return json.loads(stripped)
            except ValueError:
                return raw
    return raw


def _raw_message(raw: Any) -> str | None:
    """The upstream's own message inside ``metadata.raw`` (OpenAI, Anthropic, Google shapes)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        inner = raw.get("error", raw)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return None


def _status_class(status: int, message: str, metadata: JSONDict) -> type[APIStatusError]:
    texts = [message] + [str(e.get("message", "")) for e in metadata.get("previous_errors") or []
                         if isinstance(e, dict)]
    # OpenRouter answers an over-long prompt with 400, or 413 from some routes: same meaning.
    if status in (400, 413) and any(_CONTEXT_PATTERN.search(t) for t in texts):
        return ContextLengthError
    if status == 403 and ("reasons" in metadata or "flagged_input" in metadata):
        return ModerationError
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)


def _is_retryable(status: int, error: JSONDict, retry_after: float | None) -> bool:
    availability = error.get("availability") or error.get("metadata", {}).get("availability")
    if isinstance(availability, dict) and isinstance(availability.get("retryable"), bool):
        return bool(availability["retryable"])
    if status == 402:
        # Only the "in-flight requests hold the budget" case clears by itself, and OpenRouter
        # signals it with Retry-After; out-of-credits 402s never succeed on retry.
        return retry_after is not None
    return status in (408, 409, 429) or status >= 500


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """What an OpenRouter error body says, read once: the envelope, its ``error`` object, the
    message, metadata (``raw`` parsed when it is JSON), the code and the status it implies."""

    envelope: JSONDict
    error: JSONDict
    message: str
    metadata: JSONDict
    raw: Any
    code: Any
    status: int


def read_error_body(status: int, body: Any) -> ErrorBody:
    """Read an error body; the body's ``error.code`` overrides ``status`` when it is an HTTP
    error code (errors sent under a 200, mid-stream or in old replies)."""
    envelope: JSONDict = body if isinstance(body, dict) else {}
    error: JSONDict = envelope["error"] if isinstance(envelope.get("error"), dict) else {}
    message = str(error.get("message") or (body if isinstance(body, str) else "") or "")
    metadata: JSONDict = error["metadata"] if isinstance(error.get("metadata"), dict) else {}
    code = error.get("code", status)
    if isinstance(code, int) and 400 <= code < 600:
        status = code
    return ErrorBody(envelope, error, message, metadata, _parse_raw(metadata.get("raw")), code,
                     status)


def _retry_after(facts: ErrorBody, headers: Any) -> float | None:
    """Seconds to wait: ``Retry-After``, else for a 429 the rate-limit reset hint."""
    retry_after = parse_retry_after(headers)
    if retry_after is None and facts.status == 429:
        retry_after = _rate_limit_reset(headers, facts.metadata)
    return retry_after


def _error_text(facts: ErrorBody, provider: Any) -> str:
    """The exception's message: status, provider, the server's words, the upstream's detail."""
    text = f"OpenRouter error {facts.status}"
    if provider:
        text += f" from provider {provider}"
    text += f": {facts.message or 'no message'}"
    detail = _raw_message(facts.raw)
    if detail and detail not in facts.message:
        text += f" (upstream: {detail})"
    return redact(text)


def _generation_id(facts: ErrorBody, headers: Any, given: str | None) -> str | None:
    from_header = headers.get("x-generation-id") if headers is not None else None
    from_body = facts.envelope.get("id")
    return given or from_header or (from_body if isinstance(from_body, str) else None)


def error_from_body(
    status: int,
    body: Any,
    *,
    response: http.Response | None = None,
    partial: ChatResult | None = None,
    mid_stream: bool = False,
    generation_id: str | None = None,
) -> APIStatusError:
    """Build the typed error for an error status or an error body (HTTP 200 bodies included).

    ``status`` is the HTTP status, or the body's ``error.code`` when the body carried the error
    under a 200 (mid-stream errors, old 200-with-error replies).
    """
    facts = read_error_body(status, body)
    headers = response.headers if response is not None else None
    retry_after = _retry_after(facts, headers)
    provider = facts.metadata.get("provider_name")
    if response is None:
        response = http.Response(facts.status, request=http.Request("POST", _PLACEHOLDER_URL))
    cls = _status_class(facts.status, facts.message, facts.metadata)
    exc = cls(_error_text(facts, provider), response=response, body=body)
    exc._attach(
        status_code=facts.status, code=facts.code, error_message=facts.message,
        metadata=facts.metadata, provider_name=provider if isinstance(provider, str) else None,
        raw=facts.raw, previous_errors=[e for e in facts.metadata.get("previous_errors") or []
                                        if isinstance(e, dict)],
        generation_id=_generation_id(facts, headers, generation_id),
        user_id=facts.envelope.get("user_id"),
        retryable=_is_retryable(facts.status, facts.error, retry_after),
        retry_after=retry_after, partial=partial, mid_stream=mid_stream,
    )
    # openai's APIStatusError.status_code mirrors the HTTP status; keep the body's code when the
    # HTTP status said 200 so callers see the real failure.
    exc.status_code = facts.status
    if isinstance(exc, ModerationError):
        reasons = facts.metadata.get("reasons")
        exc.reasons = [str(r) for r in reasons] if isinstance(reasons, list) else []
        flagged = facts.metadata.get("flagged_input")
        exc.flagged_input = flagged if isinstance(flagged, str) else None
    return exc


def connection_error(
    message: str,
    request: http.Request | None,
    *,
    timeout: bool = False,
    interrupted: bool = False,
    partial: ChatResult | None = None,
) -> APIConnectionError:
    """Build a connection, timeout or interrupted-stream error (retryable unless interrupted).

    The message names the URL that was tried (``request``'s, without credentials or query),
    unless it already does: "could not connect" means little without knowing where to.
    """
    if request is not None:
        where = tried_url(request)
        if where and where not in message:
            message = f"{message} (URL: {where})"
    request = request or http.Request("POST", _PLACEHOLDER_URL)
    exc: APIConnectionError
    if timeout:
        exc = APITimeoutError(request)
        exc.message = redact(message)
        exc.args = (exc.message,)
    elif interrupted:
        exc = StreamInterruptedError(message=redact(message), request=request)
    else:
        exc = APIConnectionError(message=redact(message), request=request)
    exc._attach(error_message=message, retryable=not interrupted and partial is None,
                partial=partial, mid_stream=interrupted)
    return exc


def malformed_error(
    message: str, response: http.Response, body: Any, *, partial: ChatResult | None = None
) -> MalformedResponseError:
    """Build the error for bytes that are not valid OpenRouter JSON or SSE."""
    exc = MalformedResponseError(response, body, message=redact(message))
    exc._attach(error_message=message, partial=partial,
                mid_stream=partial is not None)
    return exc
