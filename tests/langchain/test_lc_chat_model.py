"""ChatOpenRouter construction, validation, serialization and binding (no network)."""

from __future__ import annotations

import logging
import warnings

import pytest
from langchain_core.load import dumpd, dumps, load
from pydantic import BaseModel, ValidationError

from langchain_openrouter import ChatOpenRouter
from openrouter_core import transport
from openrouter_core.settings import ProviderPreferences

KEY = "sk-or-v1-secret-never-shown-0123456789"


def make(**kwargs: object) -> ChatOpenRouter:
    return ChatOpenRouter(**{"model": "openai/gpt-4o-mini", "api_key": KEY, **kwargs})


@pytest.mark.filterwarnings("ignore::openrouter_core.spelling.UnknownKeyWarning")  # on purpose
def test_old_package_constructor_arguments_are_accepted() -> None:
    model = make(
        base_url="https://proxy.test/v1", openrouter_provider={"order": ["OpenAI"]},
        reasoning={"effort": "high"}, plugins=[{"id": "web"}], route="fallback",
        app_url="https://app.test", app_title="App", app_categories=["cli-agent"],
        session_id="s1", trace={"trace_id": "t"}, default_headers={"X-A": "1"}, max_retries=1,
        timeout=12.5, temperature=0.1, max_tokens=10, max_completion_tokens=20, top_p=0.9,
        frequency_penalty=0.1, presence_penalty=0.1, seed=7, stop=["x"], n=1, streaming=True,
        stream_usage=False, model_kwargs={"foo": 1}, models=["a/b"], modalities=["text"],
        image_config={"aspect_ratio": "1:1"}, transforms=["middle-out"], user="u",
        verbosity="low", top_k=5, min_p=0.1, top_a=0.1, repetition_penalty=1.1, logprobs=True,
        top_logprobs=2, extra_body={"custom": True},
    )
    body = model._settings().to_body()
    assert body["provider"] == {"order": ["OpenAI"]}
    assert body["reasoning"] == {"effort": "high"}
    assert body["foo"] == 1 and body["custom"] is True
    assert model.request_timeout == 12.5
    assert model.model == "openai/gpt-4o-mini"


def test_provider_alias_and_pydantic_settings_objects() -> None:
    model = make(provider=ProviderPreferences(only=["Anthropic"]))
    assert model._settings().to_body()["provider"] == {"only": ["Anthropic"]}


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"temperature": 5}, "temperature"),
        ({"reasoning": {"effort": "extreme"}}, "reasoning.effort"),
        ({"openrouter_provider": {"sort": "cheapest"}}, "openrouter_provider.sort"),
        ({"top_p": 2}, "top_p"),
        ({"models": [""]}, "models"),
        ({"model_kwargs": {"top_k": -1}}, "top_k"),
    ],
)
def test_invalid_settings_fail_at_construction_naming_the_parameter(
    kwargs: dict[str, object], name: str
) -> None:
    if "model_kwargs" in kwargs:  # moved to its own parameter (with a warning), then validated
        with pytest.warns(UserWarning, match=f"{name} is a ChatOpenRouter parameter"), \
                pytest.raises(ValidationError, match=name):
            make(**kwargs)
        return
    with pytest.raises(ValidationError, match=name):
        make(**kwargs)


def test_unknown_kwargs_move_to_model_kwargs_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="fancy_param"):
        model = make(fancy_param=3)
    assert model.model_kwargs == {"fancy_param": 3}
    assert model._settings().to_body()["fancy_param"] == 3


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-from-env-000000")
    monkeypatch.setenv("OPENROUTER_API_BASE", "http://127.0.0.1:9/api/v1")
    model = ChatOpenRouter(model="x/y")
    assert model.openrouter_api_key is not None
    assert model.openrouter_api_key.get_secret_value() == "sk-or-v1-from-env-000000"
    assert model.openrouter_api_base == "http://127.0.0.1:9/api/v1"


def test_construction_creates_no_client_and_key_never_leaks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = dict(transport._sync_clients)
    with caplog.at_level(logging.DEBUG):
        model = make(default_headers={"X-Secret": "h"})
    assert transport._sync_clients == before
    assert KEY not in repr(model)
    assert KEY not in str(model)
    assert KEY not in dumps(model)
    assert "X-Secret" not in dumps(model)  # headers may carry credentials
    assert KEY not in caplog.text
    assert dumpd(model)["kwargs"]["openrouter_api_key"] == {
        "lc": 1, "type": "secret", "id": ["OPENROUTER_API_KEY"]}


