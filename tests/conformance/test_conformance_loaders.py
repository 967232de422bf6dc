"""Unit tests for the recording loaders and the reference expectations.

The format samples below are written by hand for these tests (tiny, made-up payloads); nothing
is copied from the real recordings, which are only read from ``OPENROUTER_REAL_TRAFFIC_DIR``.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from tests.conformance.expected import (
    expected_error,
    expected_from_sse,
    expected_reply,
)
from tests.conformance.recordings import (
    Exchange,
    chat_exchanges,
    is_chat_completion,
    load_exchanges,
    load_file,
    replay_headers,
    source_ids,
    traffic_root,
)

CHAT_URL = "https://openrouter.ai/api/v1/chat/completions"
REPLY = {
    "id": "gen-test-1",
    "provider": "Test",
    "model": "test/model",
    "object": "chat.completion",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "hello"}}],
}
REPLY_BYTES = json.dumps(REPLY).encode()
SSE = (
    b": OPENROUTER PROCESSING\n\n"
    b'data: {"id":"gen-test-2","choices":[{"index":0,"delta":{"content":"he"}}]}\n\n'
    b'data: {"id":"gen-test-2","choices":[{"index":0,"delta":{"content":"llo"},'
    b'"finish_reason":"end_turn"}]}\n\n'
    b"data: [DONE]\n\n"
)


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _only(exchanges: list[Exchange]) -> Exchange:
    assert len(exchanges) == 1
    return exchanges[0]


def test_vcrpy_string_body(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.yaml", f"""
interactions:
- request:
    body: '{{"model": "m", "messages": [], "stream": false}}'
    method: POST
    uri: {CHAT_URL}
  response:
    body:
      string: {json.dumps(REPLY_BYTES.decode())}
    headers:
      Content-Type:
      - application/json
      Content-Length:
      - '999'
    status:
      code: 200
      message: OK
version: 1
""")
    exchange = _only(load_file(path))
    assert exchange.method == "POST"
    assert exchange.url == CHAT_URL
    assert exchange.request_json == {"model": "m", "messages": [], "stream": False}
    assert exchange.body == REPLY_BYTES
    assert exchange.headers == {"content-type": "application/json", "content-length": "999"}
    assert replay_headers(exchange) == {"content-type": "application/json"}
    assert exchange.source_id == "a.yaml"
    assert exchange.test_id == "a.yaml#0"
    assert is_chat_completion(exchange)
    assert not exchange.streamed_request


def test_vcrpy_parsed_body_is_reserialised_as_json(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.yaml", f"""
interactions:
- request:
    method: POST
    parsed_body:
      model: m
      stream: true
    uri: {CHAT_URL}
  response:
    headers:
      content-type:
      - application/json
    parsed_body:
      choices:
      - message:
          content: hi
      usage:
        cost: 6.0e-07
    status:
      code: 200
version: 1
""")
    exchange = _only(load_file(path))
    assert exchange.request_json == {"model": "m", "stream": True}
    assert exchange.streamed_request
    assert json.loads(exchange.body) == {"choices": [{"message": {"content": "hi"}}],
                                         "usage": {"cost": 6e-7}}


def test_vcrpy_gzip_binary_body_is_decompressed(tmp_path: Path) -> None:
    packed = base64.b64encode(gzip.compress(b"\n   \n" + REPLY_BYTES)).decode()
    path = _write(tmp_path, "c.yaml", f"""
interactions:
- request:
    body: null
    method: POST
    uri: {CHAT_URL}
  response:
    body:
      string: !!binary |
        {packed}
    headers:
      Content-Encoding:
      - gzip
      Content-Type:
      - application/json
    status:
      code: 200
version: 1
""")
    exchange = _only(load_file(path))
    assert exchange.body == b"\n   \n" + REPLY_BYTES
    assert exchange.request_json is None
    assert "content-encoding" not in replay_headers(exchange)
    assert exchange.body_json() == REPLY


def test_ruby_vcr_binary_tag(tmp_path: Path) -> None:
    packed = base64.b64encode(REPLY_BYTES).decode()
    path = _write(tmp_path, "d.yml", f"""---
http_interactions:
- request:
    method: post
    uri: {CHAT_URL}
    body:
      encoding: UTF-8
      string: '{{"model":"m","messages":[{{"role":"user","content":"hi"}}]}}'
    headers:
      Accept:
      - "*/*"
  response:
    status:
      code: 401
      message: Unauthorized
    headers:
      Content-Type:
      - application/json
      Set-Cookie:
      - a=1
      - b=2
    body:
      encoding: ASCII-8BIT
      string: !binary |-
        {packed}
  recorded_at: Mon, 01 Jan 2026 00:00:00 GMT
