"""The streaming state machine: SSE bytes → parsed events → one assembled ``ChatResult``.

Pure and shared by sync and async callers: transport hands it byte chunks, it hands back
``ChunkDelta`` values and keeps the running result. It knows OpenRouter's stream quirks:

* ``: OPENROUTER PROCESSING`` comment lines anywhere in the stream;
* three usage-chunk shapes (separate chunk with a null-finish choice, ``choices: []``, and the
  finish chunk sent twice with usage on the second copy) — usage is kept exactly once;
* tool calls assembled by ``index``, with ``id``/``name`` assigned once, never concatenated;
* ``reasoning_details`` merged by ``(type, index)``, keeping Anthropic's signature-only fragment;
* images arriving whole in one delta and url citations arriving before any text;
* an ``error`` object inside a 200 stream, which raises with the partial result attached.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.scanner import make_scanner
from typing import Any, NamedTuple, cast

from openrouter_core.decode import (
    ChatResult,
    ChunkDelta,
    Image,
    JSONDict,
    ToolCall,
    ToolCallDelta,
    Usage,
    decode_chunk,
    valid_text,
)

DONE = object()
"""Sentinel yielded by :class:`SSEParser` for ``data: [DONE]``."""


class SSEFormatError(ValueError):
    """A ``data:`` payload that is not JSON (or not valid UTF-8)."""

    def __init__(self, message: str, payload: bytes) -> None:
        super().__init__(message)
        self.payload = payload


class SSEParser:
    """Incremental server-sent-events parser for OpenRouter streams.

    Feed it byte chunks as they arrive (split anywhere); it yields each ``data:`` payload parsed
    as JSON, or :data:`DONE`. Comment lines and ``event:``/``id:``/``retry:`` fields are ignored.
    """

    __slots__ = ("_cr", "_limit", "_size", "_tail")
    _MIN_LIMIT = 65536

    def __init__(self) -> None:
        self._tail: list[bytes] = []  # the start of an event whose blank line has not come
        self._size = 0  # bytes in _tail
        self._limit = self._MIN_LIMIT  # _tail size that triggers _compact()
        self._cr = False  # the last read ended in CR, whose LF may start the next

    def feed(self, chunk: bytes) -> Iterator[Any]:
        """Parse every event that ``chunk`` completes."""
        for data in self.payloads(chunk):
            yield parse_payload(data)

    def payloads(self, chunk: bytes) -> Iterator[bytes]:
        """The ``data:`` payload of every event that ``chunk`` completes, unparsed (the stream
        driver reads them with a :class:`~openrouter_core.chunk_reader.ChunkReader`)."""
        if self._cr or b"\r" in chunk:
            chunk = self._lf_only(chunk)
        if not chunk:
            return  # (a lone CR, now held): the tail's last piece must stay non-empty
        tail = self._tail
        if tail:
            if b"\n\n" not in chunk and not (chunk[:1] == b"\n" and tail[-1][-1:] == b"\n"):
                tail.append(chunk)  # still inside one event: kept, never re-scanned
                self._size += len(chunk)
                if self._size > self._limit:
                    self._compact()
                return
            chunk = b"".join(tail) + chunk
            tail.clear()
            self._size, self._limit = 0, self._MIN_LIMIT
        # Events end at a blank line. Splitting the read at once, in C, is what keeps the
        # parser close to the cost of json.loads alone: OpenRouter's events are one ``data:``
        # line each, so most pieces need one check.
        *events, rest = chunk.split(b"\n\n")
        if rest:
            tail.append(rest)
            self._size = len(rest)
        for event in events:
            if event.startswith(b"data: ") and b"\n" not in event:
                yield event[6:]
            elif event:
                data = _event_data(event)
                if data is not None:
                    yield data

    def _lf_only(self, chunk: bytes) -> bytes:
        """CRLF line ends read as LF; a trailing CR waits for the LF that may follow."""
        if self._cr:
            chunk, self._cr = b"\r" + chunk, False
        if chunk.endswith(b"\r"):
            chunk, self._cr = chunk[:-1], True
        return chunk.replace(b"\r\n", b"\n")

    def _compact(self) -> None:
        """Drop the finished lines of the pending event that carry nothing (comments, other
        fields): a server sending keep-alive comments without blank lines would otherwise
        grow the tail for as long as the stream lasts. The limit doubles past what is kept,
        so a long ``data:`` event is compacted a logarithmic number of times."""
        lines = b"".join(self._tail).split(b"\n")
        kept = [line for line in lines[:-1] if line.startswith(b"data:")]
        pending = b"\n".join([*kept, lines[-1]])  # the unfinished last line stays as it is
        self._tail[:] = [pending] if pending else []
        self._size = len(pending)
        self._limit = max(self._MIN_LIMIT, 2 * self._size)

    def close(self) -> Iterator[Any]:
        """Flush an event left without its terminating blank line."""
        for data in self.close_payloads():
            yield parse_payload(data)

    def close_payloads(self) -> Iterator[bytes]:
        """:meth:`close`, unparsed."""
        rest = b"".join(self._tail)
        self._tail.clear()
        self._size, self._limit = 0, self._MIN_LIMIT
        self._cr = False
        data = _event_data(rest) if rest else None
        if data is not None:
            yield data


def _event_data(event: bytes) -> bytes | None:
    """The joined ``data:`` lines of one event (``None`` if it has none, as comments)."""
    data = []
    for line in event.split(b"\n"):
        if line.startswith(b"data:"):
            payload = line[5:]
            data.append(payload[1:] if payload.startswith(b" ") else payload)
        # ':' comments (OPENROUTER PROCESSING) and other fields carry nothing for us.
    if not data:
        return None
    return data[0] if len(data) == 1 else b"\n".join(data)


# typeshed declares make_scanner's argument as its own type; any JSONDecoder is what it takes.
_scan = make_scanner(cast(Any, json.JSONDecoder()))
"""The C scanner behind ``json.loads``, called directly: ``loads`` on bytes first guesses the
encoding and wraps the scan in two Python calls, a fifth of a small chunk's parsing time."""


