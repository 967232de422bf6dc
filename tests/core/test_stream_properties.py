"""Property-based tests: the stream machine assembles the same result however bytes arrive.

Valid streams are re-split at arbitrary byte boundaries, get comment lines inserted anywhere,
have parallel tool calls' fragments interleaved (per-call order kept) and their finish and usage
chunks duplicated; the assembled result must not change. Arbitrary malformed bytes must raise the
package's typed error and nothing else.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from openrouter_core import errors
from openrouter_core._sdk_http import http
from openrouter_core.decode import ChatResult
from openrouter_core.reading import Clock, StreamDriver
from openrouter_core.stream import DONE, SSEParser, StreamAssembler
from tests.core import chunks as c

COMMENT = b": OPENROUTER PROCESSING\n\n"


def assemble(pieces: list[bytes]) -> ChatResult:
    parser, assembler = SSEParser(), StreamAssembler()
    for piece in pieces:
        for event in parser.feed(piece):
            assembler.feed_event(event)
    for event in parser.close():
        assembler.feed_event(event)
    return assembler.result()


def encode(items: list[dict[str, Any]], comment_after: set[int]) -> bytes:
    out = []
    for position, item in enumerate(items):
        out.append(b"data: " + json.dumps(item).encode() + b"\n\n")
        if position in comment_after:
            out.append(COMMENT)
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(cut, 0), len(data)) for cut in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]


texts = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6)
args = st.dictionaries(st.sampled_from(["city", "unit", "n"]),
                       st.one_of(st.integers(), st.text(max_size=5)), max_size=3)


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[dict[str, Any]], ChatResult]:
    """A valid stream with text, two parallel tool calls and reasoning; and its expectation."""
    words = draw(texts)
    reasoning = draw(texts)
    calls = [json.dumps(draw(args)) for _ in range(2)]
    fragments: list[list[dict[str, Any]]] = []
    for index, arguments in enumerate(calls):
        cut = draw(st.integers(0, len(arguments)))
        fragments.append([c.tool(index, id=f"call_{index}", name=f"fn{index}", args=""),
                          c.tool(index, args=arguments[:cut]),
                          c.tool(index, args=arguments[cut:])])
    # Interleave the two calls' fragments, keeping each call's own order.
    order = draw(st.permutations([0] * 3 + [1] * 3))
    positions = [0, 0]
    tool_chunks = []
    for which in order:
        tool_chunks.append(fragments[which][positions[which]])
        positions[which] += 1
    body = ([c.reasoning(r) for r in reasoning] + [c.reasoning(None, signature="sig")]
            + [c.text(w) for w in words] + tool_chunks)
    end = c.finish_with_usage(draw(st.sampled_from(["separate", "empty_choices",
                                                    "repeat_finish"])), finish="tool_calls")
    duplicates = draw(st.integers(0, 2))
    items = body + end + [end[-1]] * duplicates
    expected = assemble([encode(body + end, set())])
    return items, expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams(), st.lists(st.integers(0, 10_000), max_size=40),
       st.sets(st.integers(0, 40), max_size=10))
def test_same_result_for_any_split_comments_interleaving_and_duplication(
    stream: tuple[list[dict[str, Any]], ChatResult], cuts: list[int], comments: set[int]
) -> None:
    items, expected = stream
    result = assemble(split(encode(items, comments), cuts))
    assert result.content == expected.content
    assert result.reasoning == expected.reasoning
    assert result.reasoning_details == expected.reasoning_details
    assert [(t.id, t.name, t.arguments) for t in result.tool_calls] == [
        (t.id, t.name, t.arguments) for t in expected.tool_calls]
    assert result.usage == expected.usage
    assert result.finish_reason == "tool_calls"


def _driver() -> StreamDriver:
    request = http.Request("POST", "http://127.0.0.1/api/v1/chat/completions")
    response = http.Response(200, headers={"content-type": "text/event-stream"},
                               request=request)
    return StreamDriver(response, StreamAssembler(), Clock.start(None, None))


garbage_lines = st.one_of(
    st.binary(max_size=60).map(lambda b: b"data: " + b.replace(b"\n", b" ") + b"\n\n"),
    st.sampled_from([b"data: {\n\n", b"data: [1,2]\n\n", b'data: {"choices": 5}\n\n',
                     b'data: {"choices": [{"delta": 7}]}\n\n', b"data: \xff\xfe\n\n",
                     b'data: {"error": "x"}\n\n', b'data: {"choices": [{"delta": {"tool_calls'
                     b'": [{"index": "a"}]}}]}\n\n', b"data: null\n\n", b"data: \"s\"\n\n"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(garbage_lines, min_size=1, max_size=5))
def test_malformed_chunks_raise_only_typed_errors(lines: list[bytes]) -> None:
    driver = _driver()
    try:
        for line in lines:
            list(driver.feed(line))
        driver.finish()
    except errors.OpenRouterError as exc:
        assert exc.partial is not None or not exc.mid_stream


def test_deltas_sharing_a_read_with_an_error_chunk_are_yielded_before_it() -> None:
    error = c.chunk({"content": ""}, error={"code": 400, "message": "Token limit reached"})
    one_read = c.sse([c.text("piece "), c.text("piece "), error])
    driver = _driver()
    seen: list[str] = []
    with pytest.raises(errors.BadRequestError) as info:
        for delta in driver.feed(one_read):
            seen.append(delta.content or "")
    assert "".join(seen) == "piece piece "
    assert info.value.partial is not None
    assert info.value.partial.content == "piece piece "


def reference_events(data: bytes) -> list[Any]:
    """The SSE rules read line by line, as the specification words them (the oracle for the
    parser, which splits whole reads at blank lines instead): CRLF or LF ends a line, ``data:``
    lines join with LF, a blank line dispatches, anything else is ignored."""
    events: list[Any] = []
    pending: list[bytes] = []
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    for position, line in enumerate(lines):
        last = position == len(lines) - 1  # not terminated: only close() dispatches it
        if line.startswith(b"data:"):
            value = line[5:]
            pending.append(value[1:] if value.startswith(b" ") else value)
        if (not line or last) and pending:
            joined = b"\n".join(pending)
            events.append("[DONE]" if joined == b"[DONE]" else json.loads(joined))
            pending = []
    return events


sse_events = st.lists(st.one_of(
    st.builds(lambda v: b"data: " + json.dumps(v).encode(), st.dictionaries(
        st.text(max_size=3), st.one_of(st.integers(), st.text(max_size=4)), max_size=2)),
    st.just(b'data:{"tight": true}'),
    st.just(b'data: {"multi":\ndata: "line"}'),
    st.just(b": OPENROUTER PROCESSING"),
    st.just(b"event: message\nid: 7\ndata: [1, 2]"),
    st.just(b"retry: 10"),
), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(sse_events, st.lists(st.integers(0, 400), max_size=12), st.booleans(),
       st.lists(st.integers(1, 3), min_size=8, max_size=8), st.booleans())
def test_parser_matches_the_line_by_line_reading_for_any_split(
    events: list[bytes], cuts: list[int], crlf: bool, blanks: list[int], unterminated: bool
) -> None:
    ends = [b"\n" * (1 + extra) for extra in blanks[:len(events)]]
    body = b"".join(event + end for event, end in zip(events, ends, strict=True))
    if unterminated:
        body = body.rstrip(b"\n")  # the last event only ends at close()
    if crlf:
        body = body.replace(b"\n", b"\r\n")
    parser = SSEParser()
    seen: list[Any] = []
    for piece in split(body, cuts):
        seen.extend(parser.feed(piece))
    seen.extend(parser.close())
    assert ["[DONE]" if e is DONE else e for e in seen] == reference_events(body)


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_parser_gives_the_same_events_for_every_one_and_two_cut_split(line_end: bytes) -> None:
    # Exhaustive where random cuts are thin: a cut between CR and LF, or between the two
    # line ends of a blank line, is what the parser must carry across reads.
    body = (b': OPENROUTER PROCESSING\n\ndata: {"a": 1}\n\ndata: {"multi":\ndata: 2}\n\n\n'
            b'event: x\ndata:[3]\n\ndata: [DONE]\n\n').replace(b"\n", line_end)
    expected = reference_events(body)
    assert len(expected) == 4
    for first in range(len(body) + 1):
        for second in range(first, len(body) + 1, 3):
            parser = SSEParser()
            seen = [e for piece in split(body, [first, second]) for e in parser.feed(piece)]
            seen.extend(parser.close())
            assert ["[DONE]" if e is DONE else e for e in seen] == expected, (first, second)


def test_comment_lines_without_blank_lines_do_not_pile_up() -> None:
    # Keep-alive comments with no blank line after them never end an event; the parser must
    # not keep them all (100k of them used to stay in memory, 1.2 MB).
    parser = SSEParser()
    for _ in range(100_000):
        assert list(parser.feed(b": keepalive\n")) == []
    assert parser._size < 2 * 65_536  # 1.2 MB without compaction (a blank line resets it)
    assert sum(map(len, parser._tail)) == parser._size  # the count is of what is kept
    assert list(parser.feed(b'data: {"a": 1}\n\n')) == [{"a": 1}]
    # A long data event split over many reads, comments between its lines: compaction keeps
    # every data line (and drops the comments), so the event still parses whole.
    list(parser.feed(b"data: [0\n"))
    for _ in range(20_000):
        assert list(parser.feed(b"data: ,1\n: ping\n")) == []
    assert parser._size < 20_000 * len(b"data: ,1\n") + 65_536
    assert sum(map(len, parser._tail)) == parser._size
    assert list(parser.feed(b"data: ]\n\n")) == [[0] + [1] * 20_000]
