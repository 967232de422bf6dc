"""OpenRouterMultiModal: the MultiModalLLM interface, against the emulator."""

from __future__ import annotations

import base64

from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock
from llama_index.core.instrumentation.events.llm import (
    LLMChatEndEvent,
    LLMCompletionEndEvent,
    LLMCompletionInProgressEvent,
    LLMCompletionStartEvent,
)
from llama_index.core.schema import ImageDocument, ImageNode

from llama_index_openrouter import OpenRouterMultiModal
from llama_index_openrouter.multi_modal import prompt_with_images
from openrouter_core.testing import Emulator, Reply

from .conftest import PNG, Collected

B64 = base64.b64encode(PNG).decode()
IMAGES = [ImageDocument(image=B64), ImageNode(image_url="https://img.example/a.png"),
          ImageBlock(image=PNG)]


def test_prompt_with_images() -> None:
    [message] = prompt_with_images("What is this?", IMAGES)
    assert message.role == "user"
    assert isinstance(message.blocks[0], TextBlock)
    assert all(isinstance(b, ImageBlock) for b in message.blocks[1:])


def test_complete_sends_text_then_images(emu: Emulator, mm_llm: OpenRouterMultiModal,
                                         instrumentation: Collected) -> None:
    emu.enqueue(Reply.text("A green pixel."))
    response = mm_llm.complete("What is this?", image_documents=IMAGES)
    assert response.text == "A green pixel."
    assert response.additional_kwargs["cost"] > 0
    content = emu.requests[-1].json["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "What is this?"}
    assert content[1]["image_url"]["url"] == f"data:image/png;base64,{B64}"
    assert content[2]["image_url"]["url"] == "https://img.example/a.png"
    assert content[3]["image_url"]["url"] == f"data:image/png;base64,{B64}"
    assert len(instrumentation.of(LLMCompletionStartEvent)) == 1
    assert len(instrumentation.of(LLMCompletionEndEvent)) == 1


def test_stream_complete(emu: Emulator, mm_llm: OpenRouterMultiModal,
                         instrumentation: Collected) -> None:
    emu.enqueue(Reply.text("a b", chunks=["a", " b"]))
    responses = list(mm_llm.stream_complete("x", image_documents=IMAGES[:1]))
    assert responses[-1].text == "a b"
    assert len(instrumentation.of(LLMCompletionInProgressEvent)) == len(responses)
    assert emu.requests[-1].json["stream"] is True


async def test_async_methods(emu: Emulator, mm_llm: OpenRouterMultiModal) -> None:
    emu.enqueue(Reply.text("one"), Reply.text("two"), Reply.text("three"), Reply.text("four"))
    assert (await mm_llm.acomplete("x", image_documents=IMAGES[:1])).text == "one"
    gen = await mm_llm.astream_complete("x", image_documents=IMAGES[:1])
    assert [r async for r in gen][-1].text == "two"
    messages = [ChatMessage(role="user", blocks=[TextBlock(text="x"), ImageBlock(image=PNG)])]
    assert (await mm_llm.achat(messages)).message.content == "three"
    gen2 = await mm_llm.astream_chat(messages)
    assert [r async for r in gen2][-1].message.content == "four"


def test_chat_and_stream_chat(emu: Emulator, mm_llm: OpenRouterMultiModal,
                              instrumentation: Collected) -> None:
    emu.enqueue(Reply.text("one"), Reply.text("two"))
    messages = [ChatMessage(role="user", blocks=[TextBlock(text="x"), ImageBlock(image=PNG)])]
    assert mm_llm.chat(messages).message.content == "one"
    assert list(mm_llm.stream_chat(messages))[-1].message.content == "two"
    assert len(instrumentation.of(LLMChatEndEvent)) == 2


def test_settings_apply(emu: Emulator) -> None:
    llm = OpenRouterMultiModal(model="google/gemini-2.5-flash", api_key="sk-or-v1-x",
                               api_base=emu.base_url, max_tokens=100, provider={"only": ["Google"]})
    llm.complete("x", image_documents=[])
    body = emu.requests[-1].json
    assert body["model"] == "google/gemini-2.5-flash"
    assert body["max_tokens"] == 100
    assert body["provider"] == {"only": ["Google"]}
    assert llm.metadata.num_output == 100
    assert llm.metadata.is_chat_model
