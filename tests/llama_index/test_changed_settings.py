"""``OpenRouter`` keeps its validated settings, endpoint and attribution headers between
requests (``openrouter_core.memo``), so every change made after a request must still reach the
next one: assignment, a change inside a dict or list field, and a change that makes the
settings invalid (which must fail, unsent)."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from llama_index_openrouter import OpenRouter
from openrouter_core.errors import InputError
from openrouter_core.testing import Emulator

HI = [ChatMessage(role="user", content="hi")]


def test_changes_after_a_request_reach_the_next_one(llm: OpenRouter, emu: Emulator) -> None:
    llm.chat(HI)
    assert "seed" not in emu.requests[-1].json
    llm.additional_kwargs["seed"] = 5  # in place, the same dict
    llm.temperature = 0.25
    llm.chat(HI, top_p=0.5)  # the call's own overrides still apply on top
    body = emu.requests[-1].json
    assert (body["seed"], body["temperature"], body["top_p"]) == (5, 0.25, 0.5)
    llm.complete("hi")
    assert "top_p" not in emu.requests[-1].json


def test_a_shorthand_list_changed_in_place_is_sent(llm: OpenRouter, emu: Emulator) -> None:
    llm.order = ["openai"]
    llm.chat(HI)
    assert emu.requests[-1].json["provider"] == {"order": ["openai"]}
    assert llm.order is not None
    llm.order.append("azure")
    list(llm.stream_chat(HI))
    assert emu.requests[-1].json["provider"] == {"order": ["openai", "azure"]}


def test_a_change_that_makes_the_settings_invalid_fails_before_sending(
        llm: OpenRouter, emu: Emulator) -> None:
    llm.chat(HI)
    llm.additional_kwargs["temperature"] = 7
    with pytest.raises(InputError, match="temperature"):
        llm.chat(HI)
    assert len(emu.requests) == 1
    del llm.additional_kwargs["temperature"]
    llm.chat(HI)
    assert "temperature" not in emu.requests[-1].json


def test_endpoint_and_attribution_changes_are_used_at_once(llm: OpenRouter,
                                                           emu: Emulator) -> None:
    llm.chat(HI)
    llm.app_title = "changed app"
    llm.chat(HI)
    assert emu.requests[-1].headers["x-openrouter-title"] == "changed app"
    with Emulator() as other:
        llm.api_base = other.base_url
        llm.chat(HI)
        assert len(other.requests) == 1
    assert len(emu.requests) == 2


def test_the_settings_handed_out_are_a_copy(llm: OpenRouter, emu: Emulator) -> None:
    """``request_settings()`` is public and its result can be changed; the instance keeps
    its own for requests, so such a change reaches no request."""
    settings = llm.request_settings()
    settings.temperature = 1.5
    settings.extra_body = {"foo": "bar"}
    llm.chat(HI)
    body = emu.requests[-1].json
    assert "temperature" not in body and "foo" not in body


def test_a_value_equal_under_eq_but_sent_differently_is_sent(llm: OpenRouter,
                                                            emu: Emulator) -> None:
    llm.additional_kwargs["extra_body"] = {"flag": 1}
    llm.chat(HI)
    assert emu.requests[-1].json["flag"] == 1
    llm.additional_kwargs["extra_body"]["flag"] = True  # == 1, but sent as true
    llm.chat(HI)
    assert emu.requests[-1].json["flag"] is True


def test_calls_without_keywords_build_the_body_template_once(
        llm: OpenRouter, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_index_openrouter import calls

    built: list[tuple[str, bool]] = []
    original = calls._body_template

    def counting(inputs: Any) -> Any:
        built.append((inputs[1], inputs[2]))  # the model and the stream flag
        return original(inputs)

    monkeypatch.setattr(calls, "_body_template", counting)
    llm.chat(HI)
    llm.complete("hello")
    assert built == [(llm.model, False)]
    assert [m["content"] for m in emu.requests[-1].json["messages"]] == ["hello"]
    llm.chat(HI, temperature=0.5)  # keywords: built as before, no template
    assert emu.requests[-1].json["temperature"] == 0.5
    list(llm.stream_chat(HI))
    assert emu.requests[-1].json["stream"] is True and len(built) == 2
    llm.chat(HI)
    assert "temperature" not in emu.requests[-1].json
    assert "stream" not in emu.requests[-1].json
    llm.model = "openai/gpt-4o"
    llm.default_headers = {"X-Later": "1"}
    llm.chat(HI)
    assert emu.requests[-1].json["model"] == "openai/gpt-4o"
    assert emu.requests[-1].headers["x-later"] == "1"
    assert built[-1] == ("openai/gpt-4o", False)
    assert llm.default_headers is not None
    llm.default_headers["X-Later"] = "2"  # in place: headers are not kept in the template
    llm.chat(HI)
    assert emu.requests[-1].headers["x-later"] == "2"
    # Streamed and not, in turn: one template each, built once.
    before = len(built)
    for _ in range(3):
        list(llm.stream_chat(HI))
        assert emu.requests[-1].json["stream"] is True
        llm.chat(HI)
        assert "stream" not in emu.requests[-1].json
    assert built[before:] == [("openai/gpt-4o", True)]
