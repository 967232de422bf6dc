"""The spelling rule, one table, both adapters (issue: typos caught the same way).

A key within two edits of a known one fails before anything is sent, with "did you mean"; any
other unknown key is sent, with one ``UnknownKeyWarning`` pointing at the caller's line;
``extra_body`` is never checked. Constructor arguments, nested settings and per-call keywords
all follow it, with the same message from ``openrouter_core.spelling`` in both adapters.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import spelling
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-e2e-test-key-0000000000"
MODEL = "openai/gpt-4o-mini"
Call = Callable[[Emulator], Any]


def lc(settings: dict[str, Any], call: dict[str, Any] | None = None) -> Call:
    def run(emu: Emulator) -> Any:
        model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url, max_retries=0,
                               **settings)
        return model.invoke("hi", **(call or {}))
    return run


def li(settings: dict[str, Any], call: dict[str, Any] | None = None) -> Call:
    def run(emu: Emulator) -> Any:
        llm = OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url, max_retries=0,
                         **settings)
        return llm.complete("hi", **(call or {}))
    return run


ADAPTERS = {"langchain": lc, "llama_index": li}

# (case, constructor settings, per-call keywords, the error's message or None, warned key,
#  what must reach the wire)
TABLE: list[tuple[str, dict[str, Any], dict[str, Any], str | None, str | None, dict[str, Any]]] = [
    ("constructor near miss", {"temprature": 0.2}, {},
     "unknown key 'temprature'; did you mean 'temperature'?", None, {}),
    ("nested near miss: reasoning", {"reasoning": {"efort": "high"}}, {},
     "reasoning: unknown key 'efort'; did you mean 'effort'?", None, {}),
    ("nested near miss: provider", {"provider": {"ordr": ["openai"]}}, {},
     "provider: unknown key 'ordr'; did you mean 'order'?", None, {}),
    ("nested near miss: plugin", {"plugins": [{"id": "web", "max_result": 3}]}, {},
     "plugins (web): unknown key 'max_result'; did you mean 'max_results'?", None, {}),
    ("per-call near miss", {}, {"temprature": 0.2},
     "the per-call arguments: unknown key 'temprature'; did you mean 'temperature'?", None, {}),
    ("per-call near miss, nested", {}, {"usage": {"inclde": True}},
     "usage: unknown key 'inclde'; did you mean 'include'?", None, {}),
    ("per-call near miss, nested setting", {}, {"reasoning": {"efort": "low"}},
     "reasoning: unknown key 'efort'; did you mean 'effort'?", None, {}),
    ("constructor unknown", {"brand_new_option": 1}, {}, None, "brand_new_option",
     {"brand_new_option": 1}),
    ("nested unknown", {"provider": {"brand_new_pref": True}}, {}, None, "brand_new_pref",
     {"provider": {"brand_new_pref": True}}),
    ("per-call unknown", {}, {"brand_new_option": 2}, None, "brand_new_option",
     {"brand_new_option": 2}),
    ("documented untyped key", {}, {"usage": {"include": True}}, None, None,
     {"usage": {"include": True}}),
    ("extra_body is never checked", {"extra_body": {"temprature": 0.5}}, {}, None, None,
     {"temprature": 0.5}),
]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
@pytest.mark.parametrize(("case", "settings", "call", "error", "warned", "sent"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_spelling_rule(openrouter_emulator: Emulator, adapter: str, case: str,
                       settings: dict[str, Any], call: dict[str, Any], error: str | None,
                       warned: str | None, sent: dict[str, Any]) -> None:
    emu = openrouter_emulator
    emu.responder = lambda request: Reply.text("ok")
    spelling._warned.clear()
    run = ADAPTERS[adapter](settings, call)
    if error is not None:
        with pytest.raises(ValueError) as info:
            run(emu)
        assert error in str(info.value)
        assert str(info.value).count("Value error") <= 1  # the message is said once
        if call:
            # Raised where the call is made: the documented type, also a TypeError.
            assert isinstance(info.value, spelling.UnknownKeyError), type(info.value)
            assert isinstance(info.value, TypeError)
        assert emu.requests == []  # nothing was sent
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(emu)
        run(emu)
    ours = [w for w in caught if issubclass(w.category, spelling.UnknownKeyWarning)]
    if warned is None:
        assert ours == []
    else:
        assert len(ours) == 1, [str(w.message) for w in ours]  # once, not per call
        assert f"{warned!r} is not a key this package knows; it is sent as given" in str(
            ours[0].message)
        assert ours[0].filename == __file__  # the caller's line
    body = emu.chat_requests[0].json
    for key, value in sent.items():
        assert body[key] == value


def test_both_adapters_give_the_same_message(openrouter_emulator: Emulator) -> None:
    expected = "provider: unknown key 'sortt'; did you mean 'sort'?"
    for make in (lc, li):
        with pytest.raises(ValueError, match=expected.replace("?", r"\?")):
            make({"provider": {"sortt": "price"}})(openrouter_emulator)
    assert openrouter_emulator.requests == []


def test_compatibility_warnings_point_at_the_callers_line() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatOpenRouter(model=MODEL, api_key=KEY, model_kwargs={"top_k": 5}, client=object())
        OpenRouter(model=MODEL, api_key=KEY, reasoning_effort="high")
    texts = {str(w.message).split(" ")[0]: w.filename for w in caught}
    assert texts["top_k"] == texts["client"] == texts["reasoning_effort='high'"] == __file__, texts


def _embedders(emu: Emulator, **arguments: Any) -> list[Any]:
    from langchain_openrouter import OpenRouterEmbeddings
    from llama_index_openrouter import OpenRouterEmbedding

    return [
        lambda: OpenRouterEmbeddings(model="openai/text-embedding-3-small", api_key=KEY,
                                     base_url=emu.base_url, **arguments),
        lambda: OpenRouterEmbedding(model="openai/text-embedding-3-small", api_key=KEY,
                                    api_base=emu.base_url, **arguments),
    ]


@pytest.mark.parametrize("which", [0, 1], ids=["OpenRouterEmbeddings", "OpenRouterEmbedding"])
def test_embedding_constructors_follow_the_rule(openrouter_emulator: Emulator,
                                                which: int) -> None:
    emu = openrouter_emulator
    spelling._warned.clear()
    # A near miss of a parameter fails before anything is sent (it was silently dropped).
    with pytest.raises(ValueError, match=r"unknown key 'dimensons'; did you mean 'dimensions'\?"):
        _embedders(emu, dimensons=16)[which]()
    # Any other unknown argument is sent, with one warning at the caller's line.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embedder = _embedders(emu, input_type="query")[which]()
    (warning,) = [w for w in caught if issubclass(w.category, spelling.UnknownKeyWarning)]
    assert "'input_type' is not a key this package knows" in str(warning.message)
    assert warning.filename == __file__
    if which == 0:
        embedder.embed_query("hi")
    else:
        embedder.get_text_embedding("hi")
    assert emu.requests[-1].json["input_type"] == "query"


@pytest.mark.parametrize("make", [
    lambda emu: ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url,
                               openai_api_key="sk-LEAK-1"),
    lambda emu: OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url,
                           anthropic_api_key="sk-LEAK-1"),
    lambda emu: _embedders(emu, openai_api_key="sk-LEAK-1")[0](),
    lambda emu: _embedders(emu, client_secret="sk-LEAK-1")[1](),
    lambda emu: ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url).invoke(
        "hi", access_token="sk-LEAK-1"),
    lambda emu: OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url).complete(
        "hi", password="sk-LEAK-1"),
], ids=["ChatOpenRouter", "OpenRouter", "OpenRouterEmbeddings", "OpenRouterEmbedding",
        "invoke", "complete"])
def test_a_credential_is_never_sent_as_an_unknown_argument(
        openrouter_emulator: Emulator, make: Callable[[Emulator], Any]) -> None:
    # An unknown argument is sent in the body and kept with the model's extra parameters: a
    # key (openai_api_key, the argument OpenAI classes' users bring) must fail instead.
    with pytest.raises(ValueError, match="looks like a credential") as info:
        make(openrouter_emulator)
    assert "sk-LEAK" not in str(info.value)
    assert openrouter_emulator.requests == []


def test_llama_index_classes_take_base_url_for_api_base(openrouter_emulator: Emulator) -> None:
    # base_url is the openai SDK's and LangChain's name; sent as a body field it would leave
    # requests going to the default URL.
    from llama_index_openrouter import OpenRouterEmbedding

    emu = openrouter_emulator
    llm = OpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url)
    embedder = OpenRouterEmbedding(model="openai/text-embedding-3-small", api_key=KEY,
                                   base_url=emu.base_url)
    assert (llm.api_base, embedder.api_base) == (emu.base_url, emu.base_url)
    llm.complete("hi")
    embedder.get_text_embedding("hi")
    assert [r.path.rsplit("/", 1)[-1] for r in emu.requests] == ["completions", "embeddings"]
    assert all("base_url" not in r.json for r in emu.requests)


def test_embeddings_take_provider_by_its_alias(openrouter_emulator: Emulator) -> None:
    from langchain_openrouter import OpenRouterEmbeddings

    embedder = OpenRouterEmbeddings(model="openai/text-embedding-3-small", api_key=KEY,
                                    base_url=openrouter_emulator.base_url,
                                    provider={"order": ["OpenAI"]})
    embedder.embed_query("hi")
    assert openrouter_emulator.requests[-1].json["provider"] == {"order": ["OpenAI"]}


@pytest.mark.parametrize("make", [
    lambda emu: ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url,
                               provider={"api_key": "sk-or-v1-LEAK-2"}),
    lambda emu: ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url).invoke(
        "hi", reasoning={"auth_token": "LEAK-2"}),
    lambda emu: OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url).complete(
        "hi", provider={"api_key": "LEAK-2"}),
    lambda emu: ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url).invoke(
        "hi", **{"x-api-key": "LEAK-2"}),
    lambda emu: OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url).complete(
        "hi", hf_token="LEAK-2"),
], ids=["nested in a constructor", "nested per call", "nested per call, LlamaIndex",
        "hyphenated", "a *_token"])
def test_a_credential_anywhere_is_refused_without_its_value(
        openrouter_emulator: Emulator, make: Callable[[Emulator], Any]) -> None:
    with pytest.raises(ValueError, match="looks like a credential") as info:
        make(openrouter_emulator)
    assert "LEAK-2" not in str(info.value)
    assert openrouter_emulator.requests == []


@pytest.mark.parametrize("key", ["max_tokens", "max_completion_tokens", "prompt_cache_key",
                                 "logit_bias", "top_logprobs", "service_tier", "session_id"])
def test_real_parameters_are_not_taken_for_credentials(key: str) -> None:
    assert spelling._CREDENTIAL.search(key) is None


def test_llama_index_base_url_is_never_sent(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    unset = OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url, base_url=None)
    both = OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url,
                      base_url="https://elsewhere.test/api/v1")
    for llm in (unset, both):
        assert llm.api_base == emu.base_url  # api_base wins
        llm.complete("hi")
    assert all("base_url" not in r.json for r in emu.requests)