recorded_with: VCR 6.4.0
""")
    exchange = _only(load_file(path))
    assert exchange.method == "POST"
    assert exchange.status == 401
    assert exchange.body == REPLY_BYTES
    assert exchange.headers["set-cookie"] == "a=1, b=2"
    assert isinstance(exchange.request_json, dict)
    assert exchange.request_json["model"] == "m"


def test_go_vcr_v2(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.yaml", f"""---
version: 2
interactions:
- id: 0
  request:
    proto: HTTP/1.1
    body: '{{"model":"m","messages":[],"stream":true}}'
    url: {CHAT_URL}
    method: POST
  response:
    proto: HTTP/2.0
    body: {json.dumps(SSE.decode())}
    headers:
      Content-Type:
      - text/event-stream
    status: 200 OK
    code: 200
""")
    exchange = _only(load_file(path))
    assert exchange.body == SSE
    assert exchange.is_sse
    assert exchange.streamed_request


def test_rig_when_then_documents(tmp_path: Path) -> None:
    document = f"""when:
  path: /api/v1/chat/completions
  method: POST
  body: '{{"model":"m","messages":[]}}'
then:
  status: 429
  header:
  - name: content-type
    value: application/json
  body: {json.dumps('{"error":{"code":429,"message":"slow down"}}')}
