"""A :class:`Reply` + the request → a :class:`ResponsePlan`: status, headers and timed steps.

Pure: no sockets. The server executes a plan step by step (:class:`Send` with its delay,
:class:`Stall`, :class:`Abort`), which keeps every byte and every fault unit-testable.

Framing rules: streamed replies are SSE sent with ``Transfer-Encoding: chunked``, one HTTP chunk
per event or comment line; JSON replies carry ``Content-Length``. A truncated stream
(``truncate_after``) ends with a proper chunked terminator and ``Connection: close`` but no
``data: [DONE]``; a truncated JSON body promises the full ``Content-Length`` and closes early.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openrouter_core.testing.chat import (
    Resolved,
    completion_body,
    dumps,
    error_chunk,
    stream_chunks,
)
from openrouter_core.testing.records import JSONDict, RecordedRequest
from openrouter_core.testing.replies import RawBody, Reply

COMMENT = b": OPENROUTER PROCESSING\n\n"
"""OpenRouter's SSE keep-alive comment line."""
DONE = b"data: [DONE]\n\n"
"""The SSE end-of-stream marker."""
JSON_PADDING = b"\n" + b" " * 9 + b"\n"
"""One unit of the whitespace OpenRouter writes before a non-stream JSON body."""
PADDING_REPEAT = 3
"""How many padding units a padded JSON body starts with."""
MALFORMED_LINE = b"data: {not json\n\n"
"""What ``malformed_at`` sends instead of a chunk."""

_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_STREAM_ONLY = ("error_after",)
_BASE_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "X-Generation-Id,X-Provider-Name,cf-ray"),
    ("Referrer-Policy", "no-referrer, strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
)


@dataclass(frozen=True, slots=True)
class Send:
    """Write ``data`` after waiting ``delay`` seconds (one HTTP chunk when chunked)."""

    data: bytes
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Stall:
    """Send nothing for ``seconds`` while keeping the connection open."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Abort:
    """Reset the TCP connection now (RST, nothing flushed)."""


Step = Send | Stall | Abort
"""One action of a response body."""


@dataclass(slots=True)
class ResponsePlan:
    """Everything the server does to answer one request."""

    status: int
    headers: list[tuple[str, str]]
    steps: list[Step] = field(default_factory=list)
    chunked: bool = False
    content_length: int | None = None
    header_delay: float = 0.0
    abort_before_headers: bool = False
    close: bool = False
    """Close the connection after the response (it is sent with ``Connection: close``)."""
    served: Resolved | None = None
    """The chat completion this plan serves (``None`` for errors and verbatim bodies): what
    ``GET /generation`` later reports about it."""

    @property
    def planned_seconds(self) -> tuple[float, float]:
        """Scripted delays: before the first body byte, and in all (latency, total time)."""
        first: float | None = None
        total = self.header_delay
        for step in self.steps:
            total += step.delay if isinstance(step, Send) else (
                step.seconds if isinstance(step, Stall) else 0.0)
            if (first is None and isinstance(step, Send) and step.data.strip()
                    and not step.data.startswith(b":")):
                first = total
        return (total if first is None else first), total

    @property
    def body(self) -> bytes:
        """The bytes the plan writes as body (what a client would read if nothing broke)."""
        return b"".join(s.data for s in self.steps if isinstance(s, Send))

    def header(self, name: str) -> str | None:
        """A response header by case-insensitive name."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def render_reply(reply: Reply, request: RecordedRequest) -> ResponsePlan:
    """The full response plan for ``reply`` answering ``request``.

    Raises ``ValueError`` for a stream-only fault on a JSON reply (the server answers 500).
    """
    if reply.raw_body is not None:
        plan = render_raw(reply.raw_body)
    elif reply.error_body is not None:
        plan = render_error(reply.status, reply.error_body)
    else:
        resolved = Resolved.of(reply, request)
        streamed = reply.stream if reply.stream is not None else request.stream
        plan = render_stream(resolved) if streamed else render_json(resolved)
        plan.served = resolved
    return _apply_common(plan, reply)


def _apply_common(plan: ResponsePlan, reply: Reply) -> ResponsePlan:
    for name, value in reply.headers.items():
        plan.headers = [(k, v) for k, v in plan.headers if k.lower() != name.lower()]
        plan.headers.append((name, value))
    if reply.content_type is not None:
        plan.headers = [(k, v) for k, v in plan.headers if k.lower() != "content-type"]
        plan.headers.append(("Content-Type", reply.content_type))
    plan.header_delay = reply.delay_headers
    plan.abort_before_headers = reply.reset_before_headers
    if plan.close:
        plan.headers.append(("Connection", "close"))
    return plan


