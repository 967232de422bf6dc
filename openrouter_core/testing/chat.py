"""A chat :class:`Reply` → OpenRouter-shaped JSON: stream chunks or a whole completion body.

Pure. Shapes follow the recorded 2026 wire: key order ``id, object, created, model, provider,
[service_tier,] choices, [usage]``; every delta repeats ``"role": "assistant"``; text deltas carry
a content string, tool deltas ``"content": null``, finish deltas ``"content": ""``;
``native_finish_reason`` on every choice; a non-stream message always has ``refusal`` and
``reasoning`` keys.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

from openrouter_core.testing.records import JSONDict, RecordedRequest
from openrouter_core.testing.replies import Reply, ToolCallSpec

PROMPT_PRICE = 1e-6
"""USD the emulator charges per prompt token (fixed, so tests can sum costs)."""
COMPLETION_PRICE = 2e-6
"""USD the emulator charges per completion token."""
IMAGE_TOKENS = 1290
"""Completion tokens counted per generated image (as in the recorded traffic)."""
MAX_TEXT_CHUNKS = 1000
"""Upper bound on streamed text chunks; longer texts are cut into equal slices instead."""

_ALPHANUMERIC = string.ascii_letters + string.digits
_WORDS = re.compile(r"\S*\s*")
_TOKENS = re.compile(r"[A-Za-z]{1,4}|\d+|\s+|[^A-Za-z\d\s]+")


def generation_id(now: float | None = None) -> str:
    """A fresh ``gen-<unix seconds>-<20 alphanumerics>`` id."""
    stamp = int(time.time() if now is None else now)
    return f"gen-{stamp}-{''.join(secrets.choice(_ALPHANUMERIC) for _ in range(20))}"


def tool_call_id() -> str:
    """A fresh OpenAI-style ``call_…`` tool call id."""
    return "call_" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(24))


def split_text(text: str) -> list[str]:
    """~word-size pieces that join back to ``text`` (at most :data:`MAX_TEXT_CHUNKS`)."""
    pieces = [p for p in _WORDS.findall(text) if p]
    if len(pieces) <= MAX_TEXT_CHUNKS:
        return pieces
    size = math.ceil(len(text) / MAX_TEXT_CHUNKS)
    return [text[i:i + size] for i in range(0, len(text), size)]


def split_arguments(arguments: str, mode: str) -> list[str]:
    """Tool argument fragments: ``tokens`` (OpenAI-like), ``pieces`` (10 chars), ``whole``."""
    if mode == "whole" or not arguments:
        return [arguments]
    if mode == "pieces":
        return [arguments[i:i + 10] for i in range(0, len(arguments), 10)]
    return _TOKENS.findall(arguments)


def estimate_tokens(text: str) -> int:
    """Tokens the emulator bills for ``text``: one per four characters, rounded up."""
    return math.ceil(len(text) / 4)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A reply with every default decided for one request (ids, model, finish reasons)."""

    reply: Reply
    id: str
    created: int
    model: str
    calls: tuple[ToolCallSpec, ...]
    finish_reason: str
    native_finish_reason: str
    usage: JSONDict | None

    @classmethod
    def of(cls, reply: Reply, request: RecordedRequest) -> Resolved:
        """Decide ids, served model, finish reasons and usage for ``reply`` to ``request``."""
        now = time.time()
        calls = tuple(c if c.id else ToolCallSpec(c.name, c.arguments, tool_call_id())
                      for c in reply.calls)
        derived = "content_filter" if reply.refusal else ("tool_calls" if calls else "stop")
        finish = reply.finish_reason or derived
        return cls(
            reply=reply,
            id=reply.id or generation_id(now),
            created=reply.created if reply.created is not None else int(now),
            model=reply.model or request.model or "openrouter/auto",
            calls=calls,
            finish_reason=finish,
            native_finish_reason=reply.native_finish_reason or finish,
            usage=compute_usage(reply, request) if reply.send_usage else None,
        )

    def envelope(self, obj: str) -> JSONDict:
        """The leading keys of a chunk or body, in the 2026 order."""
        out: JSONDict = {"id": self.id, "object": obj, "created": self.created,
                         "model": self.model, "provider": self.reply.provider}
        if self.reply.system_fingerprint is not None:
            out["system_fingerprint"] = self.reply.system_fingerprint
        return out


def _reasoning_text(reply: Reply) -> str | None:
    if reply.reasoning_details is not None:
        texts = [str(d.get("text") or d.get("summary") or "") for d in reply.reasoning_details
                 if d.get("type") in ("reasoning.text", "reasoning.summary")]
        return "".join(texts) or None
    if reply.reasoning is None or reply.reasoning_kind == "reasoning.encrypted":
        return None
    return reply.reasoning


