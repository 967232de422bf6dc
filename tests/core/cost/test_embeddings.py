"""Embeddings: core request/response functions, batching, base64, errors, both adapters."""

from __future__ import annotations

import base64
import math
import struct

import pytest
from langchain_core.exceptions import ModelAuthenticationError, ModelInvalidRequestError
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from langchain_openrouter.embeddings import OpenRouterEmbeddings
from llama_index_openrouter.embeddings import OpenRouterEmbedding, OpenRouterEmbeddingUsageEvent
from openrouter_core import embeddings as core, errors
from openrouter_core.testing import Emulator, Reply
from openrouter_core.testing.endpoints import base64_embeddings, embedding_vector
from openrouter_core.transport import Endpoint

from .conftest import TEST_KEY

TEXTS = ["alpha one", "bravo two", "charlie three", "delta four", "echo five"]


def embedding_requests(emu: Emulator) -> list[dict[str, object]]:
    return [r.body_dict for r in emu.requests if r.path.endswith("/embeddings")]


# --- pure -----------------------------------------------------------------------------------

def test_build_body_with_every_option() -> None:
    options = core.EmbeddingOptions(dimensions=64, encoding_format="base64",
                                    provider={"order": ["OpenAI"], "allow_fallbacks": False},
                                    user="u1", extra_body={"input_type": "query"})
    assert core.build_body("openai/text-embedding-3-small", ["a"], options) == {
        "model": "openai/text-embedding-3-small", "input": ["a"], "dimensions": 64,
        "encoding_format": "base64", "provider": {"order": ["OpenAI"],
                                                  "allow_fallbacks": False},
        "user": "u1", "input_type": "query"}


@pytest.mark.parametrize(("model", "inputs", "options"), [
    ("", ["a"], core.EmbeddingOptions()),
    ("m", ["a", 3], core.EmbeddingOptions()),
    ("m", ["a"], core.EmbeddingOptions(dimensions=0)),
])
def test_build_body_rejects_bad_input(model: str, inputs: list[object],
                                      options: core.EmbeddingOptions) -> None:
    with pytest.raises(errors.InputError):
        core.build_body(model, inputs, options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("options", "message"), [
    (core.EmbeddingOptions(dimensions=16, extra_body={"dimensions": 8}),
     "dimensions=16 and 8 among the extra body parameters disagree"),
    (core.EmbeddingOptions(encoding_format="float", extra_body={"encoding_format": "base64"}),
     "encoding_format='float' and 'base64'"),
    (core.EmbeddingOptions(extra_body={"model": "other/model"}), "'model' cannot be changed"),
    (core.EmbeddingOptions(extra_body={"input": ["x"]}), "'input' cannot be changed"),
])
def test_extra_body_parameters_never_silently_replace_the_calls(
        options: core.EmbeddingOptions, message: str) -> None:
    with pytest.raises(errors.InputError, match=message):
        core.build_body("openai/text-embedding-3-small", ["a"], options)


def test_extra_body_parameters_that_agree_or_add_go_in() -> None:
    options = core.EmbeddingOptions(dimensions=16, provider={"order": ["OpenAI"]},
                                    extra_body={"dimensions": 16, "input_type": "query",
                                                "model": "m", "provider": {"sort": "price"}})
    assert core.build_body("m", ["a"], options) == {
        "model": "m", "input": ["a"], "dimensions": 16, "input_type": "query",
        "provider": {"order": ["OpenAI"], "sort": "price"}}


def test_an_adapters_extra_dimensions_disagreeing_with_its_own_fail_before_sending(
        emu: Emulator) -> None:
    for embed in (
        lambda: OpenRouterEmbeddings(base_url=emu.base_url, api_key=TEST_KEY, dimensions=16,
                                     model_kwargs={"dimensions": 8}).embed_query("hi"),
        lambda: OpenRouterEmbedding(api_base=emu.base_url, api_key=TEST_KEY, dimensions=16,
                                    additional_kwargs={"dimensions": 8}
                                    ).get_query_embedding("hi"),
    ):
        with pytest.raises(ValueError, match="dimensions=16 and 8"):
            embed()
    assert embedding_requests(emu) == []


def test_provider_preferences_are_validated() -> None:
    with pytest.raises(ValueError, match="sort"):
        core.build_body("m", ["a"], core.EmbeddingOptions(provider={"sort": "fastest"}))


def test_decode_orders_by_index_and_reads_openrouter_fields() -> None:
    packed = base64.b64encode(struct.pack("<2f", 0.5, -0.25)).decode()
    body = {"object": "list", "model": "text-embedding-3-small", "provider": "OpenAI",
            "id": "gen-emb-1-abc",
            "data": [{"index": 1, "embedding": packed}, {"index": 0, "embedding": [1, 2]}],
            "usage": {"prompt_tokens": 4, "total_tokens": 4, "cost": 8e-8}}
    result = core.decode_embeddings(body, expected=2)
    assert result.vectors == [[1.0, 2.0], [0.5, -0.25]]
    assert (result.model, result.provider, result.id) == ("text-embedding-3-small", "OpenAI",
                                                          "gen-emb-1-abc")
    assert result.usage is not None and result.usage.prompt_tokens == 4
    assert result.cost == 8e-8
    with pytest.raises(ValueError, match="2 vectors for 3 inputs"):
        core.decode_embeddings(body, expected=3)
    with pytest.raises(ValueError, match="no 'data'"):
        core.decode_embeddings({"object": "list"})


