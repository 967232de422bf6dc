"""A model's settings and connection are built once and kept (``openrouter_core.memo``), so
every change made after a request must still reach the next one: assignment, a change inside a
dict or list field, and a change that makes the settings invalid (which must fail, unsent)."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Emulator


def test_changes_after_a_request_reach_the_next_one(model: ChatOpenRouter,
                                                    emu: Emulator) -> None:
    model.invoke("hi")
    assert "seed" not in emu.requests[-1].json
    model.model_kwargs["seed"] = 5  # in place, the same dict
    model.temperature = 0.25
    model.invoke("hi")
    body = emu.requests[-1].json
    assert (body["seed"], body["temperature"]) == (5, 0.25)
    # The traced parameters are built from the same settings.
    params = model._get_invocation_params()
    assert (params["seed"], params["temperature"]) == (5, 0.25)


def test_a_nested_list_changed_in_place_is_sent(model: ChatOpenRouter, emu: Emulator) -> None:
    model.openrouter_provider = {"order": ["openai"]}
    model.invoke("hi")
    assert emu.requests[-1].json["provider"] == {"order": ["openai"]}
    assert model.openrouter_provider is not None
    model.openrouter_provider["order"].append("azure")
    list(model.stream("hi"))
    assert emu.requests[-1].json["provider"] == {"order": ["openai", "azure"]}


def test_a_change_that_makes_the_settings_invalid_fails_before_sending(
        model: ChatOpenRouter, emu: Emulator) -> None:
    model.invoke("hi")
    model.model_kwargs["temperature"] = 7
    with pytest.raises(ValueError, match="temperature"):
        model.invoke("hi")
    assert len(emu.requests) == 1
    del model.model_kwargs["temperature"]
    model.invoke("hi")
    assert "temperature" not in emu.requests[-1].json


def test_connection_changes_reach_the_headers(model: ChatOpenRouter, emu: Emulator) -> None:
    model.invoke("hi")
    assert "x-openrouter-title" not in emu.requests[-1].headers
    model.app_title = "changed app"
    model.default_headers = {"X-Extra": "1"}
    model.invoke("hi")
    headers = emu.requests[-1].headers
    assert headers["x-openrouter-title"] == "changed app" and headers["x-extra"] == "1"
    model.default_headers["X-Extra"] = "2"  # in place
    model.invoke("hi")
    assert emu.requests[-1].headers["x-extra"] == "2"


def test_a_new_base_url_is_used_at_once(model: ChatOpenRouter, emu: Emulator) -> None:
    model.invoke("hi")
    with Emulator() as other:
        model.openrouter_api_base = other.base_url
        model.invoke("hi")
        assert len(other.requests) == 1
    assert len(emu.requests) == 1


def test_copies_send_their_own_settings(model: ChatOpenRouter, emu: Emulator) -> None:
    model.invoke("hi")
    warmer = model.model_copy(update={"temperature": 0.9})
    warmer.invoke("hi")
    model.invoke("hi")
    assert [r.json.get("temperature") for r in emu.requests] == [None, 0.9, None]
    assert warmer == model.model_copy(update={"temperature": 0.9})  # memos are not values


def test_values_equal_under_eq_but_sent_differently_are_sent(model: ChatOpenRouter,
                                                            emu: Emulator) -> None:
    model.extra_body = {"flag": 1, "a": 1, "b": 2}
    model.invoke("hi")
    model.extra_body["flag"] = True  # == 1, but sent as true
    model.invoke("hi")
    assert emu.requests[-1].json["flag"] is True
    model.extra_body = {"b": 2, "a": 1, "flag": True}  # == the dict before; another order
    model.invoke("hi")
    assert [k for k in emu.requests[-1].json if k in ("a", "b")] == ["b", "a"]


def test_calls_without_keywords_build_the_request_template_once(
        model: ChatOpenRouter, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_openrouter import calls

    built: list[bool] = []
    original = calls.call_template

    def counting(inputs: Any) -> Any:
        built.append(inputs[3])  # the stream flag
        return original(inputs)

    monkeypatch.setattr(calls, "call_template", counting)
    model.invoke("hi")
    model.invoke("hello")
    assert built == [False]
    assert [m["content"] for m in emu.requests[-1].json["messages"]] == ["hello"]
    model.invoke("hi", temperature=0.5)  # keywords: built as before, no template
    assert emu.requests[-1].json["temperature"] == 0.5
    model.invoke("hi")
    assert "temperature" not in emu.requests[-1].json and built == [False]
    model.temperature = 0.3
    model.invoke("hi")
    assert emu.requests[-1].json["temperature"] == 0.3 and built == [False, False]
    # Streamed and not, in turn: one template each, built once.
    for _ in range(3):
        list(model.stream("hi"))
        assert emu.requests[-1].json["stream"] is True
        model.invoke("hi")
        assert "stream" not in emu.requests[-1].json
    assert built == [False, False, True]


def test_the_model_name_stream_flag_and_usage_reach_every_request(
        model: ChatOpenRouter, emu: Emulator) -> None:
    model.invoke("hi")
    list(model.stream("hi"))
    assert emu.requests[-1].json["stream"] is True
    assert emu.requests[-1].json["stream_options"] == {"include_usage": True}
    model.invoke("hi")
    assert "stream" not in emu.requests[-1].json
    model.stream_usage = False
    list(model.stream("hi"))
    assert "stream_options" not in emu.requests[-1].json
    model.model_name = "openai/gpt-4o"
    model.invoke("hi")
    assert emu.requests[-1].json["model"] == "openai/gpt-4o"


def test_a_stop_of_the_call_is_sent_without_other_keywords(model: ChatOpenRouter,
                                                           emu: Emulator) -> None:
    model.invoke("hi")
    model.invoke("hi", stop=["END"])
    assert emu.requests[-1].json["stop"] == ["END"]
    model.invoke("hi", stop=[])
    assert "stop" not in emu.requests[-1].json
    list(model.stream("hi", stop=["DONE"]))
    assert emu.requests[-1].json["stop"] == ["DONE"]
