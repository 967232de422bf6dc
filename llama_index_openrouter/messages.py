"""LlamaIndex ``ChatMessage`` objects and content blocks → OpenRouter message dicts.

Pure functions, one direction. Every block type LlamaIndex has is either mapped onto an
OpenRouter content part or rejected with an :class:`~openrouter_core.errors.InputError` naming the
message and block, so nothing is silently dropped and nothing malformed is sent.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from io import IOBase
from typing import Any

import filetype  # type: ignore[import-untyped]
from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from openrouter_core.errors import InputError
from openrouter_core.request import tool_call_entry

JSONDict = dict[str, Any]

REASONING_DETAILS_KEY = "reasoning_details"
"""Where a ``ThinkingBlock`` keeps OpenRouter's ``reasoning_details`` (sent back unchanged)."""

_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "developer",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.TOOL: "tool",
    # Legacy LlamaIndex roles: OpenAI-era "function" results are tool results today, and
    # "chatbot"/"model" are other providers' names for the assistant.
    MessageRole.FUNCTION: "tool",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
}


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "data:"))


def _sniff_mime(b64_data: bytes) -> str | None:
    try:
        guess = filetype.guess(base64.b64decode(b64_data))
    except (ValueError, TypeError):
        return None
    return str(guess.mime) if guess else None


def _data_url(mime: str | None, b64: bytes, what: str) -> str:
    if not mime:
        mime = _sniff_mime(b64)
    if not mime:
        raise InputError(f"{what}: cannot tell the media type of the data; set its mimetype")
    return f"data:{mime};base64,{b64.decode('ascii')}"


def _media_url(url: object, data: object, resolve: Callable[[], IOBase],
               mimetype: str | None, where: str, kind: str) -> str:
    """A remote URL as-is (never downloaded), else the block's bytes as a data URL."""
    if url is not None and data is None and _is_remote(str(url)):
        return str(url)
    try:
        b64 = resolve().read()
    except (ValueError, OSError) as exc:
        raise InputError(f"{where}: {kind} block has no readable data: {exc}") from exc
    return _data_url(mimetype, b64, f"{where} ({kind})")


def image_part(block: ImageBlock, where: str) -> JSONDict:
    """An ``image_url`` part: URLs are passed as-is (never downloaded), data is inlined."""
    url = _media_url(block.url, block.image, lambda: block.resolve_image(as_base64=True),
                     block.image_mimetype, where, "image")
    payload: JSONDict = {"url": url}
    if block.detail:
        payload["detail"] = block.detail
    return {"type": "image_url", "image_url": payload}


def video_part(block: VideoBlock, where: str) -> JSONDict:
    """A ``video_url`` part (URL as-is, or a data URL)."""
    url = _media_url(block.url, block.video, lambda: block.resolve_video(as_base64=True),
                     block.video_mimetype, where, "video")
    return {"type": "video_url", "video_url": {"url": url}}


def document_part(block: DocumentBlock, where: str) -> JSONDict:
    """A ``file`` part (PDFs and other documents); a URL travels in ``file_data`` as-is."""
    filename = block.title or "document"
    if block.url and block.data is None and _is_remote(block.url):
        return {"type": "file", "file": {"filename": filename, "file_data": block.url}}
    try:
        raw = block.resolve_document().read()
    except (ValueError, OSError) as exc:
        raise InputError(f"{where}: document block has no readable data: {exc}") from exc
    b64 = base64.b64encode(raw)
    url = _data_url(block.document_mimetype, b64, f"{where} (document)")
    return {"type": "file", "file": {"filename": filename, "file_data": url}}


def audio_part(block: AudioBlock, where: str) -> JSONDict:
    """An ``input_audio`` part: base64 data and its format (``wav``, ``mp3``...)."""
    try:
        b64 = block.resolve_audio(as_base64=True).read()
    except (ValueError, OSError) as exc:
        raise InputError(f"{where}: audio block has no readable data: {exc}") from exc
    if not block.format:
        raise InputError(f"{where}: audio block has no format; set AudioBlock(format='wav'|...)")
    return {"type": "input_audio", "input_audio": {"data": b64.decode("ascii"),
                                                   "format": block.format}}


def cache_control(block: CachePoint) -> JSONDict:
    """OpenRouter's ``cache_control`` for a cache point; ``ttl`` only when not the 5m default."""
    control: JSONDict = {"type": block.cache_control.type}
    if block.cache_control.ttl and block.cache_control.ttl != "5m":
        control["ttl"] = block.cache_control.ttl
    return control


def tool_call_dict(block: ToolCallBlock) -> JSONDict:
    """An assistant ``tool_calls`` entry; dict arguments are serialised, strings kept verbatim."""
    return tool_call_entry(block.tool_call_id, block.tool_name, block.tool_kwargs)


def _legacy_tool_call(raw: Any) -> JSONDict:
    """A tool call from ``additional_kwargs["tool_calls"]`` (dicts or OpenAI SDK objects)."""
    if hasattr(raw, "model_dump"):
        raw = raw.model_dump()
    if not isinstance(raw, Mapping):
        raise InputError(f"additional_kwargs['tool_calls']: cannot read a tool call from {raw!r}")
    function = raw.get("function") or {}
    return tool_call_entry(raw.get("id"), function.get("name", ""),
                           function.get("arguments", ""))


def _verbatim(calls: list[JSONDict], legacy: list[JSONDict]) -> list[JSONDict]:
    """Prefer the model's own argument text when a block still holds the same arguments.

    Blocks keep parsed dicts; re-serialising them changes whitespace, and some providers
    compare the history they get back with what they produced.
    """
    original = {c["id"]: c["function"]["arguments"] for c in legacy if c["id"]}
    for call in calls:
        text = original.get(call["id"])
        if text is None:
            continue
        try:
            same = json.loads(text) == json.loads(call["function"]["arguments"])
        except ValueError:
            same = False
        if same:
            call["function"]["arguments"] = text
    return calls


