"""Text chunks are built without pydantic's validation only where that changes nothing.

``streaming.text_chunk`` and ``streaming.generation_chunk`` store a chunk's fields directly
(about a quarter of the validated build's cost, on every chunk of a stream). These tests hold
them to the claim in their docstrings: every field, the set of fields marked as set, equality,
aggregation, serialization and pickling match the validated build, and the import-time check
that switches the shortcut on can tell a wrong build from a right one.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings, strategies as st
from langchain_core.load import dumpd
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter import streaming
from openrouter_core.decode import ChunkDelta, ToolCallDelta
from openrouter_core.stored import state
from tests.validated_builds import validated_builds

PROVIDER_META = {"model_provider": "openrouter"}


def validated(text: str, extra: dict[str, str], message_id: str | None) -> AIMessageChunk:
    return AIMessageChunk(content=text, additional_kwargs=dict(extra),
                          response_metadata=dict(PROVIDER_META), id=message_id,
                          tool_call_chunks=[])


def test_the_shortcut_is_on_in_this_environment() -> None:
    # CI runs this against the lowest, pinned and newest langchain-core and pydantic. If a
    # release changes the chunk models, the package falls back to validated builds by itself;
    # this failure is how we learn that streaming got slower.
    assert streaming.UNVALIDATED_BUILDS


texts = st.text(max_size=12)
extras = st.one_of(st.just({}), st.builds(lambda r: {"reasoning_content": r}, st.text(min_size=1)))
ids = st.one_of(st.none(), st.text(min_size=1, max_size=8).map(lambda s: "gen-" + s))


@settings(max_examples=200, deadline=None)
@given(texts, extras, ids)
def test_unvalidated_build_equals_the_validated_one(text: str, extra: dict[str, str],
                                                     message_id: str | None) -> None:
    built = streaming.text_chunk(text, dict(extra), message_id)
    reference = validated(text, extra, message_id)
    assert state(built) == state(reference)
    assert built == reference
    assert built.model_dump() == reference.model_dump()
    assert dumpd(built) == dumpd(reference)
    assert state(pickle.loads(pickle.dumps(built))) == state(reference)
    generation = streaming.generation_chunk(built)
    assert state(generation) == state(ChatGenerationChunk(message=reference))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(texts, extras, ids), min_size=2, max_size=5))
def test_aggregates_equal_the_validated_aggregates(parts: list[tuple[str, dict[str, str],
                                                                      str | None]]) -> None:
    built = [streaming.generation_chunk(streaming.text_chunk(t, dict(e), i)) for t, e, i in parts]
    reference = [ChatGenerationChunk(message=validated(t, e, i)) for t, e, i in parts]
    total_built, total_reference = built[0], reference[0]
    for chunk, other in zip(built[1:], reference[1:], strict=True):
        total_built += chunk
        total_reference += other
    assert state(total_built) == state(total_reference)
    assert state(total_built.message) == state(total_reference.message)


def test_delta_chunk_takes_the_shortcut_only_for_text_and_reasoning(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Equal states alone cannot tell whether the shortcut was taken: count validated builds.
    builds = validated_builds(monkeypatch, AIMessageChunk)
    text = streaming.delta_chunk(ChunkDelta(id="gen-1", content="hi"))
    assert text is not None and state(text) == state(validated("hi", {}, "gen-1"))
    reasoning = streaming.delta_chunk(ChunkDelta(reasoning="think"))
    assert reasoning is not None
    assert state(reasoning) == state(validated("", {"reasoning_content": "think"}, None))
    assert streaming.delta_chunk(ChunkDelta(id="gen-1")) is None
    # Only the two references above were validated; the streamed chunks were stored.
    assert [kwargs.get("content") for _, kwargs in builds] == ["hi", ""]
    tool = streaming.delta_chunk(ChunkDelta(tool_calls=[ToolCallDelta(index=0, id="c",
                                                                       name="f", arguments="")]))
    assert tool is not None and len(builds) == 3  # tool fragments are validated


def test_the_import_check_tells_a_wrong_build_from_a_right_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert streaming._same_as_validated()
    monkeypatch.setattr(streaming, "_TEXT_CHUNK_FIELDS_SET", frozenset({"content"}))
    assert not streaming._same_as_validated()
    monkeypatch.undo()
    monkeypatch.setattr(streaming, "_GENERATION_FIELDS_SET", frozenset({"message"}))
    assert not streaming._same_as_validated()


def test_without_the_shortcut_the_validated_build_is_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streaming, "UNVALIDATED_BUILDS", False)
    built = streaming.text_chunk("x", {}, "gen-2")
    assert state(built) == state(validated("x", {}, "gen-2"))
    assert state(streaming.generation_chunk(built)) == state(ChatGenerationChunk(message=built))