def parse_payload(data: bytes) -> Any:
    """One event's data: :data:`DONE` or the parsed JSON value; raises :class:`SSEFormatError`."""
    if data == b"[DONE]":
        return DONE
    try:
        value = scan_text(data.decode())
    except UnicodeDecodeError:
        value = None
    if value is not None:
        return value
    # Anything unusual (padding, a BOM, invalid JSON or UTF-8): json.loads decides, as before.
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise SSEFormatError(f"stream chunk is not valid UTF-8: {exc}", data) from exc
    except ValueError as exc:
        raise SSEFormatError(f"stream chunk is not valid JSON: {exc}", data) from exc
    except RecursionError as exc:
        raise SSEFormatError("stream chunk is nested too deeply to read", data) from exc


def scan_text(text: str) -> Any:
    """``text`` parsed as exactly one JSON value with nothing around it, else ``None`` (the
    caller then asks ``json.loads``, which also accepts whitespace and says what is wrong; a
    JSON ``null`` payload is also ``None`` and takes that way)."""
    try:
        value, end = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    return value if end == len(text) else None


def decode_event(value: Any) -> ChunkDelta:
    """One parsed ``data:`` value as a delta; :class:`SSEFormatError` unless a JSON object."""
    if not isinstance(value, dict):
        raise SSEFormatError(f"stream chunk is not a JSON object: {value!r:.200}", b"")
    return decode_chunk(value)


class TextBuilder:
    """Accumulates streamed text in memory close to the text's own size.

    Keeping one ``str`` per chunk costs ~60 bytes of object overhead for a few characters of
    text; pieces are joined into a block every ``_COMPACT`` appends, so a 100,000-chunk stream
    holds a few hundred blocks instead. Appending stays O(1) amortised and nothing is copied
    more than twice.
    """

    __slots__ = ("_blocks", "_pieces", "length")
    _COMPACT = 512

    def __init__(self) -> None:
        self._blocks: list[str] = []
        self._pieces: list[str] = []
        self.length = 0

    def append(self, piece: str) -> None:
        """Add ``piece`` at the end."""
        self._pieces.append(piece)
        self.length += len(piece)
        if len(self._pieces) >= self._COMPACT:
            self._blocks.append("".join(self._pieces))
            self._pieces.clear()

    def __bool__(self) -> bool:
        return self.length > 0

    def text(self) -> str:
        """Everything appended so far."""
        if self._pieces:
            self._blocks.append("".join(self._pieces))
            self._pieces.clear()
        if len(self._blocks) > 1:
            self._blocks[:] = ["".join(self._blocks)]
        return self._blocks[0] if self._blocks else ""

    def prefix(self, length: int) -> str:
        """The first ``length`` characters (what a reader had seen at that point)."""
        return self.text()[:length]


