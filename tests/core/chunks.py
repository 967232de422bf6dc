"""Builders for OpenRouter-shaped stream chunks, written from the wire-format facts."""

from __future__ import annotations

import json
from typing import Any

GEN_ID = "gen-1700000000-ABCDEFGHIJKLMNOPQRST"


def chunk(delta: dict[str, Any] | None = None, *, finish: str | None = None,
          native: str | None = None, usage: dict[str, Any] | None = None,
          choices: bool = True, **top: Any) -> dict[str, Any]:
    """One chunk in the 2026 key order, with ``provider`` and a role on every delta."""
    body: dict[str, Any] = {"id": GEN_ID, "object": "chat.completion.chunk",
                            "created": 1700000000, "model": "openai/gpt-4o",
                            "provider": "OpenAI", **top}
    if choices:
        body["choices"] = [{"index": 0, "delta": {"role": "assistant", **(delta or {})},
                            "finish_reason": finish, "native_finish_reason": native}]
    else:
        body["choices"] = []
    if usage is not None:
        body["usage"] = usage
    return body


def text(piece: str) -> dict[str, Any]:
    """A text delta."""
    return chunk({"content": piece})


def tool(index: int, *, id: str | None = None, name: str | None = None,
         args: str | None = None) -> dict[str, Any]:
    """A tool-call fragment; header fragments carry id/name/type."""
    call: dict[str, Any] = {"index": index}
    if id is not None:
        call.update(id=id, type="function")
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    call["function"] = function
    return chunk({"content": None, "tool_calls": [call]})


def reasoning(piece: str | None, *, signature: str | None = None,
              fmt: str = "anthropic-claude-v1") -> dict[str, Any]:
    """A reasoning delta; with ``piece=None`` the signature-only fragment Anthropic sends last."""
    detail: dict[str, Any] = {"type": "reasoning.text", "format": fmt, "index": 0}
    delta: dict[str, Any] = {"content": ""}
    if piece is not None:
        detail["text"] = piece
        delta["reasoning"] = piece
    if signature is not None:
        detail["signature"] = signature
    delta["reasoning_details"] = [detail]
    return chunk(delta)


USAGE = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19, "cost": 0.00042,
         "is_byok": False, "prompt_tokens_details": {"cached_tokens": 0},
         "completion_tokens_details": {"reasoning_tokens": 0}}


def finish_with_usage(shape: str, finish: str = "stop",
                      native: str = "stop") -> list[dict[str, Any]]:
    """The end of a stream in each of the three usage shapes seen in real traffic."""
    end = chunk({"content": ""}, finish=finish, native=native)
    if shape == "separate":
        return [end, chunk({"content": ""}, usage=USAGE)]
    if shape == "empty_choices":
        return [end, chunk(choices=False, usage=USAGE)]
    if shape == "repeat_finish":
        return [end, chunk({"content": ""}, finish=finish, native=native, usage=USAGE,
                           service_tier=None)]
    raise ValueError(shape)


def sse(chunks: list[dict[str, Any]], *, comments: int = 2, between: bool = True) -> bytes:
    """Serialise chunks as OpenRouter SSE, with keep-alive comment lines."""
    out = [b": OPENROUTER PROCESSING\n\n" * comments]
    for position, item in enumerate(chunks):
        out.append(b"data: " + json.dumps(item).encode() + b"\n\n")
        if between and position % 3 == 1:
            out.append(b": OPENROUTER PROCESSING\n\n")
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)
