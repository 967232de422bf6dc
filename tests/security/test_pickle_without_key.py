"""A pickled model never carries the API key; the unpickling process reads its own.

Ray, multiprocessing and joblib ship models to workers by pickling them. The bytes must not
contain the key (a serialized object is a place keys leak from), and the unpickled model must
work where ``OPENROUTER_API_KEY`` is set, as a worker's environment would.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
from llama_index_openrouter import OpenRouter, OpenRouterEmbedding, OpenRouterMultiModal
from openrouter_core import transport
from openrouter_core.errors import InputError
from openrouter_core.testing import Emulator
from tests.keys import fake_key

KEY = fake_key("pickled model")
WORKER_KEY = fake_key("worker")


def build(kind: str, base_url: str) -> Any:
    if kind == "ChatOpenRouter":
        return ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY, base_url=base_url)
    if kind == "OpenRouterEmbeddings":
        return OpenRouterEmbeddings(api_key=KEY, base_url=base_url)
    cls = {"OpenRouter": OpenRouter, "OpenRouterMultiModal": OpenRouterMultiModal,
           "OpenRouterEmbedding": OpenRouterEmbedding}[kind]
    return cls(api_key=KEY, api_base=base_url)


def use(obj: Any) -> Any:
    if isinstance(obj, ChatOpenRouter):
        return obj.invoke("hi").text
    if isinstance(obj, OpenRouterEmbeddings):
        return obj.embed_query("hi")
    if isinstance(obj, OpenRouterEmbedding):
        return obj.get_text_embedding("hi")
    if isinstance(obj, OpenRouterMultiModal):
        return obj.complete("hi", image_documents=[]).text
    return obj.complete("hi").text


KINDS = ["ChatOpenRouter", "OpenRouterEmbeddings", "OpenRouter", "OpenRouterMultiModal",
         "OpenRouterEmbedding"]


@pytest.mark.parametrize("kind", KINDS)
def test_pickle_has_no_key_and_works_with_the_workers_key(
        openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    original = build(kind, openrouter_emulator.base_url)
    data = pickle.dumps(original)
    assert KEY.encode() not in data
    assert KEY.removeprefix("sk-or-v1-").encode() not in data
    use(original)  # the original keeps its key
    worker = pickle.loads(data)
    with pytest.raises(InputError, match="No OpenRouter API key"):
        use(worker)  # no key anywhere: a clear error, nothing sent
    monkeypatch.setenv("OPENROUTER_API_KEY", WORKER_KEY)
    use(worker)
    sent = [r.headers.get("authorization") for r in openrouter_emulator.requests]
    assert sent[0] == f"Bearer {KEY}"
    assert sent[-1] == f"Bearer {WORKER_KEY}"


@pytest.mark.parametrize("kind", KINDS)
def test_pickle_carries_no_connection_pool(
        openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Pools live in the transport, one per process: a model that has sent requests pickles
    without a client (a worker opens its own pool), and a copy in this process shares the pool
    already open instead of opening another."""
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    model = build(kind, openrouter_emulator.base_url)
    use(model)
    opened = transport.connections_opened
    data = pickle.dumps(model)
    assert b"httpx" not in data and b"openai._" not in data  # no SDK client, no pool
    # Nor the key: the connection the model built and keeps for its requests stays behind.
    assert KEY.removeprefix("sk-or-v1-").encode() not in data
    use(pickle.loads(data))
    assert transport.connections_opened == opened
