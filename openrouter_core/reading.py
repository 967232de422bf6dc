"""HTTP response bytes → results, with every failure typed. No I/O happens here.

The transport hands over a response and its bytes as they arrive; this module parses JSON bodies
(error bodies under HTTP 200 included), drives the SSE parser and the stream state machine,
enforces the call's time limits while bytes trickle in, and turns a broken read into the right
error with whatever arrived attached. Sync and async callers share every line of it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openrouter_core import errors
from openrouter_core.chunk_reader import ChunkReader
from openrouter_core.decode import (
    ChatResult,
    ChunkDelta,
    DecodeError,
    ToolCallDelta,
    body_error,
    decode_response,
)
from openrouter_core.stream import (
    DONE,
    SSEFormatError,
    SSEParser,
    StreamAssembler,
    StreamErrorChunk,
)

if TYPE_CHECKING:
    from openrouter_core._sdk_http import http


def response_body(response: http.Response) -> Any:
    from openrouter_core._sdk_http import http

    try:
        content = response.content
    except http.ResponseNotRead:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", "replace")


def json_body(response: http.Response, content: bytes) -> Any:
    """Parse a JSON reply; an error body (even under HTTP 200) raises its typed error."""
    try:
        body = json.loads(content)
    except ValueError as exc:
        snippet = content[:200].decode("utf-8", "replace")
        raise errors.malformed_error(
            f"OpenRouter returned a non-JSON body ({response.headers.get('content-type')}): "
            f"{snippet!r}", response, snippet) from exc
    if body_error(body) is not None:
        raise errors.error_from_body(response.status_code, body, response=response)
    return body


def decode_body(response: http.Response, content: bytes) -> ChatResult:
    """Decode a non-streaming chat completion body."""
    body = json_body(response, content)
    if not isinstance(body, dict):
        raise errors.malformed_error("OpenRouter returned JSON that is not an object", response,
                                     body)
    if not isinstance(body.get("choices"), list) or not body["choices"]:
        # A 200 without an answer is not an empty answer: say so, with the body on the error.
        raise errors.malformed_error(
            f"OpenRouter returned HTTP {response.status_code} with no choices: the reply carries "
            "no answer (the body is on the error)", response, body)
    try:
        result = decode_response(body)
    except DecodeError as exc:
        raise errors.malformed_error(f"OpenRouter reply: {exc}", response, body) from None
    if result.id is None:
        result.id = response.headers.get("x-generation-id")
    return result


MIN_ATTEMPT_SECONDS = 1.0
"""A retry is started only if at least this much of ``total_timeout`` would be left for it."""


@dataclass(frozen=True, slots=True)
class Clock:
    """The two time limits of one call.

    ``timeout`` bounds *silence*: connecting, and each wait for the next bytes (the ``openai``
    SDK's HTTP client enforces it per read). Any bytes count, keep-alive included: OpenRouter's
    ``: OPENROUTER PROCESSING`` comment lines and the whitespace it pads a pending JSON body
    with are sent while the upstream is working, so a slow but healthy reply is never cut.
    ``total_timeout`` (optional) bounds the whole call, retries and their waits included, for
    callers who want a hard cap; a call past it is never retried.
    """

    timeout: float | None
    total_timeout: float | None
    ends_at: float | None

    @classmethod
    def start(cls, timeout: float | None, total_timeout: float | None) -> Clock:
        """The limits of a call starting now."""
        ends_at = None if total_timeout is None else time.monotonic() + total_timeout
        return cls(timeout, total_timeout, ends_at)

    def remaining(self) -> float | None:
        """Seconds left before ``total_timeout`` (``None``: no whole-call limit)."""
        return None if self.ends_at is None else self.ends_at - time.monotonic()

    def past(self) -> bool:
        """Whether the whole-call limit has passed."""
        left = self.remaining()
        return left is not None and left <= 0

    def read_timeout(self) -> float | None:
        """The per-request timeout to give the SDK: the silence limit, cut to what is left of
        the whole-call limit so that a silent server cannot outlast it."""
        left = self.remaining()
        if left is None:
            return self.timeout
        left = max(left, 0.001)
        return left if self.timeout is None else min(self.timeout, left)

    def allows_wait(self, seconds: float) -> bool:
        """Whether a retry after ``seconds`` would still have time to do something before the
        whole-call limit (a request sent with a moment left may be charged and then cut)."""
        left = self.remaining()
        return left is None or seconds + MIN_ATTEMPT_SECONDS < left

    def expired(self, request: Any, what: str,
                partial: ChatResult | None = None) -> errors.OpenRouterError:
        """The error for a call past ``total_timeout`` (never retried)."""
        exc = errors.connection_error(
            f"OpenRouter {what} exceeded total_timeout={self.total_timeout:g} s", request,
            timeout=True, partial=partial)
        exc.retryable = False
        return exc

    def timed_out(self, request: Any, what: str,
                  partial: ChatResult | None = None) -> errors.OpenRouterError:
        """The error for a read that timed out: silence, or the whole-call limit."""
        if self.past():
            return self.expired(request, what, partial)
        limit = ("the SDK's default read timeout" if self.timeout is None
                 else f"{self.timeout:g} s (timeout={self.timeout:g}: the longest allowed silence)")
        exc = errors.connection_error(
            f"OpenRouter sent nothing for {limit} during the {what}", request, timeout=True,
            partial=partial)
        exc.retryable = False  # the reply had started: resending could repeat its side effects
        return exc


@dataclass(slots=True)
class BodyReader:
    """Collects a non-streaming body under the call's :class:`Clock`.

    Silence is bounded by the SDK's per-read timeout (padding whitespace counts as bytes);
    the whole-call limit, when set, is checked after every piece.
    """

    response: http.Response
    clock: Clock
    parts: list[bytes] = field(default_factory=list)

    @classmethod
    def open(cls, response: http.Response, clock: Clock) -> BodyReader:
        return cls(response, clock)

    def add(self, data: bytes) -> None:
        self.parts.append(data)
        if self.clock.past():
            raise self.clock.expired(self.response.request, "reply")

    def broken(self, exc: Exception) -> errors.OpenRouterError:
        from openrouter_core._sdk_http import http

        if isinstance(exc, http.TimeoutException):
            return self.clock.timed_out(self.response.request, "reply")
        return errors.connection_error(
            f"OpenRouter closed the connection before the reply was complete: {exc}",
            self.response.request)

    def result(self) -> ChatResult:
        return decode_body(self.response, b"".join(self.parts))


def carries_events(response: http.Response) -> bool:
    """Whether the reply to a stream request is server-sent events, read as they come.

    Anything else is read whole, as a non-streamed reply is (:class:`BodyReader`): one JSON
    body (an error OpenRouter sends with status 200, or a reply it did not stream), or a body
    of another type, which fails there naming its type. Nothing has reached the caller then,
    so a retryable failure is retried as a non-streamed call's is."""
    kind = response.headers.get("content-type", "")
    return not kind or kind.startswith("text/event-stream")


@dataclass(slots=True)
class StreamDriver:
    """Bytes of one HTTP response → normalised deltas, with every failure typed."""

    response: http.Response
    assembler: StreamAssembler
    clock: Clock
    parser: SSEParser = field(default_factory=SSEParser)
    reader: ChunkReader = field(default_factory=ChunkReader)

    def feed(self, data: bytes) -> Iterator[ChunkDelta]:
        """Yield each delta as soon as it is parsed, so every delta that arrived before an
        error in the same network read reaches the caller before the error is raised."""
        read, assembler = self.reader.read, self.assembler
        try:
            for payload in self.parser.payloads(data):
                item = read(payload)
                if item is DONE:
                    delta = assembler.feed_event(item)
                    if delta is not None:
                        yield delta
                else:
                    yield assembler.feed(item)
        except (StreamErrorChunk, SSEFormatError, DecodeError) as exc:
            raise self._typed(exc) from None
        if self.clock.past():
            raise self.clock.expired(self.response.request, "stream", self.assembler.result())

    def _fed(self, item: Any) -> ChunkDelta | None:
        """One item of :meth:`ChunkReader.read` given to the assembler (``feed`` inlines it)."""
        return self.assembler.feed_event(item) if item is DONE else self.assembler.feed(item)

    def _typed(self, exc: Exception) -> errors.OpenRouterError:
        """An error chunk or unreadable event as the typed error, partial result attached."""
        if isinstance(exc, StreamErrorChunk):
            signal = exc
            return errors.error_from_body(
                200, {"error": signal.error, "id": signal.chunk.get("id")},
                response=self.response, partial=signal.partial, mid_stream=True)
        if isinstance(exc, SSEFormatError):
            return errors.malformed_error(str(exc), self.response,
                                          exc.payload.decode("utf-8", "replace"),
                                          partial=self.assembler.result())
        return errors.malformed_error(f"OpenRouter stream chunk: {exc}", self.response, None,
                                      partial=self.assembler.result())

    def finish(self) -> list[ChunkDelta]:
        try:
            out = [d for d in (self._fed(self.reader.read(p))
                               for p in self.parser.close_payloads())
                   if d is not None] if not self.assembler.done else []
        except (StreamErrorChunk, SSEFormatError, DecodeError) as exc:
            raise self._typed(exc) from None
        if not self.assembler.done:
            raise errors.connection_error(
                "OpenRouter stream ended before [DONE]; the reply is incomplete",
                self.response.request, interrupted=True, partial=self.assembler.result())
        return out

    def fail(self, exc: Exception) -> errors.OpenRouterError:
        """Type an I/O failure that happened after the response started."""
        if isinstance(exc, errors.OpenRouterError):
            return exc
        from openrouter_core._sdk_http import http

        if isinstance(exc, http.TimeoutException):
            return self.clock.timed_out(self.response.request, "stream",
                                        self.assembler.result())
        if isinstance(exc, UnicodeDecodeError):
            return errors.malformed_error(f"stream is not valid UTF-8: {exc}", self.response,
                                          None, partial=self.assembler.result())
        return errors.connection_error(
            f"OpenRouter stream broke after {self.assembler.chunks} chunks: {exc}",
            self.response.request, interrupted=True, partial=self.assembler.result())


def whole_reply_delta(result: ChatResult, assembler: StreamAssembler) -> ChunkDelta:
    """A whole reply to a stream request (see :func:`carries_events`) fed through the
    assembler as one chunk."""
    delta = ChunkDelta(
        id=result.id, model=result.model, provider=result.provider, created=result.created,
        content=result.content or None, reasoning=result.reasoning,
        reasoning_details=result.reasoning_details,
        tool_calls=[ToolCallDelta(index=t.index, id=t.id, name=t.name, arguments=t.arguments,
                                  type=t.type) for t in result.tool_calls],
        images=result.images, annotations=result.annotations, refusal=result.refusal,
        finish_reason=result.finish_reason, native_finish_reason=result.native_finish_reason,
        usage=result.usage, raw=result.raw,
    )
    assembler.mark_done()
    return assembler.feed(delta)


def io_errors() -> tuple[type[Exception], ...]:
    """Failures of an open response body (the HTTP library is loaded: a request was sent)."""
    from openrouter_core._sdk_http import http

    return (http.TransportError, http.StreamError, UnicodeDecodeError, OSError)
