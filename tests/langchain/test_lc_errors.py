"""Core errors → LangChain ModelError classes that keep the core/openai types (pure)."""

from __future__ import annotations

import openai
import pytest
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

from langchain_openrouter.errors import to_langchain_error
from openrouter_core import errors as core
from openrouter_core.decode import ChatResult


def status_error(status: int, message: str = "boom", **metadata: object) -> core.OpenRouterError:
    error: dict[str, object] = {"message": message, "code": status}
    if metadata:
        error["metadata"] = metadata
    return core.error_from_body(status, {"error": error})


@pytest.mark.parametrize(
    ("error", "lc_class", "core_class", "openai_class"),
    [
        (status_error(400, "bad param"), ModelInvalidRequestError, core.BadRequestError,
         openai.BadRequestError),
        (status_error(400, "This endpoint's maximum context length is 8192 tokens"),
         ContextOverflowError, core.ContextLengthError, openai.BadRequestError),
        (status_error(401, "No auth"), ModelAuthenticationError, core.AuthenticationError,
         openai.AuthenticationError),
        (status_error(402, "Insufficient credits"), ModelError, core.PaymentRequiredError,
         openai.APIStatusError),
        (status_error(403, "Region blocked"), ModelPermissionDeniedError,
         core.PermissionDeniedError, openai.PermissionDeniedError),
        (status_error(403, "Flagged", reasons=["violence"], flagged_input="x"),
         ModelPermissionDeniedError, core.ModerationError, openai.PermissionDeniedError),
        (status_error(404, "No such model"), ModelNotFoundError, core.NotFoundError,
         openai.NotFoundError),
        (status_error(408, "Timeout upstream"), ModelTimeoutError, core.RequestTimeoutError,
         openai.APIStatusError),
        (status_error(429, "Rate limited", provider_name="Chutes"), ModelRateLimitError,
         core.RateLimitError, openai.RateLimitError),
        (status_error(502, "Provider returned error"), ModelAPIError, core.InternalServerError,
         openai.InternalServerError),
        (core.connection_error("no route", None), ModelConnectionError, core.APIConnectionError,
         openai.APIConnectionError),
        (core.connection_error("slow", None, timeout=True), ModelTimeoutError,
         core.APITimeoutError, openai.APITimeoutError),
        (core.connection_error("cut", None, interrupted=True, partial=ChatResult(content="ab")),
         ModelConnectionError, core.StreamInterruptedError, openai.APIConnectionError),
    ],
)
def test_each_core_error_maps_to_a_dual_typed_class(
    error: core.OpenRouterError, lc_class: type, core_class: type, openai_class: type
) -> None:
    converted = to_langchain_error(error)
    assert isinstance(converted, lc_class)
    assert isinstance(converted, core_class)
    assert isinstance(converted, openai_class)
    assert str(converted) == str(error)
    assert converted.__cause__ is error
    assert converted.is_retryable == error.retryable  # type: ignore[attr-defined]


def test_metadata_and_partial_are_carried() -> None:
    error = status_error(429, "Provider returned error", provider_name="Chutes",
                         raw='{"error": {"message": "slow down"}}')
    converted = to_langchain_error(error)
    assert isinstance(converted, core.RateLimitError)
    assert converted.provider_name == "Chutes"
    assert converted.raw == {"error": {"message": "slow down"}}
    assert converted.status_code == 429
    assert converted.retryable is True

    partial = ChatResult(content="Hello wor")
    mid = core.error_from_body(200, {"error": {"code": 400, "message": "Token limit reached"}},
                               partial=partial, mid_stream=True)
    converted_mid = to_langchain_error(mid)
    assert isinstance(converted_mid, ModelInvalidRequestError)
    assert isinstance(converted_mid, core.OpenRouterError)
    assert converted_mid.partial is partial
    assert converted_mid.mid_stream is True


def test_input_error_is_left_alone_and_key_never_shows() -> None:
    error = core.InputError("messages: empty")
    assert to_langchain_error(error) is error
    leaked = status_error(401, "bad key sk-or-v1-abcdefghijklmnop")
    assert "abcdefghijklmnop" not in str(to_langchain_error(leaked))
