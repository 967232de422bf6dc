"""Scripted replies: a :class:`Reply` describes one emulator response, faults included.

A reply is data only. :mod:`openrouter_core.testing.render` turns it into bytes, as Server-Sent
Events when the request had ``"stream": true`` (or ``stream=True`` forces it) and as a JSON body
otherwise, following the wire-format facts of the live OpenRouter service.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from openrouter_core.testing.records import JSONDict, RecordedRequest

UsageShape = Literal["separate", "empty_choices", "repeat_finish"]
"""Final usage chunk shape: ≤ Jan 2026 separate chunk, Mar 2026 ``choices: []``, Apr 2026+
finish chunk sent twice (the default)."""

ToolSplit = Literal["tokens", "pieces", "whole"]
"""How streamed tool arguments are fragmented: OpenAI-style tokens, Anthropic-style small
pieces, or Gemini-style whole arguments in one delta."""

ReasoningKind = Literal["reasoning.text", "reasoning.summary", "reasoning.encrypted"]
"""The ``reasoning_details`` item type a reply's ``reasoning`` is sent as."""

FaultKind = Literal[
    "error_after", "reset_before_headers", "reset_after", "truncate_after", "malformed_at",
    "invalid_utf8_at", "stall_after", "drip_delay", "delay_headers", "content_type",
]
"""Names accepted by :meth:`Reply.fault`; each is also a :class:`Reply` field."""

DEFAULT_FAULT_TEXT = "This reply is streamed in several small pieces so a fault can interrupt it."
"""Text of a :meth:`Reply.fault` reply when no ``content`` is given."""


@dataclass(frozen=True, slots=True)
class ToolCallSpec:
    """One tool call to send: function ``name``, ``arguments`` (dict or JSON text), ``id``.

    Without an ``id`` the renderer generates a fresh ``call_…`` id.
    """

    name: str
    arguments: JSONDict | str = field(default_factory=dict)
    id: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the JSON text that goes on the wire."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, separators=(",", ":"), ensure_ascii=False)


ToolCallLike = ToolCallSpec | tuple[str, Any] | tuple[str, Any, str | None]
"""A tool call as a :class:`ToolCallSpec` or a ``(name, arguments[, id])`` tuple."""


def tool_call_spec(call: ToolCallLike) -> ToolCallSpec:
    """Normalise a ``(name, arguments[, id])`` tuple into a :class:`ToolCallSpec`."""
    if isinstance(call, ToolCallSpec):
        return call
    name, arguments = call[0], call[1]
    call_id = call[2] if len(call) > 2 else None
    return ToolCallSpec(name=name, arguments=arguments, id=call_id)


@dataclass(frozen=True, slots=True)
class RawBody:
    """A verbatim response: status, headers and the body as ``(bytes, delay)`` pieces."""

    status: int
    headers: tuple[tuple[str, str], ...]
    pieces: tuple[tuple[bytes, float], ...]

    @property
    def body(self) -> bytes:
        """All pieces joined."""
        return b"".join(data for data, _ in self.pieces)