"""
    path = _write(tmp_path, "f.yaml", document + "---\n" + document)
    exchanges = load_file(path)
    assert [e.index for e in exchanges] == [0, 1]
    assert exchanges[1].url == CHAT_URL
    assert exchanges[1].status == 429
    assert exchanges[1].headers == {"content-type": "application/json"}


def test_httprr_records(tmp_path: Path) -> None:
    request_body = b'{"model":"m","messages":[],"stream":true}'
    request = (b"POST " + CHAT_URL.encode() + b" HTTP/1.1\r\nHost: openrouter.ai\r\n"
               b"Content-Length: " + str(len(request_body)).encode() + b"\r\n\r\n" + request_body)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (SSE[:10], SSE[10:])) + b"0\r\n\r\n"
    responses = [
        b"HTTP/2.0 200 OK\r\nContent-Type: text/event-stream\r\n"
        b"Content-Length: " + str(len(SSE)).encode() + b"\r\n\r\n" + SSE,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunked,
    ]
    data = b"httprr trace v1\n" + b"".join(
        b"%d %d\n%s%s" % (len(request), len(r), request, r) for r in responses
    )
    exchanges = load_file(_write(tmp_path, "g.httprr", data))
    assert [e.body for e in exchanges] == [SSE, SSE]
    assert exchanges[0].request_json == {"model": "m", "messages": [], "stream": True}
    assert exchanges[0].method == "POST"
    assert exchanges[0].headers["content-type"] == "text/event-stream"


def test_har_entries(tmp_path: Path) -> None:
    har = {"log": {"entries": [
        {"request": {"method": "POST", "url": CHAT_URL,
                     "postData": {"text": '{"model":"m","messages":[]}'}},
         "response": {"status": 200,
                      "headers": [{"name": "Content-Type", "value": "application/json"}],
                      "content": {"text": REPLY_BYTES.decode()}}},
        {"request": {"method": "GET", "url": "https://openrouter.ai/api/v1/models"},
         "response": {"status": 200, "headers": [],
                      "content": {"text": base64.b64encode(b'{"data":[]}').decode(),
                                  "encoding": "base64"}}},
    ]}}
    exchanges = load_file(_write(tmp_path, "h.har", json.dumps(har)))
    assert exchanges[0].body == REPLY_BYTES
    assert exchanges[1].body == b'{"data":[]}'
    assert [is_chat_completion(e) for e in exchanges] == [True, False]


def test_bare_body_files(tmp_path: Path) -> None:
    sse = _only(load_file(_write(tmp_path, "x.sse", SSE)))
    chat = _only(load_file(_write(tmp_path, "y.json", b"\n  \n" + REPLY_BYTES)))
    other = _only(load_file(_write(tmp_path, "z.json", b'{"object":"list","data":[]}')))
    assert (sse.method, sse.url, sse.request_json) == ("", "", None)
    assert sse.is_sse and sse.streamed_request
    assert [is_chat_completion(e) for e in (sse, chat, other)] == [True, True, False]


def test_index_ids_and_folder_loading(tmp_path: Path) -> None:
    (tmp_path / "owner__repo").mkdir()
    _write(tmp_path / "owner__repo", "x.sse", SSE)
    _write(tmp_path / "owner__repo", "unlisted.json", REPLY_BYTES)
    _write(tmp_path, "INDEX.md",
           "| ID | Saved file |\n|---|---|\n| ABC-01 | `owner__repo/x.sse` |\n")
    assert source_ids(tmp_path) == {"owner__repo/x.sse": "ABC-01"}
    exchanges = load_exchanges(tmp_path)
    assert sorted(e.test_id for e in exchanges) == ["ABC-01#0", "unlisted.json#0"]
    assert {e.file for e in exchanges} == {"owner__repo/x.sse", "owner__repo/unlisted.json"}
    assert len(chat_exchanges(tmp_path)) == 2


def test_unknown_format_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a recording format"):
        load_file(_write(tmp_path, "notes.txt", "hello"))


# --- reference expectations --------------------------------------------------------------------


def test_expected_from_sse_merges_everything() -> None:
    chunks = [
        {"provider": "P", "model": "m", "choices": [{"delta": {
            "reasoning": "th", "reasoning_details": [
                {"type": "reasoning.text", "index": 0, "text": "th", "format": "f"}]}}]},
        {"choices": [{"delta": {"reasoning": "ink", "reasoning_details": [
            {"type": "reasoning.text", "index": 0, "text": "ink"}]}}]},
        {"choices": [{"delta": {"reasoning_details": [
            {"type": "reasoning.text", "index": 0, "signature": "sig"}]}}]},
        {"choices": [{"delta": {"tool_calls": [
            {"index": 0, "id": "call_1", "function": {"name": "f", "arguments": ""}}]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}}]},
        {"choices": [{"delta": {"content": "ok", "images": [
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]},
            "finish_reason": "tool_use", "native_finish_reason": "tool_use"}]},
        {"choices": [{"delta": {}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0,
                   "prompt_tokens_details": {"cached_tokens": 1}}},
    ]
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    reply = expected_from_sse(body + b"data: [DONE]\n\n")
    assert reply.reasoning == "think"
    assert reply.reasoning_details == [
        {"type": "reasoning.text", "index": 0, "text": "think", "format": "f", "signature": "sig"}
    ]
    assert [(t.id, t.name, t.arguments) for t in reply.tool_calls] == [("call_1", "f", "{}")]
    assert reply.image_urls == ["data:image/png;base64,AA=="]
    assert reply.finish_reason == "tool_use"  # as sent, never renamed
    assert reply.native_finish_reason == "tool_use"
    assert reply.usage is not None and reply.usage.cost == 0.0 and reply.usage.cached_tokens == 1
    assert (reply.provider, reply.model, reply.content) == ("P", "m", "ok")


def test_expected_mid_stream_error() -> None:
    body = (b'data: {"choices":[{"delta":{"content":"par"}}]}\n\n'
            b'data: {"error":{"code":502,"message":"upstream died"},"choices":[]}\n\n'
            b"data: [DONE]\n\n")
    reply = expected_from_sse(body)
    assert reply.stream_error is not None
    assert (reply.stream_error.status, reply.stream_error.message) == (502, "upstream died")
    assert reply.partial_content == "par"


def test_expected_error_under_http_200() -> None:
    body = b'{"error":{"code":429,"message":"busy","metadata":{"provider_name":"P"}}}'
    exchange = Exchange("X", "x", 0, "POST", CHAT_URL, None, 200,
                        {"content-type": "application/json"}, body)
    error = expected_error(exchange)
    assert error is not None
    assert (error.status, error.message, error.provider_name) == (429, "busy", "P")


def test_expected_json_reply_and_finish_words() -> None:
    exchange = Exchange("X", "x", 0, "POST", CHAT_URL, None, 200,
                        {"content-type": "application/json"}, b"\n \n" + REPLY_BYTES)
    assert expected_error(exchange) is None
    reply = expected_reply(exchange)
    assert (reply.content, reply.finish_reason, reply.provider) == ("hello", "stop", "Test")


# --- the real folder ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_root() -> Path:
    root = traffic_root()
    if root is None:
        pytest.skip("OPENROUTER_REAL_TRAFFIC_DIR is not set")
    return root


def test_every_real_recording_loads(real_root: Path) -> None:
    exchanges = load_exchanges(real_root)
    files = {e.file for e in exchanges}
    listed = source_ids(real_root)
    assert files == set(listed), "every saved file yields exchanges and is listed in INDEX.md"
    assert all(e.source_id == listed[e.file] for e in exchanges)
    assert all(e.status >= 100 and e.body for e in exchanges)
    assert not any(e.body.startswith(b"\x1f\x8b") for e in exchanges), "gzip left encoded"


def test_real_chat_exchanges_are_readable(real_root: Path) -> None:
    exchanges = chat_exchanges(real_root)
    assert exchanges
    for exchange in exchanges:
        if exchange.is_sse:
            assert expected_from_sse(exchange.body).model, exchange.test_id
        else:
            assert isinstance(exchange.body_json(), dict), exchange.test_id
