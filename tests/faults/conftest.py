"""Fixtures for the fault matrix, and the ``--fault-report=PATH`` option that writes the table.

``pytest tests/faults tests/security --fault-report=docs/fault-matrix.md`` runs the matrix and
writes ``docs/fault-matrix.md`` (the environment variable ``OPENROUTER_FAULT_REPORT`` does the
same when pytest is started from elsewhere, e.g. without the option registered).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from openrouter_core import transport
from openrouter_core.testing import Emulator
from tests.faults.report import COLLECTOR, render

REPORT_ENV = "OPENROUTER_FAULT_REPORT"
REPORT_COMMAND = (".venv/bin/pytest tests/faults tests/security "
                  "--fault-report=docs/fault-matrix.md")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--fault-report``."""
    parser.addoption("--fault-report", default=None, metavar="PATH",
                     help="write the fault matrix as markdown to PATH")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Feed every report of a matrix test to the collector."""
    report: pytest.TestReport = yield
    COLLECTOR.add(report)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the report when asked to."""
    path = session.config.getoption("--fault-report", default=None) or os.environ.get(REPORT_ENV)
    if path and COLLECTOR.cells:
        Path(path).write_text(render(COLLECTOR, REPORT_COMMAND) + "\n", encoding="utf-8")


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Iterator[Emulator]:
    """The reset session emulator; shared sync clients are closed after the test."""
    yield openrouter_emulator
    transport.close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the retry waits the transport asks for, without waiting them."""
    seen: list[float] = []
    real_sleep = asyncio.sleep

    def fake_sleep(seconds: float) -> None:
        seen.append(seconds)

    async def fake_asleep(seconds: float) -> None:
        seen.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("openrouter_core.transport.time.sleep", fake_sleep)
    monkeypatch.setattr("openrouter_core.transport.asyncio.sleep", fake_asleep)
    return seen
