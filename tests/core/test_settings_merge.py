"""Routing preferences from every place a user can put them merge; they never replace each other.

Checked on the bytes each adapter sends to the emulator, and on the pure core function.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core.errors import InputError
from openrouter_core.settings import (
    ProviderPreferences,
    RequestSettings,
    SettingsConflictError,
    merge_objects,
)
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-merge-test"


def test_merge_objects_is_per_key_and_later_wins() -> None:
    merged = merge_objects({"provider": {"order": ["A"], "sort": "latency"}, "temperature": 1},
                           {"provider": {"sort": "price"}, "temperature": 0.2},
                           first="one", second="two")
    assert merged == {"provider": {"order": ["A"], "sort": "price"}, "temperature": 0.2}
    with pytest.raises(SettingsConflictError,
                       match=r"provider is an object in one but a str in two"):
        merge_objects({"provider": {"order": ["A"]}}, {"provider": "A"}, first="one",
                      second="two")


def test_core_settings_merge_extra_body_and_per_call_overrides() -> None:
    settings = RequestSettings.model_validate({
        "provider": {"order": ["Anthropic"]}, "reasoning": {"effort": "low"},
        "extra_body": {"provider": {"sort": "price"}}})
    assert settings.to_body()["provider"] == {"order": ["Anthropic"], "sort": "price"}
    call = settings.merged({"provider": {"allow_fallbacks": False},
                            "reasoning": {"exclude": True}})
    assert call.to_body()["provider"] == {"order": ["Anthropic"], "allow_fallbacks": False,
                                          "sort": "price"}
    assert call.to_body()["reasoning"] == {"effort": "low", "exclude": True}
    broken = RequestSettings.model_validate({"provider": {"order": ["Anthropic"]},
                                             "extra_body": {"provider": "Anthropic"}})
    with pytest.raises(InputError, match="typed settings but a str in extra_body"):
        broken.to_body()


# sort and order given together on purpose: the merge is under test, not the advice.
@pytest.mark.filterwarnings("ignore::openrouter_core.request.RoutingWarning")
def test_langchain_sends_every_routing_preference(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    with pytest.warns(UserWarning, match="provider is a ChatOpenRouter parameter"):
        model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY, base_url=emu.base_url,
                               openrouter_provider={"order": ["OpenAI", "Azure"]},
                               extra_body={"provider": {"sort": "price"}},
                               model_kwargs={"provider": {"data_collection": "deny"}})
    emu.enqueue(Reply.text("ok"), Reply.text("ok"))
    model.invoke("hi")
    assert emu.chat_requests[-1].json["provider"] == {
        "order": ["OpenAI", "Azure"], "data_collection": "deny", "sort": "price"}
    model.invoke("hi", provider={"allow_fallbacks": False, "sort": "throughput"})
    # Per call wins per key over the constructor, extra_body last of all (documented).
    assert emu.chat_requests[-1].json["provider"] == {
        "order": ["OpenAI", "Azure"], "data_collection": "deny", "allow_fallbacks": False,
        "sort": "price"}


def test_langchain_conflict_names_both_places(openrouter_emulator: Emulator) -> None:
    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY,
                           base_url=openrouter_emulator.base_url,
                           openrouter_provider={"order": ["OpenAI"]},
                           extra_body={"provider": "OpenAI"})
    with pytest.raises(InputError, match="provider is an object in the typed settings but a "
                                         "str in extra_body"):
        model.invoke("hi")
    assert openrouter_emulator.chat_requests == []


# sort and order given together on purpose: the merge is under test, not the advice.
@pytest.mark.filterwarnings("ignore::openrouter_core.request.RoutingWarning")
def test_llama_index_sends_every_routing_preference(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    llm = OpenRouter(model="openai/gpt-4o-mini", api_key=KEY, api_base=emu.base_url,
                     order=["OpenAI"], allow_fallbacks=False,
                     provider={"order": ["OpenAI"], "zdr": True},
                     additional_kwargs={"extra_body": {"provider": {"sort": "price"}}})
    emu.enqueue(Reply.text("ok"))
    llm.chat([ChatMessage(role="user", content="hi")])
    assert emu.chat_requests[-1].json["provider"] == {
        "order": ["OpenAI"], "zdr": True, "allow_fallbacks": False, "sort": "price"}


def test_llama_index_shorthand_disagreeing_with_provider_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"order=\['A'\] and provider.order=\['B'\] disagree"):
        OpenRouter(model="openai/gpt-4o-mini", api_key=KEY, order=["A"],
                   provider={"order": ["B"]})


@pytest.mark.parametrize(("given", "where"), [
    ({"additional_kwargs": {"provider": {"order": ["B"]}}}, "additional_kwargs.provider"),
    ({"additional_kwargs": {"extra_body": {"provider": {"order": ["B"]}}}},
     "additional_kwargs.extra_body.provider"),
    ({"additional_kwargs": {"provider": ProviderPreferences(order=["B"])}},
     "additional_kwargs.provider"),
    ({"extra_body": {"provider": {"order": ["B"]}}}, "extra_body.provider"),
])
def test_llama_index_shorthand_disagreeing_with_additional_kwargs_is_an_error(
        given: dict[str, Any], where: str) -> None:
    # The older package's users gave provider preferences in additional_kwargs, beside the
    # shorthands; those, and extra_body, come later and would win silently.
    with pytest.raises(ValueError, match=rf"order=\['A'\] and {re.escape(where)}.order=\['B'\] "
                                         "disagree"):
        OpenRouter(model="openai/gpt-4o-mini", api_key=KEY, order=["A"], **given)
    with pytest.raises(ValueError, match=r"allow_fallbacks=False and .* disagree"):
        OpenRouter(model="openai/gpt-4o-mini", api_key=KEY, allow_fallbacks=False,
                   additional_kwargs={"provider": {"allow_fallbacks": True}})
    # Agreeing, or about other keys, they merge.
    llm = OpenRouter(model="openai/gpt-4o-mini", api_key=KEY, order=["A"],
                     additional_kwargs={"provider": {"order": ["A"], "sort": "price"}})
    assert llm.request_settings().to_body()["provider"] == {"order": ["A"], "sort": "price"}