@dataclass(slots=True)
class Reply:
    """One emulator response. Every field has a realistic default; set only what a test needs.

    Content: ``content`` (split into ~word-size chunks when streamed, or ``chunks`` given
    explicitly), ``reasoning`` sent as ``reasoning_kind`` items with ``reasoning_format``,
    ``signature`` (a final signature-only ``reasoning_details`` fragment, Anthropic style) or an
    explicit ``reasoning_details`` list, ``calls`` (tool calls, fragmented per ``tool_split``),
    ``images`` (data URLs), ``annotations`` (``url_citation`` dicts), ``refusal``.

    Envelope: ``model`` (default: the requested one), ``provider``, ``id`` (default: a fresh
    ``gen-<unix>-<20 alphanumerics>``), ``finish_reason``/``native_finish_reason`` (derived).

    Usage: ``usage`` replaces the computed object entirely; otherwise tokens are estimated from
    text length (or set by ``prompt_tokens``/``completion_tokens``) and priced at
    :data:`~openrouter_core.testing.chat.PROMPT_PRICE`/``COMPLETION_PRICE``.

    Server tools: ``server_tool_use`` (sent as ``usage.server_tool_use_details``) and
    ``server_tool_fee`` (USD added to ``cost`` on top of ``upstream_inference_cost``), as
    :meth:`web_search` and :meth:`image_generation` set them.

    Faults, K counting data chunks already sent: ``error_after`` (mid-stream error chunk, then
    ``[DONE]``), ``reset_before_headers``, ``reset_after`` (TCP reset), ``truncate_after``
    (clean end of the HTTP body without ``[DONE]``, then the connection is closed),
    ``malformed_at`` / ``invalid_utf8_at`` (chunk K replaced by a broken line),
    ``stall_after`` + ``stall_seconds`` (silence, connection kept open, then the rest),
    ``drip_delay`` (seconds before every data chunk), ``delay_headers``, ``content_type``.
    """

    content: str | None = None
    chunks: Sequence[str] | None = None
    reasoning: str | None = None
    reasoning_format: str | None = "unknown"
    reasoning_kind: ReasoningKind = "reasoning.text"
    signature: str | None = None
    reasoning_details: list[JSONDict] | None = None
    calls: list[ToolCallSpec] = field(default_factory=list)
    tool_split: ToolSplit = "tokens"
    images: list[str] = field(default_factory=list)
    annotations: list[JSONDict] = field(default_factory=list)
    refusal: str | None = None
    model: str | None = None
    provider: str = "OpenAI"
    id: str | None = None
    created: int | None = None
    service_tier: str | None = None
    system_fingerprint: str | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    usage: JSONDict | None = None
    send_usage: bool = True
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    is_byok: bool = False
    cost_details: JSONDict | None = None
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int | None = None
    image_tokens: int | None = None
    server_tool_use: JSONDict | None = None
    server_tool_fee: float = 0.0
    stream: bool | None = None
    usage_shape: UsageShape = "repeat_finish"
    comments_before: int = 3
    comments_between: bool = False
    pad_json: bool = True
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_body: JSONDict | None = None
    raw_body: RawBody | None = None
    error_after: int | None = None
    error_code: int = 400
    error_message: str = "Token limit reached"
    reset_before_headers: bool = False
    reset_after: int | None = None
    truncate_after: int | None = None
    malformed_at: int | None = None
    invalid_utf8_at: int | None = None
    stall_after: int | None = None
    stall_seconds: float = 30.0
    drip_delay: float = 0.0
    delay_headers: float = 0.0
    content_type: str | None = None

    @classmethod
    def text(cls, content: str | None = "Hello from the OpenRouter emulator.",
             **fields: Any) -> Reply:
        """A plain text answer; any other :class:`Reply` field may be passed as a keyword."""
        return cls(content=content, **_normalised(fields))

    @classmethod
    def tool_calls(cls, *calls: ToolCallLike, **fields: Any) -> Reply:
        """An answer calling tools, each a ``(name, arguments[, id])`` tuple or ToolCallSpec.

        Parallel calls are streamed one after the other by ``index``.
        """
        return cls(calls=[tool_call_spec(c) for c in calls], **_normalised(fields))

    @classmethod
    def web_search(cls, content: str = "Here is what I found [1].",
                   citations: Sequence[tuple[str, str, str]] = (
                       ("https://example.com/result", "Example result",
                        "An excerpt of the page."),),
                   *, searches: int = 1, fee: float = 0.007, **fields: Any) -> Reply:
        """An answer after ``openrouter:web_search`` ran: one ``url_citation`` annotation per
        ``(url, title, excerpt)`` (streamed each in its own delta before any text, as OpenRouter
        does), ``server_tool_use_details`` and the search fee in ``cost`` (Exa's $0.007 a
        search by default)."""
        annotations = [{"type": "url_citation", "url_citation": {
            "url": url, "title": title, "content": excerpt, "start_index": 0, "end_index": 0}}
            for url, title, excerpt in citations]
        fields.setdefault("server_tool_use", {"tool_calls_requested": searches,
                                              "tool_calls_executed": searches,
                                              "web_search_requests": searches})
        return cls(content=content, annotations=annotations,
                   server_tool_fee=fee * searches, **_normalised(fields))

    @classmethod
    def image_generation(cls, content: str = "Here is your image:",
                         image_urls: Sequence[str] = (
                             "https://images.openrouter.ai/emulator/generated-0.png",),
                         *, fee: float = 0.04, **fields: Any) -> Reply:
        """An answer after ``openrouter:image_generation`` ran: the model's text with each
        generated image as a Markdown image link (the only place Chat Completions carries
        it), ``server_tool_use_details`` and the image fee in ``cost`` (an emulator price)."""
        links = "\n".join(f"![Generated image {i + 1}]({url})"
                          for i, url in enumerate(image_urls))
        fields.setdefault("server_tool_use", {"tool_calls_requested": len(image_urls),
                                              "tool_calls_executed": len(image_urls)})
        return cls(content=f"{content}\n\n{links}" if content else links,
                   server_tool_fee=fee * len(image_urls), **_normalised(fields))

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        metadata: JSONDict | None = None,
        headers: Mapping[str, str] | None = None,
        user_id: str | None = None,
        *,
        http_status: int | None = None,
        **fields: Any,
    ) -> Reply:
        """An OpenRouter error body ``{"error": {"message", "code"[, "metadata"]}[, "user_id"]}``.

        ``status`` is ``error.code`` and, unless ``http_status`` says otherwise (e.g. ``200``
        for the "200 with an error body" case), the HTTP status. Sent as JSON even to a stream
        request, as OpenRouter does for errors raised before streaming starts.
        """
        error: JSONDict = {"message": message, "code": status}
        if metadata is not None:
            error["metadata"] = metadata
        body: JSONDict = {"error": error}
        if user_id is not None:
            body["user_id"] = user_id
        return cls(status=status if http_status is None else http_status, error_body=body,
                   headers=dict(headers or {}), **_normalised(fields))

    @classmethod
    def raw(
        cls,
        status: int = 200,
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        body: bytes = b"",
        chunk_delays: Sequence[tuple[bytes, float]] | None = None,
        **fields: Any,
    ) -> Reply:
        """Serve bytes verbatim (e.g. a recorded exchange, byte-exact).

        ``chunk_delays`` lists ``(bytes, delay_seconds)`` pieces to send instead of ``body``.
        A ``text/event-stream`` body goes out with chunked encoding (one HTTP chunk per SSE
        event, or per piece); anything else with ``Content-Length``. ``Content-Length``,
        ``Transfer-Encoding`` and ``Connection`` headers given here are replaced by the
        emulator's own framing; every other header (``Content-Encoding`` too) is sent as is.
        """
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers or [])
        pieces = tuple(chunk_delays) if chunk_delays is not None else ((body, 0.0),)
        raw = RawBody(status=status, headers=tuple(pairs), pieces=pieces)
        return cls(raw_body=raw, status=status, **_normalised(fields))

    @classmethod
    def json(
        cls,
        body: Any,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> Reply:
        """Serve ``body`` serialised as JSON verbatim (for non-chat routes and odd shapes)."""
        all_headers = {"Content-Type": "application/json", **dict(headers or {})}
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        return cls.raw(status, all_headers, data, **fields)

    @classmethod
    def fault(cls, kind: FaultKind, value: Any = True, **fields: Any) -> Reply:
        """A text reply with one fault: ``Reply.fault("reset_after", 2)``.

        ``value`` is the fault's parameter (K for the ``*_after``/``*_at`` kinds, seconds for
        ``drip_delay``/``delay_headers``, a MIME type for ``content_type``). For
        ``stall_after`` pass ``stall_seconds=`` too. Text defaults to
        :data:`DEFAULT_FAULT_TEXT`.
        """
        names = {f.name for f in fields_of_reply()}
        if kind not in names:
            raise ValueError(f"unknown fault kind {kind!r}")
        fields.setdefault("content", DEFAULT_FAULT_TEXT)
        fields[kind] = value
        return cls(**_normalised(fields))

    def with_(self, **changes: Any) -> Reply:
        """A copy with some fields changed (keywords as for the builders)."""
        data = {f.name: getattr(self, f.name) for f in fields_of_reply()}
        data.update(_normalised(changes))
        return Reply(**data)


def fields_of_reply() -> tuple[Any, ...]:
    """The dataclass fields of :class:`Reply` (used to validate keyword names)."""
    return fields(Reply)


def _normalised(values: dict[str, Any]) -> dict[str, Any]:
    """Builder keywords → field values (``tool_calls=`` tuples become ``calls``)."""
    out = dict(values)
    if "tool_calls" in out:
        out["calls"] = out.pop("tool_calls")
    if "calls" in out:
        out["calls"] = [tool_call_spec(c) for c in out["calls"]]
    if "headers" in out and out["headers"] is not None:
        out["headers"] = dict(out["headers"])
    return out


Responder = Callable[[RecordedRequest], Reply]
"""Anything that answers a request: ``(RecordedRequest) -> Reply``."""

ReplySource = Reply | Responder
"""What :meth:`Emulator.enqueue` accepts: a reply, or a callable building one per request."""
