"""HTTP/1.1 request parsing and response framing, without sockets."""

from __future__ import annotations

import asyncio

import pytest

from openrouter_core.testing.wire import (
    BadRequestError,
    RequestReader,
    chunk,
    reason_phrase,
    response_head,
)


def reader_for(*pieces: bytes, eof: bool = True) -> RequestReader:
    stream = asyncio.StreamReader()
    for piece in pieces:
        stream.feed_data(piece)
    if eof:
        stream.feed_eof()
    return RequestReader(stream)


async def test_two_requests_split_anywhere():
    data = (b"POST /a?q=1 HTTP/1.1\r\nContent-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\nabc"
            b"GET /b HTTP/1.1\r\nConnection: close\r\n\r\n")
    reader = reader_for(*[data[i:i + 7] for i in range(0, len(data), 7)])
    first = await reader.read_request()
    assert first is not None
    assert (first.method, first.path, first.query, first.body) == ("POST", "/a", "q=1", b"abc")
    assert first.headers["x-a"] == "1, 2"
    assert first.keep_alive
    second = await reader.read_request()
    assert second is not None
    assert second.path == "/b"
    assert not second.keep_alive
    assert await reader.read_request() is None


async def test_bytes_read_while_watching_are_kept():
    stream = asyncio.StreamReader()
    reader = RequestReader(stream)
    watcher = asyncio.ensure_future(reader.wait_for_eof())
    stream.feed_data(b"GET / HTTP/1.1\r\n\r\n")
    await asyncio.sleep(0)
    watcher.cancel()
    request = await reader.read_request()
    assert request is not None
    assert request.path == "/"


@pytest.mark.parametrize("data", [b"BAD\r\n\r\n", b"GET / HTTP/1.1\r\nno-colon\r\n\r\n",
                                  b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                                  b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc",
                                  b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                                  b"GET / HTTP/1.1\r\n"])
async def test_bad_requests(data):
    with pytest.raises(BadRequestError):
        await reader_for(data).read_request()


def test_response_framing():
    head = response_head(200, [("Content-Type", "text/event-stream"), ("Connection", "x")],
                         chunked=True, content_length=None, keep_alive=True)
    assert head == (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    b"Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
    head = response_head(599, [], chunked=False, content_length=5, keep_alive=False)
    assert head == b"HTTP/1.1 599 Unknown\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
    assert chunk(b"hello world, 16b") == b"10\r\nhello world, 16b\r\n"
    assert reason_phrase(429) == "Too Many Requests"
