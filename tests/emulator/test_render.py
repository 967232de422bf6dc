"""Pure rendering: Reply + request → response plan, checked against the wire-format facts."""

from __future__ import annotations

import json
import re

import pytest

from openrouter_core.stream import SSEParser, StreamAssembler
from openrouter_core.testing import Abort, Reply, Stall
from openrouter_core.testing.chat import COMPLETION_PRICE, PROMPT_PRICE
from openrouter_core.testing.render import COMMENT, DONE, JSON_PADDING, MALFORMED_LINE
from tests.emulator.helpers import data_chunks, deltas, events, render, request

GEN_ID = re.compile(r"^gen-\d{10}-[A-Za-z0-9]{20}$")


def assemble(plan):
    assembler = StreamAssembler()
    parser = SSEParser()
    for event in parser.feed(plan.body):
        assembler.feed_event(event)
    return assembler


# --- envelope facts -------------------------------------------------------------------------


def test_stream_envelope_follows_2026_shape():
    plan = render(Reply.text("Hello there, friend"))
    chunks = data_chunks(plan)
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1
    (gen_id,) = ids
    assert GEN_ID.match(gen_id)
    assert plan.header("X-Generation-Id") == gen_id
    assert plan.header("Content-Type") == "text/event-stream"
    assert plan.header("Cache-Control") == "no-cache"
    assert plan.chunked
    for c in chunks:
        assert list(c)[:5] == ["id", "object", "created", "model", "provider"]
        assert c["provider"] == "OpenAI"
        assert c["model"] == "openai/gpt-4o-mini"
        for choice in c["choices"]:
            assert choice["delta"]["role"] == "assistant"
            assert "native_finish_reason" in choice
    assert events(plan)[-1] == DONE


def test_text_chunks_are_word_sized_and_join_back():
    plan = render(Reply.text("one two  three\nfour"))
    texts = [d["content"] for d in deltas(plan) if d["content"]]
    assert texts == ["one ", "two  ", "three\n", "four"]
    finish = [c for c in data_chunks(plan) if c["choices"][0]["finish_reason"]]
    assert all(c["choices"][0]["delta"]["content"] == "" for c in finish)
    assert all(c["choices"][0]["native_finish_reason"] is None
               for c in data_chunks(plan) if not c["choices"][0]["finish_reason"])


def test_explicit_chunks_and_model_provider_override():
    plan = render(Reply.text(chunks=["He", "llo"], model="x/y-2026", provider="Anthropic"))
    assert [d["content"] for d in deltas(plan)][:2] == ["He", "llo"]
    assert {c["model"] for c in data_chunks(plan)} == {"x/y-2026"}
    assert {c["provider"] for c in data_chunks(plan)} == {"Anthropic"}


def test_long_text_is_capped_in_chunk_count():
    text = "word " * 50_000
    plan = render(Reply.text(text))
    assert len(data_chunks(plan)) <= 1003
    assert assemble(plan).result().content == text


def test_json_body_padding_and_message_shape():
    plan = render(Reply.text("Hi"), stream=False)
    assert plan.body.startswith(JSON_PADDING)
    assert plan.content_length == len(plan.body)
    assert plan.header("Content-Type") == "application/json"
    body = json.loads(plan.body)
    assert list(body)[:5] == ["id", "object", "created", "model", "provider"]
    assert body["object"] == "chat.completion"
    assert plan.header("X-Generation-Id") == body["id"]
    message = body["choices"][0]["message"]
    assert message == {"role": "assistant", "content": "Hi", "refusal": None, "reasoning": None}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["choices"][0]["native_finish_reason"] == "stop"


def test_json_without_padding():
    plan = render(Reply.text("Hi", pad_json=False), stream=False)
    assert plan.body.startswith(b"{")


def test_stream_flag_overrides_request():
    assert render(Reply.text("x", stream=False)).header("Content-Type") == "application/json"
    plan = render(Reply.text("x", stream=True), stream=False)
    assert plan.header("Content-Type") == "text/event-stream"


# --- comments and usage shapes -----------------------------------------------------------


def test_comments_before_and_between():
    plan = render(Reply.text("a b c", comments_before=5, comments_between=True))
    evs = events(plan)
    assert evs[:5] == [COMMENT] * 5
    assert evs[5].startswith(b"data: ")
    body = evs[5:-1]
    # Every data event after the first is preceded by one comment line.
    assert all(body[i] == COMMENT for i in range(1, len(body), 2))
    assert render(Reply.text("a", comments_before=0)).steps[0] != COMMENT


