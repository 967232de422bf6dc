"""An independent reading of a recorded response: what the wire says the adapter must report.

Deliberately plain (``json`` and string splitting, no ``openrouter_core``), so a cassette test
compares the adapter's output against a second, simple reading of the same bytes rather than
against the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


def body_text(response: JSONDict) -> str:
    """The recorded body as text (vcrpy keeps ``bytes`` in memory, ``str`` on disk)."""
    raw = response["body"]["string"]
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)


def request_json(request: Any) -> JSONDict:
    """The JSON body of a recorded vcrpy request."""
    body = request.body
    parsed: JSONDict = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    return parsed


def header(response: JSONDict, name: str) -> str | None:
    """A recorded response header by case-insensitive name (first value)."""
    for key, values in (response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(values[0]) if isinstance(values, list) else str(values)
    return None


@dataclass(slots=True)
class WireReply:
    """What one recorded chat response carries, read naively."""

    status: int
    chunks: list[JSONDict] = field(default_factory=list)
    comments: int = 0
    done: bool = False
    content: str = ""
    reasoning: str = ""
    details: list[JSONDict] = field(default_factory=list)
    calls: dict[int, JSONDict] = field(default_factory=dict)
    images: list[JSONDict] = field(default_factory=list)
    annotations: list[JSONDict] = field(default_factory=list)
    usage: JSONDict | None = None
    error: JSONDict | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    model: str | None = None
    provider: str | None = None
    id: str | None = None

    def merged_details(self) -> list[JSONDict]:
        """``reasoning_details`` fragments merged by ``(type, index)``: strings concatenated,
        other keys (``signature``, ``format``, ``id``) taken from the last fragment that has
        them."""
        merged: dict[tuple[str, int], JSONDict] = {}
        for item in self.details:
            key = (str(item.get("type")), int(item.get("index") or 0))
            into = merged.setdefault(key, {})
            for name, value in item.items():
                if name in ("text", "summary", "data") and isinstance(value, str):
                    into[name] = into.get(name, "") + value
                elif value is not None or name not in into:
                    into[name] = value
        return list(merged.values())

    def arguments(self, index: int) -> JSONDict:
        """Tool call ``index``'s arguments, parsed."""
        parsed: JSONDict = json.loads(self.calls[index]["arguments"] or "{}")
        return parsed


def _choice_delta(chunk: JSONDict) -> tuple[JSONDict, JSONDict]:
    choices = chunk.get("choices") or [{}]
    choice = choices[0]
    return choice, choice.get("delta") or choice.get("message") or {}


def _absorb(reply: WireReply, chunk: JSONDict) -> None:
    reply.model = chunk.get("model", reply.model)
    reply.provider = chunk.get("provider", reply.provider)
    reply.id = chunk.get("id", reply.id)
    if chunk.get("usage"):
        reply.usage = chunk["usage"]
    if chunk.get("error"):
        reply.error = chunk["error"]
    choice, delta = _choice_delta(chunk)
    if choice.get("finish_reason"):
        reply.finish_reason = choice["finish_reason"]
        reply.native_finish_reason = choice.get("native_finish_reason")
    if isinstance(delta.get("content"), str):
        reply.content += delta["content"]
    if isinstance(delta.get("reasoning"), str):
        reply.reasoning += delta["reasoning"]
    reply.details.extend(delta.get("reasoning_details") or [])
    reply.images.extend(delta.get("images") or [])
    reply.annotations.extend(delta.get("annotations") or [])
    for position, call in enumerate(delta.get("tool_calls") or []):
        index = call.get("index", position)
        entry = reply.calls.setdefault(index, {"id": None, "name": None, "arguments": ""})
        function = call.get("function") or {}
        entry["id"] = call.get("id") or entry["id"]
        entry["name"] = function.get("name") or entry["name"]
        entry["arguments"] += function.get("arguments") or ""


def read(response: JSONDict) -> WireReply:
    """Read a recorded SSE stream or JSON body."""
    text = body_text(response)
    reply = WireReply(status=int(response["status"]["code"]))
    if "text/event-stream" not in (header(response, "content-type") or ""):
        body = json.loads(text)  # tolerates the leading whitespace padding
        reply.chunks.append(body)
        if isinstance(body, dict) and "error" in body and "choices" not in body:
            reply.error = body["error"]
        elif isinstance(body, dict):
            _absorb(reply, body)
        return reply
    for event in text.split("\n\n"):
        line = event.strip("\n")
        if not line:
            continue
        if line.startswith(":"):
            reply.comments += 1
        elif line == "data: [DONE]":
            reply.done = True
        elif line.startswith("data: "):
            chunk = json.loads(line[len("data: "):])
            reply.chunks.append(chunk)
            _absorb(reply, chunk)
    return reply
