"""Core results and stream deltas → LangChain messages and chunks (pure)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk

from langchain_openrouter.responses import ai_message, chat_result, usage_metadata
from langchain_openrouter.streaming import delta_chunk, final_chunk
from langchain_openrouter.translator import register
from openrouter_core.decode import decode_chunk, decode_response, decode_usage
from openrouter_core.stream import StreamAssembler

register()

USAGE = {
    "prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140, "cost": 0.0012,
    "is_byok": False, "cost_details": {"upstream_inference_cost": 0.0012},
    "prompt_tokens_details": {"cached_tokens": 60, "cache_write_tokens": 10, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 25, "image_tokens": 0, "audio_tokens": 0},
    "server_tool_use_details": {"web_search_requests": 1},
}
CITATION = {"type": "url_citation", "url_citation": {"url": "https://e.x", "title": "E",
                                                     "start_index": 0, "end_index": 4,
                                                     "content": "quote"}}


def body(**message: Any) -> dict[str, Any]:
    return {
        "id": "gen-1-abc", "model": "anthropic/claude-4.5-haiku-20251001", "provider": "Anthropic",
        "created": 1, "usage": USAGE,
        "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "end_turn",
                     "message": {"role": "assistant", "refusal": None, "reasoning": None,
                                 **message}}],
    }


def test_usage_metadata_details() -> None:
    usage = decode_usage(USAGE)
    assert usage is not None
    assert usage_metadata(usage) == {
        "input_tokens": 100, "output_tokens": 40, "total_tokens": 140,
        "input_token_details": {"cache_read": 60, "cache_creation": 10, "audio": 0},
        "output_token_details": {"reasoning": 25, "audio": 0},
    }


def test_ai_message_metadata_reasoning_citations_and_blocks() -> None:
    details = [{"type": "reasoning.text", "text": "why", "signature": "s", "index": 0}]
    result = decode_response(body(content="Cats.", reasoning="why", reasoning_details=details,
                                  annotations=[CITATION]))
    message = ai_message(result, "anthropic/claude-haiku-4.5")
    meta = message.response_metadata
    assert meta["model_name"] == "anthropic/claude-4.5-haiku-20251001"  # the served model
    assert meta["model_provider"] == "openrouter"
    assert (meta["provider"], meta["id"], meta["finish_reason"], meta["native_finish_reason"]) == (
        "Anthropic", "gen-1-abc", "stop", "end_turn")
    assert meta["cost"] == 0.0012
    assert meta["is_byok"] is False
    assert meta["cost_details"] == {"upstream_inference_cost": 0.0012}
    assert meta["server_tool_use"] == {"web_search_requests": 1}
    assert meta["annotations"] == [CITATION]
    assert message.additional_kwargs == {"reasoning_content": "why", "reasoning_details": details}
    assert message.id == "gen-1-abc"
    assert message.content_blocks == [
        {"type": "reasoning", "reasoning": "why"},
        {"type": "text", "text": "Cats.", "annotations": [
            {"type": "citation", "url": "https://e.x", "title": "E", "start_index": 0,
             "end_index": 4, "cited_text": "quote"}]},
    ]


def test_tool_calls_valid_and_invalid_kept_side_by_side() -> None:
    calls = [
        {"id": "c1", "type": "function", "function": {"name": "a", "arguments": '{"x": 1}'}},
        {"id": "c2", "type": "function", "function": {"name": "b", "arguments": '{"x": '}},
        {"id": "c3", "type": "function", "function": {"name": "c", "arguments": "[1]"}},
        {"id": "c4", "type": "function", "function": {"name": "d", "arguments": ""}},
    ]
    message = ai_message(decode_response(body(content=None, tool_calls=calls)), "m")
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("a", {"x": 1}), ("d", {})]
    assert [(c["name"], c["args"]) for c in message.invalid_tool_calls] == [
        ("b", '{"x": '), ("c", "[1]")]
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["tool_call", "tool_call", "invalid_tool_call",
                                           "invalid_tool_call"]


def test_images_become_image_blocks_and_refusal_is_surfaced() -> None:
    images = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,QUJD"}, "index": 0}]
    message = ai_message(decode_response(body(content="Here.", images=images)), "m")
    assert message.content == [{"type": "text", "text": "Here."},
                               {"type": "image", "base64": "QUJD", "mime_type": "image/png"}]
    assert [b["type"] for b in message.content_blocks] == ["text", "image"]
    refused = ai_message(decode_response(body(content=None, refusal="I can't.")), "m")
    assert refused.additional_kwargs["refusal"] == "I can't."


def test_chat_result_keeps_every_choice() -> None:
    raw = body(content="one")
    raw["choices"].append({"index": 1, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": "two"}})
    from openrouter_core.decode import decode_choices

    result = chat_result(decode_choices(raw), "m")
    assert [g.message.content for g in result.generations] == ["one", "two"]
    assert result.llm_output is not None
    assert result.llm_output["model_name"] == "anthropic/claude-4.5-haiku-20251001"


def stream_chunks(events: list[dict[str, Any]]) -> list[AIMessageChunk]:
    """Feed raw chunk dicts through the core assembler and our conversion, as _stream does."""
    assembler = StreamAssembler()
    out = []
    for event in events:
        chunk = delta_chunk(assembler.feed(decode_chunk(event)))
        if chunk is not None:
            out.append(chunk)
    out.append(final_chunk(assembler.result(), "m"))
    return out


def delta(payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": "gen-2", "model": "m-served", "provider": "Google",
            "choices": [{"index": 0, "delta": {"role": "assistant", **payload},
                         "finish_reason": extra.get("finish"), "native_finish_reason": None}],
            **({"usage": extra["usage"]} if "usage" in extra else {})}


def test_stream_reasoning_details_merge_once_and_usage_once() -> None:
    events = [
        delta({"content": "", "reasoning": "Let ",
               "reasoning_details": [{"type": "reasoning.text", "text": "Let ", "index": 0,
                                      "format": "anthropic-claude-v1"}]}),
        delta({"content": "", "reasoning": "me think",
               "reasoning_details": [{"type": "reasoning.text", "text": "me think", "index": 0,
                                      "format": "anthropic-claude-v1"}]}),
        delta({"content": "", "reasoning_details": [
            {"type": "reasoning.text", "signature": "SIG", "index": 0,
             "format": "anthropic-claude-v1"}]}),
        delta({"content": "Hi"}),
        delta({"content": ""}, finish="stop"),
        delta({"content": ""}, finish="stop", usage=USAGE),
    ]
    chunks = stream_chunks(events)
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert sum(1 for c in chunks if "reasoning_details" in c.additional_kwargs) == 1
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert full.additional_kwargs["reasoning_details"] == [
        {"type": "reasoning.text", "text": "Let me think", "index": 0,
         "format": "anthropic-claude-v1", "signature": "SIG"}]
    assert full.additional_kwargs["reasoning_content"] == "Let me think"
    assert full.content == "Hi"
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] == 100
    assert full.response_metadata["model_name"] == "m-served"
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.chunk_position == "last"
    assert [b["type"] for b in full.content_blocks] == ["reasoning", "text"]


def test_stream_tool_call_fragments_aggregate_exactly() -> None:
    def fragment(index: int, arguments: str, **head: str) -> dict[str, Any]:
        call: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
        if head:
            call.update(id=head["id"], type="function")
            call["function"]["name"] = head["name"]
        return delta({"content": None, "tool_calls": [call]})

    events = [
        fragment(0, "", id="call_1", name="get"),
        fragment(0, '{"ci'),
        fragment(0, 'ty":"P"}'),
        fragment(1, '{"a": }', id="call_2", name="bad"),
        delta({"content": ""}, finish="tool_calls", usage=USAGE),
    ]
    chunks = stream_chunks(events)
    names = [tc.get("name") for c in chunks for tc in c.tool_call_chunks]
    assert names == ["get", None, None, "bad"]  # name only on the first fragment
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert full.tool_calls == [{"name": "get", "args": {"city": "P"}, "id": "call_1",
                                "type": "tool_call"}]
    # LangChain's own partial-JSON parser decides for aggregated chunks; broken JSON (as here)
    # is invalid, while a merely truncated object would be completed by it.
    assert [(c["name"], c["args"]) for c in full.invalid_tool_calls] == [("bad", '{"a": }')]


def test_stream_image_and_citation() -> None:
    events = [
        delta({"content": "", "annotations": [CITATION]}),
        delta({"content": "Look"}),
        delta({"content": "", "images": [{"type": "image_url",
                                          "image_url": {"url": "data:image/png;base64,QQ=="}}]},
              finish="stop", usage=USAGE),
    ]
    chunks = stream_chunks(events)
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert full.response_metadata["annotations"] == [CITATION]
    blocks = full.content_blocks
    assert [b["type"] for b in blocks] == ["text", "image"]
    assert blocks[0]["annotations"][0]["url"] == "https://e.x"