@pytest.mark.parametrize("shape", ["separate", "empty_choices", "repeat_finish"])
def test_usage_shapes(shape):
    plan = render(Reply.text("Hello world", usage_shape=shape, service_tier="default"))
    chunks = data_chunks(plan)
    usage_chunks = [c for c in chunks if "usage" in c]
    assert len(usage_chunks) == 1
    last = chunks[-1]
    assert last is usage_chunks[0]
    if shape == "empty_choices":
        assert last["choices"] == []
    elif shape == "separate":
        assert last["choices"][0]["finish_reason"] is None
        assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    else:
        assert last["choices"][0]["finish_reason"] == "stop"
        assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
        assert last["service_tier"] == "default"
    result = assemble(plan).result()
    assert result.finish_reason == "stop"
    assert result.usage is not None
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens


def test_usage_is_priced_and_detailed():
    plan = render(Reply.text("x" * 40, cached_tokens=3, cache_write_tokens=2, is_byok=True),
                  stream=False)
    usage = json.loads(plan.body)["usage"]
    assert usage["completion_tokens"] == 10
    prompt = usage["prompt_tokens"]
    assert usage["cost"] == pytest.approx(prompt * PROMPT_PRICE + 10 * COMPLETION_PRICE)
    assert usage["cost_details"]["upstream_inference_cost"] == usage["cost"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == 3
    assert usage["prompt_tokens_details"]["cache_write_tokens"] == 2
    assert usage["is_byok"] is True


def test_usage_override_and_no_usage():
    custom = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0}
    plan = render(Reply.text("x", usage=custom))
    assert data_chunks(plan)[-1]["usage"] == custom
    plan = render(Reply.text("x", send_usage=False))
    assert not any("usage" in c for c in data_chunks(plan))


# --- content kinds -----------------------------------------------------------------------


def test_tool_calls_token_split_header_and_empty_args_delta():
    plan = render(Reply.tool_calls(("weather", {"location": "Florence, Italy"}, "call_1"),
                                   ("time", {}, "call_2")))
    tool_deltas = [d for d in deltas(plan) if "tool_calls" in d]
    assert all(d["content"] is None for d in tool_deltas)
    first = tool_deltas[0]["tool_calls"][0]
    assert first == {"index": 0, "id": "call_1", "type": "function",
                     "function": {"name": "weather", "arguments": ""}}
    assert tool_deltas[1]["tool_calls"][0] == {"index": 0, "function": {"arguments": ""}}
    indexes = [d["tool_calls"][0]["index"] for d in tool_deltas]
    assert indexes == sorted(indexes)  # sequential, never interleaved
    fragments = [d["tool_calls"][0]["function"]["arguments"] for d in tool_deltas[2:]
                 if d["tool_calls"][0]["index"] == 0]
    assert len(fragments) > 3
    result = assemble(plan).result()
    assert [(t.id, t.name, t.parsed_arguments()) for t in result.tool_calls] == [
        ("call_1", "weather", {"location": "Florence, Italy"}), ("call_2", "time", {})]
    assert result.finish_reason == "tool_calls"


@pytest.mark.parametrize(("split", "count"), [("whole", 2), ("pieces", 4)])
def test_tool_split_modes(split, count):
    arguments = '{"a":2,"b":"xxxxxxx"}'
    plan = render(Reply.tool_calls(("add", arguments), tool_split=split))
    tool_deltas = [d for d in deltas(plan) if "tool_calls" in d]
    assert len(tool_deltas) == count
    if split == "whole":
        assert tool_deltas[1]["tool_calls"][0]["function"]["arguments"] == arguments
    assert assemble(plan).result().tool_calls[0].arguments == arguments


def test_tool_call_ids_generated_when_missing():
    body = json.loads(render(Reply.tool_calls(("f", {"x": 1})), stream=False).body)
    call = body["choices"][0]["message"]["tool_calls"][0]
    assert call["id"].startswith("call_")
    assert call["function"] == {"name": "f", "arguments": '{"x":1}'}
    assert body["choices"][0]["finish_reason"] == "tool_calls"


