"""The catalog as the adapters use it: profiles, LlamaIndex metadata, unsupported parameters.

Construction and requests never fetch the catalog; once the app has fetched it (here from the
emulator's /models), both adapters answer from it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import catalog
from openrouter_core.testing import Emulator, Reply
from openrouter_core.transport import Endpoint

KEY = "sk-or-v1-catalog-wiring-0000000000"


@pytest.fixture
def emu(openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", "/nonexistent/models.json")
    catalog.clear_cache()
    catalog.reset_warnings()
    yield openrouter_emulator
    catalog.clear_cache()
    catalog.reset_warnings()


def warm(emu: Emulator) -> None:
    catalog.get_catalog(Endpoint(base_url=emu.base_url, api_key=SecretStr(KEY)), mode="live")


def test_construction_never_fetches_and_profile_comes_from_a_fetched_catalog(
    emu: Emulator,
) -> None:
    cold = ChatOpenRouter(model="anthropic/claude-haiku-4.5", base_url=emu.base_url, api_key=KEY)
    assert cold.profile is None
    assert emu.requests == []
    warm(emu)
    model = ChatOpenRouter(model="anthropic/claude-haiku-4.5:nitro", base_url=emu.base_url,
                           api_key=KEY)
    assert model.profile is not None
    assert model.profile["max_input_tokens"] == 200000
    assert model.profile["max_output_tokens"] == 64000
    assert model.profile["tool_calling"] is True
    assert model.profile["reasoning_output"] is True
    assert model.profile["image_inputs"] is True
    assert [r.path for r in emu.requests] == ["/api/v1/models", "/api/v1/embeddings/models"]


def test_llama_index_metadata_uses_the_catalog_then_falls_back(emu: Emulator) -> None:
    llm = OpenRouter(model="meta-llama/llama-3.3-70b-instruct:free", api_base=emu.base_url,
                     api_key=KEY)
    assert llm.metadata.context_window == 128_000  # no snapshot here: the documented default
    warm(emu)
    assert llm.metadata.context_window == 65_536  # the :free endpoint's catalog entry wins
    assert llm.metadata.is_function_calling_model is False  # no "tools" for that model
    unknown = OpenRouter(model="acme/unknown-model", api_base=emu.base_url, api_key=KEY)
    assert unknown.metadata.context_window == 128_000  # documented default, never 3,900


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_unsupported_parameter_warns_once_and_is_still_sent(emu: Emulator,
                                                            framework: str) -> None:
    warm(emu)
    emu.enqueue(Reply.text("one"), Reply.text("two"))
    model = "meta-llama/llama-3.3-70b-instruct:free"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            if framework == "langchain":
                ChatOpenRouter(model=model, base_url=emu.base_url, api_key=KEY,
                               top_k=5).invoke("hi")
            else:
                OpenRouter(model=model, api_base=emu.base_url, api_key=KEY,
                           top_k=5).complete("hi")
    found = [w for w in caught if issubclass(w.category, catalog.UnsupportedParameterWarning)]
    assert len(found) == 1
    assert "top_k" in str(found[0].message)
    assert "require_parameters" in str(found[0].message)
    assert [r.json["top_k"] for r in emu.chat_requests] == [5, 5]
