"""The SSE parser and the stream state machine, on OpenRouter's stream quirks."""

from __future__ import annotations

import pytest

from openrouter_core.decode import ChatResult, ChunkDelta
from openrouter_core.stream import (
    DONE,
    SSEFormatError,
    SSEParser,
    StreamAssembler,
    StreamErrorChunk,
)
from tests.core import chunks as c


def run(data: bytes, pieces: int | None = None) -> tuple[ChatResult, list[ChunkDelta]]:
    """Parse ``data`` (optionally split into ``pieces``-byte slices) and assemble it."""
    parser, assembler, out = SSEParser(), StreamAssembler(), []
    step = pieces or len(data) or 1
    for start in range(0, len(data), step):
        for event in parser.feed(data[start:start + step]):
            delta = assembler.feed_event(event)
            if delta is not None:
                out.append(delta)
    for event in parser.close():
        assembler.feed_event(event)
    return assembler.result(), out


def test_parser_ignores_comments_and_fields_and_handles_crlf() -> None:
    data = (b": OPENROUTER PROCESSING\r\n\r\nevent: x\r\nid: 1\r\ndata: {\"a\": 1}\r\n\r\n"
            b"data: [DONE]\n\n")
    assert list(SSEParser().feed(data)) == [{"a": 1}, DONE]


def test_parser_joins_multiline_data_and_flushes_on_close() -> None:
    parser = SSEParser()
    assert list(parser.feed(b'data: {"a":\ndata: 2}\n\ndata: {"b": 3}')) == [{"a": 2}]
    assert list(parser.close()) == [{"b": 3}]


def test_parser_raises_typed_error_on_bad_json_and_bad_utf8() -> None:
    with pytest.raises(SSEFormatError, match="not valid JSON"):
        list(SSEParser().feed(b"data: {not json\n\n"))
    with pytest.raises(SSEFormatError, match="UTF-8"):
        list(SSEParser().feed(b'data: {"a": "\xff\xfe"}\n\n'))


def test_text_stream_with_comments_anywhere() -> None:
    stream = c.sse([c.text("Hel"), c.text("lo"), c.text(" world"),
                    *c.finish_with_usage("separate")], comments=17)
    result, deltas = run(stream, pieces=7)
    assert result.content == "Hello world"
    assert result.provider == "OpenAI"
    assert result.id == c.GEN_ID
    assert result.finish_reason == "stop"
    assert [d.content for d in deltas if d.content] == ["Hel", "lo", " world"]


@pytest.mark.parametrize("shape", ["separate", "empty_choices", "repeat_finish"])
def test_each_usage_shape_yields_usage_once_and_one_finish(shape: str) -> None:
    result, deltas = run(c.sse([c.text("ok"), *c.finish_with_usage(shape)]))
    assert result.usage is not None
    assert result.usage.cost == 0.00042
    assert result.usage.total_tokens == 19
    assert [d.finish_reason for d in deltas if d.finish_reason] == ["stop"]


def test_tool_call_name_and_id_assigned_once_even_when_repeated() -> None:
    # Some upstreams repeat id/name on every fragment: naive concatenation doubles the name.
    stream = c.sse([
        c.tool(0, id="call_1", name="GetWeather", args=""),
        c.tool(0, id="call_1", name="GetWeather", args='{"loc'),
        c.tool(0, name="GetWeather", args='ation": "Paris"}'),
        *c.finish_with_usage("repeat_finish", finish="tool_calls", native="tool_use"),
    ])
    result, deltas = run(stream)
    assert [(t.id, t.name, t.parsed_arguments()) for t in result.tool_calls] == [
        ("call_1", "GetWeather", {"location": "Paris"})]
    emitted = [t for d in deltas for t in d.tool_calls]
    assert [t.name for t in emitted if t.name] == ["GetWeather"]
    assert [t.id for t in emitted if t.id] == ["call_1"]
    assert result.finish_reason == "tool_calls"
    assert result.native_finish_reason == "tool_use"


