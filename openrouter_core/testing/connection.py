"""One client connection on the emulator's event loop: read requests, execute response plans.

While a plan is being written, a watcher keeps reading the socket so that a client hanging up
(a cancelled stream) is noticed at once, even during a stall or a slow drip, and recorded in
``RecordedRequest.closed_at``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import Callable
from enum import Enum

from openrouter_core.testing.records import RecordedRequest
from openrouter_core.testing.render import Abort, ResponsePlan, Send, Stall
from openrouter_core.testing.wire import (
    LAST_CHUNK,
    BadRequestError,
    ParsedRequest,
    RequestReader,
    chunk,
    response_head,
)

Dispatch = Callable[[ParsedRequest], "tuple[RecordedRequest, ResponsePlan]"]
"""Records a parsed request and decides the plan answering it (runs on the loop thread)."""

_BAD_BODY = b'{"error":{"message":"Bad Request","code":400}}'
_BAD_REQUEST = response_head(400, [("Content-Type", "application/json")], chunked=False,
                             content_length=len(_BAD_BODY), keep_alive=False) + _BAD_BODY


class Outcome(Enum):
    """How a response ended."""

    KEEP = "keep"
    """Delivered; the connection may carry the next request."""
    CLOSE = "close"
    """Delivered (or cut short on purpose); close the connection."""
    GONE = "gone"
    """Reset by us or closed by the client; nothing more to do."""


def abort_with_reset(writer: asyncio.StreamWriter) -> None:
    """Drop the connection with a TCP RST (SO_LINGER 0), sending nothing buffered."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Connection:
    """Serves the requests of one accepted socket in order (HTTP/1.1 keep-alive)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 dispatch: Dispatch, notify: Callable[[], None]) -> None:
        self.reader = RequestReader(reader)
        self.writer = writer
        self.dispatch = dispatch
        self.notify = notify
        self._written = False

    async def serve(self) -> None:
        """Answer requests until the client or a plan closes the connection."""
        try:
            while True:
                try:
                    parsed = await self.reader.read_request()
                except BadRequestError:
                    self.writer.write(_BAD_REQUEST)
                    await self.writer.drain()
                    break
                if parsed is None:
                    break
                if parsed.headers.get("expect", "").lower() == "100-continue":
                    self.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                record, plan = self.dispatch(parsed)
                outcome = await self._respond(record, plan, parsed.keep_alive)
                if outcome is not Outcome.KEEP:
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            if not self.writer.transport.is_closing():
                self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()

    async def _respond(self, record: RecordedRequest, plan: ResponsePlan,
                       keep_alive: bool) -> Outcome:
        self._written = False
        sender = asyncio.ensure_future(self._send(record, plan, keep_alive))
        watcher = asyncio.ensure_future(self.reader.wait_for_eof())
        try:
            await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not sender.done():
                sender.cancel()
            watcher.cancel()
            await asyncio.gather(sender, watcher, return_exceptions=True)
        if sender.cancelled() or sender.exception() is not None:
            # The client went away (EOF, reset or broken pipe); if that happened before the
            # last byte was handed to the socket, the client cancelled the response.
            if not self._written:
                record.closed_at = time.monotonic()
                self.notify()
            self.writer.transport.abort()
            return Outcome.GONE
        return sender.result()

    async def _send(self, record: RecordedRequest, plan: ResponsePlan,
                    keep_alive: bool) -> Outcome:
        if plan.header_delay:
            await asyncio.sleep(plan.header_delay)
        if plan.abort_before_headers:
            abort_with_reset(self.writer)
            return Outcome.GONE
        keep = keep_alive and not plan.close
        self.writer.write(response_head(plan.status, plan.headers, chunked=plan.chunked,
                                        content_length=plan.content_length, keep_alive=keep))
        record.status = plan.status
        for step in plan.steps:
            if isinstance(step, Send):
                if step.delay:
                    await self.writer.drain()
                    await asyncio.sleep(step.delay)
                if step.data:
                    self.writer.write(chunk(step.data) if plan.chunked else step.data)
                    await self.writer.drain()
            elif isinstance(step, Stall):
                await self.writer.drain()
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Abort):
                await self.writer.drain()
                abort_with_reset(self.writer)
                return Outcome.GONE
        if plan.chunked:
            self.writer.write(LAST_CHUNK)
        self._written = True
        await self.writer.drain()
        return Outcome.KEEP if keep else Outcome.CLOSE
