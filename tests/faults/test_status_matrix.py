"""Error statuses and retries, through all eight call styles, over real loopback HTTP.

Bodies follow the recorded OpenRouter error shape (``{"error": {"message", "code",
"metadata"}}``, wire-format fact 28). Retry waits are recorded by the ``sleeps`` fixture instead
of being slept.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core import exceptions as lc

from openrouter_core import errors
from openrouter_core.testing import Emulator, Reply
from tests.faults.cases import assert_typed, upstream_raw
from tests.faults.drivers import STYLES, Style, run
from tests.faults.report import record

BACKOFF_FIRST = (0.375, 0.5)
"""The first exponential-backoff wait: 0.5 s with -25 % jitter."""


@dataclass(frozen=True, slots=True)
class StatusCase:
    """A final (non-retryable) error status: exactly one request, specific type, metadata."""

    id: str
    label: str
    reply: Callable[[], Reply]
    core: type[BaseException]
    langchain: type[BaseException]
    message: str
    check: Callable[[Any], object] = field(default=lambda _: None)


def _moderation(exc: Any) -> None:
    assert exc.reasons == ["violence", "harassment"]
    assert exc.flagged_input == "...how to hurt..."


def _region(exc: Any) -> None:
    assert exc.provider_name == "OpenAI"
    assert exc.raw["error"]["code"] == "unsupported_country_region_territory"
    assert "Country, region, or territory not supported" in str(exc)


def _context(exc: Any) -> None:
    assert [e["code"] for e in exc.previous_errors] == [400, 400]
    assert "maximum context length" in exc.previous_errors[0]["message"]


FINAL_CASES = [
    StatusCase("401", "401 invalid key",
               lambda: Reply.error(401, "No cookie auth credentials found"),
               errors.AuthenticationError, lc.ModelAuthenticationError,
               "No cookie auth credentials found"),
    StatusCase("403-moderation", "403 moderation (`reasons`, `flagged_input`)",
               lambda: Reply.error(403, "Your chosen model requires moderation and your input "
                                   "was flagged for \"violence\"",
                                   {"reasons": ["violence", "harassment"],
                                    "flagged_input": "...how to hurt...",
                                    "provider_name": "OpenAI", "model_slug": "openai/gpt-4o"}),
               errors.ModerationError, lc.ModelPermissionDeniedError,
               "input was flagged", _moderation),
    StatusCase("403-region", "403 region block (`provider_name`, `raw`)",
               lambda: Reply.error(403, "Provider returned error", {
                   "provider_name": "OpenAI",
                   "raw": upstream_raw("Country, region, or territory not supported")}),
               errors.PermissionDeniedError, lc.ModelPermissionDeniedError,
               "Provider returned error", _region),
    StatusCase("404", "404 unknown model",
               lambda: Reply.error(404, "No endpoints found for acme/no-such-model."),
               errors.NotFoundError, lc.ModelNotFoundError, "No endpoints found"),
    StatusCase("400-validation", "400 validation",
               lambda: Reply.error(400, "Expected temperature to be at most 2, received 5",
                                   {"provider_name": None}),
               errors.BadRequestError, lc.ModelInvalidRequestError,
               "Expected temperature to be at most 2",
               lambda e: e.metadata == {"provider_name": None} or pytest.fail(str(e.metadata))),
    StatusCase("400-context", "400 context length (`previous_errors`)",
               lambda: Reply.error(400, "This endpoint's maximum context length is 128000 "
                                   "tokens. However, you requested about 200000 tokens.", {
                                       "previous_errors": [
                                           {"code": 400, "message": "This model's maximum "
                                            "context length is 128000 tokens."},
                                           {"code": 400, "message": "prompt is too long"}]}),
               errors.ContextLengthError, lc.ContextOverflowError,
               "maximum context length", _context),
    StatusCase("402-credits", "402 out of credits",
               lambda: Reply.error(402, "This request requires more credits, or fewer "
                                   "max_tokens. You requested up to 16384 tokens, but can only "
                                   "afford 1204."),
               errors.PaymentRequiredError, lc.ModelError, "requires more credits",
               lambda e: e.retryable is False or pytest.fail("402 credits marked retryable")),
    StatusCase("402-budget", "402 weight exceeds key budget",
               lambda: Reply.error(402, "Request weight exceeds the remaining budget of this "
                                   "API key (limit: $1.00)"),
               errors.PaymentRequiredError, lc.ModelError, "exceeds the remaining budget"),
]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
@pytest.mark.parametrize("case", FINAL_CASES, ids=lambda c: c.id)
def test_final_status_is_one_request_and_typed(request: pytest.FixtureRequest, emu: Emulator,
                                                sleeps: list[float], case: StatusCase,
                                                style: Style) -> None:
    record(request, "Error statuses (max_retries=2)", case.label,
           f"`{case.core.__name__}`, 1 request, metadata kept", style.id)
    emu.enqueue(case.reply(), case.reply(), case.reply())
    outcome = run(style, emu, max_retries=2)
    error = assert_typed(outcome, style, case.core, case.langchain)
    assert case.message in str(error)
    assert len(emu.chat_requests) == 1
    assert sleeps == []
    assert outcome.pieces == []
    case.check(error)


def _http_date(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def _exact(expected: float) -> Callable[[float], bool]:
    return lambda wait: wait == expected


def _between(low: float, high: float) -> Callable[[float], bool]:
    return lambda wait: low <= wait <= high


@dataclass(frozen=True, slots=True)
class RetryCase:
    """A retryable failure: retried (honouring ``Retry-After``), typed once retries run out."""

    id: str
    label: str
    reply: Callable[[], Reply]
    core: type[BaseException]
    langchain: type[BaseException]
    message: str
    first_wait: Callable[[float], bool]


RETRY_CASES = [
    RetryCase("402-inflight", "402 in-flight budget + `Retry-After: 2`",
              lambda: Reply.error(402, "Insufficient credits: in-flight requests hold the "
                                  "remaining budget", headers={"Retry-After": "2"}),
              errors.PaymentRequiredError, lc.ModelError, "in-flight requests", _exact(2.0)),
    RetryCase("408", "408", lambda: Reply.error(408, "Upstream request timed out"),
              errors.RequestTimeoutError, lc.ModelTimeoutError, "Upstream request timed out",
              _between(*BACKOFF_FIRST)),
    RetryCase("429-seconds", "429 + `Retry-After: 3`",
              lambda: Reply.error(429, "openai/gpt-4o is temporarily rate-limited upstream",
                                  headers={"Retry-After": "3"}),
              errors.RateLimitError, lc.ModelRateLimitError, "rate-limited upstream",
              _exact(3.0)),
    RetryCase("429-date", "429 + `Retry-After: <HTTP date +3 s>`",
              lambda: Reply.error(429, "Rate limit exceeded: limit_rpm/openai/gpt-4o",
                                  headers={"Retry-After": _http_date(3)}),
              errors.RateLimitError, lc.ModelRateLimitError, "Rate limit exceeded",
              _between(1.0, 3.0)),
    RetryCase("500", "500", lambda: Reply.error(500, "Internal Server Error"),
              errors.InternalServerError, lc.ModelAPIError, "Internal Server Error",
              _between(*BACKOFF_FIRST)),
    RetryCase("502", "502", lambda: Reply.error(502, "Provider returned error",
                                                {"provider_name": "Together", "raw": "bad gw"}),
              errors.InternalServerError, lc.ModelAPIError, "Provider returned error",
              _between(*BACKOFF_FIRST)),
    RetryCase("503", "503", lambda: Reply.error(503, "No available providers"),
              errors.InternalServerError, lc.ModelAPIError, "No available providers",
              _between(*BACKOFF_FIRST)),
    RetryCase("reset", "connection reset before headers",
              lambda: Reply.fault("reset_before_headers"),
              errors.APIConnectionError, lc.ModelConnectionError, "Could not reach OpenRouter",
              _between(*BACKOFF_FIRST)),
]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
@pytest.mark.parametrize("case", RETRY_CASES, ids=lambda c: c.id)
def test_retryable_fault_is_retried_then_typed(request: pytest.FixtureRequest, emu: Emulator,
                                                sleeps: list[float], case: RetryCase,
                                                style: Style) -> None:
    record(request, "Retries (max_retries=2, then 0)", case.label,
           "retried with backoff honouring `Retry-After`, then success; repeating: "
           f"`{case.core.__name__}` after 3 requests; `max_retries=0`: 1 request", style.id)
    # Fault once, then success: the caller sees only the good reply.
    emu.enqueue(case.reply(), Reply.text("recovered after one retry"))
    outcome = run(style, emu, max_retries=2)
    assert outcome.error is None, f"{style.id}: {outcome.error!r}"
    assert outcome.text == "recovered after one retry"
    assert len(emu.chat_requests) == 2
    assert len(sleeps) == 1
    assert case.first_wait(sleeps[0]), sleeps
    # The fault repeats: typed error after exactly max_retries + 1 requests.
    emu.reset()
    sleeps.clear()
    emu.enqueue(*[case.reply() for _ in range(4)])
    outcome = run(style, emu, max_retries=2)
    error = assert_typed(outcome, style, case.core, case.langchain)
    assert case.message in str(error)
    assert len(emu.chat_requests) == 3
    assert len(sleeps) == 2
    # max_retries=0: one request, no wait.
    emu.reset()
    sleeps.clear()
    emu.enqueue(case.reply(), Reply.text("never requested"))
    outcome = run(style, emu, max_retries=0)
    assert_typed(outcome, style, case.core, case.langchain)
    assert len(emu.chat_requests) == 1
    assert sleeps == []
