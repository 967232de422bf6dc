"""``default_headers`` may carry a secret (a proxy's token): kept out of every text form.

They are sent with every request, and a pickle keeps them (a model loaded in another process
needs them to work, and unlike the key they cannot be read from the environment there).
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps

from openrouter_core.testing import Emulator

TOKEN = "proxy-token-5f1e2d3c4b5a69788796a5b4"
HEADERS = {"X-Proxy-Token": TOKEN}


def _models(base_url: str) -> list[Any]:
    from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

    common = {"api_key": "sk-or-v1-test", "default_headers": HEADERS}
    return [
        ChatOpenRouter(model="openai/gpt-4o-mini", base_url=base_url, **common),
        OpenRouterEmbeddings(model="openai/text-embedding-3-small", base_url=base_url,
                             **common),
        OpenRouter(model="openai/gpt-4o-mini", api_base=base_url, **common),
        OpenRouterEmbedding(model="openai/text-embedding-3-small", api_base=base_url, **common),
    ]


def _texts(model: Any) -> dict[str, str]:
    forms = {"repr": repr(model), "str": str(model), "model_dump": str(model.model_dump()),
             "model_dump_json": model.model_dump_json()}
    if type(model).__module__.startswith("langchain"):
        forms["dumpd"] = str(dumpd(model))
        forms["dumps"] = dumps(model)
    else:
        forms["to_dict"] = str(model.to_dict())
        forms["to_json"] = model.to_json()
    return forms


@pytest.mark.parametrize("index", range(4), ids=["ChatOpenRouter", "OpenRouterEmbeddings",
                                                 "OpenRouter", "OpenRouterEmbedding"])
def test_default_headers_are_in_no_text_form_but_still_sent(
        openrouter_emulator: Emulator, index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-test")  # a pickle carries no key
    model = _models(openrouter_emulator.base_url)[index]
    for where, text in _texts(model).items():
        assert TOKEN not in text, f"the header value is in {where}"
    restored = pickle.loads(pickle.dumps(model))
    assert restored.default_headers == HEADERS
    if hasattr(restored, "embed_query"):
        restored.embed_query("hi")
    elif hasattr(restored, "get_text_embedding"):
        restored.get_text_embedding("hi")
    elif hasattr(restored, "invoke"):
        restored.invoke("hi")
    else:
        restored.complete("hi")
    assert openrouter_emulator.requests[-1].header("x-proxy-token") == TOKEN
