"""HTTP/1.1 framing for the emulator: reading requests, writing response heads and chunks.

Reading goes through :class:`RequestReader`, a small buffer over an ``asyncio.StreamReader``:
while a response is being written the server keeps reading (to notice a client hanging up),
and whatever bytes arrive then stay buffered for the next request on the connection.
"""

from __future__ import annotations

import asyncio
import http
from dataclasses import dataclass

MAX_HEAD = 1 << 20
"""Largest request line + headers accepted."""
_READ_SIZE = 1 << 16


class BadRequestError(Exception):
    """The bytes received are not a valid HTTP/1.1 request."""


@dataclass(slots=True)
class ParsedRequest:
    """A request as read off the socket."""

    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        """The query string (without ``?``), or ``""``."""
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    @property
    def keep_alive(self) -> bool:
        """Whether the client allows the connection to be reused."""
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


class RequestReader:
    """Buffered reads of whole requests from one connection."""

    __slots__ = ("_buffer", "_reader", "eof")

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._buffer = bytearray()
        self.eof = False

    async def fill(self) -> bool:
        """Read more bytes into the buffer; ``False`` at end of stream."""
        data = await self._reader.read(_READ_SIZE)
        if not data:
            self.eof = True
            return False
        self._buffer += data
        return True

    async def wait_for_eof(self) -> None:
        """Return when the peer closes its side (bytes that arrive meanwhile are kept)."""
        while await self.fill():
            pass

    async def _until(self, separator: bytes, limit: int) -> bytes | None:
        start = 0
        while True:
            found = self._buffer.find(separator, start)
            if found >= 0:
                end = found + len(separator)
                data = bytes(self._buffer[:end])
                del self._buffer[:end]
                return data
            if len(self._buffer) > limit:
                raise BadRequestError("request head too large")
            start = max(0, len(self._buffer) - len(separator) + 1)
            if not await self.fill():
                if self._buffer:
                    raise BadRequestError("connection closed mid-request")
                return None

    async def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            if not await self.fill():
                raise BadRequestError("connection closed mid-body")
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def read_request(self) -> ParsedRequest | None:
        """The next request, or ``None`` when the client closed the connection cleanly."""
        head = await self._until(b"\r\n\r\n", MAX_HEAD)
        if head is None:
            return None
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequestError(f"bad request line {lines[0]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise BadRequestError(f"bad header line {line!r}")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        request = ParsedRequest(parts[0], parts[1], parts[2], headers, b"")
        request.body = await self._body(headers)
        return request

    async def _body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await self._chunked_body()
        length = headers.get("content-length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise BadRequestError(f"bad Content-Length {length!r}") from None
        return await self._exactly(size)

    async def _chunked_body(self) -> bytes:
        parts = []
        while True:
            line = await self._until(b"\r\n", MAX_HEAD)
            if line is None:
                raise BadRequestError("connection closed mid-body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequestError(f"bad chunk size {line!r}") from None
            if size == 0:
                break
            parts.append(await self._exactly(size))
            await self._exactly(2)
        while True:  # trailers, up to the blank line
            trailer = await self._until(b"\r\n", MAX_HEAD)
            if trailer in (None, b"\r\n"):
                return b"".join(parts)


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` (``"Unknown"`` for odd codes)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def response_head(status: int, headers: list[tuple[str, str]], *, chunked: bool,
                  content_length: int | None, keep_alive: bool) -> bytes:
    """Status line and headers, with the framing headers the body needs."""
    lines = [f"HTTP/1.1 {status} {reason_phrase(status)}"]
    lines.extend(f"{name}: {value}" for name, value in headers
                 if name.lower() not in ("connection", "content-length", "transfer-encoding"))
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {content_length or 0}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunk(data: bytes) -> bytes:
    """``data`` as one HTTP/1.1 chunk."""
    return b"%x\r\n%b\r\n" % (len(data), data)


LAST_CHUNK = b"0\r\n\r\n"
"""The chunked-encoding terminator."""
