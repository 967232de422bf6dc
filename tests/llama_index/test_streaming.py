"""Stream deltas → streamed responses: snapshots, laziness and linear cost (pure)."""

from __future__ import annotations

import copy
import pickle
import threading
from typing import Any
from unittest import mock

import pytest
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock, ToolCallBlock
from llama_index.core.instrumentation.events.llm import LLMChatInProgressEvent

from llama_index_openrouter.streaming import (
    PARTIAL_KEY,
    ChatStream,
    StreamedMessage,
)
from openrouter_core.decode import ChunkDelta, ToolCallDelta, Usage
from openrouter_core.stream import StreamAssembler


def run(deltas: list[ChunkDelta], completion: bool = False) -> tuple[list, ChatStream]:
    """The streamed responses of ``deltas`` (chat, or completion), the final one last."""
    assembler = StreamAssembler()
    stream = ChatStream(assembler)
    partial, final = ((stream.completion_partial, stream.completion_final) if completion
                      else (stream.chat_partial, stream.chat_final))
    out: list[Any] = []
    for delta in deltas:
        held = stream.push(assembler.feed(delta))
        if held is not None:
            out.append(partial(held))
    last = stream.last()
    if last is not None:
        out.append(final(last))
    return out, stream


def test_each_response_keeps_its_own_snapshot() -> None:
    responses, _ = run([ChunkDelta(content=p) for p in ["Hel", "lo", " world"]])
    assert [r.delta for r in responses] == ["Hel", "lo", " world"]
    # Read in reverse: later materialisation must not leak later text into earlier responses.
    assert [r.message.content for r in reversed(responses)] == ["Hello world", "Hello", "Hel"]


def test_partial_flags_and_final_extras() -> None:
    usage = Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5, cost=1e-6,
                  raw={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5})
    responses, _ = run([ChunkDelta(content="a", id="gen-1", provider="OpenAI"),
                        ChunkDelta(content="b", finish_reason="stop"),
                        ChunkDelta(usage=usage, raw={"id": "gen-1"})])
    assert [r.additional_kwargs.get(PARTIAL_KEY) for r in responses] == [True, True, None]
    final = responses[-1]
    assert final.message.content == "ab"
    assert final.additional_kwargs["prompt_tokens"] == 3
    assert final.additional_kwargs["cost"] == 1e-6
    assert final.additional_kwargs["provider"] == "OpenAI"
    assert final.raw["usage"]["total_tokens"] == 5


def test_thinking_delta_and_reasoning_details_merge() -> None:
    responses, _ = run([
        ChunkDelta(reasoning="Let ", reasoning_details=[
            {"type": "reasoning.text", "text": "Let ", "index": 0,
             "format": "anthropic-claude-v1"}]),
        ChunkDelta(reasoning="me", reasoning_details=[
            {"type": "reasoning.text", "text": "me", "index": 0}]),
        ChunkDelta(reasoning_details=[{"type": "reasoning.text", "signature": "S", "index": 0}]),
        ChunkDelta(content="ok"),
    ])
    assert responses[0].additional_kwargs["thinking_delta"] == "Let "
    middle = responses[1].message.blocks[0]
    assert isinstance(middle, ThinkingBlock)
    assert middle.content == "Let me"
    assert middle.additional_information["reasoning_details"] == [
        {"type": "reasoning.text", "text": "Let me", "index": 0, "format": "anthropic-claude-v1"}]
    final = responses[-1].message.blocks[0]
    assert isinstance(final, ThinkingBlock)
    assert final.additional_information["reasoning_details"][0]["signature"] == "S"


def test_tool_calls_accumulate_per_index() -> None:
    responses, _ = run([
        ChunkDelta(tool_calls=[ToolCallDelta(index=0, id="c0", name="f", arguments="")]),
        ChunkDelta(tool_calls=[ToolCallDelta(index=0, arguments='{"a":')]),
        ChunkDelta(tool_calls=[ToolCallDelta(index=0, arguments="1}")]),
        ChunkDelta(tool_calls=[ToolCallDelta(index=1, id="c1", name="g", arguments="{}")]),
        ChunkDelta(finish_reason="tool_calls"),
    ])
    second = responses[1].message
    assert second.additional_kwargs["tool_calls"][0]["function"]["arguments"] == '{"a":'
    final_blocks = [b for b in responses[-1].message.blocks if isinstance(b, ToolCallBlock)]
    assert [(b.tool_call_id, b.tool_name, b.tool_kwargs) for b in final_blocks] == [
        ("c0", "f", {"a": 1}), ("c1", "g", {})]


