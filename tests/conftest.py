"""Every test starts with the once-per-process warnings unsent, so the warnings a test causes do
not depend on which tests ran before it (pyproject.toml makes our warnings errors)."""

from __future__ import annotations

import pytest

from openrouter_core import catalog, spelling, tokens


@pytest.fixture(autouse=True)
def _fresh_once_per_process_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog.reset_warnings()
    monkeypatch.setattr(spelling, "_warned", set())
    monkeypatch.setattr(tokens, "_warned", set())