def test_reasoning_with_signature_fragment():
    plan = render(Reply.text("Answer", reasoning="Let me think", signature="c2ln",
                             reasoning_format="anthropic-claude-v1"))
    ds = deltas(plan)
    reasoning = [d for d in ds if "reasoning_details" in d]
    assert all(d["content"] == "" for d in reasoning)
    signature = reasoning[-1]
    assert "reasoning" not in signature
    assert signature["reasoning_details"] == [{"type": "reasoning.text", "signature": "c2ln",
                                               "format": "anthropic-claude-v1", "index": 0}]
    assert ds.index(signature) < ds.index(next(d for d in ds if d["content"] == "Answer"))
    result = assemble(plan).result()
    assert result.reasoning == "Let me think"
    assert result.reasoning_details == [{"type": "reasoning.text", "text": "Let me think",
                                         "format": "anthropic-claude-v1", "index": 0,
                                         "signature": "c2ln"}]


@pytest.mark.parametrize(("kind", "key"), [("reasoning.summary", "summary"),
                                           ("reasoning.encrypted", "data")])
def test_reasoning_kinds(kind, key):
    plan = render(Reply.text("ok", reasoning="abc def", reasoning_kind=kind,
                             reasoning_format="openai-responses-v1"))
    result = assemble(plan).result()
    assert result.reasoning_details[0]["type"] == kind
    assert result.reasoning_details[0][key] == "abc def"
    assert result.reasoning == (None if kind == "reasoning.encrypted" else "abc def")
    body = json.loads(render(Reply.text("ok", reasoning="abc def", reasoning_kind=kind),
                             stream=False).body)
    assert body["choices"][0]["message"]["reasoning_details"][0][key] == "abc def"


def test_explicit_reasoning_details_and_null_format():
    details = [{"type": "reasoning.summary", "summary": "S", "format": None, "index": 0},
               {"type": "reasoning.encrypted", "data": "E", "format": None, "index": 0}]
    result = assemble(render(Reply.text("x", reasoning_details=details))).result()
    assert result.reasoning_details == details
    message = json.loads(render(Reply.text("x", reasoning_details=details), stream=False)
                         .body)["choices"][0]["message"]
    assert message["reasoning_details"] == details
    assert message["reasoning"] == "S"


def test_images_arrive_whole_with_the_finish_reason():
    url = "data:image/png;base64," + "A" * 5000
    plan = render(Reply.text("", images=[url]))
    with_images = [c for c in data_chunks(plan) if "images" in c["choices"][0]["delta"]]
    assert len(with_images) == 1
    assert with_images[0]["choices"][0]["finish_reason"] == "stop"
    result = assemble(plan).result()
    assert [i.url for i in result.images] == [url]
    assert result.usage.image_tokens == 1290
    message = json.loads(render(Reply.text("", images=[url]), stream=False).body)
    assert message["choices"][0]["message"]["images"][0]["image_url"]["url"] == url


def test_annotations_come_before_text_one_per_chunk():
    citations = [{"type": "url_citation", "url_citation": {"url": f"https://e.com/{i}",
                  "title": "t", "start_index": 0, "end_index": 0}} for i in range(2)]
    plan = render(Reply.text("Found it", annotations=citations))
    ds = deltas(plan)
    assert [d.get("annotations") for d in ds[:2]] == [[citations[0]], [citations[1]]]
    assert all(d["content"] == "" for d in ds[:2])
    assert assemble(plan).result().annotations == citations


def test_refusal():
    body = json.loads(render(Reply.text(None, refusal="I can't help"), stream=False).body)
    choice = body["choices"][0]
    assert choice["message"]["content"] is None
    assert choice["message"]["refusal"] == "I can't help"
    assert choice["finish_reason"] == "content_filter"
    assert assemble(render(Reply.text(None, refusal="No"))).result().refusal == "No"


# --- errors and raw ----------------------------------------------------------------------


def test_error_body_shape_and_headers():
    plan = render(Reply.error(429, "Rate limited", metadata={"provider_name": "Google"},
                              headers={"Retry-After": "3"}, user_id="user_1"))
    assert plan.status == 429
    assert plan.header("Content-Type") == "application/json"
    assert plan.header("Retry-After") == "3"
    assert json.loads(plan.body) == {"error": {"message": "Rate limited", "code": 429,
                                               "metadata": {"provider_name": "Google"}},
                                     "user_id": "user_1"}