def test_batches_and_merge() -> None:
    assert list(core.batches(TEXTS, 2)) == [TEXTS[:2], TEXTS[2:4], TEXTS[4:]]
    with pytest.raises(errors.InputError):
        list(core.batches(TEXTS, 0))
    merged = core.merge([])
    assert merged.vectors == [] and merged.usage is None


# --- core I/O ---------------------------------------------------------------------------------

def test_embed_batches_in_order_and_sums_usage(emu: Emulator, endpoint: Endpoint) -> None:
    seen: list[core.EmbeddingResult] = []
    result = core.embed(endpoint, "openai/text-embedding-3-small", TEXTS,
                        core.EmbeddingOptions(dimensions=16), batch_size=2, on_batch=seen.append)
    sent = embedding_requests(emu)
    assert [r["input"] for r in sent] == [TEXTS[:2], TEXTS[2:4], TEXTS[4:]]
    assert all(r["dimensions"] == 16 for r in sent)
    assert result.vectors == [embedding_vector(t, 16) for t in TEXTS]
    assert len(result.ids) == 3 and all(i.startswith("gen-emb-") for i in result.ids)
    assert result.provider == "OpenAI"
    assert result.usage is not None
    assert result.usage.cost == pytest.approx(sum(r.cost or 0 for r in seen))
    assert result.usage.prompt_tokens == sum(r.usage.prompt_tokens for r in seen if r.usage)
    assert core.embed(endpoint, "m", []).vectors == []
    assert len(embedding_requests(emu)) == 3


async def test_aembed_matches_embed(emu: Emulator, endpoint: Endpoint) -> None:
    result = await core.aembed(endpoint, "m", TEXTS, batch_size=3)
    assert result.vectors == [embedding_vector(t) for t in TEXTS]
    assert len(embedding_requests(emu)) == 2


def test_base64_is_decoded_to_floats(emu: Emulator, endpoint: Endpoint) -> None:
    emu.embeddings_responder = base64_embeddings
    result = core.embed(endpoint, "m", TEXTS[:2],
                        core.EmbeddingOptions(encoding_format="base64", dimensions=32))
    assert embedding_requests(emu)[0]["encoding_format"] == "base64"
    for vector, text in zip(result.vectors, TEXTS[:2], strict=True):
        assert vector == pytest.approx(embedding_vector(text, 32), abs=1e-6)


@pytest.mark.parametrize(("reply", "error"), [
    (Reply.error(400, "Model no-such/embedding-model does not exist"), errors.BadRequestError),
    (Reply.error(402, "Insufficient credits"), errors.PaymentRequiredError),
    (Reply.json({"object": "list", "data": "nope"}), errors.MalformedResponseError),
    (Reply.json({"object": "list", "data": []}), errors.MalformedResponseError),
    (Reply.raw(200, {"Content-Type": "text/html"}, b"<html>"), errors.MalformedResponseError),
    (Reply.json({"error": {"message": "upstream", "code": 502}}), errors.InternalServerError),
])
def test_errors_are_typed(emu: Emulator, endpoint: Endpoint, reply: Reply,
                          error: type[Exception]) -> None:
    emu.enqueue(reply, route="embeddings")
    with pytest.raises(error):
        core.embed(endpoint, "m", ["x"])


def test_retryable_errors_are_retried(emu: Emulator, endpoint: Endpoint) -> None:
    emu.enqueue(Reply.error(429, "slow down", headers={"Retry-After": "0"}), route="embeddings")
    retrying = Endpoint(base_url=endpoint.base_url, api_key=endpoint.api_key, max_retries=1)
    assert len(core.embed(retrying, "m", ["x"]).vectors) == 1
    assert len(embedding_requests(emu)) == 2


# --- LangChain ----------------------------------------------------------------------------------

def lc_embeddings(emu: Emulator, **kwargs: object) -> OpenRouterEmbeddings:
    return OpenRouterEmbeddings(api_key=TEST_KEY, base_url=emu.base_url, max_retries=0,
                                **kwargs)  # type: ignore[arg-type]