def test_whole_args_parallel_and_no_argument_calls() -> None:
    stream = c.sse([
        c.tool(0, id="tool_a_1", name="a", args='{"x": 1}'),
        c.tool(1, id="tool_b_2", name="b", args="{}"),
        *c.finish_with_usage("empty_choices", finish="tool_calls"),
    ])
    result, _ = run(stream)
    assert [(t.name, t.arguments, t.index) for t in result.tool_calls] == [
        ("a", '{"x": 1}', 0), ("b", "{}", 1)]
    assert result.tool_calls[1].parsed_arguments() == {}


def test_anthropic_reasoning_keeps_signature_only_fragment() -> None:
    stream = c.sse([
        c.reasoning("The user asks"), c.reasoning(" about Berlin."),
        c.reasoning(None, signature="EvsCsig=="),
        c.tool(0, id="toolu_bdrk_1", name="weather", args=""),
        c.tool(0, args='{"city": "Berlin"}'),
        *c.finish_with_usage("repeat_finish", finish="tool_calls", native="tool_use"),
    ])
    result, _ = run(stream, pieces=11)
    assert result.reasoning == "The user asks about Berlin."
    assert result.reasoning_details == [{
        "type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0,
        "text": "The user asks about Berlin.", "signature": "EvsCsig=="}]
    assert result.tool_calls[0].parsed_arguments() == {"city": "Berlin"}


def test_reasoning_details_of_different_types_stay_separate() -> None:
    summary = c.chunk({"content": "", "reasoning_details": [
        {"type": "reasoning.summary", "summary": "Plan", "format": "openai-responses-v1",
         "index": 0}]})
    summary2 = c.chunk({"content": "", "reasoning_details": [
        {"type": "reasoning.summary", "summary": " more", "format": "openai-responses-v1",
         "index": 0}]})
    encrypted = c.chunk({"content": "", "reasoning": None, "reasoning_details": [
        {"type": "reasoning.encrypted", "data": "gAAA", "id": "rs_1",
         "format": "openai-responses-v1", "index": 1}]})
    result, _ = run(c.sse([summary, summary2, encrypted, c.text("done"),
                           *c.finish_with_usage("separate")]))
    assert [d["type"] for d in result.reasoning_details] == [
        "reasoning.summary", "reasoning.encrypted"]
    assert result.reasoning_details[0]["summary"] == "Plan more"
    assert result.reasoning_details[1]["data"] == "gAAA"
    assert result.reasoning is None