class _MessageParts:
    """Collects the pieces of one message while its blocks are walked."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.parts: list[JSONDict] = []
        self.tool_calls: list[JSONDict] = []
        self.reasoning_details: list[JSONDict] = []

    def add(self, block: Any, index: int) -> None:
        where = f"{self.where}.blocks[{index}]"
        if isinstance(block, TextBlock):
            self.parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock):
            self.parts.append(image_part(block, where))
        elif isinstance(block, DocumentBlock):
            self.parts.append(document_part(block, where))
        elif isinstance(block, AudioBlock):
            self.parts.append(audio_part(block, where))
        elif isinstance(block, VideoBlock):
            self.parts.append(video_part(block, where))
        elif isinstance(block, CachePoint):
            if not self.parts:
                raise InputError(f"{where}: a CachePoint must follow the content it caches")
            self.parts[-1]["cache_control"] = cache_control(block)
        elif isinstance(block, ThinkingBlock):
            details = block.additional_information.get(REASONING_DETAILS_KEY)
            if isinstance(details, list):
                self.reasoning_details.extend(d for d in details if isinstance(d, dict))
        elif isinstance(block, ToolCallBlock):
            self.tool_calls.append(tool_call_dict(block))
        elif isinstance(block, CitationBlock):
            pass  # url citations annotate the assistant's own text; nothing to send back
        else:
            raise InputError(
                f"{where}: {type(block).__name__} is not supported by OpenRouter; use text, "
                "image, document, audio, video, cache point, thinking or tool call blocks"
            )


def _content(parts: list[JSONDict]) -> str | list[JSONDict]:
    # A lone uncached text part goes as a plain string: every provider accepts that shape.
    if len(parts) == 1 and parts[0]["type"] == "text" and "cache_control" not in parts[0]:
        return str(parts[0]["text"])
    return parts


# Roles whose message is its content alone (no tool calls, reasoning or tool_call_id).
_CONTENT_ONLY = frozenset({"system", "developer", "user"})


def to_openrouter_message(message: ChatMessage, position: int = 0) -> JSONDict:
    """Convert one ``ChatMessage`` into an OpenRouter message dict."""
    blocks = message.blocks
    # Most messages of a conversation: one text block, from the user or the system, or from
    # the assistant without tool calls or reasoning to send back. What the walk below would
    # make of it, without collecting parts or naming positions for errors.
    if len(blocks) == 1 and type(blocks[0]) is TextBlock:
        role = _ROLES.get(message.role)
        if (role in _CONTENT_ONLY or role == "assistant") and not _carries_more(message):
            return {"role": role, "content": str(blocks[0].text)}
    return _walked(message, position)


def _carries_more(message: ChatMessage) -> bool:
    # Whether a message's additional_kwargs hold what the walk sends along with its text: a
    # name, or an assistant's tool calls or reasoning details.
    extra = message.additional_kwargs
    if type(extra) is dict:
        return bool(extra) and bool(extra.get("name") or extra.get("tool_calls")
                                    or extra.get(REASONING_DETAILS_KEY))
    return True  # anything else (assigned later, unvalidated) is read by the walk


_NAMED_ROLES = frozenset({"system", "developer", "user", "assistant"})
"""Roles whose message may carry a ``name`` (``additional_kwargs["name"]``), as OpenAI's do."""


def _walked(message: ChatMessage, position: int) -> JSONDict:
    # Any message, block by block: errors name the message and block they are about.
    where = f"messages[{position}]"
    role = _ROLES.get(message.role)
    if role is None:
        raise InputError(f"{where}: role {message.role!r} is not supported by OpenRouter")
    collected = _MessageParts(where)
    for index, block in enumerate(message.blocks):
        collected.add(block, index)
    out: JSONDict = {"role": role}
    extra = message.additional_kwargs
    if role == "assistant":
        legacy = [_legacy_tool_call(t) for t in extra.get("tool_calls") or []]
        tool_calls = _verbatim(collected.tool_calls, legacy) if collected.tool_calls else legacy
        details = collected.reasoning_details or [
            d for d in extra.get(REASONING_DETAILS_KEY) or [] if isinstance(d, dict)
        ]
        # OpenAI-style APIs take ``content: null`` next to tool calls, and "" otherwise.
        out["content"] = _content(collected.parts) if collected.parts else (
            None if tool_calls else "")
        if tool_calls:
            out["tool_calls"] = tool_calls
        if details:
            out[REASONING_DETAILS_KEY] = details
    else:
        if collected.tool_calls:
            raise InputError(f"{where}: tool call blocks belong in assistant messages")
        out["content"] = _content(collected.parts) if collected.parts else ""
    name = extra.get("name") if isinstance(extra, Mapping) and role in _NAMED_ROLES else None
    if name:
        if not isinstance(name, str):
            raise InputError(f"{where}: additional_kwargs['name'] must be a string, got "
                             f"{type(name).__name__}")
        out["name"] = name
    if role == "tool":
        tool_call_id = extra.get("tool_call_id")
        if not tool_call_id:
            raise InputError(
                f"{where}: tool message has no additional_kwargs['tool_call_id']")
        out["tool_call_id"] = str(tool_call_id)
    return out


def to_openrouter_messages(messages: Sequence[ChatMessage]) -> list[JSONDict]:
    """Convert a conversation; raises :class:`InputError` on the first unsupported block."""
    return [to_openrouter_message(m, i) for i, m in enumerate(messages)]
