"""Stream deltas → LlamaIndex streaming responses, in time and memory linear in the stream.

LlamaIndex's streamed ``ChatResponse`` carries the *cumulative* message next to the ``delta``.
Materialising that message for every chunk would copy the whole text so far each time, which is
quadratic (100k chunks of a long answer is gigabytes of copying). So each intermediate response
holds a :class:`StreamedMessage` (or :class:`StreamedCompletion`) that records only the core
assembler's :class:`~openrouter_core.stream.Progress` (a few counters) and builds its blocks from
``StreamAssembler.result_at`` the first time anything reads them. The stream's state lives once,
in the core assembler. A consumer that only reads ``delta`` pays nothing; one that reads every
message pays what it reads.

The deferred build is a data descriptor on the class's ``__dict__`` (:class:`_Deferred`):
pydantic reads a model's fields through ``__dict__`` when reading, dumping, copying, comparing
or pickling it, so building there makes an unread message behave exactly like a built one,
and no other attribute read pays for it.

The last response of a stream is built eagerly from the core ``StreamAssembler``'s result, so it
is authoritative: complete tool calls, merged ``reasoning_details``, usage, cost and envelope.
To know which response is last, :class:`ChatStream` runs one delta behind the transport.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

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
from openrouter_core.stored import instance_dict, set_instance_dict, state, stored
from openrouter_core.stream import Progress, StreamAssembler

PARTIAL_KEY = "partial"
"""``ChatResponse.additional_kwargs`` flag on every streamed response but the last."""

THINKING_DELTA_KEY = "thinking_delta"
"""``additional_kwargs`` key of a chunk's reasoning text (LlamaIndex agents stream it)."""


_BUILDING = threading.RLock()
"""Taken only to build a deferred model, once per model."""


class _Deferred:
    """A data descriptor for a deferred model's ``__dict__``: builds the pending fields on the
    first read, from the snapshot in ``_source``, then hands over the instance dict.

    Every read that can see a field goes through ``__dict__``: pydantic reads it to dump,
    copy, compare, pickle and print a model, and stores and reads fields through it. So this
    one descriptor makes an unread model behave exactly like a built one, and attribute reads
    that do not touch the fields cost nothing extra.
    """

    def __init__(self, build: Callable[[Any, StreamAssembler, Progress], None]) -> None:
        self._build = build

    def __get__(self, model: Any, owner: type | None = None) -> Any:
        if model is None:
            return self
        fields = instance_dict(model)
        private = object.__getattribute__(model, "__pydantic_private__")
        if private and private.get("_source") is not None:
            # Built under a lock, and the snapshot dropped only once built: a reader in
            # another thread that sees no snapshot sees the built fields, never the empty
            # placeholders, and a build that raises is tried again by the next read.
            with _BUILDING:
                source = private.get("_source")
                if source is not None:
                    self._build(fields, *source)
                    private["_source"] = None
        return fields

    def __set__(self, model: Any, value: dict[str, Any]) -> None:
        set_instance_dict(model, value)


class _DeferredField:
    """A data descriptor for one deferred field: reading it reads ``__dict__`` (which builds
    the pending fields, see :class:`_Deferred`) and takes the field from there. Assigning it
    goes through ``__dict__`` as well, so a later build never overwrites it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __get__(self, model: Any, owner: type | None = None) -> Any:
        if model is None:
            # As for any pydantic field, the class has no such attribute: a subclass must
            # not mistake the descriptor for the field's default.
            raise AttributeError(self._name)
        return model.__dict__[self._name]

    def __set__(self, model: Any, value: Any) -> None:
        model.__dict__[self._name] = value


def _build_message(fields: dict[str, Any], assembler: StreamAssembler,
                   progress: Progress) -> None:
    result = assembler.result_at(progress)
    fields["blocks"] = message_blocks(result)
    fields["additional_kwargs"] = message_kwargs(result)


def _build_completion(fields: dict[str, Any], assembler: StreamAssembler,
                      progress: Progress) -> None:
    fields["text"] = assembler.content.prefix(progress.content)


class _BuiltBeforePickling:
    """For the deferred models: pydantic's ``__getstate__`` copies the private attributes
    before it reads ``__dict__``, so the model is built first, and a pickle carries it, never
    the stream's whole assembler."""

    def __getstate__(self) -> dict[Any, Any]:
        self.__dict__  # noqa: B018 - the read builds
        return cast("dict[Any, Any]", super().__getstate__())  # pydantic's, next in the MRO


