"""A deliberately simple, independent reading of what a recorded chat-completions reply holds.

This is the reference the core is checked against, so it shares no code with
``openrouter_core.decode``/``stream``: it walks the ``data:`` lines of an SSE body (or reads
``choices[0].message`` of a JSON body) with plain dict look-ups and writes down what a correct
client must end up with. Keep it naive — cleverness here would hide the bugs it exists to find.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.conformance.recordings import Exchange

__all__ = [
    "ExpectedError",
    "ExpectedReply",
    "ExpectedToolCall",
    "ExpectedUsage",
    "expected_error",
    "expected_from_json",
    "expected_from_sse",
    "expected_reply",
    "sse_events",
]

_CONCATENATED_DETAIL_FIELDS = ("text", "summary", "data")


@dataclass(frozen=True)
class ExpectedToolCall:
    """A complete tool call: first id and name seen, all argument fragments joined."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ExpectedUsage:
    """The token counts and cost a client must report."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float | None
    cached_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    image_tokens: int | None


@dataclass(frozen=True)
class ExpectedError:
    """What a client must raise: ``status`` is the effective one (the body's ``error.code``
    when it is an HTTP error code, else the HTTP status)."""

    status: int
    message: str
    code: Any
    provider_name: str | None
    context_length: bool
    user_id: str | None = None
    generation_id: str | None = None


@dataclass
class ExpectedReply:
    """Everything a client must assemble from one successful (or mid-stream failed) reply."""

    content: str = ""
    reasoning: str | None = None
    reasoning_details: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[ExpectedToolCall] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None
    usage: ExpectedUsage | None = None
    id: str | None = None
    provider: str | None = None
    model: str | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    stream_error: ExpectedError | None = None
    partial_content: str = ""
    partial_reasoning: str | None = None


def _finish_word(value: Any) -> str | None:
    """A finish reason exactly as the server sent it (older routes send ``end_turn``)."""
    return value if isinstance(value, str) else None


def sse_events(body: bytes) -> list[Any]:
    """The JSON payload of every ``data:`` line of an SSE body, ``[DONE]`` left out."""
    events = []
    for line in body.decode("utf-8").split("\n"):
        line = line.rstrip("\r")
        if not line.startswith("data:"):
            continue
        payload = line[len("data:"):].strip()
        if payload and payload != "[DONE]":
            events.append(json.loads(payload))
    return events


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage(raw: Any) -> ExpectedUsage | None:
    if not isinstance(raw, dict) or not raw:
        return None
    prompt = raw.get("prompt_tokens_details") or {}
    completion = raw.get("completion_tokens_details") or {}
    cost = raw.get("cost")
    return ExpectedUsage(
        prompt_tokens=raw.get("prompt_tokens") or 0,
        completion_tokens=raw.get("completion_tokens") or 0,
        total_tokens=raw.get("total_tokens") or 0,
        cost=float(cost) if isinstance(cost, (int, float)) else None,
        cached_tokens=_int_or_none(prompt.get("cached_tokens")),
        cache_write_tokens=_int_or_none(prompt.get("cache_write_tokens")),
        reasoning_tokens=_int_or_none(completion.get("reasoning_tokens")),
        image_tokens=_int_or_none(completion.get("image_tokens")),
    )


def _error(raw: dict[str, Any], http_status: int, envelope: dict[str, Any],
           generation_header: str | None = None) -> ExpectedError:
    code = raw.get("code")
    status = code if isinstance(code, int) and 400 <= code < 600 else http_status
    metadata: dict[str, Any] = raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
    texts = [str(raw.get("message", ""))]
    texts += [str(e.get("message", "")) for e in metadata.get("previous_errors") or []]
    return ExpectedError(
        status=status,
        message=str(raw.get("message", "")),
        code=code,
        provider_name=metadata.get("provider_name"),
        context_length=status == 400 and any("context length" in t.lower() for t in texts),
        user_id=envelope.get("user_id"),
        generation_id=generation_header or envelope.get("id"),
    )


def expected_error(exchange: Exchange) -> ExpectedError | None:
    """The error an exchange must raise before any reply: an error status, or a JSON body whose
    ``error`` object stands without ``choices`` (OpenRouter once sent those under HTTP 200)."""
    body = None if exchange.is_sse else exchange.body_json()
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and not body.get("choices"):
        return _error(body["error"], exchange.status, body,
                      exchange.headers.get("x-generation-id"))
    if exchange.status >= 400:
        text = exchange.body.decode("utf-8", "replace").strip()
        return ExpectedError(exchange.status, text, None, None, False)
    return None


class _Details:
    """``reasoning_details`` merged by ``(type, index)``."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.by_key: dict[tuple[Any, Any], dict[str, Any]] = {}

    def add(self, item: dict[str, Any]) -> None:
        key = (item.get("type"), item.get("index"))
        merged = self.by_key.get(key)
        if merged is None:
            merged = self.by_key[key] = dict(item)
            self.items.append(merged)
            return
        for name, value in item.items():
            if value is None:
                continue
            if name in _CONCATENATED_DETAIL_FIELDS:
                merged[name] = (merged.get(name) or "") + value
            elif name == "signature" or merged.get(name) is None:
                merged[name] = value


