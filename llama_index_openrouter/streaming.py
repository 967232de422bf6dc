"""Stream deltas → LlamaIndex streaming responses, in time and memory linear in the stream.

LlamaIndex's streamed ``ChatResponse`` carries the *cumulative* message next to the ``delta``.
Materialising that message for every chunk would copy the whole text so far each time, which is
quadratic (100k chunks of a long answer is gigabytes of copying). So each intermediate response
holds a :class:`StreamedMessage` (or :class:`StreamedCompletion`) that records only how far the
stream had got (a few counters) and builds its blocks the first time anything reads them. A
consumer that only reads ``delta`` pays nothing; one that reads every message pays what it reads.

The last response of a stream is built eagerly from the core ``StreamAssembler``'s result, so it
is authoritative: complete tool calls, merged ``reasoning_details``, usage, cost and envelope.
To know which response is last, :class:`ChatStream` runs one delta behind the transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
)
from pydantic import PrivateAttr

from llama_index_openrouter.responses import (
    message_blocks,
    message_kwargs,
    to_chat_response,
    to_completion_response,
)
from openrouter_core.decode import ChatResult, ChunkDelta, Image, JSONDict, ToolCall
from openrouter_core.stream import StreamAssembler, TextBuilder, merge_reasoning_details

PARTIAL_KEY = "partial"
"""``ChatResponse.additional_kwargs`` flag on every streamed response but the last."""

THINKING_DELTA_KEY = "thinking_delta"
"""``additional_kwargs`` key of a chunk's reasoning text (LlamaIndex agents stream it)."""


@dataclass(slots=True)
class _ToolParts:
    index: int
    id: str = ""
    name: str = ""
    type: str = "function"
    arguments: TextBuilder = field(default_factory=TextBuilder)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """How much of the stream a response had seen: character lengths of the text so far, and
    counts of the list-valued parts."""

    content: int
    reasoning: int
    refusal: int
    details: int
    tools: tuple[int, ...]
    images: int
    annotations: int


class StreamBuilder:
    """Append-only record of the normalised deltas; :meth:`add` is O(number of tool calls)."""

    __slots__ = ("_annotations", "_content", "_details", "_images", "_reasoning", "_refusal",
                 "_tool_index", "_tools")

    def __init__(self, assembler: StreamAssembler) -> None:
        # The text itself lives once, in the core assembler; snapshots are offsets into it.
        self._content = assembler.content
        self._reasoning = assembler.reasoning
        self._refusal = assembler.refusal
        self._details: list[JSONDict] = []
        self._tools: list[_ToolParts] = []
        self._tool_index: dict[int, _ToolParts] = {}
        self._images: list[Image] = []
        self._annotations: list[JSONDict] = []

    def add(self, delta: ChunkDelta) -> Snapshot:
        """Record one delta (already fed to the core assembler) and snapshot the counts."""
        self._details.extend(delta.reasoning_details)
        for fragment in delta.tool_calls:
            parts = self._tool_index.get(fragment.index)
            if parts is None:
                parts = self._tool_index[fragment.index] = _ToolParts(fragment.index)
                self._tools.append(parts)
            # The core assembler sends id/name/type once per call, so assignment is safe.
            parts.id = fragment.id or parts.id
            parts.name = fragment.name or parts.name
            parts.type = fragment.type or parts.type
            if fragment.arguments:
                parts.arguments.append(fragment.arguments)
        self._images.extend(delta.images)
        self._annotations.extend(delta.annotations)
        return Snapshot(self._content.length, self._reasoning.length, self._refusal.length,
                        len(self._details), tuple(t.arguments.length for t in self._tools),
                        len(self._images), len(self._annotations))

    def result_at(self, snap: Snapshot) -> ChatResult:
        """The partial result as it stood at ``snap`` (only called when a response is read)."""
        ordered = sorted(zip(self._tools, snap.tools, strict=False), key=lambda p: p[0].index)
        tools = [ToolCall(id=t.id, name=t.name, arguments=t.arguments.prefix(n),
                          index=i, type=t.type) for i, (t, n) in enumerate(ordered)]
        # Merging fragments by (type, index) is the core's job.
        details = merge_reasoning_details(self._details[:snap.details]) if snap.details else []
        return ChatResult(
            content=self._content.prefix(snap.content),
            reasoning=self._reasoning.prefix(snap.reasoning) if snap.reasoning else None,
            reasoning_details=details,
            tool_calls=tools,
            images=self._images[:snap.images],
            annotations=self._annotations[:snap.annotations],
            refusal=self._refusal.prefix(snap.refusal) if snap.refusal else None,
        )


_MESSAGE_LAZY = frozenset({"blocks", "additional_kwargs", "__dict__", "__getstate__"})
_COMPLETION_LAZY = frozenset({"text", "__dict__", "__getstate__"})


def _pending(model: Any, names: frozenset[str], name: str) -> Any:
    """The pending source of a lazy model, or ``None`` (cheap check on every attribute read)."""
    if name not in names:
        return None
    private = object.__getattribute__(model, "__pydantic_private__")
    return private.get("_source") if private else None


