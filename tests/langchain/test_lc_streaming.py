"""``ChatOpenRouter.stream``/``astream``: langchain-core's behaviour, without keeping chunks.

Two kinds of evidence:

* :class:`ChunkFold` equals ``merge_chat_generation_chunks`` on randomly generated chunk
  sequences covering every field the merge touches (text, list content, tool-call fragments,
  reasoning, usage, ids of all three ranks, generation_info, metadata that concatenates).
* Every stream below runs through our ``stream``/``astream`` and through the inherited
  ``BaseChatModel`` methods on the same model, against the same emulator bytes; the yielded
  chunks and every callback event (start, tokens, end or error with the partial output) must
  be equal.
"""

from __future__ import annotations

import gc
import json
import random
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.outputs.chat_generation import merge_chat_generation_chunks

from langchain_openrouter import ChatOpenRouter, stream_lifecycle as streaming
from langchain_openrouter.stream_lifecycle import ChunkFold
from openrouter_core.stream import TextBuilder
from openrouter_core.testing import Emulator, Reply
from tests.langchain.conftest import MODEL, TEST_KEY
from tests.langchain_parity import (
    BEFORE_START,
    FIXED,
    GEN_ID,
    PNG,
    RUN_ID,
    SHARED_CASES,
    Case,
    assert_same,
    parity_model,
    record,
    run_both,
)


# --- ChunkFold against merge_chat_generation_chunks --------------------------------------
def _random_chunk(rng: random.Random) -> ChatGenerationChunk:
    kind = rng.choice(["text"] * 6 + ["empty", "tool", "reasoning", "image", "usage",
                                      "final", "meta", "info", "position"])
    ids = [GEN_ID, None, "lc_run-abc", "lc_other", "gen-other"]
    message_id = rng.choice(ids) if rng.random() < 0.2 else GEN_ID
    meta: dict[str, Any] = {"model_provider": "openrouter"}
    fields: dict[str, Any] = {"content": rng.choice(["a", "bc", " d", "é", "\n"])}
    info: dict[str, Any] | None = None
    if kind == "empty":
        fields["content"] = ""
    elif kind == "tool":
        index = rng.choice([0, 1])
        header = rng.random() < 0.3
        fields["content"] = rng.choice(["", "x"])
        fields["tool_call_chunks"] = [tool_call_chunk(
            name=f"tool{index}" if header else None, args=rng.choice(['{"a"', ": 1", "}", ""]),
            id=f"call_{index}" if header else None, index=index)]
    elif kind == "reasoning":
        fields["content"] = ""
        fields["additional_kwargs"] = {"reasoning_content": rng.choice(["think ", "more"])}
    elif kind == "image":
        blocks: list[Any] = [{"type": "image", "url": PNG}]
        if rng.random() < 0.5:
            blocks.insert(0, {"type": "text", "text": "here"})
        fields["content"] = blocks
    elif kind == "usage":
        fields["usage_metadata"] = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
    elif kind == "final":
        fields["content"] = ""
        fields["chunk_position"] = "last"
        meta = {**meta, "model_name": "openai/gpt-4o-mini", "finish_reason": "stop"}
    elif kind == "position":  # the last chunk's marker, nothing else different
        fields["chunk_position"] = "last"
    elif kind == "meta":
        meta = {**meta, "note": "x"}  # an equal string merge_dicts concatenates
    elif kind == "info":
        info = {"finish_reason": "stop"}
    message = AIMessageChunk(id=message_id, response_metadata=meta, **fields)
    return ChatGenerationChunk(message=message, generation_info=info)


