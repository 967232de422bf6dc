"""Catalog tests: a clean cache, no catalog environment, and an endpoint on the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from openrouter_core import catalog
from openrouter_core.testing import Emulator, endpoints
from openrouter_core.transport import Endpoint

TEST_KEY = "sk-or-v1-catalog-test-0123"


@pytest.fixture(autouse=True)
def clean_catalog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No key, base URL or catalog settings from the environment; no snapshot file."""
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_API_BASE", "OPENROUTER_BASE_URL",
                 "OPENROUTER_CATALOG",
                 "OPENROUTER_CATALOG_TTL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(tmp_path / "missing.json"))
    catalog.clear_cache()
    catalog.reset_warnings()
    yield
    catalog.clear_cache()


@pytest.fixture(autouse=True)
def fixed_listing(openrouter_emulator: Emulator) -> None:
    """``GET /models`` answers with the seven hand-written entries rather than the bundled
    snapshot: their figures differ from the snapshot's, so a test can tell which one answered."""
    openrouter_emulator.models_responder = endpoints.fixed_models


@pytest.fixture
def endpoint(openrouter_emulator: Emulator) -> Endpoint:
    """An endpoint with a key, on the emulator, without retries."""
    return Endpoint(base_url=openrouter_emulator.base_url, api_key=SecretStr(TEST_KEY),
                    max_retries=0)


def model_requests(emu: Emulator) -> int:
    """How many ``GET /models`` the emulator saw."""
    return sum(1 for r in emu.requests if r.path.endswith("/api/v1/models"))