def test_flush_returns_the_held_delta() -> None:
    assembler = StreamAssembler()
    stream = ChatStream(assembler)
    assert stream.push(assembler.feed(ChunkDelta(content="x"))) is None
    held = stream.flush()
    assert held is not None
    assert stream.chat_partial(held).message.content == "x"
    assert stream.last() is None


def test_messages_are_built_only_when_read() -> None:
    assembler = StreamAssembler()
    assembler.feed(ChunkDelta(content="hi"))
    message = StreamedMessage.deferred(assembler, assembler.progress())
    assert object.__getattribute__(message, "__pydantic_private__")["_source"] is not None
    # Dispatching an in-progress event does not build the message...
    LLMChatInProgressEvent(messages=[], response=run([ChunkDelta(content="a"),
                                                      ChunkDelta(content="b")])[0][0])
    assert object.__getattribute__(message, "__pydantic_private__")["_source"] is not None
    # ...reading does.
    assert message.content == "hi"
    assert object.__getattribute__(message, "__pydantic_private__")["_source"] is None


def test_deferred_message_behaves_like_a_chat_message() -> None:
    def fresh() -> StreamedMessage:
        assembler = StreamAssembler()
        assembler.feed(ChunkDelta(content="hi"))
        return StreamedMessage.deferred(assembler, assembler.progress())

    assert fresh().model_dump()["blocks"] == [{"block_type": "text", "text": "hi"}]
    assert '"hi"' in fresh().model_dump_json()
    assert copy.deepcopy(fresh()).content == "hi"
    assert pickle.loads(pickle.dumps(fresh())).content == "hi"
    assert isinstance(fresh(), ChatMessage)
    assert "hi" in repr(fresh())


def test_completion_chunks_are_lazy_and_correct() -> None:
    out, _ = run([ChunkDelta(content=piece) for piece in ["a", "b", "c"]], completion=True)
    assert [r.text for r in reversed(out)] == ["abc", "ab", "a"]
    assert [r.delta for r in out] == ["a", "b", "c"]
    assert out[0].model_dump()["text"] == "a"


def test_long_stream_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    # 100k one-word chunks: materialising every cumulative message would copy ~2 GB. Each
    # partial response must cost O(1): no cumulative text is built unless it is read, and
    # reading one builds that one only. (Counted, not timed: timings live in benchmarks/.)
    builds: list[int] = []
    real_result_at = StreamAssembler.result_at

    def counted(self: StreamAssembler, progress: Any) -> Any:
        builds.append(progress.content)
        return real_result_at(self, progress)

    monkeypatch.setattr(StreamAssembler, "result_at", counted)
    assembler = StreamAssembler()
    stream = ChatStream(assembler)
    count = 0
    responses = []
    for _ in range(100_000):
        held = stream.push(assembler.feed(ChunkDelta(content="word ")))
        if held is not None:
            response = stream.chat_partial(held)
            count += len(response.delta or "")
            if len(responses) < 3:
                responses.append(response)
    assert builds == []
    assert responses[2].message.content == "word " * 3
    assert builds == [15]
    last = stream.last()
    assert last is not None
    final = stream.chat_final(last)
    assert final.message.content is not None
    assert len(final.message.content) == 500_000
    assert count == 499_995


def test_partial_responses_are_stored_directly_in_this_environment() -> None:
    # CI runs this against the lowest, pinned and newest llama-index-core and pydantic; if a
    # release changes the models, the package falls back to model_construct by itself, and
    # this failure is how we learn that streaming got slower.
    from llama_index_openrouter import streaming

    assert streaming.CONSTRUCT_DIRECTLY


def test_the_import_check_tells_a_wrong_direct_build_from_a_right_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_index_openrouter import streaming

    assert streaming._same_as_constructed()
    monkeypatch.setattr(streaming, "_MESSAGE_FIELDS_SET", frozenset({"role"}))
    assert not streaming._same_as_constructed()
    monkeypatch.undo()
    monkeypatch.setattr(streaming, "_RESPONSE_FIELDS_SET", frozenset({"message"}))
    assert not streaming._same_as_constructed()