class StreamedMessage(ChatMessage):
    """An assistant ``ChatMessage`` whose blocks are built from a snapshot on first read.

    Behaves as a plain ``ChatMessage`` (reading ``blocks``, ``content``, dumping, copying or
    pickling it builds it first); see the module docstring for why it exists.
    """

    _source: tuple[StreamBuilder, Snapshot] | None = PrivateAttr(default=None)

    @classmethod
    def deferred(cls, builder: StreamBuilder, snap: Snapshot) -> StreamedMessage:
        """A message for the stream as it stood at ``snap``, built when first read."""
        message = cls.model_construct(role=MessageRole.ASSISTANT, blocks=[],
                                      additional_kwargs={})
        message._source = (builder, snap)
        return message

    def __getattribute__(self, name: str) -> Any:
        source = _pending(self, _MESSAGE_LAZY, name)
        if source is not None:
            object.__getattribute__(self, "__pydantic_private__")["_source"] = None
            result = source[0].result_at(source[1])
            fields = object.__getattribute__(self, "__dict__")
            fields["blocks"] = message_blocks(result)
            fields["additional_kwargs"] = message_kwargs(result)
        return super().__getattribute__(name)


class StreamedCompletion(CompletionResponse):
    """A streamed ``CompletionResponse`` whose cumulative ``text`` is joined on first read."""

    _source: tuple[StreamBuilder, Snapshot] | None = PrivateAttr(default=None)

    @classmethod
    def deferred(cls, builder: StreamBuilder, snap: Snapshot, delta: str,
                 raw: JSONDict, additional_kwargs: JSONDict) -> StreamedCompletion:
        """A completion chunk whose ``text`` is built when first read."""
        response = cls.model_construct(text="", delta=delta, raw=raw, logprobs=None,
                                       additional_kwargs=additional_kwargs)
        response._source = (builder, snap)
        return response

    def __getattribute__(self, name: str) -> Any:
        source = _pending(self, _COMPLETION_LAZY, name)
        if source is not None:
            object.__getattribute__(self, "__pydantic_private__")["_source"] = None
            builder, snap = source
            object.__getattribute__(self, "__dict__")["text"] = builder.result_at(snap).content
        return super().__getattribute__(name)


def _chunk_kwargs(delta: ChunkDelta, *, partial: bool) -> JSONDict:
    out: JSONDict = {}
    if delta.reasoning:
        out[THINKING_DELTA_KEY] = delta.reasoning
    if partial:
        out[PARTIAL_KEY] = True
    return out


class ChatStream:
    """Turns transport deltas into streamed responses, one per delta, one delta behind.

    Shared by the sync and async paths: they differ only in how they iterate the transport.
    """

    __slots__ = ("_assembler", "_builder", "_pending")

    def __init__(self, assembler: StreamAssembler) -> None:
        self._assembler = assembler
        self._builder = StreamBuilder(assembler)
        self._pending: tuple[ChunkDelta, Snapshot] | None = None

    def push(self, delta: ChunkDelta) -> tuple[ChunkDelta, Snapshot] | None:
        """Record ``delta``; returns the previous delta, now known not to be the last."""
        previous = self._pending
        self._pending = (delta, self._builder.add(delta))
        return previous

    def flush(self) -> tuple[ChunkDelta, Snapshot] | None:
        """The held-back delta, for emitting as partial before a mid-stream error propagates."""
        previous, self._pending = self._pending, None
        return previous

    def last(self) -> tuple[ChunkDelta, ChatResult] | None:
        """The final delta with the core's complete result, or ``None`` for an empty stream."""
        if self._pending is None:
            return None
        delta = self._pending[0]
        self._pending = None
        return delta, self._assembler.result()

    def chat_partial(self, item: tuple[ChunkDelta, Snapshot]) -> ChatResponse:
        """An intermediate ``ChatResponse`` with a deferred cumulative message."""
        delta, snap = item
        return ChatResponse.model_construct(
            message=StreamedMessage.deferred(self._builder, snap), raw=delta.raw,
            delta=delta.content or "", logprobs=None,
            additional_kwargs=_chunk_kwargs(delta, partial=True))

    def chat_final(self, item: tuple[ChunkDelta, ChatResult]) -> ChatResponse:
        """The last ``ChatResponse``: complete message, usage, cost and envelope."""
        delta, result = item
        response = to_chat_response(result, delta=delta.content or "", raw=delta.raw)
        response.additional_kwargs.update(_chunk_kwargs(delta, partial=False))
        return response

    def completion_partial(self, item: tuple[ChunkDelta, Snapshot]) -> CompletionResponse:
        """An intermediate ``CompletionResponse`` with deferred cumulative text."""
        delta, snap = item
        return StreamedCompletion.deferred(self._builder, snap, delta.content or "", delta.raw,
                                           _chunk_kwargs(delta, partial=True))

    def completion_final(self, item: tuple[ChunkDelta, ChatResult]) -> CompletionResponse:
        """The last ``CompletionResponse`` of the stream."""
        delta, result = item
        response = to_completion_response(result, delta=delta.content or "", raw=delta.raw)
        response.additional_kwargs.update(_chunk_kwargs(delta, partial=False))
        return response
