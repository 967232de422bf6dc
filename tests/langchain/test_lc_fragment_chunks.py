"""Tool-argument fragments skip langchain-core's partial-JSON parse only where it cannot matter.

``streaming.delta_chunk`` builds chunks for fragments that cannot parse to an object without
running ``parse_partial_json`` (see ``streaming._never_an_object``). These tests check the two
claims that makes: the rule never calls a fragment "not an object" when langchain-core would
read a dict from it, and the cheap build equals the validated one in every field.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, ai as lc_ai
from langchain_core.messages.tool import ToolCallChunk, tool_call_chunk
from langchain_core.utils.json import parse_partial_json

from langchain_openrouter import streaming as outputs
from langchain_openrouter.streaming import _never_an_object, _unparsed_fragment_chunk, delta_chunk
from openrouter_core.decode import decode_chunk
from openrouter_core.stream import StreamAssembler

ARGUMENTS = [
    {"location": "Paris, France", "unit": "celsius"},
    {"query": "line one\nline \"two\"\ttab \\ back", "limit": 10, "exact": False},
    {"items": [{"id": 1, "tags": ["a", "b"]}, {"id": -2.5e3, "note": None}], "ok": True},
    {"text": "caf\u00e9 \u2603 \U0001f600", "nested": {"deep": {"er": [[], {}]}}},
    {"n": -0.0, "big": 12345678901234567890, "empty": ""},
]
"""Realistic argument objects; their JSON texts are cut into every possible fragment."""

ALPHABET = ' \t\n\r{}[]":,\\0123456789-.eEtrufalsnNIiy\u00e9x'
"""Characters that steer a JSON parser, plus a few that do not."""


def _substrings(text: str) -> Iterator[str]:
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            yield text[start:end]


def _fragments() -> Iterator[str]:
    for arguments in ARGUMENTS:
        yield from _substrings(json.dumps(arguments))
        yield from _substrings(json.dumps(arguments, indent=1)[:80])
    for length in range(1, 4):
        for chars in itertools.product(ALPHABET, repeat=length):
            yield "".join(chars)
    rng = random.Random(20261123)
    for _ in range(20000):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randint(4, 24)))


def _reads_as_object(fragment: str) -> bool:
    """What ``AIMessageChunk``'s validator decides for one fragment (``True``: a tool call)."""
    try:
        return isinstance(parse_partial_json(fragment), dict)
    except Exception:  # the validator treats any failure as an invalid tool call
        return False


def test_the_rule_never_hides_an_object() -> None:
    checked = skipped = 0
    for fragment in _fragments():
        if _never_an_object(fragment):
            checked += 1
            assert not _reads_as_object(fragment), repr(fragment)
        else:
            skipped += 1
    # Both sides of the rule were exercised, the cheap side on most fragments.
    assert checked > 50000
    assert skipped > 1000


@pytest.mark.parametrize("fragment", ["", None, "{", ' \t\n\r{"a', '{"a": 1}', "{}"])
def test_fragments_that_may_be_objects_are_left_to_the_validator(fragment: str | None) -> None:
    assert not _never_an_object(fragment)


@pytest.mark.parametrize("fragment", [" ", "\u00a0{", "\ufeff{", "\x0b{", '"{', "[{", "x"])
def test_json_whitespace_is_the_only_whitespace_skipped(fragment: str) -> None:
    # json.loads skips only space, tab, newline and carriage return before a value.
    assert _never_an_object(fragment)
    assert not _reads_as_object(fragment)


def _validated(fields: dict[str, Any], chunks: list[ToolCallChunk]) -> AIMessageChunk:
    return AIMessageChunk(tool_call_chunks=copy.deepcopy(chunks), **copy.deepcopy(fields))


def _assert_identical(ours: AIMessageChunk, reference: AIMessageChunk) -> None:
    assert ours == reference
    assert ours.__dict__ == reference.__dict__
    assert ours.model_fields_set == reference.model_fields_set
    assert ours.model_dump() == reference.model_dump()
    assert ours.model_dump(exclude_unset=True) == reference.model_dump(exclude_unset=True)
    assert ours.tool_calls == reference.tool_calls == []
    assert ours.invalid_tool_calls == reference.invalid_tool_calls
    assert ours.tool_call_chunks == reference.tool_call_chunks


def _field_sets() -> Iterator[dict[str, Any]]:
    texts = ["", "Some text ", "x"]
    extras: list[dict[str, Any]] = [{}, {"reasoning_content": "Think "}]
    ids = [None, "gen-1700000000-EmulatedIdForTests01"]
    for text, extra, message_id in itertools.product(texts, extras, ids):
        yield {"content": text, "additional_kwargs": dict(extra),
               "response_metadata": {"model_provider": "openrouter"}, "id": message_id}
    yield {"content": [{"type": "text", "text": "a"}], "additional_kwargs": {},
           "response_metadata": {"model_provider": "openrouter"}, "id": None}