class StreamedMessage(_BuiltBeforePickling, ChatMessage):
    """An assistant ``ChatMessage`` whose blocks are built from a snapshot on first read.

    Behaves as a plain ``ChatMessage`` (reading ``blocks``, ``content``, dumping, copying or
    pickling it builds it first); see the module docstring for why it exists.
    """

    __dict__ = _Deferred(_build_message)
    _source: tuple[StreamAssembler, Progress] | None = PrivateAttr(default=None)

    @classmethod
    def deferred(cls, assembler: StreamAssembler, progress: Progress) -> StreamedMessage:
        """A message for the stream as it stood at ``progress``, built when first read."""
        if not CONSTRUCT_DIRECTLY:
            message = cls.model_construct(role=MessageRole.ASSISTANT, blocks=[],
                                          additional_kwargs={})
            message._source = (assembler, progress)
            return message
        # What model_construct stores, stored directly (see CONSTRUCT_DIRECTLY).
        return stored(cls, {"role": MessageRole.ASSISTANT, "additional_kwargs": {},
                            "blocks": []},
                      _MESSAGE_FIELDS_SET, private={"_source": (assembler, progress)})


# Set after the class is made: in the class body pydantic would read them as field overrides.
for _name in ("blocks", "additional_kwargs"):
    setattr(StreamedMessage, _name, _DeferredField(_name))


class StreamedCompletion(_BuiltBeforePickling, CompletionResponse):
    """A streamed ``CompletionResponse`` whose cumulative ``text`` is joined on first read."""

    __dict__ = _Deferred(_build_completion)
    _source: tuple[StreamAssembler, Progress] | None = PrivateAttr(default=None)

    @classmethod
    def deferred(cls, assembler: StreamAssembler, progress: Progress, delta: str,
                 raw: JSONDict, additional_kwargs: JSONDict) -> StreamedCompletion:
        """A completion chunk whose ``text`` is built when first read."""
        response = cls.model_construct(text="", delta=delta, raw=raw, logprobs=None,
                                       additional_kwargs=additional_kwargs)
        response._source = (assembler, progress)
        return response


StreamedCompletion.text = _DeferredField("text")  # type: ignore[assignment]


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
        return _chat_response(StreamedMessage.deferred(self._assembler, progress), delta.raw,
                              delta.content or "", _chunk_kwargs(delta, partial=True))

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


def _chat_response(message: ChatMessage, raw: JSONDict, delta: str,
                   additional_kwargs: JSONDict) -> ChatResponse:
    """``ChatResponse.model_construct(message=..., raw=..., delta=..., logprobs=None,
    additional_kwargs=...)``, stored directly where that is the same (see
    :data:`CONSTRUCT_DIRECTLY`)."""
    if not CONSTRUCT_DIRECTLY:
        return ChatResponse.model_construct(message=message, raw=raw, delta=delta,
                                            logprobs=None, additional_kwargs=additional_kwargs)
    return stored(ChatResponse, {"message": message, "raw": raw, "delta": delta,
                                 "logprobs": None, "additional_kwargs": additional_kwargs},
                  _RESPONSE_FIELDS_SET)


_MESSAGE_FIELDS_SET = frozenset({"role", "additional_kwargs", "blocks"})
_RESPONSE_FIELDS_SET = frozenset({"message", "raw", "delta", "logprobs", "additional_kwargs"})
CONSTRUCT_DIRECTLY = True
"""Whether partial responses skip ``model_construct``'s generic work (about 1.5 µs each of two
objects per chunk, a quarter of a chunk's cost) by storing the same attributes directly.
Decided at import by comparing both builds, so a llama-index-core or pydantic release that
changes the models falls back to ``model_construct`` (and a test fails, so that we notice)."""


def _same_as_constructed() -> bool:
    """Whether the direct builds equal ``model_construct``'s in this environment."""
    assembler = StreamAssembler()
    progress = assembler.progress()
    direct = StreamedMessage.deferred(assembler, progress)
    reference = StreamedMessage.model_construct(role=MessageRole.ASSISTANT, blocks=[],
                                                additional_kwargs={})
    reference._source = (assembler, progress)
    if state(direct) != state(reference):
        return False
    built = _chat_response(direct, {"id": "x"}, "d", {PARTIAL_KEY: True})
    constructed = ChatResponse.model_construct(message=direct, raw={"id": "x"}, delta="d",
                                               logprobs=None,
                                               additional_kwargs={PARTIAL_KEY: True})
    return state(built) == state(constructed)


CONSTRUCT_DIRECTLY = _same_as_constructed()