def compute_usage(reply: Reply, request: RecordedRequest) -> JSONDict:
    """The usage object: ``reply.usage`` verbatim, else estimated from text lengths."""
    if reply.usage is not None:
        return reply.usage
    prompt = reply.prompt_tokens
    if prompt is None:
        prompt = max(1, estimate_tokens(request.prompt_text))
    reasoning = reply.reasoning_tokens
    if reasoning is None:
        reasoning = estimate_tokens(_reasoning_text(reply) or "")
    images = reply.image_tokens if reply.image_tokens is not None else IMAGE_TOKENS * len(
        reply.images)
    completion = reply.completion_tokens
    if completion is None:
        text = (reply.content or "") + (reply.refusal or "") + "".join(
            c.name + c.arguments_json() for c in reply.calls)
        completion = estimate_tokens(text) + reasoning + images
    prompt_cost, completion_cost = prompt * PROMPT_PRICE, completion * COMPLETION_PRICE
    model_cost = round(prompt_cost + completion_cost, 12)
    # Server tool fees are in ``cost`` but not in the upstream (model) cost, as on the wire.
    cost = reply.cost if reply.cost is not None else round(
        model_cost + reply.server_tool_fee, 12)
    details = reply.cost_details if reply.cost_details is not None else {
        "upstream_inference_cost": model_cost,
        "upstream_inference_prompt_cost": round(prompt_cost, 12),
        "upstream_inference_completions_cost": round(completion_cost, 12),
    }
    extra: JSONDict = {}
    if reply.server_tool_use is not None:
        extra["server_tool_use_details"] = dict(reply.server_tool_use)
    return {**extra,
        "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion, "cost": cost, "is_byok": reply.is_byok,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens,
                                  "cache_write_tokens": reply.cache_write_tokens,
                                  "audio_tokens": 0, "video_tokens": 0},
        "cost_details": details,
        "completion_tokens_details": {"reasoning_tokens": reasoning, "image_tokens": images,
                                      "audio_tokens": 0},
    }


def _choice(delta: JSONDict, finish: str | None = None, native: str | None = None) -> JSONDict:
    return {"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": native}


def _reasoning_deltas(reply: Reply) -> list[JSONDict]:
    if reply.reasoning_details is not None:
        out = []
        for item in reply.reasoning_details:
            delta: JSONDict = {"content": "", "role": "assistant"}
            text = item.get("text") if "text" in item else item.get("summary")
            delta["reasoning"] = text if isinstance(text, str) else None
            delta["reasoning_details"] = [item]
            out.append(delta)
        return out
    deltas: list[JSONDict] = []
    fmt, kind = reply.reasoning_format, reply.reasoning_kind
    if reply.reasoning is not None and kind == "reasoning.encrypted":
        item = {"type": kind, "data": reply.reasoning, "format": fmt, "index": 0}
        deltas.append({"content": "", "role": "assistant", "reasoning": None,
                       "reasoning_details": [item]})
    elif reply.reasoning is not None:
        key = "summary" if kind == "reasoning.summary" else "text"
        for piece in split_text(reply.reasoning):
            item = {"type": kind, key: piece, "format": fmt, "index": 0}
            deltas.append({"content": "", "role": "assistant", "reasoning": piece,
                           "reasoning_details": [item]})
    if reply.signature is not None:
        item = {"type": "reasoning.text", "signature": reply.signature, "format": fmt, "index": 0}
        deltas.append({"content": "", "role": "assistant", "reasoning_details": [item]})
    return deltas


def _tool_deltas(resolved: Resolved) -> list[JSONDict]:
    deltas: list[JSONDict] = []
    mode = resolved.reply.tool_split
    for index, call in enumerate(resolved.calls):
        arguments = call.arguments_json()
        header = {"index": index, "id": call.id, "type": "function",
                  "function": {"name": call.name, "arguments": ""}}
        fragments = split_arguments(arguments, mode) if arguments else []
        if mode == "tokens" and arguments:
            fragments = ["", *fragments]
        deltas.append({"content": None, "role": "assistant", "tool_calls": [header]})
        deltas.extend({"content": None, "role": "assistant",
                       "tool_calls": [{"index": index, "function": {"arguments": piece}}]}
                      for piece in fragments)
    return deltas


def _image_items(reply: Reply) -> list[JSONDict]:
    return [{"type": "image_url", "image_url": {"url": url}, "index": i}
            for i, url in enumerate(reply.images)]


