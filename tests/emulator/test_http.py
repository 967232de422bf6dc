"""The HTTP/1.1 server itself: framing, keep-alive, routes, raw replay, concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket

import httpx
import openai
import pytest

from openrouter_core.testing import Emulator, Reply

CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}]}
AUTH = {"Authorization": "Bearer sk-or-v1-test"}


def raw_exchange(emu: Emulator, data: bytes) -> bytes:
    """Send raw bytes on a fresh socket; read until the server closes."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            piece = sock.recv(65536)
            if not piece:
                return b"".join(chunks)
            chunks.append(piece)


def test_keep_alive_reuses_one_connection(openrouter_emulator):
    emu = openrouter_emulator
    with httpx.Client(base_url=emu.base_url, headers=AUTH) as client:
        for _ in range(3):
            assert client.post("/chat/completions", json=CHAT).status_code == 200
        emu.enqueue(Reply.text("streamed"))
        with client.stream("POST", "/chat/completions", json={**CHAT, "stream": True}) as r:
            assert r.headers["transfer-encoding"] == "chunked"
            assert r.headers["content-type"] == "text/event-stream"
            body = r.read()
        assert body.endswith(b"data: [DONE]\n\n")
        assert client.post("/chat/completions", json=CHAT).status_code == 200
    assert emu.connections_opened == 1
    assert len(emu.chat_requests) == 5


def test_json_reply_headers_and_padding(openrouter_emulator):
    with httpx.Client(base_url=openrouter_emulator.base_url) as client:
        response = client.post("/chat/completions", json=CHAT)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.content.startswith(b"\n         \n")
    assert response.headers["x-generation-id"] == response.json()["id"]


def test_unknown_route_is_404_in_openrouter_shape(openrouter_emulator):
    with httpx.Client(base_url=openrouter_emulator.base_url) as client:
        response = client.get("/nope")
        wrong_method = client.get("/chat/completions")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404
    assert wrong_method.status_code == 404
    assert openrouter_emulator.requests[0].path == "/api/v1/nope"


def test_require_api_key_exact_body(openrouter_emulator):
    openrouter_emulator.require_api_key = "sk-or-v1-x"
    with httpx.Client(base_url=openrouter_emulator.base_url) as client:
        response = client.post("/chat/completions", json=CHAT)
    assert response.status_code == 401
    assert response.json() == {"error": {"message": "Missing Authentication header",
                                         "code": 401}}


def test_raw_reply_is_byte_exact(openrouter_emulator):
    body = (b": OPENROUTER PROCESSING\n\n"
            b'data: {"id":"gen-1-x","choices":[{"index":0,"delta":{"content":"\xc3\xa9"}}]}\n\n'
            b"data: [DONE]\n\n")
    openrouter_emulator.enqueue(Reply.raw(200, {"Content-Type": "text/event-stream",
                                                "X-Generation-Id": "gen-1-x",
                                                "Transfer-Encoding": "chunked"}, body))
    gzipped = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xabV\xcaH\xcd\xc9\xc9W\xb2R\xa8\x05\x00"
    openrouter_emulator.enqueue(Reply.raw(200, {"Content-Type": "application/json",
                                                "Content-Encoding": "gzip"}, gzipped))
    with httpx.Client(base_url=openrouter_emulator.base_url) as client:
        with client.stream("POST", "/chat/completions", json=CHAT) as response:
            received = b"".join(response.iter_raw())
        assert received == body
        assert response.headers["x-generation-id"] == "gen-1-x"
        with client.stream("POST", "/chat/completions", json=CHAT) as response:
            assert b"".join(response.iter_raw()) == gzipped


def test_chunked_request_body_and_query(openrouter_emulator):
    payload = json.dumps(CHAT).encode()
    half = len(payload) // 2
    request = (b"POST /api/v1/chat/completions?x=1 HTTP/1.1\r\nHost: t\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               + b"%x\r\n%b\r\n" % (half, payload[:half])
               + b"%x;ext=1\r\n%b\r\n" % (len(payload) - half, payload[half:])
               + b"0\r\nX-Trailer: 1\r\n\r\n")
    response = raw_exchange(openrouter_emulator, request)
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close" in response
    (recorded,) = openrouter_emulator.requests
    assert recorded.body == payload
    assert recorded.json == CHAT
    assert recorded.query == "x=1"