@pytest.mark.parametrize("messages", [False, True], ids=["add", "add_message"])
@pytest.mark.parametrize("shared", [False, True], ids=["own-text", "shared-text"])
@pytest.mark.parametrize("batch", [1, 3, 64])
def test_fold_equals_langchain_merge_on_random_streams(batch: int, shared: bool,
                                                       messages: bool) -> None:
    for seed in range(150):
        rng = random.Random(seed)
        chunks = [_random_chunk(rng) for _ in range(rng.randint(1, 120))]
        builder = TextBuilder()
        fold = ChunkFold(builder if shared else None, batch=batch)
        check_at = rng.randrange(len(chunks))
        for position, chunk in enumerate(chunks):
            if isinstance(chunk.message.content, str) and chunk.message.content:
                builder.append(chunk.message.content)  # the assembler is fed first
            if messages and chunk.generation_info is None:
                fold.add_message(chunk.message)  # the lifecycle's way for our chunks
            else:
                fold.add(chunk)
            if position == check_at:  # a mid-stream result (the error path) changes nothing
                assert fold.result() == merge_chat_generation_chunks(chunks[:position + 1])
        assert fold.result() == merge_chat_generation_chunks(chunks), f"seed {seed}"


def test_fold_keeps_no_chunk_objects_for_plain_text() -> None:
    fold = ChunkFold()
    first = ChatGenerationChunk(message=AIMessageChunk(content="a", id=GEN_ID,
                                                       response_metadata={"p": 1}))
    fold.add(first)
    for _ in range(10_000):
        fold.add(ChatGenerationChunk(message=AIMessageChunk(
            content="word ", id=GEN_ID, response_metadata={"p": 1})))
    assert len(fold._pending) == 1  # only the first chunk, with its text taken out
    result = fold.result()
    assert result is not None
    assert result.message.content == "a" + "word " * 10_000