def test_cheap_build_equals_the_validated_build() -> None:
    rng = random.Random(7)
    cheap = [f for f in itertools.islice(_fragments(), 0, None, 97) if _never_an_object(f)]
    assert len(cheap) > 500
    builds = 0
    for fields in _field_sets():
        for _ in range(40):
            chunks = [tool_call_chunk(name=rng.choice([None, "get_weather"]),
                                      args=rng.choice(cheap),
                                      id=rng.choice([None, "call_1", ""]),
                                      index=rng.choice([None, 0, 1, 7]))
                      for _ in range(rng.randint(1, 3))]
            reference = _validated(fields, chunks)
            ours = _unparsed_fragment_chunk(copy.deepcopy(fields), copy.deepcopy(chunks))
            _assert_identical(ours, reference)
            builds += 1
    assert builds == 13 * 40


def _delta(tool_calls: list[dict[str, Any]], content: str | None = None) -> Any:
    event = {"id": "gen-1700000000-EmulatedIdForTests01", "model": "m", "provider": "P",
             "choices": [{"index": 0, "finish_reason": None,
                          "delta": {"role": "assistant", "content": content,
                                    "tool_calls": tool_calls}}]}
    return StreamAssembler().feed(decode_chunk(event))


class _ParseCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str, *, strict: bool = False) -> Any:
        self.calls += 1
        return parse_partial_json(text, strict=strict)


@pytest.fixture
def parse_counter(monkeypatch: pytest.MonkeyPatch) -> _ParseCounter:
    counter = _ParseCounter()
    monkeypatch.setattr(lc_ai, "parse_partial_json", counter)
    return counter


def test_delta_chunk_skips_the_parse_for_a_middle_fragment(parse_counter: _ParseCounter) -> None:
    fragment = [{"index": 0, "function": {"arguments": 'ation": "Par'}}]
    chunk = delta_chunk(_delta(fragment, content="Hi"))
    assert chunk is not None
    assert parse_counter.calls == 0
    reference = _validated(
        {"content": "Hi", "additional_kwargs": {},
         "response_metadata": {"model_provider": outputs.PROVIDER},
         "id": "gen-1700000000-EmulatedIdForTests01"},
        [tool_call_chunk(name=None, args='ation": "Par', id=None, index=0)])
    _assert_identical(chunk, reference)
    assert chunk.invalid_tool_calls[0]["args"] == 'ation": "Par'


@pytest.mark.parametrize("tool_calls", [
    # the opening fragment: may already read as an object
    [{"index": 0, "id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": '{"loc'}}],
    # the header with empty arguments: the validator turns it into args={}
    [{"index": 0, "id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": ""}}],
    # parallel calls where only one fragment could be an object
    [{"index": 0, "function": {"arguments": '"}'}},
     {"index": 1, "function": {"arguments": '{"q": 1}'}}],
])
def test_delta_chunk_keeps_the_validator_when_a_fragment_may_be_an_object(
        parse_counter: _ParseCounter, tool_calls: list[dict[str, Any]]) -> None:
    chunk = delta_chunk(_delta(tool_calls))
    assert chunk is not None
    parsed = [t for t in tool_calls if t["function"]["arguments"]]
    assert parse_counter.calls == len(parsed)
    assert chunk.tool_calls or chunk.invalid_tool_calls


def test_a_streamed_call_aggregates_as_before() -> None:
    arguments = json.dumps(ARGUMENTS[1])
    cuts = sorted(random.Random(3).sample(range(1, len(arguments)), 12))
    pieces = [arguments[a:b] for a, b in zip([0, *cuts], [*cuts, len(arguments)], strict=True)]
    header = {"index": 0, "id": "call_1", "type": "function",
              "function": {"name": "search", "arguments": ""}}
    assembler = StreamAssembler()
    chunks: list[AIMessageChunk] = []
    references: list[AIMessageChunk] = []
    for tool_call in [header] + [{"index": 0, "function": {"arguments": p}} for p in pieces]:
        event = {"id": "gen-1700000000-EmulatedIdForTests01", "model": "m", "provider": "P",
                 "choices": [{"index": 0, "finish_reason": None,
                              "delta": {"role": "assistant", "tool_calls": [tool_call]}}]}
        chunk = delta_chunk(assembler.feed(decode_chunk(event)))
        assert chunk is not None
        chunks.append(chunk)
        references.append(_validated(
            {"content": "", "additional_kwargs": {},
             "response_metadata": {"model_provider": outputs.PROVIDER}, "id": chunk.id},
            chunk.tool_call_chunks))
    for ours, reference in zip(chunks, references, strict=True):
        assert ours == reference and ours.model_fields_set == reference.model_fields_set
    total = chunks[0] + chunks[1:]
    assert total == references[0] + references[1:]
    assert total.tool_calls == [{"name": "search", "args": ARGUMENTS[1], "id": "call_1",
                                 "type": "tool_call"}]