def expected_from_sse(body: bytes) -> ExpectedReply:
    """Walk an SSE body chunk by chunk and write down the assembled reply."""
    reply = ExpectedReply()
    content: list[str] = []
    reasoning: list[str] = []
    refusal: list[str] = []
    details = _Details()
    tools: dict[int, dict[str, Any]] = {}
    for chunk in sse_events(body):
        reply.id = reply.id or chunk.get("id")
        reply.provider = chunk.get("provider") or reply.provider
        reply.model = chunk.get("model") or reply.model
        if chunk.get("usage"):
            reply.usage = _usage(chunk["usage"])
        if isinstance(chunk.get("error"), dict):
            reply.stream_error = _error(chunk["error"], 200, chunk)
            reply.partial_content = "".join(content)
            reply.partial_reasoning = "".join(reasoning) if reasoning else None
            break
        choices = chunk.get("choices") or []
        if not choices:
            continue
        choice = choices[0]
        delta = choice.get("delta") or {}
        if delta.get("content"):
            content.append(delta["content"])
        if delta.get("reasoning"):
            reasoning.append(delta["reasoning"])
        if delta.get("refusal"):
            refusal.append(delta["refusal"])
        for item in delta.get("reasoning_details") or []:
            details.add(item)
        for position, call in enumerate(delta.get("tool_calls") or []):
            index = call.get("index", position)
            function = call.get("function") or {}
            state = tools.setdefault(index, {"id": "", "name": "", "arguments": ""})
            state["id"] = state["id"] or call.get("id") or ""
            state["name"] = state["name"] or function.get("name") or ""
            state["arguments"] += function.get("arguments") or ""
        reply.image_urls += [i["image_url"]["url"] for i in delta.get("images") or []]
        reply.annotations += delta.get("annotations") or []
        if reply.finish_reason is None:
            reply.finish_reason = _finish_word(choice.get("finish_reason"))
        if reply.native_finish_reason is None:
            reply.native_finish_reason = choice.get("native_finish_reason")
    reply.content = "".join(content)
    reply.reasoning = "".join(reasoning) if reasoning else None
    reply.refusal = "".join(refusal) if refusal else None
    reply.reasoning_details = details.items
    reply.tool_calls = [ExpectedToolCall(**tools[i]) for i in sorted(tools)]
    return reply


def expected_from_json(body: dict[str, Any]) -> ExpectedReply:
    """Read ``choices[0].message`` of a non-streaming reply."""
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    return ExpectedReply(
        content=message.get("content") or "",
        reasoning=message.get("reasoning"),
        reasoning_details=list(message.get("reasoning_details") or []),
        tool_calls=[
            ExpectedToolCall(
                id=call.get("id") or "",
                name=(call.get("function") or {}).get("name") or "",
                arguments=(call.get("function") or {}).get("arguments") or "",
            )
            for call in message.get("tool_calls") or []
        ],
        image_urls=[i["image_url"]["url"] for i in message.get("images") or []],
        annotations=list(message.get("annotations") or []),
        refusal=message.get("refusal") or None,
        usage=_usage(body.get("usage")),
        id=body.get("id"),
        provider=body.get("provider"),
        model=body.get("model"),
        finish_reason=_finish_word(choice.get("finish_reason")),
        native_finish_reason=choice.get("native_finish_reason"),
    )


def expected_reply(exchange: Exchange) -> ExpectedReply:
    """The reply a client must assemble from a successful exchange (SSE or JSON body)."""
    if exchange.is_sse:
        reply = expected_from_sse(exchange.body)
    else:
        body = exchange.body_json()
        if not isinstance(body, dict):
            raise ValueError(f"{exchange.test_id}: body is neither SSE nor a JSON object")
        reply = expected_from_json(body)
    # OpenRouter repeats the generation id in a header; it stands in for a body without one.
    reply.id = reply.id or exchange.headers.get("x-generation-id")
    return reply
