"""OpenRouter chat/complete, sync/async/streaming, against the emulator: results and wire."""

from __future__ import annotations

import base64

import pytest
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.instrumentation.events.llm import (
    LLMChatEndEvent,
    LLMChatInProgressEvent,
    LLMChatStartEvent,
    LLMCompletionEndEvent,
    LLMCompletionInProgressEvent,
    LLMCompletionStartEvent,
)

from llama_index_openrouter import OpenRouter
from openrouter_core.catalog import UnsupportedParameterWarning
from openrouter_core.testing import Emulator, Reply

from .conftest import PNG, TEST_KEY, Collected, make_llm

HI = [ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Hi")]


def test_chat_result_and_wire(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("Hello!", provider="Azure", model="openai/gpt-4o-mini-2024-07-18"))
    response = llm.chat(HI)
    assert response.message.role == "assistant"
    assert response.message.content == "Hello!"
    extra = response.additional_kwargs
    assert extra["provider"] == "Azure"
    assert extra["model"] == "openai/gpt-4o-mini-2024-07-18"
    assert extra["id"].startswith("gen-")
    assert extra["cost"] > 0
    assert extra["total_tokens"] == extra["prompt_tokens"] + extra["completion_tokens"]
    assert response.raw["usage"]["cost"] == extra["cost"]
    sent = emu.requests[-1]
    assert sent.json == {"model": "openai/gpt-4o-mini", "messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
    assert sent.header("authorization") == f"Bearer {TEST_KEY}"


@pytest.mark.filterwarnings("ignore::openrouter_core.spelling.UnknownKeyWarning")  # on purpose
@pytest.mark.filterwarnings("ignore::openrouter_core.request.RoutingWarning")  # sort + order
def test_settings_and_headers_on_the_wire(emu: Emulator) -> None:
    llm = make_llm(emu, temperature=0.2, max_tokens=64, provider={"sort": "price"},
                   order=["OpenAI"], reasoning={"effort": "low"}, session_id="sess",
                   app_url="https://myapp.example", app_title="My App",
                   app_categories=["cli-agent"], default_headers={"X-Custom": "1"})
    # The bundled catalog does not list reasoning for gpt-4o-mini: sent anyway, with a warning.
    with pytest.warns(UnsupportedParameterWarning, match="does not list reasoning"):
        llm.chat(HI, top_p=0.5, some_new_param={"x": 1})
    sent = emu.requests[-1]
    body = sent.json
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 64
    assert body["top_p"] == 0.5
    assert body["some_new_param"] == {"x": 1}
    assert body["provider"] == {"order": ["OpenAI"], "sort": "price"}
    assert body["reasoning"] == {"effort": "low"}
    assert body["session_id"] == "sess"
    assert sent.header("http-referer") == "https://myapp.example"
    assert sent.header("x-openrouter-title") == "My App"
    assert sent.header("x-openrouter-categories") == "cli-agent"
    assert sent.header("x-custom") == "1"


def test_complete(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("Paris."))
    response = llm.complete("Capital of France?")
    assert response.text == "Paris."
    assert response.additional_kwargs["prompt_tokens"] > 0
    assert emu.requests[-1].json["messages"] == [{"role": "user",
                                                  "content": "Capital of France?"}]


async def test_achat_and_acomplete(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("one"), Reply.text("two"))
    assert (await llm.achat(HI)).message.content == "one"
    assert (await llm.acomplete("x")).text == "two"
    assert len(emu.requests) == 2


def test_stream_chat(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("Hello there, world", chunks=["Hello", " there,", " world"]))
    responses = list(llm.stream_chat(HI))
    deltas = [r.delta for r in responses]
    assert "".join(d or "" for d in deltas) == "Hello there, world"
    cumulative = [r.message.content for r in responses if r.delta]
    assert cumulative == ["Hello", "Hello there,", "Hello there, world"]
    final = responses[-1]
    assert final.message.content == "Hello there, world"
    assert final.additional_kwargs["completion_tokens"] > 0
    assert final.raw["usage"]["total_tokens"] == final.additional_kwargs["total_tokens"]
    body = emu.requests[-1].json
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_astream_chat(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("a b c", chunks=["a", " b", " c"], usage_shape="separate"))
    gen = await llm.astream_chat(HI)
    responses = [r async for r in gen]
    assert responses[-1].message.content == "a b c"
    assert responses[-1].additional_kwargs["prompt_tokens"] > 0


def test_stream_complete(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("x y", chunks=["x", " y"], usage_shape="empty_choices"))
    responses = list(llm.stream_complete("go"))
    assert [r.text for r in responses if r.delta] == ["x", "x y"]
    assert responses[-1].text == "x y"
    assert responses[-1].additional_kwargs["total_tokens"] > 0


async def test_astream_complete(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("x y", chunks=["x", " y"]))
    gen = await llm.astream_complete("go")
    responses = [r async for r in gen]
    assert responses[-1].text == "x y"


def test_reasoning_streams_as_thinking(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("42", reasoning="Let me think.", reasoning_format="anthropic-claude-v1",
                           signature="SIG"))
    responses = list(llm.stream_chat(HI))
    thinking = "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
    assert thinking == "Let me think."
    block = responses[-1].message.blocks[0]
    assert isinstance(block, ThinkingBlock)
    assert block.content == "Let me think."
    details = block.additional_information["reasoning_details"]
    assert details[0]["signature"] == "SIG"
    # The next turn sends the details back exactly.
    emu.enqueue(Reply.text("ok"))
    llm.chat([*HI, responses[-1].message, ChatMessage(role="user", content="and?")])
    sent = emu.requests[-1].json["messages"][2]
    assert sent["role"] == "assistant"
    assert sent["reasoning_details"] == details
    assert sent["content"] == "42"


@pytest.mark.parametrize("stream", [False, True])
def test_instrumentation_events(emu: Emulator, llm: OpenRouter, instrumentation: Collected,
                                stream: bool) -> None:
    emu.enqueue(Reply.text("a b", chunks=["a", " b"]))
    responses = list(llm.stream_chat(HI)) if stream else [llm.chat(HI)]
    assert len(instrumentation.of(LLMChatStartEvent)) == 1
    progress = instrumentation.of(LLMChatInProgressEvent)
    assert len(progress) == (len(responses) if stream else 0)
    end = instrumentation.of(LLMChatEndEvent)
    assert len(end) == 1
    assert end[0].response.message.content == "a b"
    start = instrumentation.of(LLMChatStartEvent)[0]
    assert start.model_dict["model_name"] == "openai/gpt-4o-mini"
    assert TEST_KEY not in str(start.model_dict)
    assert any("OpenRouter.chat" in s or "OpenRouter.stream_chat" in s
               for s in instrumentation.span_names())


async def test_completion_instrumentation(emu: Emulator, llm: OpenRouter,
                                          instrumentation: Collected) -> None:
    emu.enqueue(Reply.text("a b", chunks=["a", " b"]))
    gen = await llm.astream_complete("go")
    responses = [r async for r in gen]
    assert len(instrumentation.of(LLMCompletionStartEvent)) == 1
    assert len(instrumentation.of(LLMCompletionInProgressEvent)) == len(responses)
    assert instrumentation.of(LLMCompletionEndEvent)[0].response.text == "a b"


@pytest.mark.parametrize("stream", [False, True])
def test_token_counting_uses_server_usage(emu: Emulator, stream: bool) -> None:
    counter = TokenCountingHandler()
    llm = make_llm(emu, callback_manager=CallbackManager([counter]))
    emu.enqueue(Reply.text("hello", prompt_tokens=123, completion_tokens=45))
    if stream:
        list(llm.stream_chat(HI))
    else:
        llm.chat(HI)
    assert counter.prompt_llm_token_count == 123
    assert counter.completion_llm_token_count == 45
    assert counter.total_llm_token_count == 168


def test_key_not_in_events(emu: Emulator, llm: OpenRouter, instrumentation: Collected) -> None:
    llm.chat(HI)
    for event in instrumentation.events:
        assert TEST_KEY not in event.model_dump_json()


def test_annotations_and_citations(emu: Emulator, llm: OpenRouter) -> None:
    citation = {"url": "https://news.example/a", "title": "A", "start_index": 0,
                "end_index": 0, "content": "excerpt"}
    emu.enqueue(Reply.text("Sunny.", annotations=[{"type": "url_citation",
                                                    "url_citation": citation}]))
    responses = list(llm.stream_chat(HI))
    message = responses[-1].message
    assert message.additional_kwargs["annotations"][0]["url_citation"]["url"] == citation["url"]
    cited = [b for b in message.blocks if b.block_type == "citation"]
    assert cited[0].source == "https://news.example/a"  # type: ignore[union-attr]
    assert message.content == "Sunny."


def test_generated_images(emu: Emulator, llm: OpenRouter) -> None:
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    emu.enqueue(Reply.text("", images=[url]), Reply.text("", images=[url]))
    for response in (llm.chat(HI, modalities=["image", "text"]), list(llm.stream_chat(HI))[-1]):
        images = [b for b in response.message.blocks if b.block_type == "image"]
        assert len(images) == 1
        assert images[0].resolve_image().read() == PNG  # type: ignore[union-attr]
    assert emu.requests[0].json["modalities"] == ["image", "text"]


def test_complete_keeps_citations_and_images_that_have_no_message_to_go_on(
        emu: Emulator, llm: OpenRouter) -> None:
    # A CompletionResponse has text only: what a chat reply's message carries goes in its
    # additional_kwargs, raw, for complete and for a stream's last response.
    citation = {"type": "url_citation", "url_citation": {"url": "https://news.example/a",
                                                         "title": "A"}}
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    for _ in range(2):
        emu.enqueue(Reply.text("Sunny.", annotations=[citation], images=[url]))
    for response in (llm.complete("x"), list(llm.stream_complete("x"))[-1]):
        extra = response.additional_kwargs
        assert extra["annotations"] == [citation]
        assert extra["images"] == [{"type": "image_url", "image_url": {"url": url},
                                    "index": 0}]
        assert response.text == "Sunny."
    emu.enqueue(Reply.text("Plain."))
    assert "annotations" not in llm.complete("x").additional_kwargs