def test_error_with_http_200():
    plan = render(Reply.error(429, "Provider returned error", http_status=200), stream=False)
    assert plan.status == 200
    assert json.loads(plan.body)["error"]["code"] == 429


def test_raw_sse_is_chunked_per_event_and_verbatim():
    body = b": OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\ndata: [DONE]\n\n"
    plan = render(Reply.raw(200, {"Content-Type": "text/event-stream",
                                  "Content-Length": "999", "X-Extra": "1"}, body))
    assert plan.chunked
    assert plan.body == body
    assert len(events(plan)) == 3
    assert plan.header("Content-Length") is None
    assert plan.header("X-Extra") == "1"


def test_raw_pieces_with_delays_and_json_builder():
    plan = render(Reply.raw(200, [("Content-Type", "application/json")],
                            chunk_delays=[(b"{", 0.0), (b"}", 0.5)]))
    assert not plan.chunked
    assert plan.content_length == 2
    assert [s.delay for s in plan.steps] == [0.0, 0.5]
    plan = render(Reply.json({"data": []}))
    assert plan.body == b'{"data":[]}'


# --- faults ------------------------------------------------------------------------------


def test_error_after_k():
    plan = render(Reply.fault("error_after", 2, error_code=400, error_message="Token limit"))
    chunks = data_chunks(plan)
    assert len(chunks) == 3
    err = chunks[-1]
    assert err["error"] == {"code": 400, "message": "Token limit"}
    assert err["choices"][0]["finish_reason"] is None
    assert list(err)[:6] == ["id", "object", "created", "model", "provider", "error"]
    assert events(plan)[-1] == DONE
    assert plan.status == 200


def test_error_after_needs_a_stream():
    with pytest.raises(ValueError, match="streamed"):
        render(Reply.fault("error_after", 1), stream=False)


def test_reset_before_headers_and_delay_headers():
    plan = render(Reply.fault("reset_before_headers", delay_headers=0.2))
    assert plan.abort_before_headers
    assert plan.header_delay == 0.2


def test_reset_after_k():
    plan = render(Reply.fault("reset_after", 3, comments_before=0))
    assert isinstance(plan.steps[-1], Abort)
    assert len(data_chunks(plan)) == 3
    assert DONE not in events(plan)


def test_truncate_after_k():
    plan = render(Reply.fault("truncate_after", 2, comments_before=0))
    assert len(data_chunks(plan)) == 2
    assert DONE not in events(plan)
    assert plan.close
    assert plan.header("Connection") == "close"


def test_k_beyond_the_end_faults_just_before_done():
    plan = render(Reply.fault("truncate_after", 10_000))
    assert DONE not in events(plan)
    assert assemble(plan).result().usage is not None


def test_malformed_and_invalid_utf8_at_k():
    plan = render(Reply.fault("malformed_at", 1, comments_before=0))
    assert events(plan)[1] == MALFORMED_LINE
    plan = render(Reply.fault("invalid_utf8_at", 1, comments_before=0))
    bad = events(plan)[1]
    with pytest.raises(UnicodeDecodeError):
        bad.decode()


def test_stall_and_drip():
    plan = render(Reply.fault("stall_after", 2, stall_seconds=7, comments_before=0,
                              drip_delay=0.01))
    assert isinstance(plan.steps[2], Stall)
    assert plan.steps[2].seconds == 7
    assert all(s.delay == 0.01 for s in plan.steps if hasattr(s, "delay")
               and s.data.startswith(b"data: {"))


def test_content_type_override():
    plan = render(Reply.fault("content_type", "text/html"))
    assert plan.header("Content-Type") == "text/html"


def test_json_faults():
    plan = render(Reply.text("hello", reset_after=0), stream=False)
    assert isinstance(plan.steps[-1], Abort)
    assert plan.content_length > len(plan.body)
    plan = render(Reply.text("hello", truncate_after=0), stream=False)
    assert plan.close and plan.content_length > len(plan.body)
    assert render(Reply.text("x", malformed_at=0), stream=False).body.endswith(b"{not json")


def test_unknown_fault_kind():
    with pytest.raises(ValueError, match="unknown fault"):
        Reply.fault("explode")  # type: ignore[arg-type]


def test_reply_builders_and_with():
    reply = Reply.text("a", tool_calls=[("f", {})]).with_(provider="xAI")
    assert reply.calls[0].name == "f"
    assert reply.provider == "xAI"
    assert request().model == "openai/gpt-4o-mini"
