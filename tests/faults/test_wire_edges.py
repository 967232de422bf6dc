"""Wire edges: characters split into UTF-16 halves across SSE events, through both adapters."""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core.decode import decode_response, valid_text
from openrouter_core.stream import StreamAssembler
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-wire-edges"
MODEL = "openai/gpt-4o-mini"
# "Hi 😀 there" with the emoji's two UTF-16 halves in different events, as some providers send.
PIECES = ["Hi \ud83d", "\ude00 there"]
WHOLE = "Hi \U0001F600 there"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {"id": "gen-u", "object": "chat.completion.chunk", "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    # ensure_ascii keeps the halves as \\ud83d / \\ude00 escapes, exactly as on the wire.
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _sse(events: list[dict[str, Any]]) -> Reply:
    data = b"".join(_chunk(e) for e in events) + _chunk({}, "stop") + b"data: [DONE]\n\n"
    return Reply.raw(200, {"Content-Type": "text/event-stream"}, data)


def _valid(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_valid_text_pairs_halves_and_replaces_lone_ones() -> None:
    assert valid_text("\ud83d\ude00") == "\U0001F600"
    assert valid_text("a\ud83db") == "a\ufffdb"
    assert valid_text("plain") == "plain"


def test_the_assembler_holds_a_high_half_until_its_low_half() -> None:
    assembler = StreamAssembler()
    out = []
    for channel in ("content", "reasoning"):
        for piece in PIECES:
            delta = assembler.feed_event({"choices": [{"index": 0, "delta": {channel: piece}}]})
            assert delta is not None
            out.append(getattr(delta, channel) or "")
    assert all(_valid(p) for p in out)
    result = assembler.result()
    assert (result.content, result.reasoning) == (WHOLE, WHOLE)


def test_tool_call_arguments_and_a_dangling_half() -> None:
    assembler = StreamAssembler()
    args = ['{"q": "\ud83d', '\ude00"}']
    for index, piece in enumerate(args):
        call: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
        if index == 0:
            call.update(id="call_1", type="function")
            call["function"]["name"] = "search"
        assembler.feed_event({"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]})
    assembler.feed_event({"choices": [{"index": 0, "delta": {"content": "end \ud83d"}}]})
    result = assembler.result()
    assert json.loads(result.tool_calls[0].arguments) == {"q": "\U0001F600"}
    assert result.content == "end \ufffd"  # no other half ever came: not a lone surrogate


def test_non_streamed_bodies_are_valid_unicode() -> None:
    body = {"choices": [{"index": 0, "message": {"role": "assistant",
                                                 "content": "ok \ud83d\ude00 and \udc00"}}]}
    assert decode_response(json.loads(json.dumps(body))).content == "ok \U0001F600 and \ufffd"


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_both_adapters_stream_whole_characters(openrouter_emulator: Emulator,
                                               framework: str) -> None:
    openrouter_emulator.enqueue(_sse([{"content": p} for p in PIECES]))
    if framework == "langchain":
        model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=openrouter_emulator.base_url)
        pieces = [c.text for c in model.stream("hi")]
    else:
        llm = OpenRouter(model=MODEL, api_key=KEY, api_base=openrouter_emulator.base_url)
        pieces = [r.delta or "" for r in llm.stream_chat([ChatMessage(role="user",
                                                                      content="hi")])]
    assert all(_valid(p) for p in pieces)
    assert "".join(pieces) == WHOLE


def test_a_dangling_half_at_the_end_is_streamed_as_a_replacement(
        openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(_sse([{"content": "bye \ud83d"}]))
    model = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=openrouter_emulator.base_url)
    pieces = [c.text for c in model.stream("hi")]
    assert "".join(pieces) == "bye \ufffd"
    assert all(_valid(p) for p in pieces)


def test_non_streamed_tool_arguments_are_valid_unicode() -> None:
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function",
         "function": {"name": "f", "arguments": '{"q": "\ud83d"}'}}]}}]}
    arguments = decode_response(json.loads(json.dumps(body))).tool_calls[0].arguments
    assert _valid(arguments)
    assert json.loads(arguments) == {"q": "\ufffd"}