def test_garbage_request_gets_400(openrouter_emulator):
    response = raw_exchange(openrouter_emulator, b"NONSENSE\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 400 ")


def test_http_1_0_closes_and_expect_continue(openrouter_emulator):
    payload = json.dumps(CHAT).encode()
    head = b"POST /api/v1/chat/completions HTTP/1.0\r\nContent-Length: %d\r\n" % len(payload)
    response = raw_exchange(openrouter_emulator, head + b"Expect: 100-continue\r\n\r\n" + payload)
    assert response.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")


def test_embeddings_and_models_with_the_openai_sdk(openrouter_emulator):
    client = openai.OpenAI(base_url=openrouter_emulator.base_url, api_key="sk-or-v1-test",
                           max_retries=0)
    result = client.embeddings.create(model="openai/text-embedding-3-small",
                                      input=["a", "b", "a"])
    vectors = [d.embedding for d in result.data]
    assert vectors[0] == vectors[2] != vectors[1]
    assert len(vectors[0]) == 8
    raw = client.embeddings.with_raw_response.create(model="m", input="x", dimensions=4)
    body = json.loads(raw.http_response.content)
    assert body["id"].startswith("gen-emb-")
    assert body["usage"]["cost"] > 0
    assert len(body["data"][0]["embedding"]) == 4
    models = client.models.list()
    assert any(m.id == "openai/gpt-4o-mini" for m in models.data)
    openrouter_emulator.enqueue(Reply.json({"data": []}), route="models")
    assert client.models.list().data == []
    client.close()


def test_concurrent_connections(openrouter_emulator):
    emu = openrouter_emulator
    count = 600
    request = (b"POST /api/v1/chat/completions HTTP/1.1\r\nHost: t\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%b")
    payload = json.dumps({**CHAT, "stream": True}).encode()

    async def one(gate: asyncio.Event) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", emu.port)
        await gate.wait()
        writer.write(request % (len(payload), payload))
        await writer.drain()
        data = b""
        while not data.endswith(b"0\r\n\r\n"):
            piece = await reader.read(65536)
            assert piece
            data += piece
        writer.close()
        return data

    async def main() -> list[bytes]:
        gate = asyncio.Event()
        tasks = [asyncio.ensure_future(one(gate)) for _ in range(count)]
        while emu.open_connections < count:
            await asyncio.sleep(0.02)
        gate.set()
        return await asyncio.gather(*tasks)

    responses = asyncio.run(asyncio.wait_for(main(), 20))
    assert all(b"data: [DONE]" in r for r in responses)
    assert emu.connections_opened == count
    assert emu.wait_for_requests(count)


def test_lifecycle_and_context_manager():
    with Emulator() as emu:
        port = emu.port
        assert emu.running
        assert emu.base_url == f"http://127.0.0.1:{port}/api/v1"
        emu.enqueue(Reply.text("x"))
        assert emu.pending == 1
    assert not emu.running
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_completed_stream_is_not_a_cancellation(openrouter_emulator):
    with httpx.Client(base_url=openrouter_emulator.base_url) as client:
        client.post("/chat/completions", json={**CHAT, "stream": True}).raise_for_status()
    assert not openrouter_emulator.wait_for_disconnect(0, timeout=0.2)
    assert openrouter_emulator.requests[0].closed_at is None


def test_stop_ends_a_stalled_stream():
    emu = Emulator().start()
    emu.enqueue(Reply.fault("stall_after", 1, stall_seconds=60))
    payload = json.dumps({**CHAT, "stream": True}).encode()
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"POST /api/v1/chat/completions HTTP/1.1\r\nContent-Length: %d\r\n\r\n%b"
                     % (len(payload), payload))
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
        assert emu.wait_for_requests(1)
        emu.stop()
        assert not emu.running
        sock.settimeout(2)  # a still-open connection would raise TimeoutError here
        with contextlib.suppress(ConnectionResetError):
            while sock.recv(65536):
                pass
