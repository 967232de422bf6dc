"""Framework views of a ModelInfo, unsupported-parameter checks and filtering."""

from __future__ import annotations

import logging
import warnings
from decimal import Decimal
from typing import get_type_hints

import pytest
from langchain_core.language_models import ModelProfile
from llama_index.core.base.llms.types import LLMMetadata

from langchain_openrouter.profile import model_profile as langchain_profile
from llama_index_openrouter.profile import facts_of
from openrouter_core.catalog import (
    UnsupportedParameterWarning,
    filter_models,
    native_structured_output,
    parse_model,
    parse_models,
    unsupported_parameters,
    warn_unsupported_once,
)
from openrouter_core.testing.endpoints import DEFAULT_MODELS

MODELS = parse_models({"data": DEFAULT_MODELS})
BY_ID = {m.id: m for m in MODELS}


def test_langchain_profile_uses_model_profile_keys() -> None:
    info = BY_ID["anthropic/claude-haiku-4.5"]
    profile = langchain_profile(info)
    assert set(profile) <= set(get_type_hints(ModelProfile))
    assert profile["tool_calling"] and profile["tool_choice"]
    assert profile["image_inputs"] and not profile["pdf_inputs"] and not profile["audio_inputs"]
    assert profile["reasoning_output"]
    assert profile["reasoning_effort_levels"] == ["high", "medium", "low"]
    assert profile["max_input_tokens"] == 200000 and profile["max_output_tokens"] == 64000
    assert profile["structured_output"] is True
    image = langchain_profile(BY_ID["google/gemini-2.5-flash-image"])
    assert image["image_outputs"] and not image["tool_calling"]
    assert not langchain_profile(BY_ID["openai/gpt-4o-mini"])["reasoning_output"]
    assert langchain_profile(BY_ID["openai/gpt-4o-mini"])["pdf_inputs"]


def test_llama_index_facts_and_the_shared_structured_output_rule() -> None:
    facts = facts_of(BY_ID["openai/gpt-4o-mini"])
    assert (facts.context_window, facts.num_output) == (128000, 16384)
    assert facts.supports_tools and facts.supports_json_schema and facts.known
    LLMMetadata(context_window=facts.context_window, num_output=facts.num_output)
    bare = parse_model({"id": "x/y"})
    assert bare is not None
    assert facts_of(bare).num_output == 4096
    assert not facts_of(bare).supports_tools
    assert facts_of(None) == facts_of(None)
    assert not facts_of(None).known
    # One rule in the core decides native JSON schema vs a forced tool, for both adapters.
    assert native_structured_output(BY_ID["openai/gpt-4o-mini"])
    assert not native_structured_output(bare)
    assert not native_structured_output(None)


@pytest.mark.parametrize(("model", "body", "expected"), [
    ("openai/gpt-4o-mini", {"temperature": 0.2, "tools": [{}], "seed": 1}, []),
    ("openai/gpt-4o-mini", {"top_k": 5, "reasoning": {"effort": "low"}}, ["top_k", "reasoning"]),
    ("google/gemini-2.5-flash-image", {"tools": [{}], "tool_choice": "auto"},
     ["tools", "tool_choice"]),
    ("meta-llama/llama-3.3-70b-instruct",
     {"response_format": {"type": "json_schema", "json_schema": {}}}, ["response_format"]),
    ("google/gemini-2.5-flash-image", {"response_format": {"type": "json_object"}}, []),
    ("meta-llama/llama-3.3-70b-instruct", {"response_format": {"type": "text"}}, []),
    ("anthropic/claude-haiku-4.5", {"reasoning": {"effort": "low"},
                                    "max_completion_tokens": 10}, []),
    ("openai/gpt-4o-mini", {"provider": {"order": ["x"]}, "models": ["a"], "plugins": [],
                            "top_k": None, "messages": [], "model": "m"}, []),
    ("meta-llama/llama-3.3-70b-instruct:free", {"parallel_tool_calls": False},
     ["parallel_tool_calls"]),
])
def test_unsupported_parameters(model: str, body: dict[str, object],
                                expected: list[str]) -> None:
    assert unsupported_parameters(BY_ID[model], body) == expected


def test_unknown_parameter_lists_report_nothing() -> None:
    bare = parse_model({"id": "x/y"})
    assert bare is not None
    assert unsupported_parameters(bare, {"top_k": 3, "tools": []}) == []


def test_warn_unsupported_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="openrouter_core.catalog")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert warn_unsupported_once("m/x", ["top_k", "tools"]) == ["top_k", "tools"]
        assert warn_unsupported_once("m/x", ["top_k"]) == []
        assert warn_unsupported_once("m/x", ["top_k", "seed"]) == ["seed"]
        assert warn_unsupported_once("m/other", ["top_k"]) == ["top_k"]
    messages = [str(w.message) for w in seen if w.category is UnsupportedParameterWarning]
    assert len(messages) == 3
    assert "m/x does not list top_k, tools" in messages[0]
    assert sum("does not list" in r.message for r in caplog.records) == 3


def test_filter_models() -> None:
    tools = filter_models(MODELS, supports="tools")
    assert "google/gemini-2.5-flash-image" not in [m.id for m in tools]
    prices = [m.pricing.prompt for m in tools]
    assert prices == sorted(prices)  # cheapest first
    vision = filter_models(MODELS, supports=["tools", "reasoning"], input_modality="image")
    assert {m.id for m in vision} == {"anthropic/claude-sonnet-4.5",
                                      "anthropic/claude-haiku-4.5", "openai/gpt-5-mini"}
    cheap = filter_models(MODELS, max_prompt_price="0.0000003")
    assert all(m.pricing.prompt is not None and m.pricing.prompt <= Decimal("0.0000003")
               for m in cheap)
    assert [m.id for m in filter_models(MODELS, free=True)] == \
        ["meta-llama/llama-3.3-70b-instruct:free"]
    assert [m.id for m in filter_models(MODELS, output_modality="image")] == \
        ["google/gemini-2.5-flash-image"]
    assert all((m.context_length or 0) >= 400000
               for m in filter_models(MODELS, min_context=400000))
    assert filter_models(MODELS, max_completion_price=0) == \
        filter_models(MODELS, free=True)