@pytest.mark.parametrize("direct", [True, False])
def test_partial_responses_read_dump_and_pickle_alike_either_way(
        monkeypatch: pytest.MonkeyPatch, direct: bool) -> None:
    from llama_index_openrouter import streaming

    monkeypatch.setattr(streaming, "CONSTRUCT_DIRECTLY", direct)
    out, _ = run([ChunkDelta(content=piece) for piece in ["a", "b", "c"]])
    out = out[:-1]  # the partial responses
    assert [r.message.content for r in out] == ["a", "ab"]
    assert [r.model_dump()["message"]["blocks"][0]["text"] for r in out] == ["a", "ab"]
    assert pickle.loads(pickle.dumps(out[1])).message.content == "ab"
    assert out[0].model_fields_set == {"message", "raw", "delta", "logprobs",
                                       "additional_kwargs"}


def test_a_pickled_partial_response_carries_the_message_not_the_stream() -> None:
    # pydantic copies private attributes before reading __dict__; an unread deferred message
    # would otherwise pickle its whole StreamAssembler (the stream so far) along.
    from llama_index_openrouter.streaming import StreamedCompletion, StreamedMessage

    assembler = StreamAssembler()
    for piece in ["some ", "text"]:
        assembler.feed(ChunkDelta(content=piece))
    message = StreamedMessage.deferred(assembler, assembler.progress())
    completion = StreamedCompletion.deferred(assembler, assembler.progress(), "text", {}, {})
    for model, read in ((message, lambda m: m.content), (completion, lambda c: c.text)):
        data = pickle.dumps(model)
        assert b"StreamAssembler" not in data
        assert read(pickle.loads(data)) == "some text"


def test_the_deferred_classes_can_be_subclassed() -> None:
    from llama_index_openrouter.streaming import StreamedMessage

    class Noted(StreamedMessage):
        note: str = ""

    message = Noted(role="user", content="hi", note="n")
    assert (message.content, message.note) == ("hi", "n")


def test_a_reader_in_another_thread_waits_for_a_build_under_way() -> None:
    # Thread A is building the message when thread B reads it: B must get the built blocks,
    # not the empty placeholders the unread message holds.
    from llama_index_openrouter import streaming

    assembler = StreamAssembler()
    assembler.feed(ChunkDelta(content="hello"))
    message = StreamedMessage.deferred(assembler, assembler.progress())
    deferred = vars(StreamedMessage)["__dict__"]
    building, release = threading.Event(), threading.Event()

    def slow_build(fields: dict[str, Any], *source: Any) -> None:
        building.set()
        assert release.wait(10)
        streaming._build_message(fields, *source)

    seen: dict[str, str] = {}
    with mock.patch.object(deferred, "_build", slow_build):
        first = threading.Thread(target=lambda: seen.setdefault("a", message.content or ""))
        first.start()
        assert building.wait(10)
        second = threading.Thread(target=lambda: seen.setdefault("b", message.content or ""))
        second.start()
        second.join(0.2)
        waited = second.is_alive()
        release.set()
        first.join(10)
        second.join(10)
    assert waited, f"read {seen.get('b')!r} while the message was being built"
    assert seen == {"a": "hello", "b": "hello"}


def test_a_build_that_fails_is_tried_again_on_the_next_read() -> None:
    from llama_index_openrouter import streaming

    assembler = StreamAssembler()
    assembler.feed(ChunkDelta(content="hello"))
    message = StreamedMessage.deferred(assembler, assembler.progress())
    with mock.patch.object(streaming, "message_blocks", side_effect=RuntimeError("boom")), \
            pytest.raises(RuntimeError, match="boom"):
        _ = message.content
    assert message.content == "hello"
    assert object.__getattribute__(message, "__pydantic_private__")["_source"] is None


def test_two_readers_build_a_message_once() -> None:
    # The lock, not only the order of build and drop: two first readers at once make one
    # build (a second build would replace blocks the first reader may already hold).
    import time

    from llama_index_openrouter import streaming

    assembler = StreamAssembler()
    assembler.feed(ChunkDelta(content="hello"))
    message = StreamedMessage.deferred(assembler, assembler.progress())
    deferred = vars(StreamedMessage)["__dict__"]
    builds: list[int] = []

    def slow_build(fields: dict[str, Any], *source: Any) -> None:
        builds.append(1)
        time.sleep(0.2)
        streaming._build_message(fields, *source)

    seen: list[str] = []
    with mock.patch.object(deferred, "_build", slow_build):
        readers = [threading.Thread(target=lambda: seen.append(message.content or ""))
                   for _ in range(2)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(10)
    assert (len(builds), seen) == (1, ["hello", "hello"])