def test_image_in_one_delta_with_finish_and_citations_before_text() -> None:
    image = c.chunk({"content": "", "images": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA"}, "index": 0}]},
        finish="stop", native="STOP")
    cite = c.chunk({"content": "", "annotations": [{"type": "url_citation", "url_citation": {
        "url": "https://a.example", "title": "A", "start_index": 0, "end_index": 0}}]})
    result, _ = run(c.sse([cite, cite, c.text("Answer"), image, c.chunk(
        {"content": ""}, usage=c.USAGE)]))
    assert [i.url for i in result.images] == ["data:image/png;base64,AAA"]
    assert [c.url for c in result.citations] == ["https://a.example"] * 2
    assert result.citations[0].content is None  # not sent: absent, not ""
    assert result.content == "Answer"
    assert result.native_finish_reason == "STOP"


def test_error_chunk_raises_with_partial_result() -> None:
    error = c.chunk({"content": ""}, usage=c.USAGE,
                    error={"code": 400, "message": "Token limit reached"})
    parser, assembler = SSEParser(), StreamAssembler()
    with pytest.raises(StreamErrorChunk) as info:
        for event in parser.feed(c.sse([c.text("partial "), c.text("text"), error])):
            assembler.feed_event(event)
    assert info.value.partial.content == "partial text"
    assert info.value.partial.usage is not None
    assert info.value.error["message"] == "Token limit reached"


def test_non_object_event_is_a_format_error() -> None:
    with pytest.raises(SSEFormatError):
        StreamAssembler().feed_event([1, 2])


def test_logprobs_are_accumulated() -> None:
    lp = c.chunk({"content": "a"})
    lp["choices"][0]["logprobs"] = {"content": [{"token": "a", "logprob": -0.1}]}
    result, _ = run(c.sse([lp, lp, *c.finish_with_usage("separate")]))
    assert result.logprobs == {"content": [{"token": "a", "logprob": -0.1}] * 2}


def test_done_flag() -> None:
    assembler = StreamAssembler()
    for event in SSEParser().feed(c.sse([c.text("x")])):
        assembler.feed_event(event)
    assert assembler.done


def test_merge_reasoning_details_public_function() -> None:
    from openrouter_core.stream import merge_reasoning_details

    merged = merge_reasoning_details([
        {"type": "reasoning.text", "text": "a", "format": None, "index": 0},
        {"type": "reasoning.text", "text": "b", "format": "unknown", "index": 0},
        {"type": "reasoning.text", "signature": "s1", "index": 0},
        {"type": "reasoning.encrypted", "data": "x", "index": 1},
    ])
    assert merged == [{"type": "reasoning.text", "text": "ab", "format": "unknown", "index": 0,
                       "signature": "s1"},
                      {"type": "reasoning.encrypted", "data": "x", "index": 1}]


def test_text_builder_compacts_and_keeps_prefixes() -> None:
    from openrouter_core.stream import TextBuilder

    builder = TextBuilder()
    pieces = [f"{i % 10}" for i in range(5_000)]
    for piece in pieces:
        builder.append(piece)
    assert builder.length == 5_000
    assert len(builder._blocks) <= 5_000 // TextBuilder._COMPACT + 1
    assert builder.prefix(12) == "".join(pieces)[:12]
    assert builder.text() == "".join(pieces)
    builder.append("end")
    assert builder.text().endswith("9end")
    assert not TextBuilder()


def test_result_at_replays_the_stream_as_it_stood() -> None:
    """``progress()`` after every delta, read back later, gives each prefix of the stream:
    text, reasoning, merged details, tool calls (ordered by index), images, citations."""
    from openrouter_core.decode import ChunkDelta, Image, ToolCallDelta

    deltas = [
        ChunkDelta(reasoning="th", reasoning_details=[{"type": "reasoning.text", "index": 0,
                                                       "text": "th"}]),
        ChunkDelta(reasoning="ink", reasoning_details=[{"type": "reasoning.text", "index": 0,
                                                        "text": "ink"}]),
        ChunkDelta(content="He", annotations=[{"type": "url_citation", "url_citation": {
            "url": "https://a.example"}}]),
        ChunkDelta(tool_calls=[ToolCallDelta(index=1, id="b", name="g", arguments='{"y"')]),
        ChunkDelta(tool_calls=[ToolCallDelta(index=0, id="a", name="f", arguments="{}")]),
        ChunkDelta(content="llo", images=[Image(url="data:image/png;base64,AA==")],
                   tool_calls=[ToolCallDelta(index=1, arguments=": 1}")]),
    ]
    assembler = StreamAssembler()
    marks = []
    for delta in deltas:
        assembler.feed(delta)
        marks.append(assembler.progress())
    first, second, third, fourth, fifth, last = (assembler.result_at(m) for m in marks)
    assert (first.reasoning, first.reasoning_details) == (
        "th", [{"type": "reasoning.text", "index": 0, "text": "th"}])
    assert second.reasoning_details[0]["text"] == "think"
    assert (third.content, len(third.annotations), third.tool_calls) == ("He", 1, [])
    assert [(c.id, c.arguments) for c in fourth.tool_calls] == [("b", '{"y"')]
    assert [(c.id, c.index, c.arguments) for c in fifth.tool_calls] == [
        ("a", 0, "{}"), ("b", 1, '{"y"')]
    assert (last.content, len(last.images)) == ("Hello", 1)
    final = assembler.result()
    assert [(c.id, c.arguments) for c in last.tool_calls] == [
        (c.id, c.arguments) for c in final.tool_calls] == [("a", "{}"), ("b", '{"y": 1}')]
    assert (last.reasoning, last.reasoning_details) == (final.reasoning, final.reasoning_details)


def test_a_chunk_nested_too_deeply_is_a_format_error() -> None:
    deep = b"data: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n"
    with pytest.raises(SSEFormatError, match="nested too deeply"):
        list(SSEParser().feed(deep))
