"""What LlamaIndex needs to know about a model, from the core's catalog and nothing else.

:func:`lookup` answers from ``openrouter_core.catalog`` without a network call: a catalog fetched
earlier in the process, else the bundled snapshot (every model ``GET /models`` listed when it was
made). A model the catalog does not know gets documented defaults. The LangChain adapter reads the
same entries, so both adapters agree about every model.
"""

from __future__ import annotations

from dataclasses import dataclass

from openrouter_core import catalog
from openrouter_core.transport import Endpoint

DEFAULT_CONTEXT_WINDOW = 128_000
"""Context window assumed for a model the catalog does not know (a typical modern size; never
LlamaIndex's 3,900, which makes RAG prompts needlessly small)."""

DEFAULT_NUM_OUTPUT = 4_096
"""Output budget assumed when neither ``max_tokens`` nor the catalog gives one."""


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """The catalog's facts about one model, in the terms of ``LLMMetadata``."""

    context_window: int = DEFAULT_CONTEXT_WINDOW
    num_output: int = DEFAULT_NUM_OUTPUT
    supports_tools: bool = True
    supports_json_schema: bool = False
    image_inputs: bool = False
    image_outputs: bool = False
    """Whether the model can answer with images (ask with ``modalities=["image", "text"]``)."""
    known: bool = False
    """Whether the catalog knows the model (else every other field is a default)."""


def facts_of(info: catalog.ModelInfo | None) -> ModelFacts:
    """``info`` (``None``: unknown model) → :class:`ModelFacts`."""
    if info is None:
        return ModelFacts()
    return ModelFacts(
        context_window=info.context_length or DEFAULT_CONTEXT_WINDOW,
        num_output=info.max_completion_tokens or DEFAULT_NUM_OUTPUT,
        supports_tools=info.supports_tools,
        supports_json_schema=catalog.native_structured_output(info),
        image_inputs="image" in info.input_modalities,
        image_outputs="image" in info.output_modalities,
        known=True,
    )


def lookup(model: str, endpoint: Endpoint | None = None) -> ModelFacts:
    """Facts for ``model`` (variants, presets and dated names resolved); never a network call."""
    return facts_of(catalog.lookup_cached(model, endpoint))
