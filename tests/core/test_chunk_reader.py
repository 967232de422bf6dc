"""``ChunkReader`` gives exactly what ``json.loads`` + ``decode_chunk`` give, for every payload.

The reader's shortcut (see ``openrouter_core/chunk_reader.py``) must be invisible: every delta it
returns, including ``raw``, equals the reference reading of the same payload, over the
project's cassettes, generated streams in several JSON spellings, and hand-made payloads built
to fool a shortcut. Other tests count full parses to show the shortcut is really taken.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from openrouter_core import chunk_reader
from openrouter_core.chunk_reader import ChunkReader
from openrouter_core.decode import decode_chunk
from openrouter_core.stream import DONE, SSEFormatError, SSEParser

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
ENVELOPE = {"id": "gen-1", "object": "chat.completion.chunk", "created": 1762179802,
            "model": "openai/gpt-4o-mini", "provider": "OpenAI"}


def reference(payload: bytes) -> Any:
    """What the reader must return: the plain parse and decode."""
    if payload == b"[DONE]":
        return DONE
    return decode_chunk(json.loads(payload))


def read_all(payloads: list[bytes]) -> tuple[list[Any], int]:
    """Each payload through one reader, checked against :func:`reference`; the number of
    full parses it made (the one that proves a shape included)."""
    reader = ChunkReader()
    full = 0
    scan = chunk_reader.scan_text

    def counting(text: str) -> Any:
        nonlocal full
        full += 1
        return scan(text)

    chunk_reader.scan_text = counting
    try:
        out = [reader.read(p) for p in payloads]
    finally:
        chunk_reader.scan_text = scan
    for payload, got in zip(payloads, out, strict=True):
        assert got == reference(payload), payload
    # As with a parse of each payload, no two events share a list or dict.
    containers = [id(node) for got in out if got is not DONE for node in containers_of(got.raw)]
    assert len(containers) == len(set(containers))
    return out, full


def containers_of(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(n for v in value.values() for n in containers_of(v))]
    if isinstance(value, list):
        return [value, *(n for v in value for n in containers_of(v))]
    return []


def chunk(delta: dict[str, Any], **choice: Any) -> dict[str, Any]:
    return {**ENVELOPE, "choices": [{"index": 0, "delta": delta, "finish_reason": None,
                                     "native_finish_reason": None, "logprobs": None, **choice}]}


def sse_bodies() -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(CASSETTES.rglob("*.yaml")):
        for number, interaction in enumerate(yaml.safe_load(path.read_text())["interactions"]):
            body = interaction["response"]["body"]["string"]
            if "data:" in body:
                found.append((f"{path.relative_to(CASSETTES)}#{number}", body.encode()))
    return found


@pytest.mark.parametrize(("name", "body"), sse_bodies(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_every_cassette_stream_reads_as_the_reference(name: str, body: bytes) -> None:
    parser = SSEParser()
    payloads = [*parser.payloads(body), *parser.close_payloads()]
    try:
        read_all(payloads)
    except SSEFormatError:  # a cassette of a malformed stream: the reference must fail too
        with pytest.raises((ValueError, AttributeError)):  # not JSON, or not an object
            [reference(p) for p in payloads]


@pytest.mark.parametrize("field", ["content", "reasoning", "refusal"])
def test_a_text_stream_is_parsed_in_full_only_until_its_shape_is_known(field: str) -> None:
    words = ["Hel", "lo", ", ", "w\u00f6rld", " \"quoted\" ", "\\", "\U0001f600", ""] * 25
    payloads = [json.dumps(chunk({"role": "assistant", field: w}),
                           ensure_ascii=False, separators=(",", ":")).encode() for w in words]
    finish = chunk({"role": "assistant", field: ""}, finish_reason="stop")
    payloads += [json.dumps(finish).encode(), b"[DONE]"]
    out, full = read_all(payloads)
    assert [getattr(d, field) for d in out[:-2]] == words
    assert full == 4  # two events and the probe to learn the shape, then the finish chunk
    # The shortcut's raw value is the payload's own, in fresh containers.
    assert out[5].raw == json.loads(payloads[5])
    assert out[5].raw["choices"] is not out[6].raw["choices"]


def test_changing_a_raw_value_changes_no_later_event() -> None:
    payloads = [json.dumps(chunk({"content": w})).encode() for w in "abcd"]
    reader = ChunkReader()
    first, second = reader.read(payloads[0]), reader.read(payloads[1])
    for raw in (first.raw, second.raw):  # the two events the shape was learnt from
        raw["choices"][0]["delta"]["seen"] = True
        raw["note"] = "mine"
    assert reader.read(payloads[2]).raw == json.loads(payloads[2])


def test_tool_call_fragments_take_the_shortcut_with_their_id_and_name_kept() -> None:
    def fragment(arguments: str, **first: Any) -> bytes:
        call = {"index": 0, "id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": arguments}, **first}
        return json.dumps(chunk({"role": "assistant", "content": None,
                                 "tool_calls": [call]})).encode()

    pieces = ["", '{"ci', 'ty": "Pa', 'ris"', "}"] * 10
    out, full = read_all([fragment(p) for p in pieces])
    assert full == 3  # two events and the probe
    assert all(d.tool_calls[0].id == "call_1" and d.tool_calls[0].name == "get_weather"
               for d in out)


@pytest.mark.parametrize("payloads", [
    # The same key later in the object overwrites the string that changes.
    [b'{"choices":[{"delta":{"content":"%s","content":"same"}}]}' % w for w in (b"a", b"b",
                                                                               b"c")],
    # The key itself is the string that changes.
    [b'{"choices":[{"delta":{"%s":"x"}}]}' % w for w in (b"content", b"contenu", b"contenx")],
    # An escaped key name: the plain-looking key is somewhere else.
    [b'{"choices":[{"delta":{"\\u0063ontent":"x","other":{"content":"%s"}}}]}' % w
     for w in (b"a", b"b", b"c")],
    # Two strings change; then one payload where only the first does.
    [b'{"choices":[{"delta":{"content":"%s","reasoning":"%s"}}]}' % (w, w)
     for w in (b"a", b"b", b"c")] + [b'{"choices":[{"delta":{"content":"d","reasoning":"c"}}]}'],
    # A number changes, not a string.
    [b'{"created":%d,"choices":[{"delta":{"content":"x"}}]}' % n for n in (1, 2, 3)],
    # Whitespace, an escaped quote at the start, a string running into the tail.
    [b'{"choices":[{"delta":{"content": "a"}}]}', b'{"choices":[{"delta":{"content": "b"}}]}',
     b'{"choices":[{"delta":{"content": "\\"c"}}]}',
     b'{"choices":[{"delta":{"content": "b","x":"y"}}]}',
     b'{"choices":[{"delta":{"content": "b"}}]} ', b'{"choices":[{"delta":{"content": "e"}}]}'],
    # Off-path containers: shared between events they would be one object, so no shortcut.
    [json.dumps(chunk({"content": w}, logprobs={"content": []})).encode() for w in "abc"],
    [json.dumps(chunk({"content": w}, extra={"k": [1]})).encode() for w in "abc"],
    # Scalars where decode_chunk wants objects; a finish reason kept on every event.
    [json.dumps({**chunk({"content": w}, logprobs=5, finish_reason="length"), "usage": 5,
                 "error": "x"}).encode() for w in "abcd"],
    # The changing string is not a text field, and the text field holds the probe's string.
    [json.dumps(chunk({"content": "\x00", "other": w})).encode() for w in "abc"],
    [json.dumps(chunk({"content": "\x00", "other": w})).encode() for w in "a\x00c"],
    # The changing string is a key whose earlier copy holds the probe's string (the text
    # field, then a key on the path).
    [b'{"id":"g","choices":[{"delta":{"content":"\\u0000","%s":"content"}}]}' % k
     for k in (b"x", b"content", b"hello")],
    [b'{"choices":[{"delta":{"content":"\\u0000"}}],"%s":[{"delta":{"content":"choices"}}]}'
     % k for k in (b"x", b"choices", b"other")],
    # The changing string once equals the text field, which does not change.
    [json.dumps(chunk({"content": "a", "other": w})).encode() for w in "baz"],
    # Control characters json.loads rejects, after the shape is known.
    [json.dumps(chunk({"content": w})).encode() for w in "ab"] + [
        json.dumps(chunk({"content": "c"})).encode().replace(b'"c"', b'"\tc"')],
])
def test_payloads_built_to_fool_a_shortcut_read_as_the_reference(payloads: list[bytes]) -> None:
    reader = ChunkReader()
    for payload in payloads:
        try:
            expected = reference(payload)
        except ValueError:
            with pytest.raises(SSEFormatError):
                reader.read(payload)
            continue
        assert reader.read(payload) == expected, payload


spellings = st.sampled_from([
    {"ensure_ascii": True}, {"ensure_ascii": False},
    {"ensure_ascii": False, "separators": (",", ":")}, {"separators": (", ", ": ")},
])
pieces = st.text(max_size=6) | \
    st.sampled_from(['"', "\\", "\\u0000", "\n", "\u2028", ""])


@st.composite
def payload_streams(draw: st.DrawFn) -> list[bytes]:
    spelling = draw(spellings)
    events = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["text", "text", "text", "tool", "reasoning", "refusal",
                                     "finish", "usage", "null", "plain reasoning"]))
        text = draw(pieces)
        if kind == "text":
            event = chunk({"role": "assistant", "content": text})
        elif kind == "tool":
            event = chunk({"tool_calls": [{"index": draw(st.integers(0, 1)),
                                           "function": {"arguments": text}}]})
        elif kind == "reasoning":
            event = chunk({"reasoning": text, "reasoning_details": [
                {"type": "reasoning.text", "text": text, "index": 0}]})
        elif kind == "plain reasoning":
            event = chunk({"reasoning": text})
        elif kind == "refusal":
            event = chunk({"refusal": text})
        elif kind == "finish":
            event = chunk({"content": ""}, finish_reason=draw(st.sampled_from(["stop", None])))
        elif kind == "usage":
            event = {**ENVELOPE, "choices": [], "usage": {"prompt_tokens": 1,
                                                          "completion_tokens": len(text)}}
        else:
            event = chunk({"content": None})
        events.append(json.dumps(event, **spelling).encode())
    return events


@settings(max_examples=300, deadline=None)
@given(payload_streams())
def test_generated_streams_read_as_the_reference(payloads: list[bytes]) -> None:
    read_all(payloads)


def test_a_stream_without_a_shared_shape_backs_off_from_learning() -> None:
    # Reasoning sends each fragment twice, so no one string is all that changes: after a few
    # failed attempts the reader stops trying on every event.
    payloads = [json.dumps(chunk({"reasoning": f"r{n}", "reasoning_details": [
        {"type": "reasoning.text", "text": f"r{n}"}]})).encode() for n in range(300)]
    attempts = 0
    learn = chunk_reader._Shape.learn

    def counting(*args: Any) -> Any:
        nonlocal attempts
        attempts += 1
        return learn(*args)

    chunk_reader._Shape.learn = counting  # type: ignore[method-assign]
    try:
        read_all(payloads)
    finally:
        chunk_reader._Shape.learn = learn  # type: ignore[method-assign]
    assert 3 <= attempts <= 12
