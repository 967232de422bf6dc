"""RAG as a user runs it: Settings.llm, VectorStoreIndex query and chat engines, multimodal."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMChatStartEvent
from llama_index.core.prompts import PromptTemplate
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import ImageNode, NodeWithScore, QueryBundle, TextNode
from pydantic import BaseModel

from llama_index_openrouter import OpenRouter
from openrouter_core.testing import Emulator, Reply

from .conftest import TEST_KEY, make_llm

DOCS = [Document(text="The Eiffel Tower is 330 metres tall."),
        Document(text="Mount Fuji is 3776 metres high.")]


def index() -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(DOCS, embed_model=MockEmbedding(embed_dim=8))


def context_of(emu: Emulator) -> str:
    return "\n".join(str(m.get("content")) for m in emu.chat_requests[-1].json["messages"])


def test_settings_llm_query_engine(emu: Emulator, settings_llm: OpenRouter) -> None:
    assert Settings.llm is settings_llm
    emu.enqueue(Reply.text("330 metres."))
    engine = VectorStoreIndex.from_documents(DOCS).as_query_engine()
    response = engine.query("How tall is the Eiffel Tower?")
    assert str(response) == "330 metres."
    assert "Eiffel Tower is 330 metres" in context_of(emu)
    assert emu.chat_requests[-1].json["model"] == "openai/gpt-4o-mini"


async def test_async_query_engine(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("3776 metres."))
    response = await index().as_query_engine(llm=llm).aquery("How high is Fuji?")
    assert str(response) == "3776 metres."


def test_streaming_query_engine(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("It is 330 metres.", chunks=["It is", " 330", " metres."]))
    response = index().as_query_engine(llm=llm, streaming=True).query("Eiffel height?")
    assert "".join(response.response_gen) == "It is 330 metres."
    assert emu.chat_requests[-1].json["stream"] is True


async def test_async_streaming_query_engine(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("Tall.", chunks=["Ta", "ll."]))
    response = await index().as_query_engine(llm=llm, streaming=True).aquery("Eiffel?")
    assert "".join([t async for t in response.async_response_gen()]) == "Tall."


def test_context_chat_engine(emu: Emulator, llm: OpenRouter) -> None:
    engine = index().as_chat_engine(chat_mode="context", llm=llm)
    emu.enqueue(Reply.text("330 metres."), Reply.text("Yes, in Paris.", chunks=["Yes,",
                                                                                " in Paris."]))
    assert str(engine.chat("How tall is the Eiffel Tower?")) == "330 metres."
    streamed = engine.stream_chat("Is it in Paris?")
    assert "".join(streamed.response_gen) == "Yes, in Paris."
    messages = emu.chat_requests[-1].json["messages"]
    assert messages[0]["role"] == "system"
    assert "Eiffel Tower is 330 metres" in str(messages[0]["content"])
    assert [m["role"] for m in messages[1:]] == ["user", "assistant", "user"]


async def test_async_context_chat_engine(emu: Emulator, llm: OpenRouter) -> None:
    engine = index().as_chat_engine(chat_mode="context", llm=llm)
    emu.enqueue(Reply.text("one"), Reply.text("two", chunks=["t", "wo"]))
    assert str(await engine.achat("Fuji?")) == "one"
    streamed = await engine.astream_chat("More?")
    assert "".join([t async for t in streamed.async_response_gen()]) == "two"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\xff")) + chunk(b"IEND", b""))


class FixedRetriever(BaseRetriever):
    """Returns the same nodes for every query."""

    def __init__(self, nodes: list[NodeWithScore]) -> None:
        super().__init__()
        self._nodes = nodes

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self._nodes


def test_multimodal_retriever_query_engine(emu: Emulator, llm: OpenRouter) -> None:
    b64 = base64.b64encode(_png()).decode()
    nodes = [NodeWithScore(node=ImageNode(image=b64, image_mimetype="image/png"), score=1.0),
             NodeWithScore(node=TextNode(text="A photo of the night sky."), score=0.9)]
    engine = RetrieverQueryEngine.from_args(FixedRetriever(nodes), llm=llm, multimodal=True)
    emu.enqueue(Reply.text("A blue pixel."))
    assert str(engine.query("What is in the picture?")) == "A blue pixel."
    parts = [p for m in emu.chat_requests[-1].json["messages"]
             if isinstance(m["content"], list) for p in m["content"]]
    images = [p for p in parts if p["type"] == "image_url"]
    assert images
    assert images[0]["image_url"]["url"] == f"data:image/png;base64,{b64}"


class Height(BaseModel):
    """A landmark's height."""

    landmark: str
    metres: int


# "someone/new-model" is deliberately unknown to the catalog (forced function calling).
@pytest.mark.filterwarnings("ignore::openrouter_core.catalog.UnknownModelWarning")
@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "someone/new-model"])
async def test_structured_predict_family(emu: Emulator, model: str) -> None:
    llm = make_llm(emu, model=model)
    prompt = PromptTemplate("How tall is {what}?")
    assert isinstance(llm.structured_predict(Height, prompt, what="the tower"), Height)
    assert isinstance(await llm.astructured_predict(Height, prompt, what="it"), Height)
    assert isinstance(list(llm.stream_structured_predict(Height, prompt, what="it"))[-1], Height)
    engine = index().as_query_engine(llm=llm, output_cls=Height)
    emu.enqueue(Reply.text('{"landmark": "Eiffel Tower", "metres": 330}')
                if model == "openai/gpt-4o-mini" else
                Reply.tool_calls(("Height", {"landmark": "Eiffel Tower", "metres": 330})))
    response = engine.query("How tall is the Eiffel Tower?")
    assert response.response == Height(landmark="Eiffel Tower", metres=330)


def test_instrumentation_and_token_counting_in_a_query(emu: Emulator) -> None:
    counter = TokenCountingHandler()
    llm = OpenRouter(model="openai/gpt-4o-mini", api_key=TEST_KEY, api_base=emu.base_url,
                     max_retries=0)
    seen: list[object] = []

    class Handler(BaseEventHandler):
        def handle(self, event: object, **kwargs: object) -> None:
            seen.append(event)

    handler = Handler()
    get_dispatcher().add_event_handler(handler)
    previous = Settings._callback_manager
    Settings.callback_manager = CallbackManager([counter])  # how users install the counter
    try:
        emu.enqueue(Reply.text("330 metres.", prompt_tokens=321, completion_tokens=4))
        index().as_query_engine(llm=llm).query("Eiffel?")
    finally:
        Settings._callback_manager = previous
        get_dispatcher().event_handlers.remove(handler)
    assert counter.prompt_llm_token_count == 321
    assert counter.completion_llm_token_count == 4
    starts = [e for e in seen if isinstance(e, LLMChatStartEvent)]
    ends = [e for e in seen if isinstance(e, LLMChatEndEvent)]
    assert len(starts) == len(ends) == 1
    assert ends[0].response.additional_kwargs["prompt_tokens"] == 321  # type: ignore[attr-defined]
    assert TEST_KEY not in str(starts[0].model_dict)  # type: ignore[attr-defined]