def render_error(status: int, body: JSONDict) -> ResponsePlan:
    """A JSON error body with ``status`` (no padding: errors come before any processing)."""
    data = dumps(body)
    headers = [("Content-Type", "application/json"), *_BASE_HEADERS]
    return ResponsePlan(status, headers, [Send(data)], content_length=len(data))


def render_raw(raw: RawBody) -> ResponsePlan:
    """Verbatim bytes; an SSE body is chunked per event (or per given piece)."""
    headers = [(k, v) for k, v in raw.headers if k.lower() not in _HOP_BY_HOP]
    kind = next((v for k, v in headers if k.lower() == "content-type"), "")
    pieces = list(raw.pieces)
    if "event-stream" in kind:
        if len(pieces) == 1 and pieces[0][1] == 0.0:
            pieces = [(event, 0.0) for event in split_events(pieces[0][0])]
        steps: list[Step] = [Send(data, delay) for data, delay in pieces if data or delay]
        return ResponsePlan(raw.status, headers, steps, chunked=True)
    steps = [Send(data, delay) for data, delay in pieces]
    return ResponsePlan(raw.status, headers, steps, content_length=len(raw.body))


def split_events(body: bytes) -> list[bytes]:
    """SSE bytes cut after each blank line (``\\n\\n``), joining back to ``body``."""
    events, start = [], 0
    while True:
        end = body.find(b"\n\n", start)
        if end < 0:
            break
        events.append(body[start:end + 2])
        start = end + 2
    if start < len(body):
        events.append(body[start:])
    return events


def _sse_headers(resolved: Resolved) -> list[tuple[str, str]]:
    return [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
            ("X-Generation-Id", resolved.id), *_BASE_HEADERS]


def _event(chunk: JSONDict) -> bytes:
    return b"data: " + dumps(chunk) + b"\n\n"


def _invalid_utf8(event: bytes) -> bytes:
    # A lone 0xFF inside the id string: still shaped like JSON, but not decodable.
    return event.replace(b'"id":"', b'"id":"\xff', 1)


def render_stream(resolved: Resolved) -> ResponsePlan:
    """The SSE plan: comments, data chunks, faults at chunk K, then ``[DONE]``."""
    reply = resolved.reply
    chunks = stream_chunks(resolved)
    plan = ResponsePlan(reply.status, _sse_headers(resolved), chunked=True)
    steps = plan.steps
    steps.extend(Send(COMMENT) for _ in range(reply.comments_before))
    total = len(chunks)

    def at(value: int | None, index: int) -> bool:
        return value is not None and min(value, total) == index

    for index in range(total + 1):
        if at(reply.stall_after, index):
            steps.append(Stall(reply.stall_seconds))
        if at(reply.error_after, index):
            steps.append(Send(_event(error_chunk(resolved)), reply.drip_delay))
            break
        if at(reply.reset_after, index):
            steps.append(Abort())
            return plan
        if at(reply.truncate_after, index):
            plan.close = True
            return plan
        if index == total:
            break
        if reply.comments_between and index > 0:
            steps.append(Send(COMMENT))
        event = _event(chunks[index])
        if at(reply.malformed_at, index):
            event = MALFORMED_LINE
        if at(reply.invalid_utf8_at, index):
            event = _invalid_utf8(event)
        steps.append(Send(event, reply.drip_delay))
    steps.append(Send(DONE))
    return plan


def render_json(resolved: Resolved) -> ResponsePlan:
    """The non-stream plan: keep-alive padding, then the ``chat.completion`` body.

    Faults on JSON replies: ``reset_after``/``truncate_after`` (any K) send half the body then
    reset/close; ``malformed_at`` sends ``{not json``; ``invalid_utf8_at`` corrupts the id;
    ``stall_after`` pauses between the padding and the body; ``drip_delay`` delays the body.
    """
    reply = resolved.reply
    for name in _STREAM_ONLY:
        if getattr(reply, name) is not None:
            raise ValueError(f"emulator: fault {name!r} needs a streamed reply")
    body = dumps(completion_body(resolved))
    if reply.malformed_at is not None:
        body = b"{not json"
    if reply.invalid_utf8_at is not None:
        body = _invalid_utf8(body)
    padding = JSON_PADDING * PADDING_REPEAT if reply.pad_json else b""
    headers = [("Content-Type", "application/json"), ("X-Generation-Id", resolved.id),
               *_BASE_HEADERS]
    plan = ResponsePlan(reply.status, headers, content_length=len(padding) + len(body))
    if padding:
        plan.steps.append(Send(padding))
    if reply.stall_after is not None:
        plan.steps.append(Stall(reply.stall_seconds))
    if reply.reset_after is not None or reply.truncate_after is not None:
        plan.steps.append(Send(body[: len(body) // 2], reply.drip_delay))
        if reply.reset_after is not None:
            plan.steps.append(Abort())
        else:
            plan.close = True
        return plan
    plan.steps.append(Send(body, reply.drip_delay))
    return plan
