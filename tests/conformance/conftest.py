"""Conformance tests replay real OpenRouter traffic from ``OPENROUTER_REAL_TRAFFIC_DIR``.

Every test in this folder is marked ``conformance`` and skipped when the variable is unset (the
recordings belong to other projects and are never part of this repository).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openrouter_core import transport
from openrouter_core.testing import Emulator
from tests.conformance.expected import expected_error, expected_reply
from tests.conformance.recordings import ENV_VAR, Exchange, chat_exchanges, traffic_root

_HERE = Path(__file__).parent


def _in_this_folder(item: pytest.Item) -> bool:
    return _HERE in Path(item.path).parents


_SKIP_REASON = f"{ENV_VAR} is not set (real recorded traffic is not part of the repository)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests ``conformance`` and skip them without the recordings."""
    skip = None if traffic_root() is not None else pytest.mark.skip(reason=_SKIP_REASON)
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.conformance)
            if skip is not None:
                item.add_marker(skip)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``chat_exchange`` over every recorded chat-completions exchange, and
    ``cited_exchange`` over those whose reply carries url citations."""
    name = next((n for n in ("chat_exchange", "cited_exchange") if n in metafunc.fixturenames),
                None)
    if name is None:
        return
    root = traffic_root()
    if root is None:
        metafunc.parametrize(name, [pytest.param(None, id="no-recordings",
                                                             marks=pytest.mark.skip(_SKIP_REASON))])
        return
    exchanges: list[Exchange] = chat_exchanges(root)
    if "cited_exchange" in metafunc.fixturenames:
        exchanges = [e for e in exchanges if expected_error(e) is None
                     and any(a.get("type") == "url_citation"
                             for a in expected_reply(e).annotations)]
        metafunc.parametrize("cited_exchange", exchanges, ids=[e.test_id for e in exchanges])
        return
    metafunc.parametrize("chat_exchange", exchanges, ids=[e.test_id for e in exchanges])


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """One loopback emulator per test module (so the shared sync client is reused)."""
    with Emulator() as emu:
        yield emu
        transport.close()  # before the server stops, so no idle keep-alive is cut


@pytest.fixture
def server(emulator: Emulator) -> Emulator:
    """The emulator with an empty queue and no recorded requests."""
    emulator.reset()
    return emulator
