"""The pytest plugin: one server per session, reset for every test."""

from __future__ import annotations

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
