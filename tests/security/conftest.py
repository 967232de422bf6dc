"""Fixtures for the secret-handling tests; their results also go into the fault report."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from openrouter_core import transport
from openrouter_core.testing import Emulator
from tests.faults.drivers import KEY
from tests.faults.report import COLLECTOR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Feed every report of a security test to the fault-report collector."""
    report: pytest.TestReport = yield
    COLLECTOR.add(report)
    return report


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Iterator[Emulator]:
    """The reset session emulator, accepting only :data:`KEY`; shared clients closed after."""
    openrouter_emulator.require_api_key = KEY
    yield openrouter_emulator
    transport.close()
