"""End-to-end fixtures: an OpenRouter LLM wired to the emulator, and LlamaIndex Settings reset."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core import Settings

from llama_index_openrouter import OpenRouter
from openrouter_core.testing import Emulator

TEST_KEY = "sk-or-v1-e2e-test-key-0123"


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    """The reset session emulator."""
    return openrouter_emulator


def make_llm(emu: Emulator, **kwargs: Any) -> OpenRouter:
    """An ``OpenRouter`` as a user would configure it, pointed at the emulator."""
    kwargs.setdefault("model", "openai/gpt-4o-mini")
    return OpenRouter(api_key=TEST_KEY, api_base=emu.base_url, max_retries=0, **kwargs)


@pytest.fixture
def llm(emu: Emulator) -> OpenRouter:
    """The default LLM."""
    return make_llm(emu)


@pytest.fixture
def settings_llm(llm: OpenRouter) -> Iterator[OpenRouter]:
    """``Settings.llm = OpenRouter(...)`` (and a mock embedding), restored afterwards."""
    from llama_index.core.embeddings import MockEmbedding

    previous_llm = Settings._llm
    previous_embed = Settings._embed_model
    Settings.llm = llm
    Settings.embed_model = MockEmbedding(embed_dim=8)
    try:
        yield llm
    finally:
        Settings._llm = previous_llm
        Settings._embed_model = previous_embed
