"""Test kinds as markers, sockets off for pure tests, and fresh once-per-process warnings.

* ``tests/core``, ``tests/langchain``, ``tests/llama_index`` and ``tests/emulator`` mirror the
  packages; ``standard``, ``conformance``, ``e2e``, ``faults``, ``security``, ``cassettes`` and
  ``docs`` are kinds. Every test gets its folder's kind as a marker (``-m "core and pure"``).
* A test in a package folder that uses no loopback emulator is marked ``pure`` and runs with
  every socket disabled (pytest-socket): a test that opens a socket is not a unit test. A test
  that starts an emulator itself says so with ``@pytest.mark.loopback``.
* Nothing leaves the machine: Ray's usage statistics are switched off for every process the
  tests start.
* Every test starts with the once-per-process warnings unsent, so the warnings a test causes do
  not depend on which tests ran before it (pyproject.toml makes our warnings errors).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from openrouter_core import catalog, spelling, tokens

# Ray (tests/e2e/test_ray.py, the docs/ray.md samples run by tests/docs) reports usage
# statistics over the internet unless told not to; its processes and the docs subprocesses
# inherit this.
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"


@pytest.fixture(autouse=True)
def _fresh_once_per_process_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog.reset_warnings()
    monkeypatch.setattr(spelling, "_warned", set())
    monkeypatch.setattr(tokens, "_warned", set())


@pytest.fixture(autouse=True, scope="session")
def _shared_pools_closed_at_the_end() -> Iterator[None]:
    """Close the transport's shared sync pools after the last test: their connections lead to
    emulators that are gone by then, and a socket still open at exit is a ResourceWarning."""
    yield
    from openrouter_core import transport

    transport.close()


_HERE = Path(__file__).parent
PACKAGE_FOLDERS = frozenset({"core", "langchain", "llama_index", "emulator"})
KIND_FOLDERS = frozenset({"standard", "conformance", "e2e", "faults", "security", "cassettes",
                          "docs"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its folder's kind, and disable sockets in pure package tests."""
    for item in items:
        try:
            folder = Path(item.path).relative_to(_HERE).parts[0]
        except ValueError:
            continue
        if folder in PACKAGE_FOLDERS | KIND_FOLDERS:
            item.add_marker(folder)
        if folder not in PACKAGE_FOLDERS or folder == "emulator":
            continue
        uses_network = ("openrouter_emulator" in getattr(item, "fixturenames", ())
                        or item.get_closest_marker("loopback") is not None)
        if not uses_network:
            item.add_marker("pure")
            item.add_marker(pytest.mark.disable_socket)
