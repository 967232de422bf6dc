"""What users of the official packages write or receive → what we send or return.

One row per behaviour a migrating user hits (langchain-openrouter 0.2.9 and
llama-index-llms-openrouter 0.6.0). Every row runs through real HTTP bytes on the emulator.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import errors
from openrouter_core.catalog import UnsupportedParameterWarning
from openrouter_core.spelling import UnknownKeyWarning
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-migration-table"
MODEL = "openai/gpt-4o-mini"


def _lc(emu: Emulator, **kwargs: Any) -> Callable[[], Any]:
    model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url, max_retries=0,
                           **kwargs)
    return lambda: model.invoke("hi")


def _li(emu: Emulator, **kwargs: Any) -> Callable[[], Any]:
    llm = OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url, max_retries=0, **kwargs)
    return lambda: llm.chat([ChatMessage(role="user", content="hi")])


ADAPTERS = {"langchain": _lc, "llama_index": _li}


def _body(choices: list[Any], usage: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "gen-table-1", "object": "chat.completion", "model": MODEL,
                            "choices": choices}
    if usage is not None:
        body["usage"] = usage
    return body


ANSWER = [{"index": 0, "message": {"role": "assistant", "content": "ok"},
           "finish_reason": "stop"}]


def _usage_of(result: Any) -> tuple[int, int, int]:
    if hasattr(result, "usage_metadata"):
        u = result.usage_metadata
        return u["input_tokens"], u["output_tokens"], u["total_tokens"]
    kw = result.additional_kwargs
    return kw["prompt_tokens"], kw["completion_tokens"], kw["total_tokens"]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_200_with_empty_choices_is_an_error_with_the_body(openrouter_emulator: Emulator,
                                                            adapter: str) -> None:
    body = _body([], {"prompt_tokens": 3, "completion_tokens": 0, "total_tokens": 3})
    openrouter_emulator.enqueue(Reply.json(body))
    with pytest.raises(errors.MalformedResponseError, match="no choices") as caught:
        ADAPTERS[adapter](openrouter_emulator)()
    assert caught.value.body == body
    assert isinstance(caught.value, ValueError)  # what langchain-openrouter raised here


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_integral_float_token_counts_are_read_as_ints(openrouter_emulator: Emulator,
                                                      adapter: str) -> None:
    usage = {"prompt_tokens": 585.0, "completion_tokens": 3.0, "total_tokens": 588.0}
    openrouter_emulator.enqueue(Reply.json(_body(ANSWER, usage)))
    assert _usage_of(ADAPTERS[adapter](openrouter_emulator)()) == (585, 3, 588)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("bad", [5.5, -1, "585", True])
def test_other_token_counts_are_a_decode_error_never_zero(openrouter_emulator: Emulator,
                                                          adapter: str, bad: Any) -> None:
    usage = {"prompt_tokens": bad, "completion_tokens": 3, "total_tokens": 8}
    openrouter_emulator.enqueue(Reply.json(_body(ANSWER, usage)))
    with pytest.raises(errors.MalformedResponseError,
                       match=f"usage prompt_tokens is {bad!r}, which is not a number of tokens"):
        ADAPTERS[adapter](openrouter_emulator)()


def test_a_bad_token_count_in_a_stream_keeps_the_partial_answer(
        openrouter_emulator: Emulator) -> None:
    chunk = {"id": "gen-s", "object": "chat.completion.chunk", "model": MODEL,
             "choices": [{"index": 0, "delta": {"content": "Hello"}}]}
    last = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 2.5, "completion_tokens": 1, "total_tokens": 3}}
    sse = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in (chunk, last))
    openrouter_emulator.enqueue(Reply.raw(200, {"Content-Type": "text/event-stream"},
                                          sse + b"data: [DONE]\n\n"))
    model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=openrouter_emulator.base_url,
                           max_retries=0)
    with pytest.raises(errors.MalformedResponseError) as caught:
        list(model.stream("hi"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello"


def test_a_field_in_model_kwargs_moves_to_the_field_with_a_warning(
        openrouter_emulator: Emulator) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=openrouter_emulator.base_url,
                               model_kwargs={"temperature": 0.3, "top_k": 4, "new_param": 1})
    said = "\n".join(str(w.message) for w in caught)
    assert "'new_param' is not a key this package knows; it is sent as given" in said
    assert "temperature is a ChatOpenRouter parameter" in said
    assert "top_k is a ChatOpenRouter parameter" in said
    assert model.temperature == 0.3
    assert model.model_kwargs == {"new_param": 1}  # an unknown name stays, and is sent
    openrouter_emulator.enqueue(Reply.text("ok"))
    with pytest.warns(UnsupportedParameterWarning, match="does not list top_k"):
        model.invoke("hi")
    body = openrouter_emulator.chat_requests[-1].json
    assert (body["temperature"], body["top_k"], body["new_param"]) == (0.3, 4, 1)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"temperature": 0.1, "model_kwargs": {"temperature": 0.9}},
     r"temperature=0.1 and model_kwargs\['temperature'\]=0.9 disagree"),
    ({"model_kwargs": {"model_name": "openai/gpt-4o"}},
     r"model='openai/gpt-4o-mini' and model_kwargs\['model_name'\]='openai/gpt-4o' disagree"),
])
def test_a_field_given_twice_with_different_values_is_an_error(kwargs: dict[str, Any],
                                                               match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ChatOpenRouter(model=MODEL, api_key=KEY, **kwargs)


def test_model_name_in_model_kwargs_never_reaches_the_body(
        openrouter_emulator: Emulator) -> None:
    with pytest.warns(UserWarning, match="model_name is a ChatOpenRouter parameter"):
        model = ChatOpenRouter(api_key=KEY, base_url=openrouter_emulator.base_url,
                               model_kwargs={"model_name": MODEL})
    openrouter_emulator.enqueue(Reply.text("ok"))
    model.invoke("hi")
    body = openrouter_emulator.chat_requests[-1].json
    assert body["model"] == MODEL
    assert "model_name" not in body


def test_a_millisecond_timeout_warns_once_with_what_it_was_read_as(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_openrouter import config as params

    monkeypatch.setattr(params, "_warned_timeout", False)
    with pytest.warns(UserWarning, match=r"timeout=30000 is read as seconds \(8.3 hours\); "
                                         r"langchain-openrouter took milliseconds, so for that "
                                         r"meaning pass timeout=30"):
        model = ChatOpenRouter(model=MODEL, api_key=KEY, timeout=30000)
    assert model.request_timeout == 30000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatOpenRouter(model=MODEL, api_key=KEY, timeout=60000)  # once per process
        ChatOpenRouter(model=MODEL, api_key=KEY, timeout=600)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_missing_key_names_the_variable_and_the_argument(
        openrouter_emulator: Emulator, adapter: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    make = ChatOpenRouter if adapter == "langchain" else OpenRouter
    model: Any = make(model=MODEL)
    with pytest.raises(errors.InputError, match=r"pass api_key=\.\.\. or set OPENROUTER_API_KEY"):
        if adapter == "langchain":
            model.invoke("hi")
        else:
            model.chat([ChatMessage(role="user", content="hi")])
    assert openrouter_emulator.chat_requests == []


# Written by langchain-openrouter 0.2.9 itself (langchain_core.load.dumpd of a ChatOpenRouter
# built with the arguments below, in a separate virtualenv); see tests/e2e/fixtures/README.md.
OLD_DUMP = Path(__file__).parent / "fixtures" / "langchain-openrouter-0.2.9-dumpd.json"


# langchain_core.load.load is marked beta by LangChain; loading an old dump is the point here.
@pytest.mark.filterwarnings("ignore:The function `load` is in beta:"
                            "langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_a_dump_written_by_the_official_package_loads(openrouter_emulator: Emulator) -> None:
    from langchain_core.load import dumpd, load

    document = json.loads(OLD_DUMP.read_text())
    with pytest.warns(UserWarning, match="timeout=30000 is read as seconds"):
        model = load(document, secrets_map={"OPENROUTER_API_KEY": KEY},
                     valid_namespaces=["langchain_openrouter"], allowed_objects="all")
    assert isinstance(model, ChatOpenRouter)
    assert (model.model_name, model.temperature, model.max_tokens, model.seed) == (
        MODEL, 0.2, 100, 3)
    assert model.openrouter_provider == {"order": ["OpenAI"]}
    assert (model.reasoning, model.plugins, model.route, model.session_id) == (
        {"effort": "low"}, [{"id": "web"}], "fallback", "s1")
    assert (model.app_url, model.app_title) == ("https://docs.langchain.com", "My App")
    # Our own dump keeps the shared fields' names and values, and never the key.
    again = dumpd(model)["kwargs"]
    for name in ("model_name", "temperature", "max_tokens", "seed", "stop", "n", "max_retries",
                 "stream_usage", "reasoning", "openrouter_provider", "route", "plugins",
                 "session_id", "app_url", "app_title", "request_timeout"):
        assert again[name] == document["kwargs"][name], name
    assert again["openrouter_api_key"] == {"lc": 1, "type": "secret",
                                           "id": ["OPENROUTER_API_KEY"]}
    assert KEY not in json.dumps(dumpd(model))
    model.request_timeout = None  # the dump's 30000 ms: not what this request should wait
    openrouter_emulator.enqueue(Reply.text("ok"))
    copy = model.model_copy(update={"openrouter_api_base": openrouter_emulator.base_url})
    with pytest.warns(UnsupportedParameterWarning, match="does not list reasoning"):
        copy.invoke("hi")
    body = openrouter_emulator.chat_requests[-1].json
    assert body["provider"] == {"order": ["OpenAI"]}
    assert body["plugins"] == [{"id": "web"}]


def test_llama_index_official_arguments_are_translated_on_the_wire(
        openrouter_emulator: Emulator) -> None:
    with pytest.warns(UserWarning, match="is accepted for compatibility|is sent as") as caught:
        llm = OpenRouter(model=MODEL, api_key=KEY, api_base=openrouter_emulator.base_url,
                         reasoning_effort="low", audio_config={"voice": "alloy", "format": "wav"},
                         api_version="2024-06-01", strict=True, reuse_client=False,
                         should_use_structured_outputs=True, is_chat_model=True)
    said = "\n".join(str(w.message) for w in caught)
    assert "reasoning_effort='low' is sent as reasoning={'effort': 'low'}" in said
    assert "audio_config is sent as the request's 'audio' parameter" in said
    # The spelling it points to is a documented body key, not an unknown one.
    assert not [w for w in caught if issubclass(w.category, UnknownKeyWarning)]
    for ignored in ("api_version", "strict", "reuse_client", "should_use_structured_outputs"):
        assert f"{ignored} is accepted for compatibility and not used" in said
    assert "is_chat_model" not in said  # True says nothing new
    openrouter_emulator.enqueue(Reply.text("ok"))
    with pytest.warns(UnsupportedParameterWarning, match="does not list reasoning"):
        llm.chat([ChatMessage(role="user", content="hi")])
    body = openrouter_emulator.chat_requests[-1].json
    assert body["reasoning"] == {"effort": "low"}
    assert body["audio"] == {"voice": "alloy", "format": "wav"}
    for ignored in ("api_version", "strict", "reuse_client", "should_use_structured_outputs",
                    "reasoning_effort", "audio_config"):
        assert ignored not in body


def test_llama_index_reasoning_given_twice_must_agree() -> None:
    with pytest.raises(ValueError, match=r"reasoning_effort='low' and reasoning\.effort='high'"):
        OpenRouter(model=MODEL, api_key=KEY, reasoning_effort="low",
                   reasoning={"effort": "high"})


def test_langchain_sdk_client_arguments_never_reach_the_body(
        openrouter_emulator: Emulator) -> None:
    with pytest.warns(UserWarning, match="client is accepted for compatibility and not used"):
        model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=openrouter_emulator.base_url,
                               client=object())
    assert model.model_kwargs == {}
    openrouter_emulator.enqueue(Reply.text("ok"))
    model.invoke("hi")
    assert "client" not in openrouter_emulator.chat_requests[-1].json


def test_a_default_model_dumps_in_the_official_shape() -> None:
    from langchain_core.load import dumpd

    kwargs = dumpd(ChatOpenRouter(model=MODEL, api_key=KEY))["kwargs"]
    # langchain-openrouter 0.2.9 dumped these for the same model (its app_url/app_title
    # defaults aside, which are off here by design).
    assert {k: kwargs[k] for k in ("model_name", "max_retries", "n", "stream_usage")} == {
        "model_name": MODEL, "max_retries": 2, "n": 1, "stream_usage": True}


def test_n_1_is_not_sent(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("ok"))
    _lc(openrouter_emulator)()
    assert "n" not in openrouter_emulator.chat_requests[-1].json


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("status", [400, 413])
def test_context_overflow_under_400_or_413_is_the_overflow_class(
        openrouter_emulator: Emulator, adapter: str, status: int) -> None:
    message = "This endpoint's maximum context length is 8192 tokens. You requested 9000."
    openrouter_emulator.enqueue(Reply.error(status, message))
    with pytest.raises(errors.ContextLengthError, match="maximum context length is 8192") as e:
        ADAPTERS[adapter](openrouter_emulator)()
    assert e.value.status_code == status
    if adapter == "langchain":
        from langchain_core.exceptions import ContextOverflowError

        assert isinstance(e.value, ContextOverflowError)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_both_adapters_read_the_same_environment(openrouter_emulator: Emulator, adapter: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setenv("OPENROUTER_API_BASE", openrouter_emulator.base_url)
    monkeypatch.setenv("OPENROUTER_APP_URL", "https://example.com/app")
    monkeypatch.setenv("OPENROUTER_APP_TITLE", "Env App")
    monkeypatch.setenv("OPENROUTER_SESSION_ID", "session-from-env")
    openrouter_emulator.enqueue(Reply.text("ok"))
    if adapter == "langchain":
        ChatOpenRouter(model=MODEL).invoke("hi")
    else:
        OpenRouter(model=MODEL).chat([ChatMessage(role="user", content="hi")])
    sent = openrouter_emulator.chat_requests[-1]
    assert sent.json["session_id"] == "session-from-env"
    assert sent.headers["http-referer"] == "https://example.com/app"
    assert sent.headers["x-openrouter-title"] == "Env App"
    assert sent.headers["authorization"] == f"Bearer {KEY}"


def test_review_regressions_stay_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    # An explicit None is "not given"; LangChain's own names stay in model_kwargs.
    with pytest.warns(UserWarning, match="temperature is a ChatOpenRouter parameter"):
        model = ChatOpenRouter(model=MODEL, api_key=KEY, temperature=None,
                               model_kwargs={"temperature": 0.2, "metadata": {"team": "a"}})
    assert model.temperature == 0.2
    assert model.model_kwargs == {"metadata": {"team": "a"}}
    # Keys never appear in a construction error, wherever they were given.
    with pytest.raises(ValueError) as caught:
        ChatOpenRouter(model=MODEL, api_key="sk-or-v1-FIRSTSECRET",
                       model_kwargs={"api_key": "sk-or-v1-OTHERSECRET"})
    assert "SECRET" not in str(caught.value)
    # A per-call reasoning budget of the other kind replaces the model's.
    reasoned = ChatOpenRouter(model=MODEL, api_key=KEY, reasoning={"effort": "high"})
    body = reasoned._settings().merged({"reasoning": {"max_tokens": 2000}}).to_body()
    assert body["reasoning"] == {"max_tokens": 2000}


def test_audio_output_settings_are_known_keys_in_both_adapters() -> None:
    # OpenRouter's audio guide: modalities=["text", "audio"] with audio={"voice", "format"}.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownKeyWarning)
        OpenRouter(model=MODEL, api_key=KEY,
                   additional_kwargs={"audio": {"voice": "alloy", "format": "wav"}})
        ChatOpenRouter(model=MODEL, api_key=KEY,
                       model_kwargs={"audio": {"voice": "alloy", "format": "wav"}})
    with pytest.raises(ValueError, match="unknown key 'voise'; did you mean 'voice'"):
        OpenRouter(model=MODEL, api_key=KEY, additional_kwargs={"audio": {"voise": "alloy"}})
