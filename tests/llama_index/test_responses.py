"""Core ChatResult → LlamaIndex messages and responses (pure)."""

from __future__ import annotations

import base64

from llama_index.core.base.llms.types import (
    CitationBlock,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.callbacks.token_counting import get_tokens_from_response

from llama_index_openrouter.messages import to_openrouter_message
from llama_index_openrouter.responses import (
    raw_with_usage,
    response_kwargs,
    to_chat_message,
    to_chat_response,
    to_completion_response,
    to_logprobs,
    tool_call_block,
)
from openrouter_core.decode import ChatResult, Image, ToolCall, decode_response

from .conftest import PNG

BODY = {
    "id": "gen-1700000000-EmulatedIdForTests01", "provider": "Anthropic",
    "model": "anthropic/claude-4.5-haiku-20251001", "object": "chat.completion",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "native_finish_reason": "tool_use",
                 "message": {
                     "role": "assistant", "content": "Let me check.", "refusal": None,
                     "reasoning": "The user wants weather.",
                     "reasoning_details": [{"type": "reasoning.text", "text":
                                            "The user wants weather.", "signature": "sig",
                                            "format": "anthropic-claude-v1", "index": 0}],
                     "tool_calls": [{"id": "toolu_1", "type": "function", "function": {
                         "name": "weather", "arguments": '{"city":"Paris"}'}}],
                     "annotations": [{"type": "url_citation", "url_citation": {
                         "url": "https://w.example", "title": "W", "start_index": 0,
                         "end_index": 5, "content": "sunny"}}],
                 }}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30, "cost": 6e-7,
              "is_byok": False, "cost_details": {"upstream_inference_cost": 6e-7},
              "prompt_tokens_details": {"cached_tokens": 4},
              "completion_tokens_details": {"reasoning_tokens": 7}},
}


def test_message_blocks_in_model_order() -> None:
    message = to_chat_message(decode_response(BODY))
    kinds = [type(b) for b in message.blocks]
    assert kinds == [ThinkingBlock, TextBlock, CitationBlock, ToolCallBlock]
    thinking = message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.content == "The user wants weather."
    assert thinking.num_tokens == 7
    assert thinking.additional_information["reasoning_details"] == \
        BODY["choices"][0]["message"]["reasoning_details"]  # type: ignore[index]
    assert message.content == "Let me check."
    call = message.blocks[3]
    assert isinstance(call, ToolCallBlock)
    assert (call.tool_call_id, call.tool_name, call.tool_kwargs) == ("toolu_1", "weather",
                                                                     {"city": "Paris"})
    assert message.additional_kwargs["tool_calls"] == [{"id": "toolu_1", "type": "function",
        "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}]
    assert message.additional_kwargs["annotations"][0]["type"] == "url_citation"


def test_citation_block_fields() -> None:
    citation = to_chat_message(decode_response(BODY)).blocks[2]
    assert isinstance(citation, CitationBlock)
    assert citation.source == "https://w.example"
    assert citation.title == "W"
    assert citation.cited_content == TextBlock(text="sunny")
    assert citation.additional_location_info == {"start_index": 0, "end_index": 5}


def test_round_trip_sends_reasoning_details_and_calls_back_unchanged() -> None:
    message = to_chat_message(decode_response(BODY))
    wire = to_openrouter_message(message)
    original = BODY["choices"][0]["message"]  # type: ignore[index]
    assert wire["reasoning_details"] == original["reasoning_details"]
    assert wire["tool_calls"][0]["function"] == original["tool_calls"][0]["function"]
    assert wire["content"] == "Let me check."


def test_response_extras_and_token_counts() -> None:
    response = to_chat_response(decode_response(BODY))
    extra = response.additional_kwargs
    assert extra["prompt_tokens"] == 10
    assert extra["completion_tokens"] == 20
    assert extra["total_tokens"] == 30
    assert extra["cost"] == 6e-7
    assert extra["cost_details"] == {"upstream_inference_cost": 6e-7}
    assert extra["cached_tokens"] == 4
    assert extra["provider"] == "Anthropic"
    assert extra["id"] == "gen-1700000000-EmulatedIdForTests01"
    assert extra["model"] == "anthropic/claude-4.5-haiku-20251001"
    assert extra["native_finish_reason"] == "tool_use"
    assert response.raw is BODY
    assert get_tokens_from_response(response) == (10, 20)


def test_generated_images_become_image_blocks() -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    result = ChatResult(content="", images=[Image(url=data_url), Image(url="https://i.example/x.png")])
    blocks = to_chat_message(result).blocks
    assert [type(b) for b in blocks] == [ImageBlock, ImageBlock]
    first = blocks[0]
    assert isinstance(first, ImageBlock)
    assert first.image_mimetype == "image/png"
    assert first.resolve_image().read() == PNG
    assert str(blocks[1].url) == "https://i.example/x.png"  # type: ignore[union-attr]


def test_invalid_tool_arguments_stay_a_string() -> None:
    block = tool_call_block(ToolCall(id="c", name="f", arguments='{"a": '))
    assert block.tool_kwargs == '{"a": '
    assert tool_call_block(ToolCall(id="c", name="f", arguments="")).tool_kwargs == {}


def test_empty_reply_still_has_a_text_block() -> None:
    message = to_chat_message(ChatResult(content=""))
    assert message.content == ""


def test_refusal_is_kept() -> None:
    message = to_chat_message(ChatResult(content="", refusal="I can't help with that."))
    assert message.additional_kwargs["refusal"] == "I can't help with that."
    completion = to_completion_response(ChatResult(content="", refusal="I can't help."))
    assert (completion.text, completion.additional_kwargs["refusal"]) == ("", "I can't help.")
    assert "refusal" not in to_completion_response(ChatResult(content="ok")).additional_kwargs


def test_completion_response() -> None:
    response = to_completion_response(decode_response(BODY), delta="x")
    assert response.text == "Let me check."
    assert response.delta == "x"
    assert response.additional_kwargs["cost"] == 6e-7
    assert get_tokens_from_response(response) == (10, 20)


def test_raw_gets_usage_when_the_chunk_lacks_it() -> None:
    result = decode_response(BODY)
    raw = raw_with_usage({"id": "x"}, result.usage)
    assert raw["usage"]["prompt_tokens"] == 10
    assert raw_with_usage({"usage": {"a": 1}}, result.usage) == {"usage": {"a": 1}}
    assert raw_with_usage({"id": "x"}, None) == {"id": "x"}


def test_response_kwargs_omit_missing_values() -> None:
    assert response_kwargs(ChatResult(content="x")) == {}


def test_logprobs() -> None:
    raw = {"content": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105],
                        "top_logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105]},
                                         {"token": "Hey", "logprob": -2.0, "bytes": None}]},
                       {"token": "!", "logprob": -0.5}]}
    out = to_logprobs(raw)
    assert out is not None
    assert [[p.token for p in alts] for alts in out] == [["Hi", "Hey"], ["!"]]
    assert out[0][1].logprob == -2.0
    assert to_logprobs(None) is None
