"""The pytest plugin: one server per session, reset for every test.

The two tests below run in a pytest session of their own (``pytester``), so that their order
and their sharing one process hold however the outer suite is scheduled (``-n auto``).
"""

from __future__ import annotations

import pytest

SESSION = '''
import httpx

from openrouter_core.testing import Emulator, Reply, auto_respond

_seen: list[Emulator] = []


def test_fixture_yields_a_running_emulator(openrouter_emulator, openrouter_base_url):
    assert openrouter_emulator.running
    assert openrouter_base_url == openrouter_emulator.base_url
    openrouter_emulator.enqueue(Reply.text("left over"))
    openrouter_emulator.responder = lambda request: Reply.text("custom")
    openrouter_emulator.require_api_key = "k"
    httpx.get(openrouter_base_url + "/models")
    _seen.append(openrouter_emulator)


def test_next_test_gets_a_clean_emulator(openrouter_emulator):
    assert _seen == [openrouter_emulator]  # same server for the whole session
    assert openrouter_emulator.pending == 0
    assert openrouter_emulator.requests == []
    assert openrouter_emulator.responder is auto_respond
    assert openrouter_emulator.require_api_key is None
'''

pytest_plugins = ["pytester"]


def test_one_server_per_session_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_session=SESSION)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider",
                                           "--allow-hosts=127.0.0.1,::1,localhost")
    result.assert_outcomes(passed=2)