def test_fold_reads_a_long_tool_call_a_logarithmic_number_of_times(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Each merge builds an AIMessageChunk, which parses the whole arguments so far: merging a
    # fixed batch into the running merge made 10,000 fragments cost 156 such parses.
    from langchain_openrouter import stream_lifecycle

    merged: list[int] = []
    merge = stream_lifecycle.merge_chat_generation_chunks

    def counting(chunks: list[ChatGenerationChunk]) -> Any:
        merged.append(len(chunks))
        return merge(chunks)

    monkeypatch.setattr(stream_lifecycle, "merge_chat_generation_chunks", counting)
    chunks = [ChatGenerationChunk(message=AIMessageChunk(content="", id=GEN_ID,
                                                         tool_call_chunks=[tool_call_chunk(
                                                             args=f'"{n}', index=0)]))
              for n in range(10_000)]
    fold = ChunkFold()
    for chunk in chunks:
        fold.add(chunk)
    result = fold.result()
    assert len(merged) <= 10  # batches of 64, 64, 128, 256, ... and the last one
    assert sum(merged) <= 2 * len(chunks)
    assert result == merge(chunks)


def test_fold_does_not_modify_the_chunks_it_is_given() -> None:
    chunk = ChatGenerationChunk(message=AIMessageChunk(content="text", id=GEN_ID,
                                                       additional_kwargs={"k": "v"}))
    fold = ChunkFold()
    fold.add(chunk)
    fold.add(ChatGenerationChunk(message=AIMessageChunk(content=[{"type": "text",
                                                                  "text": "x"}])))
    assert fold.result() is not None
    assert chunk.message.content == "text"


def test_shared_text_that_lost_characters_is_an_error_not_a_wrong_answer() -> None:
    builder = TextBuilder()
    fold = ChunkFold(builder)
    fold.add(ChatGenerationChunk(message=AIMessageChunk(content="abc", id=GEN_ID)))
    builder.append("ab")
    with pytest.raises(RuntimeError, match="3 characters of text but the assembled text has 2"):
        fold.result()


# --- the lifecycle against BaseChatModel.stream/astream, over the emulator -----------------
def _no_id_stream() -> Reply:
    # Events without an id: langchain-core then names every chunk after the run.
    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {"object": "chat.completion.chunk", "created": 1700000000, "model": MODEL,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(chunk)}\n\n"

    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    body = (event({"role": "assistant", "content": "Hi"}) + event({"content": " there"})
            + event({}, "stop", usage=usage) + "data: [DONE]\n\n")
    return Reply.raw(200, {"Content-Type": "text/event-stream"}, body.encode())


CASES: dict[str, Case] = {
    **SHARED_CASES,
    "no-id": (_no_id_stream(), {}, {}),
    "text-no-usage": (Reply.text("no usage here", send_usage=False, **FIXED),
                      {"stream_usage": False}, {}),
    "separate-usage-chunk": (Reply.text("a b c", usage_shape="separate", **FIXED), {}, {}),
    "parallel-tools": (Reply.tool_calls(("a", {"x": 1}, "call_a"), ("b", {"y": [1, 2]}, "call_b"),
                                        **FIXED), {}, {}),
    "error-mid-stream": (Reply.text("partial answer then", error_after=2, **FIXED), {}, {}),
    "cut-connection": (Reply.fault("reset_after", 2, **FIXED), {}, {}),
}


# Observed: a handler records every event. Unobserved: no handler, so no callback runs and
# ours neither reports nor folds (the yielded chunks must still be langchain-core's).
@pytest.mark.parametrize("call", ["stream", "astream"])
@pytest.mark.parametrize("observed", [True, False], ids=["observed", "unobserved"])
@pytest.mark.parametrize("name", list(CASES))
def test_streams_match_base_chat_model(emu: Emulator, name: str, observed: bool,
                                       call: str) -> None:
    ours, theirs = run_both(emu, CASES[name], call, observed=observed)
    assert_same(ours, theirs)
    if name in BEFORE_START:
        assert ours.error is not None and ours.events == []
    elif observed:
        assert ours.events[0][0] == "start"
        assert ours.events[-1][0] == ("error" if ours.error else "end")


def test_an_unobserved_stream_folds_nothing(emu: Emulator,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folds: list[ChunkFold] = []
    original = ChunkFold.__init__

    def counting(self: ChunkFold, *args: Any, **kwargs: Any) -> None:
        folds.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ChunkFold, "__init__", counting)
    ours, _ = run_both(emu, CASES["text"], "stream", observed=False)
    assert ours.error is None and len(ours.chunks) > 3
    assert folds == []
    run_both(emu, CASES["text"], "stream", observed=True)
    assert len(folds) == 1  # ours folds when a handler will read the merge


@pytest.mark.parametrize("asynchronous", [False, True], ids=["stream", "astream"])
@pytest.mark.parametrize("observed", [True, False], ids=["observed", "unobserved"])
def test_a_stream_without_chunks_is_an_error_as_in_langchain(
        emu: Emulator, monkeypatch: pytest.MonkeyPatch, observed: bool,
        asynchronous: bool) -> None:
    async def none() -> Any:
        return
        yield  # an async generator that yields nothing

    def nothing(self: ChatOpenRouter, *args: Any, **kwargs: Any) -> Any:
        return iter(()), TextBuilder()

    def anothing(self: ChatOpenRouter, *args: Any, **kwargs: Any) -> Any:
        return none(), TextBuilder()

    monkeypatch.setattr(ChatOpenRouter, "_chunk_source", nothing)
    monkeypatch.setattr(ChatOpenRouter, "_achunk_source", anothing)
    model = parity_model(emu)
    ours = record(model, "Hello", inherited=False, observed=observed,
                  call="astream" if asynchronous else "stream")
    assert ours.error == ("ValueError", "No generation chunks were returned")
    assert ours.chunks == []
    if observed:  # langchain-core reports it as an error with no generations
        (_, (_, _, kwargs)), = [e for e in ours.events if e[0] == "error"]
        assert kwargs["response"].generations == []


def test_stream_and_astream_are_generator_functions_as_in_langchain(emu: Emulator) -> None:
    # RunnableLambda and coerce_to_runnable treat generator functions differently.
    import inspect

    from langchain_core.runnables import RunnableLambda

    assert inspect.isgeneratorfunction(ChatOpenRouter.stream)
    assert inspect.isasyncgenfunction(ChatOpenRouter.astream)
    emu.enqueue(Reply.text("a b", chunks=["a", " b"], **FIXED))
    assert RunnableLambda(parity_model(emu).stream).invoke("hi").content == "a b"


def test_parity_cases_cover_what_they_claim(emu: Emulator) -> None:
    # Guards the table above: each case must exercise its feature, or parity proves little.
    ours, _ = run_both(emu, CASES["tool-call"], "stream")
    end = ours.end().generations[0][0].message
    assert isinstance(end, AIMessageChunk)
    assert end.tool_calls[0]["args"] == {"city": "Paris"}
    ours, _ = run_both(emu, CASES["no-id"], "stream", observed=False)
    assert ours.chunks[0].id == f"lc_run--{RUN_ID}" and ours.chunks[0].content == "Hi"
    ours, _ = run_both(emu, CASES["image"], "stream")
    assert isinstance(ours.end().generations[0][0].message.content, list)
    ours, _ = run_both(emu, CASES["error-mid-stream"], "stream")
    assert ours.error is not None
    (_, (_, _, kwargs)), = [e for e in ours.events if e[0] == "error"]
    partial = kwargs["response"].generations[0][0]
    assert partial.message.content  # the text before the error travels with it
    ours, _ = run_both(emu, CASES["v1-output"], "stream")
    assert ours.end().generations[0][0].message.content[0]["type"] == "reasoning"


def test_long_stream_end_result_is_exact(emu: Emulator) -> None:
    words = [f"w{i} " for i in range(3000)]
    ours, theirs = run_both(emu, (Reply.text(chunks=words, **FIXED), {}, {}), "stream")
    assert_same(ours, theirs)
    assert ours.end().generations[0][0].message.content == "".join(words)


def test_streaming_disabled_falls_back_to_invoke_like_langchain(emu: Emulator) -> None:
    ours, theirs = run_both(emu, (Reply.text("whole", **FIXED), {"disable_streaming": True},
                                  {}), "stream")
    assert_same(ours, theirs)
    assert len(ours.chunks) == 1


def test_subclass_with_its_own_stream_uses_the_inherited_lifecycle(emu: Emulator) -> None:
    class Custom(ChatOpenRouter):
        def _stream(self, *args: Any, **kwargs: Any) -> Any:
            for chunk in super()._stream(*args, **kwargs):
                chunk.message.content = str(chunk.message.content).upper()
                yield chunk

    emu.enqueue(Reply.text("shout", **FIXED))
    model = Custom(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    assert not model._flat_streaming(async_api=False, kwargs={})
    assert "".join(str(c.content) for c in model.stream("hi")) == "SHOUT"


def test_lifecycle_helpers_are_present_in_this_langchain_core() -> None:
    # If a langchain-core release drops one, ChatOpenRouter silently falls back to the
    # inherited methods (correct, but memory-hungry); this test makes that visible.
    assert streaming.SUPPORTED
    assert ChatOpenRouter.stream is not BaseChatModel.stream


def _live_generation_chunks() -> int:
    gc.collect()
    # type() rather than isinstance(): isinstance reads __class__, which makes the lazy module
    # proxies of older openai releases (openai.lib._extras) try to import pandas.
    return sum(type(o) is ChatGenerationChunk for o in gc.get_objects())


def test_a_long_stream_does_not_keep_its_chunks(emu: Emulator) -> None:
    # The point of the override: near the end of a 3,000-chunk stream, langchain-core's
    # BaseChatModel.stream holds every chunk; ours holds at most a batch.
    model = parity_model(emu)
    assert model._flat_streaming(async_api=False, kwargs={})
    assert model._flat_streaming(async_api=True, kwargs={})
    words = [f"w{i} " for i in range(3000)]
    held = {}
    for name, method in (("ours", ChatOpenRouter.stream), ("inherited", BaseChatModel.stream)):
        emu.enqueue(Reply.text(chunks=words, **FIXED))
        baseline = _live_generation_chunks()
        for position, _ in enumerate(method(model, "Hello")):
            if position == 2990:
                held[name] = _live_generation_chunks() - baseline
    assert held["inherited"] >= 2990  # the measurement can see retention
    assert held["ours"] < 100
