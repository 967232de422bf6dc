"""``ChatOpenRouter.stream``/``astream`` with memory that does not grow per chunk.

langchain-core's ``BaseChatModel.stream`` keeps every ``ChatGenerationChunk`` of a stream in a
list, only to merge them once for ``on_llm_end``: about 2.5 KB per chunk, so a 100,000-chunk
stream holds ~250 MB that nobody reads. This module runs the same lifecycle (the run start of
:mod:`langchain_openrouter.run_start`, one ``on_llm_new_token`` per chunk, the closing empty
chunk, ``on_llm_end``/``on_llm_error`` with the merged generation) but merges as it goes with
:class:`ChunkFold`, which gives exactly what ``merge_chat_generation_chunks`` would while holding
one merged chunk, a short batch, and the streamed text.

The lifecycle reuses langchain-core's own helpers, some of them private. When an installed
langchain-core lacks one, :data:`SUPPORTED` is false and ``ChatOpenRouter`` uses the inherited
methods unchanged; the parity tests compare every callback event against those inherited
methods on every cassette, so a change in langchain-core shows up as a test failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from langchain_core.language_models import _utils as _lcu, chat_models as _lc
from langchain_core.messages import (
    AIMessageChunk,
    BaseMessage,
    BaseMessageChunk,
)
from langchain_core.outputs import ChatGenerationChunk, LLMResult
from langchain_core.outputs.chat_generation import merge_chat_generation_chunks
from langchain_core.utils._merge import merge_dicts
from langchain_core.utils.utils import LC_ID_PREFIX

from langchain_openrouter.run_start import abegin, begin, normalized
from langchain_openrouter.streaming import generation_chunk
from openrouter_core.stream import TextBuilder

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel, LanguageModelInput
    from langchain_core.runnables import RunnableConfig

_HELPERS = {
    _lc: ("_format_for_tracing", "_format_ls_structured_output",
          "_generate_response_from_error"),
    _lcu: ("_normalize_messages", "_filter_invocation_params_for_tracing",
           "_update_message_content_to_blocks"),
}

SUPPORTED: bool = all(hasattr(module, name) for module, names in _HELPERS.items()
                      for name in names)
"""Whether the installed langchain-core has every helper this module's lifecycle uses."""

ChunkSource = Callable[[list[BaseMessage], list[str] | None, dict[str, Any], Any],
                      tuple[Iterator[AIMessageChunk], TextBuilder]]
"""Opens a stream: messages, stop, kwargs, the run's callback manager (for checks made before
sending; tokens are reported here) → the chunks' messages (a chunk is
``ChatGenerationChunk(message=...)``, without generation info) and the builder receiving their
text."""
AsyncChunkSource = Callable[[list[BaseMessage], list[str] | None, dict[str, Any], Any],
                           tuple[AsyncIterator[AIMessageChunk], TextBuilder]]
"""The async :data:`ChunkSource`."""

_BATCH = 64
"""The fewest chunks held before they are folded into the running merge (64 x ~2.5 KB)."""


