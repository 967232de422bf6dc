"""pytest plugin: a session-wide OpenRouter emulator, reset for every test.

Registered as the ``openrouter_emulator`` entry point of the ``pytest11`` group, so installing
the package makes the fixtures available everywhere:

* ``openrouter_emulator`` — the running :class:`~openrouter_core.testing.Emulator`, with an
  empty queue, no recorded requests and the default auto responder;
* ``openrouter_base_url`` — its base URL (``http://127.0.0.1:<port>/api/v1``).

The server starts on first use only; importing this module has no side effects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from openrouter_core.testing.server import Emulator


@pytest.fixture(scope="session")
def openrouter_emulator_server() -> Iterator[Emulator]:
    """The emulator shared by the whole session (started lazily, stopped at the end)."""
    from openrouter_core.testing.server import Emulator

    emulator = Emulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def openrouter_emulator(openrouter_emulator_server: Emulator) -> Iterator[Emulator]:
    """The session emulator, reset before (and after) this test."""
    openrouter_emulator_server.reset()
    openrouter_emulator_server.require_api_key = None
    try:
        yield openrouter_emulator_server
    finally:
        openrouter_emulator_server.reset()
        openrouter_emulator_server.require_api_key = None


@pytest.fixture
def openrouter_base_url(openrouter_emulator: Emulator) -> str:
    """Base URL of the (reset) emulator: ``http://127.0.0.1:<port>/api/v1``."""
    return openrouter_emulator.base_url
