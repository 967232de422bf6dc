"""Fixtures for the LangChain adapter tests: the loopback emulator and a model pointed at it."""

from __future__ import annotations

import pytest

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Emulator

TEST_KEY = "sk-or-v1-unit-test-key-0123456789"
MODEL = "openai/gpt-4o-mini"


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    """The reset session emulator."""
    return openrouter_emulator


@pytest.fixture
def model(emu: Emulator) -> ChatOpenRouter:
    """A ChatOpenRouter talking to the emulator, no retries."""
    return ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