class ChunkFold:
    """The merge of a stream's chunks, equal to ``merge_chat_generation_chunks(all_chunks)``.

    Chunks are folded in batches with langchain-core's own ``+`` (a left fold, like the merge
    of the whole list: the merge of list contents is not associative, so no other grouping
    would do). A batch is folded in once it holds as many chunks as the merge already does (and
    at least ``batch``): ``AIMessageChunk`` parses each tool call's whole arguments whenever it
    is built, so folding a fixed batch into a growing merge made a long streamed tool call
    quadratic; with batches that grow, each chunk is re-read a logarithmic number of times.
    Plain text chunks, whose only contribution beyond their text is metadata
    the merge leaves unchanged, are not kept at all: their text goes to a
    :class:`~openrouter_core.stream.TextBuilder` that becomes the merged ``content`` at the
    end. That holds while every content seen is a string; the first list content (image blocks,
    v1 output) puts the text gathered so far back into the merge, and from then on every chunk
    is folded as it is.

    Args:
        text: The builder that already receives exactly the streamed text, in order (the core
            assembler's ``content``). Given one, the fold reads its text from there instead of
            keeping a second copy; it only counts characters, and checks the count at the end.
        batch: The fewest chunks held before they are folded.
    """

    __slots__ = ("_batch", "_folded", "_merged", "_pending", "_plain_id", "_plain_meta", "_seen",
                 "_shared", "_text", "_text_mode")

    def __init__(self, text: TextBuilder | None = None, batch: int = _BATCH) -> None:
        self._batch = batch
        self._merged: ChatGenerationChunk | None = None
        self._folded = 0  # chunks merged into _merged
        self._pending: list[ChatGenerationChunk] = []
        self._shared = text is not None
        self._text = text if text is not None else TextBuilder()
        self._seen = 0
        self._text_mode = True
        # What a chunk may carry and still be skipped: the id and response_metadata of the
        # previous folded chunk, when merging that metadata into itself changes nothing.
        self._plain_id: str | None = None
        self._plain_meta: dict[str, Any] | None = None

    def add(self, chunk: ChatGenerationChunk) -> None:
        """Fold in one chunk (it is not modified)."""
        self._add(chunk.message, chunk.generation_info, chunk)

    def add_message(self, message: BaseMessageChunk) -> None:
        """Fold in ``ChatGenerationChunk(message=message)``, built only if it must be kept
        (a plain text chunk is not)."""
        self._add(message, None, None)

    def _add(self, message: BaseMessageChunk, info: dict[str, Any] | None,
             chunk: ChatGenerationChunk | None) -> None:
        content = message.content
        if self._text_mode:
            if not isinstance(content, str):
                self._leave_text_mode()
            else:
                if content:
                    self._seen += len(content)
                    if not self._shared:
                        self._text.append(content)
                if self._is_plain(info, message):
                    return
                if content:
                    message = message.model_copy(update={"content": ""})
                    chunk = None
        self._remember(message)
        self._pending.append(chunk if chunk is not None else
                             ChatGenerationChunk(message=message, generation_info=info))
        if len(self._pending) >= max(self._batch, self._folded):
            self._flush()

    def result(self) -> ChatGenerationChunk | None:
        """The merged chunk so far, or ``None`` before the first chunk."""
        self._flush()
        merged = self._merged
        if merged is None or not self._text_mode:
            return merged
        message = merged.message.model_copy(update={"content": self._folded_text()})
        return ChatGenerationChunk(message=message, generation_info=merged.generation_info)

    def _folded_text(self) -> str:
        if self._shared and self._text.length < self._seen:
            msg = (f"the stream yielded {self._seen} characters of text but the assembled text "
                   f"has {self._text.length}")
            raise RuntimeError(msg)
        # A shared builder may already hold text of a chunk not folded yet (it is fed first).
        return self._text.prefix(self._seen) if self._shared else self._text.text()

    def _is_plain(self, info: dict[str, Any] | None, message: Any) -> bool:
        return (self._merged is not None or bool(self._pending)) and (
            not info
            and not message.additional_kwargs
            and not getattr(message, "tool_call_chunks", None)
            and getattr(message, "usage_metadata", None) is None
            and getattr(message, "chunk_position", None) is None
            and message.id == self._plain_id
            and message.response_metadata == self._plain_meta
        )

    def _remember(self, message: Any) -> None:
        meta = message.response_metadata
        if meta != self._plain_meta:
            # Skipping a chunk is only sound if merging its metadata is a no-op, which
            # merge_dicts does not promise for every value (equal strings concatenate).
            self._plain_meta = meta if merge_dicts(meta, meta) == meta else None
        self._plain_id = message.id if self._plain_meta is not None else None

    def _flush(self) -> None:
        if not self._pending:
            return
        batch = self._pending if self._merged is None else [self._merged, *self._pending]
        self._merged = merge_chat_generation_chunks(batch)
        self._folded += len(self._pending)
        self._pending = []

    def _leave_text_mode(self) -> None:
        self._flush()
        self._text_mode = False
        if self._merged is not None:
            message = self._merged.message.model_copy(update={"content": self._folded_text()})
            self._merged = ChatGenerationChunk(message=message,
                                               generation_info=self._merged.generation_info)


class _Run:
    """Per-chunk bookkeeping of one stream: ids, metadata, v1 blocks, the fold, the tail.

    The merged output exists only for ``on_llm_end``/``on_llm_error``; a run without handlers
    (``observed=False``) reports to no one, so it does not fold its chunks. Whether a run has
    handlers is decided when it starts, as langchain-core fixes a run's handlers then.
    """

    def __init__(self, model: BaseChatModel, run_id: Any, text: TextBuilder | None = None, *,
                 observed: bool = True) -> None:
        self.run_id = f"{LC_ID_PREFIX}-{run_id}"
        self.v1 = model.output_version == "v1"
        self.fold = ChunkFold(text) if observed else None
        # Nothing to do per chunk but name it: the stream's loop inlines step() then.
        self.plain = not observed and not self.v1
        self.last: AIMessageChunk | None = None
        self._index = -1
        self._index_type = ""
        self._text_index: Any = None  # the streamed text block's index (v1)

    def step(self, message: AIMessageChunk) -> AIMessageChunk:
        """Prepare a chunk as langchain-core does before it is reported and yielded. (Its
        response metadata is not copied: langchain-core copies it to merge in generation info,
        which the sources' chunks never carry, and each of our chunks has a dict of its own.)"""
        if message.id is None:
            message.id = self.run_id
        if self.v1:
            message = _lcu._update_message_content_to_blocks(message, "v1")
            for block in cast("list[dict[str, Any]]", message.content):
                if (self._text_index is not None and block["type"] == "text"
                        and not block.get("text") and "annotations" in block
                        and "index" not in block):
                    # The final chunk's citations (an empty text block): they join the
                    # streamed text whatever came in between (tool calls, say), as in invoke.
                    block["index"] = self._text_index
                    continue
                if block["type"] != self._index_type:
                    self._index_type = block["type"]
                    self._index += 1
                if "index" not in block:
                    block["index"] = self._index
                if block["type"] == "text" and self._text_index is None:
                    self._text_index = block["index"]
        if self.fold is not None:
            self.fold.add_message(message)
        self.last = message
        return message

    def closing_chunk(self) -> AIMessageChunk | None:
        """The empty ``chunk_position="last"`` chunk, when the stream did not end with one."""
        last = self.last
        if last is None or last.chunk_position:
            return None
        empty: str | list[str | dict[str, Any]] = "" if isinstance(last.content, str) else []
        return AIMessageChunk(content=empty, chunk_position="last", id=self.run_id)

    def error_result(self, error: BaseException) -> LLMResult:
        """What ``on_llm_error`` receives: the output so far, then the error's generations."""
        from_error = _lc._generate_response_from_error(error)
        merged = self.fold.result() if self.fold is not None else None
        generations: list[list[Any]] = [[merged], from_error] if merged else [from_error]
        return LLMResult(generations=generations)

    def end_result(self) -> LLMResult | ValueError | None:
        """What ``on_llm_end`` receives (``None``: no one to receive it), or the error
        langchain-core raises for no chunks."""
        if self.fold is None:
            return ValueError("No generation chunks were returned") if self.last is None else None
        merged = self.fold.result()
        if merged is None:
            return ValueError("No generation chunks were returned")
        return LLMResult(generations=[[merged]])