def content_deltas(resolved: Resolved) -> list[JSONDict]:
    """Every delta before the finish chunk: reasoning, citations, text, refusal, tool calls."""
    reply = resolved.reply
    deltas = _reasoning_deltas(reply)
    deltas.extend({"content": "", "role": "assistant", "annotations": [a]}
                  for a in reply.annotations)
    pieces = list(reply.chunks) if reply.chunks is not None else split_text(reply.content or "")
    deltas.extend({"content": piece, "role": "assistant"} for piece in pieces)
    if reply.refusal:
        deltas.append({"content": None, "role": "assistant", "refusal": reply.refusal})
    deltas.extend(_tool_deltas(resolved))
    return deltas


def stream_chunks(resolved: Resolved) -> list[JSONDict]:
    """All data chunks of a stream, usage included, without the ``[DONE]`` marker."""
    reply = resolved.reply
    chunks = []
    for delta in content_deltas(resolved):
        chunk = resolved.envelope("chat.completion.chunk")
        chunk["choices"] = [_choice(delta)]
        chunks.append(chunk)
    finish_delta: JSONDict = {"content": "", "role": "assistant"}
    if reply.images:
        finish_delta["images"] = _image_items(reply)  # the whole image, with the finish reason
    final = resolved.envelope("chat.completion.chunk")
    if reply.service_tier is not None:
        final["service_tier"] = reply.service_tier
    final["choices"] = [_choice(finish_delta, resolved.finish_reason,
                                resolved.native_finish_reason)]
    chunks.append(final)
    if resolved.usage is not None:
        chunks.append(_usage_chunk(resolved, resolved.usage))
    return chunks


def _usage_chunk(resolved: Resolved, usage: JSONDict) -> JSONDict:
    shape = resolved.reply.usage_shape
    chunk = resolved.envelope("chat.completion.chunk")
    if shape == "empty_choices":
        chunk["choices"] = []
    elif shape == "separate":
        chunk["choices"] = [_choice({"content": "", "role": "assistant"})]
    else:
        chunk["service_tier"] = resolved.reply.service_tier
        chunk["choices"] = [_choice({"content": "", "role": "assistant"},
                                    resolved.finish_reason, resolved.native_finish_reason)]
    chunk["usage"] = usage
    return chunk


def error_chunk(resolved: Resolved) -> JSONDict:
    """The mid-stream error chunk: HTTP stays 200, ``error`` sits beside a null-finish choice."""
    reply = resolved.reply
    chunk = resolved.envelope("chat.completion.chunk")
    chunk["error"] = {"code": reply.error_code, "message": reply.error_message}
    chunk["choices"] = [_choice({"content": "", "role": "assistant"})]
    if resolved.usage is not None:
        chunk["usage"] = resolved.usage
    return chunk


def _message(resolved: Resolved) -> JSONDict:
    reply = resolved.reply
    content: str | None = None if reply.refusal else (
        "".join(reply.chunks) if reply.chunks is not None else reply.content or "")
    message: JSONDict = {"role": "assistant", "content": content, "refusal": reply.refusal,
                         "reasoning": _reasoning_text(reply)}
    details = _merged_details(reply)
    if details:
        message["reasoning_details"] = details
    if resolved.calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "index": i,
             "function": {"name": c.name, "arguments": c.arguments_json()}}
            for i, c in enumerate(resolved.calls)]
    if reply.images:
        message["images"] = _image_items(reply)
    if reply.annotations:
        message["annotations"] = list(reply.annotations)
    return message


def _merged_details(reply: Reply) -> list[JSONDict]:
    if reply.reasoning_details is not None:
        return list(reply.reasoning_details)
    if reply.reasoning is None and reply.signature is None:
        return []
    kind = reply.reasoning_kind
    item: JSONDict = {"type": kind}
    if reply.reasoning is not None:
        item[{"reasoning.text": "text", "reasoning.summary": "summary"}.get(kind, "data")] = (
            reply.reasoning)
    if reply.signature is not None:
        if kind != "reasoning.text":
            return [{**item, "format": reply.reasoning_format, "index": 0},
                    {"type": "reasoning.text", "signature": reply.signature,
                     "format": reply.reasoning_format, "index": 0}]
        item["signature"] = reply.signature
    item.update({"format": reply.reasoning_format, "index": 0})
    return [item]


def completion_body(resolved: Resolved) -> JSONDict:
    """The non-streaming ``chat.completion`` body."""
    body = resolved.envelope("chat.completion")
    body.setdefault("system_fingerprint", None)
    body["service_tier"] = resolved.reply.service_tier
    body["choices"] = [{"index": 0, "logprobs": None, "finish_reason": resolved.finish_reason,
                        "native_finish_reason": resolved.native_finish_reason,
                        "message": _message(resolved)}]
    if resolved.usage is not None:
        body["usage"] = resolved.usage
    return body


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, non-ASCII kept as UTF-8 (as OpenRouter sends it)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