def test_dumpd_load_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    model = make(temperature=0.3, openrouter_provider={"order": ["A"]}, reasoning={"effort": "low"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load(dumpd(model), valid_namespaces=["langchain_openrouter"],
                      allowed_objects="all", secrets_from_env=True)
    assert isinstance(loaded, ChatOpenRouter)
    assert loaded.temperature == 0.3
    assert loaded.openrouter_provider == {"order": ["A"]}
    assert loaded.openrouter_api_key is not None
    assert loaded.openrouter_api_key.get_secret_value() == KEY


def test_langsmith_params_and_invocation_params() -> None:
    model = make(temperature=0.2, max_tokens=50, stop=["END"])
    params = model._get_ls_params()
    assert params["ls_provider"] == "openrouter"
    assert params["ls_model_name"] == "openai/gpt-4o-mini"
    assert (params["ls_temperature"], params["ls_max_tokens"], params["ls_stop"]) == (
        0.2, 50, ["END"])
    assert model._get_ls_params(model="x/override")["ls_model_name"] == "x/override"
    invocation = model._get_invocation_params()
    assert KEY not in str(invocation)
    assert invocation["temperature"] == 0.2


def test_bind_tools_formats_every_kind_and_passes_server_tools_untouched() -> None:
    class Lookup(BaseModel):
        """Look something up."""

        query: str

    def add(a: int, b: int) -> int:
        """Add two ints."""
        return a + b

    server = {"type": "openrouter:web_search", "parameters": {"max_results": 3}}
    bound = make().bind_tools([Lookup, add, server], tool_choice="add", strict=True,
                              parallel_tool_calls=False)
    kwargs = bound.kwargs  # type: ignore[attr-defined]
    names = [t.get("function", {}).get("name") for t in kwargs["tools"]]
    assert names == ["Lookup", "add", None]
    assert kwargs["tools"][2] is not server and kwargs["tools"][2] == server
    assert kwargs["tools"][0]["function"]["strict"] is True
    assert kwargs["tool_choice"] == "add"
    assert kwargs["parallel_tool_calls"] is False


def test_structured_output_methods_bind_the_right_request() -> None:
    class Joke(BaseModel):
        setup: str
        punchline: str

    model = make()
    json_mode = model.with_structured_output(Joke, method="json_mode")
    assert json_mode.first.kwargs["response_format"] == {"type": "json_object"}  # type: ignore[attr-defined]
    schema = model.with_structured_output(Joke, strict=True)
    response_format = schema.first.kwargs["response_format"]  # type: ignore[attr-defined]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Joke"
    assert response_format["json_schema"]["strict"] is True
    tools = model.with_structured_output(Joke, method="function_calling")
    assert tools.first.kwargs["tool_choice"] == "Joke"  # type: ignore[attr-defined]
    healed = make(plugins=[{"id": "web"}]).with_structured_output(Joke, response_healing=True)
    assert healed.first.kwargs["plugins"] == [{"id": "web"}, {"id": "response-healing"}]  # type: ignore[attr-defined]
    # Plugins given for these calls (they replace the model's) keep theirs, healing added.
    given = make(plugins=[{"id": "web"}]).with_structured_output(
        Joke, response_healing=True, plugins=[{"id": "file-parser"}])
    assert given.first.kwargs["plugins"] == [{"id": "file-parser"}, {"id": "response-healing"}]  # type: ignore[attr-defined]
    unset = make(plugins=[{"id": "web"}]).with_structured_output(
        Joke, response_healing=True, plugins=None)
    assert unset.first.kwargs["plugins"] == [{"id": "web"}, {"id": "response-healing"}]  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="method"):
        model.with_structured_output(Joke, method="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="schema"):
        model.with_structured_output(None)


def test_profile_comes_from_the_bundled_catalog() -> None:
    profile = make().profile  # openai/gpt-4o-mini, no network at construction
    assert profile is not None
    assert profile["max_input_tokens"] == 128_000
    assert profile["max_output_tokens"] == 16_384
    assert profile["structured_output"] is True
    assert make(model="someone/not-in-the-catalog").profile is None