def stream(model: BaseChatModel, model_input: LanguageModelInput,
           config: RunnableConfig | None, stop: list[str] | None,
           kwargs: dict[str, Any], source: ChunkSource) -> Iterator[AIMessageChunk]:
    """``BaseChatModel.stream``'s lifecycle without keeping chunks.

    ``source`` opens the model's stream (as ``model._stream`` would) and hands over the builder
    that receives the streamed text (see :class:`ChunkFold`).
    """
    messages, call_kwargs, run_manager = begin(model, model_input, config, stop, kwargs,
                                               stream=True)
    if model.rate_limiter:
        model.rate_limiter.acquire(blocking=True)
    run: _Run | None = None
    try:
        chunks, text = source(normalized(messages), stop, call_kwargs,
                              run_manager)
        run = _Run(model, run_manager.run_id, text, observed=bool(run_manager.handlers))
        if run.plain:  # the common case: step() inlined, no report
            message = None
            for message in chunks:
                if message.id is None:
                    message.id = run.run_id
                yield message
            run.last = message
        else:
            for message in chunks:
                message = run.step(message)
                if run_manager.handlers:  # (with none, langchain-core's call returns at once)
                    run_manager.on_llm_new_token(cast("str", message.content),
                                                 chunk=generation_chunk(message))
                yield message
        closing = run.closing_chunk()
        if closing is not None:
            run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=closing))
            yield closing
    except BaseException as error:
        run = run or _Run(model, run_manager.run_id)
        run_manager.on_llm_error(error, response=run.error_result(error))
        raise
    result = run.end_result()
    if isinstance(result, ValueError):
        run_manager.on_llm_error(result, response=LLMResult(generations=[]))
        raise result
    if result is not None:
        run_manager.on_llm_end(result)


async def astream(model: BaseChatModel, model_input: LanguageModelInput,
                  config: RunnableConfig | None, stop: list[str] | None,
                  kwargs: dict[str, Any],
                  source: AsyncChunkSource) -> AsyncIterator[AIMessageChunk]:
    """The async twin of :func:`stream`; only the awaited lines differ."""
    messages, call_kwargs, run_manager = await abegin(model, model_input, config, stop, kwargs,
                                                      stream=True)
    if model.rate_limiter:
        await model.rate_limiter.aacquire(blocking=True)
    run: _Run | None = None
    try:
        chunks, text = source(normalized(messages), stop, call_kwargs,
                              run_manager)
        run = _Run(model, run_manager.run_id, text, observed=bool(run_manager.handlers))
        if run.plain:  # the common case: step() inlined, no report
            message = None
            async for message in chunks:
                if message.id is None:
                    message.id = run.run_id
                yield message
            run.last = message
        else:
            async for message in chunks:
                message = run.step(message)
                if run_manager.handlers:
                    await run_manager.on_llm_new_token(cast("str", message.content),
                                                       chunk=generation_chunk(message))
                yield message
        closing = run.closing_chunk()
        if closing is not None:
            await run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=closing))
            yield closing
    except BaseException as error:
        run = run or _Run(model, run_manager.run_id)
        await run_manager.on_llm_error(error, response=run.error_result(error))
        raise
    result = run.end_result()
    if isinstance(result, ValueError):
        await run_manager.on_llm_error(result, response=LLMResult(generations=[]))
        raise result
    if result is not None:
        await run_manager.on_llm_end(result)


__all__ = ["SUPPORTED", "AsyncChunkSource", "ChunkFold", "ChunkSource", "astream", "stream"]
