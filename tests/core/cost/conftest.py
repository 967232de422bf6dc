"""Shared helpers: endpoints on the emulator and replies with exactly known usage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from openrouter_core.testing import Emulator
from openrouter_core.transport import Endpoint

TEST_KEY = "sk-or-v1-cost-test-0123-abcdef"


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    """The reset session emulator."""
    return openrouter_emulator


@pytest.fixture
def endpoint(emu: Emulator) -> Endpoint:
    """An endpoint with a key, on the emulator, without retries."""
    return Endpoint(base_url=emu.base_url, api_key=SecretStr(TEST_KEY), max_retries=0)


def usage(cost: float, prompt: int = 10, completion: int = 5, *, cached: int = 0,
          cache_write: int = 0, reasoning: int = 0) -> dict[str, Any]:
    """A usage object as OpenRouter sends it, with a chosen ``cost``."""
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion, "cost": cost, "is_byok": False,
            "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write},
            "completion_tokens_details": {"reasoning_tokens": reasoning},
            "cost_details": {"upstream_inference_cost": cost}}


def decimal_sum(*costs: float) -> float:
    """The exact sum of the costs as a server would add them (decimal), as a float."""
    return float(sum((Decimal(repr(c)) for c in costs), Decimal(0)))
