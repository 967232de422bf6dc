"""Pure parsing of ``/models`` entries and slug resolution."""

from __future__ import annotations

from decimal import Decimal

from openrouter_core.catalog import Catalog, ModelInfo, base_slug, parse_model, parse_models

ENTRY = {
    "id": "anthropic/claude-haiku-4.5", "canonical_slug": "anthropic/claude-4.5-haiku-20251001",
    "name": "Anthropic: Claude Haiku 4.5", "context_length": 200000, "created": 1,
    "architecture": {"modality": "text+image->text", "input_modalities": ["text", "image"],
                     "output_modalities": ["text"], "tokenizer": "Claude"},
    "pricing": {"prompt": "0.000001", "completion": "0.000005", "input_cache_read": "1e-7",
                "input_cache_write": "0.00000125", "image": "0", "request": "0",
                "overrides": [{"min_prompt_tokens": 1}], "web_search": "0.01"},
    "top_provider": {"context_length": 200000, "max_completion_tokens": 64000},
    "supported_parameters": ["tools", "tool_choice", "reasoning", "max_tokens"],
    "reasoning": {"mandatory": False, "supported_efforts": ["high", "low"]},
    "benchmarks": {"whatever": [1, 2]}, "links": {"details": "/x"},
}


def test_parse_model_reads_every_field() -> None:
    info = parse_model(ENTRY)
    assert info is not None
    assert info.id == "anthropic/claude-haiku-4.5"
    assert info.canonical_slug == "anthropic/claude-4.5-haiku-20251001"
    assert info.name == "Anthropic: Claude Haiku 4.5"
    assert (info.context_length, info.max_completion_tokens) == (200000, 64000)
    assert info.input_modalities == ("text", "image")
    assert info.output_modalities == ("text",)
    assert info.supports_tools and info.supports("tool_choice")
    assert not info.supports_structured_output
    assert info.reasoning.supported and info.reasoning.mandatory is False
    assert info.reasoning.efforts == ("high", "low")
    assert info.pricing.prompt == Decimal("0.000001")
    assert info.pricing.completion == Decimal("0.000005")
    assert info.pricing.cache_read == Decimal("1e-7")
    assert info.pricing.cache_write == Decimal("0.00000125")
    assert info.pricing.image == 0 and info.pricing.request == 0
    assert info.pricing.web_search == Decimal("0.01")
    assert isinstance(info.pricing.prompt, Decimal)


def test_parse_model_is_lenient() -> None:
    info = parse_model({"id": "x/y", "context_length": "big", "architecture": None,
                        "pricing": {"prompt": "-1", "completion": "abc", "image": True},
                        "supported_parameters": ["tools", 3], "top_provider": []})
    assert info == ModelInfo(id="x/y", supported_parameters=frozenset({"tools"}))
    assert info.pricing.prompt is None  # "-1" means "varies" (router models)
    assert parse_model({"name": "no id"}) is None
    assert parse_model("not a dict") is None


def test_context_length_falls_back_to_top_provider() -> None:
    info = parse_model({"id": "a/b", "top_provider": {"context_length": 4096}})
    assert info is not None and info.context_length == 4096


def test_reasoning_from_supported_parameters_only() -> None:
    info = parse_model({"id": "a/b", "supported_parameters": ["include_reasoning"]})
    assert info is not None and info.reasoning.supported and info.reasoning.mandatory is None
    plain = parse_model({"id": "a/c", "supported_parameters": ["tools"]})
    assert plain is not None and not plain.reasoning.supported


def test_parse_models_skips_bad_entries() -> None:
    body = {"data": [ENTRY, {"id": ""}, None, {"id": "b/c"}]}
    assert [m.id for m in parse_models(body)] == ["anthropic/claude-haiku-4.5", "b/c"]
    assert parse_models({"error": {}}) == []
    assert [m.id for m in parse_models([{"id": "z/z"}])] == ["z/z"]


def test_to_wire_round_trips() -> None:
    info = parse_model(ENTRY)
    assert info is not None
    assert parse_model(info.to_wire()) == info


def test_base_slug() -> None:
    assert base_slug("openai/gpt-4o:nitro") == "openai/gpt-4o"
    assert base_slug("openai/gpt-4o@preset/my-preset") == "openai/gpt-4o"
    assert base_slug("@preset/my-preset") == ""
    assert base_slug(" meta-llama/llama-3.3-70b-instruct:free ") == \
        "meta-llama/llama-3.3-70b-instruct"


def _catalog() -> Catalog:
    return Catalog(parse_models([
        ENTRY,
        {"id": "meta/llama:free", "canonical_slug": "meta/llama-20250101", "context_length": 1},
        {"id": "meta/llama", "canonical_slug": "meta/llama-20250101", "context_length": 2},
        {"id": "openai/gpt-5", "canonical_slug": "openai/gpt-5-2025-08-07"},
        {"id": "z-ai/glm-5-turbo"},
    ]))


def test_lookup_exact_variant_canonical_and_dated() -> None:
    cat = _catalog()
    assert len(cat) == 5
    assert cat.get("meta/llama:free").context_length == 1  # a listed variant is itself
    assert cat.get("meta/llama:nitro").id == "meta/llama"
    assert cat.get("anthropic/claude-haiku-4.5:thinking").id == "anthropic/claude-haiku-4.5"
    assert cat.get("anthropic/claude-haiku-4.5@preset/fast").id == "anthropic/claude-haiku-4.5"
    assert cat.get("anthropic/claude-4.5-haiku-20251001").id == "anthropic/claude-haiku-4.5"
    assert cat.get("meta/llama-20250101").id == "meta/llama"  # plain id beats :free
    assert cat.get("openai/gpt-5-2025-08-07").id == "openai/gpt-5"
    assert cat.get("z-ai/glm-5-turbo-20260315").id == "z-ai/glm-5-turbo"  # date stripped
    assert cat.get("openai/gpt-5:online:floor").id == "openai/gpt-5"
    assert cat.get("@preset/mine") is None
    assert cat.get("unknown/model") is None
    assert "openai/gpt-5:exacto" in cat and "nope" not in cat
