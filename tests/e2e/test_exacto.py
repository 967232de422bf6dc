"""``:exacto`` and ``provider.sort="exacto"`` in both adapters: sent as written, same facts.

The slug keeps its variant on the wire (OpenRouter does the routing), and the model's facts
(context window, tool support, profile) are those of the base model in both adapters.
"""

from __future__ import annotations

import warnings

import pytest

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-e2e-test-key-0000000000"
BASE = "moonshotai/kimi-k2"


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_variant_and_sort_reach_the_wire(openrouter_emulator: Emulator, framework: str) -> None:
    emu = openrouter_emulator
    emu.enqueue(Reply.text("ok"), Reply.text("ok"))
    if framework == "langchain":
        ChatOpenRouter(model=f"{BASE}:exacto", api_key=KEY, base_url=emu.base_url).invoke("x")
        ChatOpenRouter(model=BASE, api_key=KEY, base_url=emu.base_url,
                       provider={"sort": "exacto", "only": ["groq"]}).invoke("x")
    else:
        OpenRouter(model=f"{BASE}:exacto", api_key=KEY, api_base=emu.base_url).complete("x")
        OpenRouter(model=BASE, api_key=KEY, api_base=emu.base_url,
                   provider={"sort": "exacto", "only": ["groq"]}).complete("x")
    first, second = (r.json for r in emu.chat_requests)
    assert first["model"] == f"{BASE}:exacto" and "provider" not in first
    assert second["model"] == BASE
    assert second["provider"] == {"sort": "exacto", "only": ["groq"]}


def test_variant_has_the_base_models_facts() -> None:
    lc_base = ChatOpenRouter(model=BASE, api_key=KEY).profile
    lc_exacto = ChatOpenRouter(model=f"{BASE}:exacto", api_key=KEY).profile
    assert lc_base is not None and lc_base == lc_exacto
    assert lc_base.get("tool_calling") is True
    li_base = OpenRouter(model=BASE, api_key=KEY).metadata
    li_exacto = OpenRouter(model=f"{BASE}:exacto", api_key=KEY).metadata
    assert li_exacto.context_window == li_base.context_window > 3900
    assert li_exacto.is_function_calling_model is li_base.is_function_calling_model is True


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_conflicting_routing_warns_once_at_the_callers_line(openrouter_emulator: Emulator,
                                                           framework: str) -> None:
    from openrouter_core import request

    # tests/conftest.py starts every test with the warn-once memory empty.
    emu = openrouter_emulator
    emu.responder = lambda r: Reply.text("ok")
    provider = {"sort": "price", "order": ["groq"]}
    def call() -> None:
        if framework == "langchain":
            ChatOpenRouter(model=f"{BASE}:exacto", api_key=KEY, base_url=emu.base_url,
                           provider=provider).invoke("x")
        else:
            OpenRouter(model=f"{BASE}:exacto", api_key=KEY, api_base=emu.base_url,
                       provider=provider).complete("x")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
        call()
    messages = [str(w.message) for w in caught if issubclass(w.category, request.RoutingWarning)]
    assert messages == [
        f"model '{BASE}:exacto': the ':exacto' variant sorts providers by 'exacto' while "
        "provider.sort asks for 'price'; OpenRouter applies one sort per request, so keep only "
        "one of them",
        f"model '{BASE}:exacto': provider.sort ('price') is used only when provider.order is "
        "not set; with order=['groq'] the order decides"]
    assert {w.filename for w in caught if issubclass(w.category, request.RoutingWarning)} == {
        __file__}
    assert emu.chat_requests[0].json["provider"] == provider  # sent as written


def test_consistent_routing_does_not_warn() -> None:
    from openrouter_core.request import routing_conflicts

    assert routing_conflicts({"model": f"{BASE}:exacto", "provider": {"sort": "exacto"}}) == []
    assert routing_conflicts({"model": f"{BASE}:nitro", "provider": {"only": ["groq"]}}) == []
    assert routing_conflicts({"model": BASE, "provider": {"order": ["groq"]}}) == []
    assert len(routing_conflicts({"model": f"{BASE}:floor",
                                  "provider": {"sort": {"by": "latency"}}})) == 1
