"""The error hierarchy: status and body → the right class, with OpenRouter's metadata."""

from __future__ import annotations

import json

import openai
import pytest

from openrouter_core import errors
from openrouter_core._sdk_http import http
from openrouter_core.decode import ChatResult
from openrouter_core.transport import _RetryPolicy

REQUEST = http.Request("POST", "https://openrouter.ai/api/v1/chat/completions")


def make(status: int, body: object, headers: dict[str, str] | None = None,
         **kwargs: object) -> errors.APIStatusError:
    response = http.Response(status, headers=headers or {}, request=REQUEST,
                               content=json.dumps(body).encode())
    return errors.error_from_body(status, body, response=response, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("status", "cls", "openai_cls"), [
    (400, errors.BadRequestError, openai.BadRequestError),
    (401, errors.AuthenticationError, openai.AuthenticationError),
    (402, errors.PaymentRequiredError, openai.APIStatusError),
    (403, errors.PermissionDeniedError, openai.PermissionDeniedError),
    (404, errors.NotFoundError, openai.NotFoundError),
    (408, errors.RequestTimeoutError, openai.APIStatusError),
    (429, errors.RateLimitError, openai.RateLimitError),
    (500, errors.InternalServerError, openai.InternalServerError),
    (502, errors.InternalServerError, openai.InternalServerError),
    (503, errors.InternalServerError, openai.InternalServerError),
])
def test_status_maps_to_class_that_is_also_the_openai_class(
    status: int, cls: type, openai_cls: type
) -> None:
    exc = make(status, {"error": {"code": status, "message": f"boom {status}"}})
    assert type(exc) is cls
    assert isinstance(exc, openai_cls)
    assert isinstance(exc, errors.OpenRouterError)
    assert exc.status_code == status
    assert f"boom {status}" in str(exc)


def test_upstream_error_keeps_provider_and_parses_raw_json() -> None:
    raw = json.dumps({"error": {"message": "unsupported_country_region_territory",
                                "code": "unsupported_country_region_territory"}})
    exc = make(403, {"error": {"code": 403, "message": "Provider returned error",
                               "metadata": {"provider_name": "OpenAI", "raw": raw}},
                     "user_id": "user_1"})
    assert isinstance(exc, errors.PermissionDeniedError)
    assert exc.provider_name == "OpenAI"
    assert exc.raw == json.loads(raw)
    assert exc.user_id == "user_1"
    assert "unsupported_country_region_territory" in str(exc)
    assert "OpenAI" in str(exc)


def test_context_length_from_message_or_previous_errors() -> None:
    exc = make(400, {"error": {"code": 400, "message": "Provider returned error", "metadata": {
        "provider_name": None, "previous_errors": [
            {"code": 400, "message": "prompt is too long: 250000 tokens > 200000 maximum"}]}}})
    assert isinstance(exc, errors.ContextLengthError)
    assert exc.previous_errors[0]["code"] == 400
    direct = make(400, {"error": {"code": 400, "message":
                                  "This endpoint's maximum context length is 8192 tokens."}})
    assert isinstance(direct, errors.ContextLengthError)
    assert not isinstance(make(400, {"error": {"code": 400, "message": "bad temperature"}}),
                          errors.ContextLengthError)


def test_moderation_error_has_reasons_and_flagged_input() -> None:
    exc = make(403, {"error": {"code": 403, "message": "Input was flagged", "metadata": {
        "reasons": ["harassment"], "flagged_input": "you are...", "provider_name": "OpenAI",
        "model_slug": "openai/gpt-4o"}}})
    assert isinstance(exc, errors.ModerationError)
    assert exc.reasons == ["harassment"]
    assert exc.flagged_input == "you are..."


def test_payment_required_retryable_only_with_retry_after() -> None:
    credits = make(402, {"error": {"code": 402, "message": "This request requires more credits"}})
    assert not credits.retryable
    in_flight = make(402, {"error": {"code": 402, "message": "in-flight requests hold budget"}},
                     headers={"Retry-After": "2"})
    assert in_flight.retryable
    assert in_flight.retry_after == 2.0


def test_200_with_error_body_uses_the_body_code() -> None:
    exc = make(200, {"error": {"code": 429, "message": "Provider returned error",
                               "metadata": {"provider_name": "Google"}}})
    assert isinstance(exc, errors.RateLimitError)
    assert exc.status_code == 429
    assert exc.retryable


def test_mid_stream_error_carries_partial_and_generation_id() -> None:
    partial = ChatResult(content="so far")
    exc = make(200, {"error": {"code": 400, "message": "Token limit reached"},
                     "id": "gen-1-abc"}, partial=partial, mid_stream=True)
    assert exc.partial is partial
    assert exc.mid_stream
    assert exc.generation_id == "gen-1-abc"


def test_retry_after_seconds_date_and_ms() -> None:
    assert errors.parse_retry_after({"retry-after": "3"}) == 3.0
    assert errors.parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert errors.parse_retry_after({"retry-after": date}, now=1445412480.0) == 10.0
    assert errors.parse_retry_after({"retry-after": "soon"}) is None
    assert errors.parse_retry_after({}) is None


def test_key_is_redacted_from_messages() -> None:
    key = "sk-or-v1-" + "ab12" * 16
    exc = make(401, {"error": {"code": 401, "message": f"Invalid key {key}"}})
    assert key not in str(exc)
    assert "sk-or-***" in str(exc)


def test_retry_policy_counts_honours_retry_after_and_stops() -> None:
    limited = make(429, {"error": {"code": 429, "message": "slow"}}, headers={"Retry-After": "7"})
    policy = _RetryPolicy(max_retries=2)
    assert policy.delay(limited) == 7.0
    assert policy.delay(limited) == 7.0
    assert policy.delay(limited) is None
    assert _RetryPolicy(max_retries=0).delay(limited) is None
    fatal = make(401, {"error": {"code": 401, "message": "no"}})
    assert _RetryPolicy(max_retries=5).delay(fatal) is None
    backoff = make(500, {"error": {"code": 500, "message": "x"}})
    policy = _RetryPolicy(max_retries=3)
    delays = [policy.delay(backoff) for _ in range(3)]
    assert all(d is not None for d in delays)
    assert 0.375 <= delays[0] <= 0.5 and 0.75 <= delays[1] <= 1.0  # type: ignore[operator]


def test_connection_errors() -> None:
    timeout = errors.connection_error("slow", REQUEST, timeout=True)
    assert isinstance(timeout, openai.APITimeoutError)
    assert isinstance(timeout, errors.APITimeoutError)
    assert timeout.retryable
    broken = errors.connection_error("reset", REQUEST, interrupted=True,
                                     partial=ChatResult(content="x"))
    assert isinstance(broken, errors.StreamInterruptedError)
    assert isinstance(broken, openai.APIConnectionError)
    assert not broken.retryable
    assert broken.partial is not None


def test_free_tier_429_waits_for_rate_limit_reset() -> None:
    import time

    reset_ms = str(int((time.time() + 20) * 1000))
    from_header = make(429, {"error": {"code": 429, "message": "Rate limit exceeded"}},
                       headers={"X-RateLimit-Reset": reset_ms})
    assert from_header.retry_after is not None
    assert 15 < from_header.retry_after <= 20
    from_metadata = make(429, {"error": {"code": 429, "message": "Rate limit exceeded",
                                         "metadata": {"headers": {"X-RateLimit-Reset": reset_ms}}}})
    assert from_metadata.retry_after is not None
    assert from_metadata.retry_after > 15
