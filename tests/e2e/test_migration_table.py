"""What users of the official packages write or receive → what we send or return.

One row per behaviour a migrating user hits (langchain-openrouter 0.2.9 and
llama-index-llms-openrouter 0.6.0). Every row runs through real HTTP bytes on the emulator.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import errors
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
    with pytest.warns(UserWarning, match="temperature is a ChatOpenRouter parameter"):
        model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=openrouter_emulator.base_url,
                               model_kwargs={"temperature": 0.3, "top_k": 4, "new_param": 1})
    assert model.temperature == 0.3
    assert model.model_kwargs == {"new_param": 1}  # an unknown name stays, and is sent
    openrouter_emulator.enqueue(Reply.text("ok"))
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
    from langchain_openrouter import params

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
