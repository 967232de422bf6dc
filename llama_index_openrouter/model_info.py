"""What the adapter needs to know about a model: the catalog first, then fallbacks.

:func:`lookup` answers from ``openrouter_core.catalog`` when the model is known there (a catalog
fetched earlier in the process, or the bundled snapshot: real context length,
``top_provider.max_completion_tokens``, ``tools`` and ``structured_outputs`` support). Otherwise
it uses a small table of well-known models, and for anything else documented defaults. It never
makes a network call: warm the catalog with ``openrouter_core.catalog.get_catalog()`` at start-up
to get live data for every model.
"""

from __future__ import annotations

from dataclasses import dataclass

from openrouter_core import catalog
from openrouter_core.transport import Endpoint

DEFAULT_CONTEXT_WINDOW = 128_000
"""Context window assumed for a model the table does not know (a typical modern size; never
LlamaIndex's 3,900, which makes RAG prompts needlessly small)."""

DEFAULT_NUM_OUTPUT = 4_096
"""Output budget assumed when neither ``max_tokens`` nor the table gives one."""


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """Capabilities of one model, as far as the adapter needs them."""

    context_window: int = DEFAULT_CONTEXT_WINDOW
    num_output: int = DEFAULT_NUM_OUTPUT
    supports_tools: bool = True
    supports_json_schema: bool = False


# Conservative facts for well-known slugs (context window, output cap, native json_schema).
_KNOWN: dict[str, ModelFacts] = {
    "openai/gpt-4o": ModelFacts(128_000, 16_384, True, True),
    "openai/gpt-4o-mini": ModelFacts(128_000, 16_384, True, True),
    "openai/gpt-4.1": ModelFacts(1_047_576, 32_768, True, True),
    "openai/gpt-4.1-mini": ModelFacts(1_047_576, 32_768, True, True),
    "openai/gpt-4.1-nano": ModelFacts(1_047_576, 32_768, True, True),
    "openai/gpt-5": ModelFacts(400_000, 128_000, True, True),
    "openai/gpt-5-mini": ModelFacts(400_000, 128_000, True, True),
    "openai/gpt-5-nano": ModelFacts(400_000, 128_000, True, True),
    "openai/o3": ModelFacts(200_000, 100_000, True, True),
    "openai/o4-mini": ModelFacts(200_000, 100_000, True, True),
    "anthropic/claude-3.5-sonnet": ModelFacts(200_000, 8_192, True, False),
    "anthropic/claude-3.7-sonnet": ModelFacts(200_000, 64_000, True, False),
    "anthropic/claude-sonnet-4": ModelFacts(200_000, 64_000, True, False),
    "anthropic/claude-sonnet-4.5": ModelFacts(200_000, 64_000, True, True),
    "anthropic/claude-haiku-4.5": ModelFacts(200_000, 64_000, True, True),
    "anthropic/claude-opus-4.1": ModelFacts(200_000, 32_000, True, True),
    "google/gemini-2.5-pro": ModelFacts(1_048_576, 65_536, True, True),
    "google/gemini-2.5-flash": ModelFacts(1_048_576, 65_535, True, True),
    "google/gemini-2.0-flash-001": ModelFacts(1_048_576, 8_192, True, True),
    "meta-llama/llama-3.3-70b-instruct": ModelFacts(131_072, 16_384, True, False),
    "deepseek/deepseek-chat": ModelFacts(163_840, 16_384, True, False),
    "deepseek/deepseek-r1": ModelFacts(163_840, 16_384, True, False),
    "mistralai/mistral-large": ModelFacts(128_000, 4_096, True, True),
    "x-ai/grok-4": ModelFacts(256_000, 16_384, True, True),
}


def base_slug(model: str) -> str:
    """The catalog key of a slug: variant suffixes (``:free``, ``:nitro``...) removed."""
    return model.split(":", 1)[0].strip()


def lookup(model: str, endpoint: Endpoint | None = None) -> ModelFacts:
    """Facts for ``model``: catalog data, else the table, else the fallbacks (no network)."""
    info = catalog.lookup_cached(model, endpoint)
    if info is not None:
        return ModelFacts(
            context_window=info.context_length or DEFAULT_CONTEXT_WINDOW,
            num_output=info.max_completion_tokens or DEFAULT_NUM_OUTPUT,
            supports_tools=info.supports_tools,
            supports_json_schema=info.supports_structured_output,
        )
    return _KNOWN.get(base_slug(model), ModelFacts())
