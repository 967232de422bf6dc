"""Construction, settings validation, metadata and serialisation (no network)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pydantic import ValidationError

from llama_index_openrouter import OpenRouter, OpenRouterMultiModal
from llama_index_openrouter.config import OpenRouterConfig
from llama_index_openrouter.profile import DEFAULT_CONTEXT_WINDOW, lookup
from openrouter_core import transport
from openrouter_core.settings import SETTING_NAMES

from .conftest import TEST_KEY


def test_every_core_setting_is_a_constructor_argument() -> None:
    assert set(SETTING_NAMES) <= set(OpenRouterConfig.model_fields)


@pytest.mark.usefixtures("clean_env")
def test_no_silent_defaults_on_the_wire() -> None:
    assert OpenRouter().request_settings().to_body() == {}


@pytest.mark.filterwarnings("ignore::openrouter_core.spelling.UnknownKeyWarning")  # on purpose
@pytest.mark.usefixtures("clean_env")
def test_settings_reach_the_body() -> None:
    llm = OpenRouter(
        temperature=0.3, max_tokens=50, provider={"sort": "price", "only": ["OpenAI"]},
        models=["a/b", "c/d"], plugins=[{"id": "web", "max_results": 3}],
        reasoning={"effort": "low"}, modalities=["text", "image"],
        image_config={"aspect_ratio": "16:9"}, session_id="s1", trace={"trace_id": "t"},
        user="u1", top_k=5, min_p=0.1, top_a=0.2, repetition_penalty=1.1,
        additional_kwargs={"brand_new_param": 1, "top_p": 0.9},
    )
    assert llm.request_settings().to_body() == {
        "temperature": 0.3, "max_tokens": 50, "top_p": 0.9, "top_k": 5, "min_p": 0.1,
        "top_a": 0.2, "repetition_penalty": 1.1,
        "provider": {"sort": "price", "only": ["OpenAI"]}, "models": ["a/b", "c/d"],
        "plugins": [{"id": "web", "max_results": 3}], "reasoning": {"effort": "low"},
        "modalities": ["text", "image"], "image_config": {"aspect_ratio": "16:9"},
        "session_id": "s1", "trace": {"trace_id": "t"}, "user": "u1", "brand_new_param": 1,
    }


@pytest.mark.usefixtures("clean_env")
def test_order_and_allow_fallbacks_fold_into_provider() -> None:
    llm = OpenRouter(order=["Together", "DeepInfra"], allow_fallbacks=False,
                     provider={"sort": "latency"})
    assert llm.request_settings().to_body()["provider"] == {
        "order": ["Together", "DeepInfra"], "allow_fallbacks": False, "sort": "latency"}


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(("kwargs", "name"), [
    ({"temperature": 5}, "temperature"), ({"provider": {"sort": "bogus"}}, "provider.sort"),
    ({"reasoning": {"effort": "high", "max_tokens": 10}}, "reasoning"),
    ({"max_tokens": 0}, "max_tokens"), ({"models": [""]}, "models"),
    ({"model": " "}, "model"),
])
def test_invalid_settings_name_the_parameter(kwargs: dict, name: str) -> None:
    with pytest.raises(ValidationError, match=name.replace(".", r"\.")):
        OpenRouter(api_key=TEST_KEY, **kwargs)


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENROUTER_API_BASE", "http://127.0.0.1:9/api/v1")
    llm = OpenRouter()
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == TEST_KEY
    assert llm.api_base == "http://127.0.0.1:9/api/v1"
    assert OpenRouter(api_base="http://x/api/v1").api_base == "http://x/api/v1"


def test_construction_creates_no_client(clean_env: None) -> None:
    before = transport.connections_opened
    OpenRouter(api_key=TEST_KEY, model="a/b")
    OpenRouterMultiModal(api_key=TEST_KEY, model="a/b")
    assert transport.connections_opened == before


def test_key_never_serialised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for cls in (OpenRouter, OpenRouterMultiModal):
        llm = cls(api_key=TEST_KEY, default_headers={"X-Test": "1"})
        texts = [repr(llm), str(llm), json.dumps(llm.to_dict()), llm.to_json(),
                 str(llm.model_dump())]
        if isinstance(llm, OpenRouter):
            texts.append(json.dumps(llm.to_payload()))
        for text in texts:
            assert TEST_KEY not in text
    with pytest.raises(ValidationError) as info:
        OpenRouter(api_key=TEST_KEY, temperature=9)
    assert TEST_KEY[:12] not in str(info.value)
    assert TEST_KEY not in caplog.text


def test_class_names_are_stable() -> None:
    assert OpenRouter.class_name() == "OpenRouter_LLM"
    assert OpenRouterMultiModal.class_name() == "OpenRouter_MultiModal_LLM"


@pytest.mark.usefixtures("clean_env")
def test_round_trip_through_to_dict() -> None:
    llm = OpenRouter(model="a/b", temperature=0.1, provider={"sort": "price"})
    again = OpenRouter.from_dict(llm.to_dict())
    assert again.model == "a/b"
    assert again.request_settings().to_body() == llm.request_settings().to_body()


@pytest.mark.usefixtures("clean_env")
def test_metadata() -> None:
    known = OpenRouter(model="openai/gpt-4o-mini").metadata
    assert (known.context_window, known.num_output) == (128_000, 16_384)
    assert known.is_chat_model
    assert known.is_function_calling_model
    assert known.model_name == "openai/gpt-4o-mini"
    unknown = OpenRouter(model="someone/new-model:free", max_tokens=777).metadata
    assert unknown.context_window == DEFAULT_CONTEXT_WINDOW
    assert unknown.num_output == 777
    overridden = OpenRouter(model="x/y", context_window=8192,
                            is_function_calling_model=False).metadata
    assert overridden.context_window == 8192
    assert not overridden.is_function_calling_model
    assert OpenRouterMultiModal(model="x/y").metadata.context_window == DEFAULT_CONTEXT_WINDOW


def test_model_info_lookup() -> None:
    assert lookup("openai/gpt-4o:floor").supports_json_schema
    assert lookup("openai/gpt-4o:floor") == lookup("openai/gpt-4o")
    assert lookup("@preset/mine").context_window == DEFAULT_CONTEXT_WINDOW
    assert lookup("some/unknown").context_window != 3900


def test_misspelled_constructor_argument_is_an_error_naming_it() -> None:
    import pytest

    from llama_index_openrouter import OpenRouter, OpenRouterMultiModal

    with pytest.raises(ValueError, match=r"OpenRouter: unknown key 'temprature'; did you mean "
                                         r"'temperature'\?"):
        OpenRouter(api_key="sk-or-v1-x", temprature=0.3)
    with pytest.raises(ValueError, match="did you mean 'model'"):
        OpenRouterMultiModal(api_key="sk-or-v1-x", modell="openai/gpt-4o")


def test_legacy_no_op_arguments_are_accepted_and_round_trip_survives() -> None:
    from llama_index_openrouter import OpenRouter

    with pytest.warns(UserWarning, match="reuse_client is accepted for compatibility"):
        llm = OpenRouter(api_key="sk-or-v1-x", model="openai/gpt-4o", is_chat_model=True,
                         reuse_client=False, temperature=0.2)
    again = OpenRouter.from_dict(llm.to_dict())
    assert (again.model, again.temperature) == ("openai/gpt-4o", 0.2)


@pytest.mark.usefixtures("clean_env")
def test_every_catalog_model_leaves_room_for_a_prompt() -> None:
    # Many models list a largest reply as long as their window; reserved whole, it left
    # PromptHelper no room (a negative available context) and every synthesizer failed.
    from openrouter_core.catalog import load_snapshot

    crowded = 0
    for info in load_snapshot():
        metadata = OpenRouter(model=info.id).metadata
        assert 0 < metadata.num_output <= metadata.context_window // 2, info.id
        if (info.max_completion_tokens or 0) * 2 > (info.context_length or 0):
            crowded += 1
        elif info.max_completion_tokens:
            assert metadata.num_output == info.max_completion_tokens, info.id
    assert crowded > 10  # the case this guards is common in the snapshot
    # A cap of the user's is reported as it is; so is a smaller window set by hand.
    assert OpenRouter(model="deepseek/deepseek-v3.2", max_tokens=200_000).metadata.num_output \
        == 200_000
    assert OpenRouter(model="openai/gpt-4o-mini", context_window=8_192).metadata.num_output \
        == 4_096


@pytest.mark.usefixtures("clean_env")
def test_a_query_engine_runs_for_a_model_whose_reply_limit_is_its_window(
        openrouter_emulator: Any) -> None:
    from llama_index.core import Document, MockEmbedding, VectorStoreIndex

    from openrouter_core.catalog import lookup_cached

    info = lookup_cached("deepseek/deepseek-v3.2")
    assert info is not None and info.max_completion_tokens == info.context_length
    llm = OpenRouter(model="deepseek/deepseek-v3.2", api_key=TEST_KEY,
                     api_base=openrouter_emulator.base_url)
    index = VectorStoreIndex.from_documents([Document(text="The library closes at 13:00.")],
                                            embed_model=MockEmbedding(embed_dim=8))
    for mode in ("compact", "refine", "tree_summarize"):
        engine = index.as_query_engine(llm=llm, response_mode=mode)
        assert str(engine.query("When does the library close?"))
    assert "13:00" in json.dumps(openrouter_emulator.chat_requests[-1].json)
