"""A catalog :class:`~openrouter_core.catalog.ModelInfo` → LangChain's ``ModelProfile``.

LangChain reads profiles to choose for the user: ``create_agent`` picks the provider strategy for
``response_format`` when ``structured_output`` is true, ``SummarizationMiddleware`` takes its
fraction trigger of ``max_input_tokens``. Every value comes from the catalog; a key the catalog
cannot back is left out rather than guessed.
"""

from __future__ import annotations

from typing import cast

from langchain_core.language_models import ModelProfile

from openrouter_core.catalog import ModelInfo


def model_profile(info: ModelInfo) -> ModelProfile:
    """The ``ModelProfile`` of ``info``: window, output cap, modalities, tool and schema support.

    ``max_input_tokens`` is the window a plain request gets (see ``ModelInfo.context_length``).
    """
    inputs, outputs = set(info.input_modalities), set(info.output_modalities)
    profile: ModelProfile = {
        "text_inputs": "text" in inputs or not inputs,
        "image_inputs": "image" in inputs,
        "image_url_inputs": "image" in inputs,
        "pdf_inputs": "file" in inputs,
        "audio_inputs": "audio" in inputs,
        "video_inputs": "video" in inputs,
        "text_outputs": "text" in outputs or not outputs,
        "image_outputs": "image" in outputs,
        "audio_outputs": "audio" in outputs,
        "tool_calling": info.supports_tools,
        "tool_choice": info.supports("tool_choice"),
        "tool_call_streaming": info.supports_tools,
        "structured_output": info.supports_structured_output,
        "reasoning_output": info.reasoning.supported,
    }
    if info.name:
        profile["name"] = info.name
    if info.context_length:
        profile["max_input_tokens"] = info.context_length
    if info.max_completion_tokens:
        profile["max_output_tokens"] = info.max_completion_tokens
    if info.reasoning.efforts:
        profile["reasoning_effort_levels"] = cast(list[str], list(info.reasoning.efforts))
    return profile
