"""Stream deltas → LlamaIndex streaming responses, in time and memory linear in the stream.

LlamaIndex's streamed ``ChatResponse`` carries the *cumulative* message next to the ``delta``.
Materialising that message for every chunk would copy the whole text so far each time, which is
quadratic (100k chunks of a long answer is gigabytes of copying). So each intermediate response
holds a :class:`StreamedMessage` (or :class:`StreamedCompletion`) that records only the core
assembler's :class:`~openrouter_core.stream.Progress` (a few counters) and builds its blocks from
``StreamAssembler.result_at`` the first time anything reads them. The stream's state lives once,
in the core assembler. A consumer that only reads ``delta`` pays nothing; one that reads every
message pays what it reads.

The deferred build hooks attribute reads (``__getattribute__``) because pydantic reads a model's
fields straight from its ``__dict__`` when dumping, copying or pickling it: only intercepting
those reads makes an unread message behave exactly like a built one.

The last response of a stream is built eagerly from the core ``StreamAssembler``'s result, so it
is authoritative: complete tool calls, merged ``reasoning_details``, usage, cost and envelope.
To know which response is last, :class:`ChatStream` runs one delta behind the transport.
"""

from __future__ import annotations

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
from openrouter_core.decode import ChatResult, ChunkDelta, JSONDict
from openrouter_core.stream import Progress, StreamAssembler

PARTIAL_KEY = "partial"
"""``ChatResponse.additional_kwargs`` flag on every streamed response but the last."""

THINKING_DELTA_KEY = "thinking_delta"
"""``additional_kwargs`` key of a chunk's reasoning text (LlamaIndex agents stream it)."""


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

    _source: tuple[StreamAssembler, Progress] | None = PrivateAttr(default=None)

    @classmethod
    def deferred(cls, assembler: StreamAssembler, progress: Progress) -> StreamedMessage:
        """A message for the stream as it stood at ``progress``, built when first read."""
        message = cls.model_construct(role=MessageRole.ASSISTANT, blocks=[],
                                      additional_kwargs={})
        message._source = (assembler, progress)
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

    _source: tuple[StreamAssembler, Progress] | None = PrivateAttr(default=None)

    @classmethod
    def deferred(cls, assembler: StreamAssembler, progress: Progress, delta: str,
                 raw: JSONDict, additional_kwargs: JSONDict) -> StreamedCompletion:
        """A completion chunk whose ``text`` is built when first read."""
        response = cls.model_construct(text="", delta=delta, raw=raw, logprobs=None,
                                       additional_kwargs=additional_kwargs)
        response._source = (assembler, progress)
        return response

    def __getattribute__(self, name: str) -> Any:
        source = _pending(self, _COMPLETION_LAZY, name)
        if source is not None:
            object.__getattribute__(self, "__pydantic_private__")["_source"] = None
            assembler, progress = source
            object.__getattribute__(self, "__dict__")["text"] = assembler.content.prefix(
                progress.content)
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

    __slots__ = ("_assembler", "_pending")

    def __init__(self, assembler: StreamAssembler) -> None:
        self._assembler = assembler
        self._pending: tuple[ChunkDelta, Progress] | None = None

    def push(self, delta: ChunkDelta) -> tuple[ChunkDelta, Progress] | None:
        """Note how far ``delta`` (already fed to the assembler) took the stream; returns the
        previous delta, now known not to be the last."""
        previous = self._pending
        self._pending = (delta, self._assembler.progress())
        return previous

    def flush(self) -> tuple[ChunkDelta, Progress] | None:
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

    def chat_partial(self, item: tuple[ChunkDelta, Progress]) -> ChatResponse:
        """An intermediate ``ChatResponse`` with a deferred cumulative message."""
        delta, progress = item
        return ChatResponse.model_construct(
            message=StreamedMessage.deferred(self._assembler, progress), raw=delta.raw,
            delta=delta.content or "", logprobs=None,
            additional_kwargs=_chunk_kwargs(delta, partial=True))

    def chat_final(self, item: tuple[ChunkDelta, ChatResult]) -> ChatResponse:
        """The last ``ChatResponse``: complete message, usage, cost and envelope."""
        delta, result = item
        response = to_chat_response(result, delta=delta.content or "", raw=delta.raw)
        response.additional_kwargs.update(_chunk_kwargs(delta, partial=False))
        return response

    def completion_partial(self, item: tuple[ChunkDelta, Progress]) -> CompletionResponse:
        """An intermediate ``CompletionResponse`` with deferred cumulative text."""
        delta, progress = item
        return StreamedCompletion.deferred(self._assembler, progress, delta.content or "",
                                           delta.raw, _chunk_kwargs(delta, partial=True))

    def completion_final(self, item: tuple[ChunkDelta, ChatResult]) -> CompletionResponse:
        """The last ``CompletionResponse`` of the stream."""
        delta, result = item
        response = to_completion_response(result, delta=delta.content or "", raw=delta.raw)
        response.additional_kwargs.update(_chunk_kwargs(delta, partial=False))
        return response
