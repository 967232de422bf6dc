"""Canned OpenRouter replies for the benchmarks, pre-rendered to bytes once.

Stdlib only: the parent (``run.py``) serves these bytes from the emulator, and every worker,
whatever virtualenv it runs in, imports this module for the workload parameters and the
expected results (so a broken integration cannot look fast).

Shapes follow the "Wire-format facts" of the recorded OpenRouter traffic: ``gen-`` ids,
``provider`` and ``native_finish_reason`` on every chunk, ``role`` repeated in every delta, a
keep-alive comment, the finish chunk sent twice with the second copy carrying ``usage`` (cost
included), and ``data: [DONE]``; non-streamed bodies start with OpenRouter's whitespace padding.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

Kind = Literal["text", "tool", "json"]

GEN_ID = "gen-1700000000-EmulatedIdForTests01"
CREATED = 1762179802
SERVED_MODEL = "openai/gpt-4o-mini"
PROVIDER = "OpenAI"
FINGERPRINT = "fp_560af6e559"
"""OpenAI-served replies carry ``system_fingerprint`` (and some clients require it)."""
TOOL_NAME = "get_weather"
TOOL_CALL_ID = "call_Xq3bV9mT2kLp8RzW1nYc4Hd0"
PROMPT_PREFIX = "benchmark payload: "
"""The user message is ``PROMPT_PREFIX + <payload name>``; the server picks the reply by it."""

_WORDS = ("The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog",
          ",", " and", " then", " it", " runs", " away", " again", ".", " Étienne", " said",
          " 42", " times", ":", ' "no"', "!")
_COMMENT = b": OPENROUTER PROCESSING\n\n"
_DONE = b"data: [DONE]\n\n"
_PADDING = (b"\n" + b" " * 9 + b"\n") * 3

TOOL_SCHEMA: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Get the weather for a location.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}, "notes": {"type": "string"}},
            "required": ["location", "notes"],
        },
    },
}
"""The tool offered in the tool-call workload (OpenAI tool dict)."""


@cache
def tool_schemas(count: int) -> tuple[dict[str, Any], ...]:
    """``count`` tools to bind: :data:`TOOL_SCHEMA` (the one the payloads call) and look-alikes.

    Shared and cached: clients must treat them as read-only (the ones measured here do).
    """
    extra = ({"type": "function", "function": {
        "name": f"lookup_{i}", "description": f"Look up record kind {i} by key.",
        "parameters": {"type": "object", "required": ["key"], "properties": {
            "key": {"type": "string"}, "limit": {"type": "integer"}}}}}
        for i in range(1, count))
    return (TOOL_SCHEMA, *extra)


@cache
def conversation(count: int, name: str) -> tuple[dict[str, str], ...]:
    """A chat of ``count`` messages ending with the request for payload ``name``.

    Alternating user and assistant turns of about 60 characters, none naming a payload (the
    server picks the reply from the last message). Cached and read-only, as above.
    """
    turns = ({"role": "assistant" if i % 2 else "user",
              "content": f"Turn {i}: " + "".join(words(12)).strip()}
             for i in range(count - 1, 0, -1))
    return (*turns, {"role": "user", "content": PROMPT_PREFIX + name})


@dataclass(frozen=True, slots=True)
class Payload:
    """One canned reply: what is sent, and what a correct client must end up with."""

    name: str
    kind: Kind
    chunks: int
    """Content-bearing chunks (text deltas, or tool argument fragments after the header)."""
    text: str
    """The final text (``""`` for the tool call)."""
    arguments: str
    """The final tool-call arguments JSON (``""`` for text)."""

    @property
    def text_crc(self) -> int:
        """CRC-32 of the UTF-8 final text (workers compare theirs against it)."""
        return zlib.crc32(self.text.encode())

    @property
    def text_bytes(self) -> int:
        """Size of the final text in UTF-8."""
        return len(self.text.encode())

    def body(self) -> bytes:
        """The response body bytes (SSE for streams, padded JSON otherwise)."""
        return _render(self.name)

    def summary(self) -> dict[str, Any]:
        """Expected result, in the shape workers report theirs."""
        return {"chunks": self.chunks, "text_len": len(self.text), "text_crc": self.text_crc,
                "args_crc": zlib.crc32(self.arguments.encode())}


def words(count: int) -> list[str]:
    """``count`` deterministic word-sized text pieces (some non-ASCII, as real text has)."""
    return [_WORDS[i % len(_WORDS)] for i in range(count)]


def tool_arguments(fragments: int) -> tuple[str, list[str]]:
    """A tool-call arguments JSON text and its split into ``fragments`` token-like pieces."""
    notes = " ".join(f"item{i}" for i in range(fragments * 2))
    text = json.dumps({"location": "Florence, Italy", "notes": notes}, separators=(",", ":"))
    size, rest = divmod(len(text), fragments)
    pieces, start = [], 0
    for i in range(fragments):
        end = start + size + (1 if i < rest else 0)
        pieces.append(text[start:end])
        start = end
    return text, pieces


def _spec(name: str) -> tuple[Kind, int]:
    kind, _, count = name.partition("-")
    if kind not in ("text", "tool", "json"):
        raise ValueError(f"unknown payload {name!r}")
    return kind, int(count)  # type: ignore[return-value]


@cache
def payload(name: str) -> Payload:
    """The payload called ``name``: ``text-<N>``, ``tool-<N fragments>`` or ``json-<N words>``."""
    kind, count = _spec(name)
    if kind == "tool":
        arguments, _ = tool_arguments(count)
        return Payload(name, kind, count, "", arguments)
    return Payload(name, kind, count, "".join(words(count)), "")


def _chunk(delta: dict[str, Any], finish: str | None = None,
           usage: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {
        "id": GEN_ID, "object": "chat.completion.chunk", "created": CREATED,
        "model": SERVED_MODEL, "provider": PROVIDER, "system_fingerprint": FINGERPRINT,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                     "native_finish_reason": finish, "logprobs": None}],
    }
    if usage is not None:
        body["usage"] = usage
    return b"data: " + json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode() + \
        b"\n\n"


def usage(completion_tokens: int) -> dict[str, Any]:
    """An OpenRouter usage object with cost, cost details and token details."""
    prompt_tokens = 12
    cost = round(prompt_tokens * 1.5e-7 + completion_tokens * 6e-7, 9)
    return {
        "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens, "cost": cost, "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0,
                                  "audio_tokens": 0, "video_tokens": 0},
        "cost_details": {"upstream_inference_cost": cost,
                         "upstream_inference_prompt_cost": round(prompt_tokens * 1.5e-7, 9),
                         "upstream_inference_completions_cost": round(
                             completion_tokens * 6e-7, 9)},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0,
                                      "audio_tokens": 0},
    }


@cache
def _render(name: str) -> bytes:
    kind, count = _spec(name)
    if kind == "json":
        return _PADDING + _completion(count)
    parts = [_COMMENT]
    if kind == "text":
        parts.extend(_chunk({"role": "assistant", "content": w}) for w in words(count))
        finish = "stop"
        end_delta: dict[str, Any] = {"role": "assistant", "content": ""}
    else:
        _, fragments = tool_arguments(count)
        header = {"index": 0, "id": TOOL_CALL_ID, "type": "function",
                  "function": {"name": TOOL_NAME, "arguments": ""}}
        parts.append(_chunk({"role": "assistant", "content": None, "tool_calls": [header]}))
        parts.extend(_chunk({"role": "assistant", "content": None,
                             "tool_calls": [{"index": 0, "function": {"arguments": f}}]})
                     for f in fragments)
        finish = "tool_calls"
        end_delta = {"role": "assistant", "content": ""}
    parts.append(_chunk(end_delta, finish))
    parts.append(_chunk(end_delta, finish, usage(count)))
    parts.append(_DONE)
    return b"".join(parts)


def _completion(count: int) -> bytes:
    body = {
        "id": GEN_ID, "provider": PROVIDER, "model": SERVED_MODEL, "object": "chat.completion",
        "created": CREATED, "system_fingerprint": FINGERPRINT,
        "choices": [{"logprobs": None, "finish_reason": "stop", "native_finish_reason": "stop",
                     "index": 0,
                     "message": {"role": "assistant", "content": "".join(words(count)),
                                 "refusal": None, "reasoning": None}}],
        "usage": usage(count),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def content_type(name: str) -> str:
    """The response ``Content-Type`` for payload ``name``."""
    return "application/json" if _spec(name)[0] == "json" else "text/event-stream"


def payload_name(request_body: Any) -> str | None:
    """The payload a chat request asks for (its last message), or ``None``."""
    if not isinstance(request_body, dict) or not request_body.get("messages"):
        return None
    content = request_body["messages"][-1].get("content")
    if isinstance(content, list):  # content parts: join the text ones
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content.startswith(PROMPT_PREFIX):
        return None
    return content[len(PROMPT_PREFIX):].strip()