@dataclass(slots=True)
class _ToolCallState:
    index: int
    id: str = ""
    name: str = ""
    type: str = "function"
    arguments: TextBuilder = field(default_factory=TextBuilder)


_CONCATENATED = ("text", "summary", "data")


class ReasoningDetailsMerger:
    """Merges streamed ``reasoning_details`` fragments by ``(type, index)``.

    ``text``/``summary``/``data`` pieces are concatenated (each in a :class:`TextBuilder`, so
    long reasoning stays linear in time and memory); other fields keep their first non-null
    value, except ``signature``, which arrives last (Anthropic's signature-only fragment) and is
    kept.
    """

    __slots__ = ("_items", "_keys", "_pieces")

    def __init__(self) -> None:
        self._items: list[JSONDict] = []
        self._keys: dict[tuple[Any, Any], int] = {}
        self._pieces: list[dict[str, TextBuilder]] = []

    def feed(self, fragments: list[JSONDict]) -> None:
        """Merge a delta's fragments."""
        for fragment in fragments:
            key = (fragment.get("type"), fragment.get("index", len(self._items)))
            position = self._keys.get(key)
            if position is None:
                position = self._keys[key] = len(self._items)
                self._items.append({})
                self._pieces.append({})
            current, pieces = self._items[position], self._pieces[position]
            for name, value in fragment.items():
                if name in _CONCATENATED and isinstance(value, str):
                    builder = pieces.get(name)
                    if builder is None:
                        builder = pieces[name] = TextBuilder()
                    builder.append(value)
                    current.setdefault(name, None)  # keep the wire's key order
                elif name not in current or (value is not None and (
                        current[name] is None or name == "signature")):
                    current[name] = value

    def result(self) -> list[JSONDict]:
        """The merged items, in order of first appearance."""
        merged = []
        for item, pieces in zip(self._items, self._pieces, strict=True):
            out = dict(item)
            for name, parts in pieces.items():
                out[name] = parts.text()
            merged.append(out)
        return merged


def merge_reasoning_details(fragments: list[JSONDict]) -> list[JSONDict]:
    """Merge ``reasoning_details`` fragments as a stream would (see ReasoningDetailsMerger)."""
    merger = ReasoningDetailsMerger()
    merger.feed(fragments)
    return merger.result()


class Progress(NamedTuple):
    """How much of a stream had arrived: character lengths of the texts, the argument length
    of each tool call (in order of first appearance), and counts of the list-valued parts.

    (A named tuple: a LlamaIndex stream takes one per chunk, and building a frozen dataclass
    cost three times as much.)"""

    content: int
    reasoning: int
    refusal: int
    details: int
    tools: tuple[int, ...]
    images: int
    annotations: int


class StreamErrorChunk(Exception):  # noqa: N818 - a signal, turned into a typed error by callers
    """An ``error`` object arrived inside the stream; ``partial`` holds what came before."""

    def __init__(self, error: JSONDict, chunk: JSONDict, partial: ChatResult) -> None:
        super().__init__(str(error.get("message", "stream error")))
        self.error = error
        self.chunk = chunk
        self.partial = partial


