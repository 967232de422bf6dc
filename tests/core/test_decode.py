"""Decoding of non-streaming bodies and single chunks (shapes from the wire-format facts)."""

from __future__ import annotations

import json

from openrouter_core.decode import (
    body_error,
    decode_choices,
    decode_chunk,
    decode_response,
    decode_usage,
    normalize_finish_reason,
)

PNG = "data:image/png;base64,iVBORw0KGgo="


def _body(**message: object) -> dict[str, object]:
    return {
        "id": "gen-1700000000-abcdefghijklmnopqrst",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "anthropic/claude-4.5-haiku-20251001",
        "provider": "Amazon Bedrock",
        "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "end_turn",
                     "message": {"role": "assistant", "refusal": None, "reasoning": None,
                                 **message}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
                  "cost": 6e-7, "is_byok": False,
                  "cost_details": {"upstream_inference_cost": 6e-7},
                  "prompt_tokens_details": {"cached_tokens": 3, "cache_write_tokens": 2},
                  "completion_tokens_details": {"reasoning_tokens": 4, "image_tokens": 1290},
                  "server_tool_use_details": {"web_search_requests": 1}},
    }


def test_padded_body_parses() -> None:
    padded = ("\n         \n" * 50 + json.dumps(_body(content="hi"))).encode()
    assert decode_response(json.loads(padded)).content == "hi"


def test_full_message_fields_are_surfaced() -> None:
    body = _body(
        content="Paris.",
        reasoning="thinking",
        reasoning_details=[{"type": "reasoning.text", "text": "thinking", "signature": "sig",
                            "format": "anthropic-claude-v1", "index": 0}],
        tool_calls=[{"id": "toolu_1", "type": "function", "index": 0,
                     "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}],
        images=[{"type": "image_url", "image_url": {"url": PNG}, "index": 0}],
        annotations=[{"type": "url_citation", "url_citation": {
            "url": "https://example.com", "title": "Ex", "start_index": 0, "end_index": 0,
            "content": "snippet"}}],
    )
    result = decode_response(body)
    assert result.id == "gen-1700000000-abcdefghijklmnopqrst"
    assert result.provider == "Amazon Bedrock"
    assert result.model == "anthropic/claude-4.5-haiku-20251001"
    assert result.reasoning == "thinking"
    assert result.reasoning_details[0]["signature"] == "sig"
    assert [(t.id, t.name, t.parsed_arguments()) for t in result.tool_calls] == [
        ("toolu_1", "get_weather", {"city": "Paris"})]
    assert result.images[0].mime_type == "image/png"
    assert result.images[0].base64_data == "iVBORw0KGgo="
    assert result.citations[0].url == "https://example.com"
    assert result.finish_reason == "stop"
    assert result.native_finish_reason == "end_turn"
    assert result.raw is body


def test_usage_details() -> None:
    usage = decode_usage(_body()["usage"])
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (10, 5, 15)
    assert usage.cost == 6e-7
    assert usage.cached_tokens == 3
    assert usage.cache_write_tokens == 2
    assert usage.reasoning_tokens == 4
    assert usage.image_tokens == 1290
    assert usage.server_tool_use == {"web_search_requests": 1}
    assert usage.cost_details == {"upstream_inference_cost": 6e-7}
    assert usage.is_byok is False


def test_usage_without_cost_and_empty_usage() -> None:
    usage = decode_usage({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3})
    assert usage is not None
    assert usage.cost is None
    assert decode_usage({}) is None
    assert decode_usage(None) is None


def test_null_content_missing_finish_reason_and_old_finish_reason() -> None:
    body = _body(content=None)
    del body["choices"][0]["finish_reason"]  # type: ignore[index]
    result = decode_response(body)
    assert result.content == ""
    assert result.finish_reason is None
    assert normalize_finish_reason("end_turn") == "stop"
    assert normalize_finish_reason("tool_use") == "tool_calls"
    assert normalize_finish_reason("content_filter") == "content_filter"


def test_refusal_old_empty_string_is_none() -> None:
    assert decode_response(_body(content=None, refusal="")).refusal is None
    assert decode_response(_body(content=None, refusal="I'm sorry")).refusal == "I'm sorry"


def test_multiple_choices_are_kept() -> None:
    body = _body(content="a")
    body["choices"].append(  # type: ignore[attr-defined]
        {"index": 1, "finish_reason": "stop", "message": {"role": "assistant", "content": "b"}})
    assert [c.content for c in decode_choices(body)] == ["a", "b"]


def test_body_error_detects_error_bodies_even_with_200() -> None:
    assert body_error({"error": {"code": 429, "message": "x"}, "user_id": "u"}) == {
        "code": 429, "message": "x"}
    assert body_error(_body(content="ok")) is None
    assert body_error([1, 2]) is None


def test_chunk_with_tool_call_and_no_choices() -> None:
    chunk = {"id": "gen-1-x", "provider": "OpenAI", "model": "m", "choices": [{
        "index": 0, "delta": {"role": "assistant", "content": None, "tool_calls": [
            {"index": 1, "id": "call_1", "type": "function",
             "function": {"name": "f", "arguments": ""}}]},
        "finish_reason": None, "native_finish_reason": None}]}
    delta = decode_chunk(chunk)
    assert delta.content is None
    assert delta.tool_calls[0].index == 1
    assert delta.tool_calls[0].name == "f"
    assert delta.tool_calls[0].arguments == ""
    usage_only = decode_chunk({"id": "gen-1-x", "choices": [], "usage": {"prompt_tokens": 1}})
    assert usage_only.usage is not None
    assert usage_only.usage.prompt_tokens == 1
    assert usage_only.content is None


def test_chunk_error_is_kept() -> None:
    chunk = {"id": "gen-1-x", "error": {"code": 400, "message": "Token limit reached"},
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                          "finish_reason": None}]}
    assert decode_chunk(chunk).error == {"code": 400, "message": "Token limit reached"}