def test_langchain_embed_documents_and_query(emu: Emulator) -> None:
    model = lc_embeddings(emu, model="openai/text-embedding-3-large", dimensions=24,
                          batch_size=2, provider={"order": ["OpenAI"]})
    vectors = model.embed_documents(TEXTS)
    assert vectors == [embedding_vector(t, 24) for t in TEXTS]
    assert model.embed_query("alpha one") == vectors[0]
    sent = embedding_requests(emu)
    assert len(sent) == 4
    assert sent[0]["model"] == "openai/text-embedding-3-large"
    assert sent[0]["provider"] == {"order": ["OpenAI"]}
    assert model.last_usage is not None and model.last_usage.cost is not None
    assert emu.requests[0].header("authorization") == f"Bearer {TEST_KEY}"


async def test_langchain_async(emu: Emulator) -> None:
    model = lc_embeddings(emu)
    assert await model.aembed_documents(TEXTS[:2]) == [embedding_vector(t) for t in TEXTS[:2]]
    assert await model.aembed_query("q") == embedding_vector("q")


def test_langchain_environment_and_secrecy(emu: Emulator,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENROUTER_API_BASE", emu.base_url)
    model = OpenRouterEmbeddings()
    assert model.embed_query("x") == embedding_vector("x")
    for text in (repr(model), str(model), str(model.model_dump()), model.model_dump_json()):
        assert TEST_KEY not in text


def test_langchain_errors(emu: Emulator) -> None:
    emu.enqueue(Reply.error(400, "Input must have at least 1 token."), route="embeddings")
    with pytest.raises(ModelInvalidRequestError) as info:
        lc_embeddings(emu).embed_documents([""])
    assert isinstance(info.value, errors.BadRequestError)
    emu.require_api_key = "sk-or-v1-other"
    with pytest.raises(ModelAuthenticationError):
        lc_embeddings(emu).embed_query("x")
    with pytest.raises(errors.InputError):
        OpenRouterEmbeddings(base_url=emu.base_url, api_key="").embed_query("x")


# --- LlamaIndex ---------------------------------------------------------------------------------

class Collect(BaseEventHandler):
    events: list[BaseEvent] = []

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        self.events.append(event)


def li_embedding(emu: Emulator, **kwargs: object) -> OpenRouterEmbedding:
    return OpenRouterEmbedding(api_key=TEST_KEY, api_base=emu.base_url, max_retries=0,
                               **kwargs)  # type: ignore[arg-type]


def test_llama_index_embeddings_and_usage_event(emu: Emulator) -> None:
    collect = Collect(events=[])
    get_dispatcher().add_event_handler(collect)
    try:
        model = li_embedding(emu, model="openai/text-embedding-3-small", batch_size=2,
                             dimensions=16)
        vectors = model.get_text_embedding_batch(TEXTS)
        assert vectors == [embedding_vector(t, 16) for t in TEXTS]
        assert model.get_query_embedding("alpha") == embedding_vector("alpha", 16)
        assert model.get_text_embedding("bravo") == embedding_vector("bravo", 16)
    finally:
        get_dispatcher().event_handlers.remove(collect)
    usage_events = [e for e in collect.events if isinstance(e, OpenRouterEmbeddingUsageEvent)]
    assert [e.inputs for e in usage_events] == [2, 2, 1, 1, 1]
    assert all(e.cost and e.cost > 0 and e.provider == "OpenAI" for e in usage_events)
    assert all((e.generation_id or "").startswith("gen-emb-") for e in usage_events)
    assert model.last_usage is not None and model.last_usage.cost == usage_events[-1].cost
    assert len(embedding_requests(emu)) == 5


async def test_llama_index_async(emu: Emulator) -> None:
    model = li_embedding(emu)
    assert await model.aget_query_embedding("q") == embedding_vector("q")
    assert await model.aget_text_embedding("t") == embedding_vector("t")
    assert await model.aget_text_embedding_batch(TEXTS) == [embedding_vector(t) for t in TEXTS]


def test_llama_index_environment_and_secrecy(emu: Emulator,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENROUTER_API_BASE", emu.base_url)
    model = OpenRouterEmbedding()
    assert model.get_query_embedding("x") == embedding_vector("x")
    forms = [repr(model), str(model.to_dict()), model.to_json()]
    if hasattr(model, "to_payload"):  # llama-index-core added BaseComponent.to_payload after 0.14.5
        forms.append(str(model.to_payload()))
    for text in forms:
        assert TEST_KEY not in text
    assert model.model_name == "openai/text-embedding-3-small"


def test_llama_index_errors(emu: Emulator) -> None:
    emu.enqueue(Reply.error(400, "bad model"), route="embeddings")
    with pytest.raises(errors.BadRequestError):
        li_embedding(emu).get_query_embedding("x")


def test_emulator_vectors_are_unit_length_and_meaningful() -> None:
    vector = embedding_vector("the cat sat on the mat", 64)
    assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-6)

    def cosine(a: str, b: str) -> float:
        return sum(x * y for x, y in zip(embedding_vector(a, 128), embedding_vector(b, 128),
                                         strict=True))

    assert cosine("Paris is the capital of France", "capital of France?") > \
        cosine("Paris is the capital of France", "Bananas are yellow fruit")