class StreamAssembler:
    """Accumulates decoded chunks into a ``ChatResult``.

    ``feed`` returns the chunk normalised for emission: tool-call ``id``/``name``/``type`` only
    on a call's first fragment, and a repeated finish chunk's ``finish_reason`` cleared. Usage is
    recorded, not emitted: callers read it once from :meth:`result` at the end of the stream.
    Text pieces accumulate in lists, so memory and time stay linear in the stream's length.
    """

    __slots__ = (
        "_annotations",
        "_content",
        "_detail_keys",
        "_detail_log",
        "_details",
        "_done",
        "_envelope",
        "_finish",
        "_held",
        "_images",
        "_logprobs",
        "_native_finish",
        "_reasoning",
        "_refusal",
        "_tools",
        "_usage",
        "chunks",
    )

    def __init__(self) -> None:
        self._envelope: dict[str, Any] = {}
        self._content = TextBuilder()
        self._reasoning = TextBuilder()
        self._held: dict[str | int, str] = {}  # a high surrogate waiting for its low half
        self._refusal = TextBuilder()
        self._details = ReasoningDetailsMerger()
        self._detail_log: list[JSONDict] = []  # the fragments as they came, for result_at()
        self._tools: dict[int, _ToolCallState] = {}
        self._images: list[Image] = []
        self._annotations: list[JSONDict] = []
        self._logprobs: list[Any] = []
        self._finish: str | None = None
        self._native_finish: str | None = None
        self._usage: Usage | None = None
        self._done = False
        self.chunks = 0

    @property
    def done(self) -> bool:
        """Whether ``data: [DONE]`` was seen."""
        return self._done

    def mark_done(self) -> None:
        """Record the end-of-stream marker."""
        self._done = True

    def feed_event(self, event: Any) -> ChunkDelta | None:
        """Feed one item from :class:`SSEParser`; returns the normalised delta, if any."""
        if event is DONE:
            self._done = True
            return self._flush_held()
        return self.feed(decode_event(event))

    def feed(self, delta: ChunkDelta) -> ChunkDelta:
        """Merge one decoded chunk; raises :class:`StreamErrorChunk` on an error chunk."""
        self.chunks += 1
        # Unrolled: this runs once per chunk, and a loop of getattr costs twice as much.
        envelope = self._envelope
        if delta.id is not None:
            envelope["id"] = delta.id
        if delta.model is not None:
            envelope["model"] = delta.model
        if delta.provider is not None:
            envelope["provider"] = delta.provider
        if delta.created is not None:
            envelope["created"] = delta.created
        if delta.system_fingerprint is not None:
            envelope["system_fingerprint"] = delta.system_fingerprint
        if delta.service_tier is not None:
            envelope["service_tier"] = delta.service_tier
        if delta.usage is not None:
            self._usage = delta.usage
        if delta.error is not None:
            raise StreamErrorChunk(delta.error, delta.raw, self.result())
        self._merge_parts(delta)
        if delta.finish_reason is not None:
            if self._finish is not None:
                delta.finish_reason = None  # the repeated finish chunk of the 2026 usage shape
            else:
                self._finish = delta.finish_reason
        if delta.native_finish_reason is not None and self._native_finish is None:
            self._native_finish = delta.native_finish_reason
        return delta

    def _whole(self, channel: str | int, text: str | None) -> str | None:
        """``text`` with a trailing high surrogate held back until the next piece of the same
        channel (content, reasoning, refusal, or a tool call's index), so that a character
        split into UTF-16 halves across two events reaches the caller whole."""
        if not text or (not self._held and text.isascii()):
            return text
        text = self._held.pop(channel, "") + text
        if "\ud800" <= text[-1] <= "\udbff":
            self._held[channel] = text[-1]
            text = text[:-1]
        return valid_text(text) or None

    def _flush_held(self) -> ChunkDelta | None:
        """At the end, a high surrogate whose low half never came goes out as U+FFFD, so the
        streamed text and the result agree."""
        if not self._held:
            return None
        held, self._held = self._held, {}
        delta = ChunkDelta(
            content="\ufffd" if "content" in held else None,
            reasoning="\ufffd" if "reasoning" in held else None,
            refusal="\ufffd" if "refusal" in held else None,
            tool_calls=[ToolCallDelta(index=k, arguments="\ufffd")
                        for k in held if isinstance(k, int)])
        self._merge_parts(delta)
        return delta

    def _merge_text(self, delta: ChunkDelta) -> None:
        # Text that is ASCII with nothing held back needs no surrogate care (_whole): the
        # common case is decided here without a call.
        if delta.content and (self._held or not delta.content.isascii()):
            delta.content = self._whole("content", delta.content)
        if delta.reasoning and (self._held or not delta.reasoning.isascii()):
            delta.reasoning = self._whole("reasoning", delta.reasoning)
        if delta.refusal and (self._held or not delta.refusal.isascii()):
            delta.refusal = self._whole("refusal", delta.refusal)
        if delta.content:
            self._content.append(delta.content)
        if delta.reasoning:
            self._reasoning.append(delta.reasoning)
        if delta.refusal:
            self._refusal.append(delta.refusal)

    def _merge_parts(self, delta: ChunkDelta) -> None:
        self._merge_text(delta)
        for fragment in delta.tool_calls or ():
            fragment.arguments = self._whole(fragment.index, fragment.arguments)
        if delta.reasoning_details:
            self._merge_details(delta.reasoning_details)
        if delta.tool_calls:
            delta.tool_calls = [self._merge_tool(t) for t in delta.tool_calls]
        if delta.images:
            self._images.extend(delta.images)
        if delta.annotations:
            self._annotations.extend(delta.annotations)
        if delta.logprobs:
            self._logprobs.append(delta.logprobs)

    def _merge_tool(self, fragment: ToolCallDelta) -> ToolCallDelta:
        state = self._tools.get(fragment.index)
        first = state is None
        if state is None:
            state = self._tools[fragment.index] = _ToolCallState(index=fragment.index)
        out = ToolCallDelta(index=fragment.index, arguments=fragment.arguments)
        if fragment.id and not state.id:
            state.id = out.id = fragment.id
        if fragment.name and not state.name:
            state.name = out.name = fragment.name
        if fragment.type and first:
            state.type = out.type = fragment.type
        if fragment.arguments:
            state.arguments.append(fragment.arguments)
        return out

    def _merge_details(self, items: list[JSONDict]) -> None:
        self._details.feed(items)
        self._detail_log.extend(items)

    @property
    def content(self) -> TextBuilder:
        """The text streamed so far (for readers that snapshot progress; do not append)."""
        return self._content

    @property
    def reasoning(self) -> TextBuilder:
        """The reasoning text streamed so far (read-only use)."""
        return self._reasoning

    @property
    def refusal(self) -> TextBuilder:
        """The refusal text streamed so far (read-only use)."""
        return self._refusal

    def progress(self) -> Progress:
        """How far the stream has got, in a few counters (cheap: O(number of tool calls)).

        :meth:`result_at` turns it back into the partial result as it stood, so a reader that
        wants the cumulative message of every chunk pays only for the ones it reads.
        """
        tools = self._tools
        return Progress(self._content.length, self._reasoning.length, self._refusal.length,
                        len(self._detail_log),
                        tuple([t.arguments.length for t in tools.values()]) if tools else (),
                        len(self._images), len(self._annotations))

    def result_at(self, progress: Progress) -> ChatResult:
        """The partial result as it stood at ``progress`` (text, reasoning, details, tool
        calls, images and citations; no envelope or usage, which arrive at the end)."""
        states = list(self._tools.values())[:len(progress.tools)]
        ordered = sorted(zip(states, progress.tools, strict=True), key=lambda p: p[0].index)
        tools = [ToolCall(id=t.id, name=t.name, arguments=t.arguments.prefix(n), index=i,
                          type=t.type) for i, (t, n) in enumerate(ordered)]
        details = (merge_reasoning_details(self._detail_log[:progress.details])
                   if progress.details else [])
        return ChatResult(
            content=self._content.prefix(progress.content),
            reasoning=self._reasoning.prefix(progress.reasoning) or None,
            reasoning_details=details,
            tool_calls=tools,
            images=self._images[:progress.images],
            annotations=self._annotations[:progress.annotations],
            refusal=self._refusal.prefix(progress.refusal) or None,
        )

    def result(self) -> ChatResult:
        """The result assembled so far (complete once ``[DONE]`` was seen)."""
        # A high surrogate still waiting at the end has no other half: it reads as U+FFFD.
        lost = {k: "\ufffd" for k in self._held}
        tools = [
            ToolCall(id=s.id, name=s.name, arguments=s.arguments.text() + lost.get(k, ""),
                     index=i, type=s.type)
            for i, (k, s) in enumerate(sorted(self._tools.items()))
        ]
        logprobs = None
        if self._logprobs:
            content = [p for lp in self._logprobs for p in (lp.get("content") or [])]
            logprobs = {"content": content}
        reasoning = self._reasoning.text() + lost.get("reasoning", "")
        refusal = self._refusal.text() + lost.get("refusal", "")
        return ChatResult(
            **self._envelope,
            content=self._content.text() + lost.get("content", ""),
            reasoning=reasoning or None,
            reasoning_details=self._details.result(),
            tool_calls=tools,
            images=list(self._images),
            annotations=list(self._annotations),
            refusal=refusal or None,
            logprobs=logprobs,
            finish_reason=self._finish,
            native_finish_reason=self._native_finish,
            usage=self._usage,
        )
