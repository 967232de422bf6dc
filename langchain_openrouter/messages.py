"""LangChain messages → OpenRouter message dicts.

Pure functions. Each LangChain message becomes one OpenRouter message, except a
``HumanMessage`` carrying Anthropic-style ``tool_result`` blocks, which becomes one ``tool``
message per result followed by the remaining user content (OpenRouter, like OpenAI, wants
tool results as ``tool`` messages right after the assistant turn that asked for them).

Assistant turns are replayed faithfully: ``reasoning_details`` go back unchanged (Claude and
Gemini reject a tool loop whose signed reasoning was altered), tool calls come from
``tool_calls``/``invalid_tool_calls``, and blocks that only mirror those (``tool_use``,
``tool_call``, ``reasoning``) are not re-sent as content.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_openrouter.content import JSONDict, to_part, to_parts
from openrouter_core.errors import InputError
from openrouter_core.request import tool_call_entry

# Assistant content blocks that restate data we send elsewhere (tool_calls, reasoning_details).
_ASSISTANT_SKIP = frozenset({
    "tool_use", "tool_call", "tool_call_chunk", "invalid_tool_call", "server_tool_call",
    "server_tool_call_chunk", "server_tool_result", "reasoning", "thinking",
    "redacted_thinking",
})
_ANTHROPIC_REASONING_FORMAT = "anthropic-claude-v1"


def _with_name(message: BaseMessage, out: JSONDict) -> JSONDict:
    if message.name:
        out["name"] = message.name
    return out


tool_call_dict = tool_call_entry
"""An OpenAI/OpenRouter ``tool_calls`` entry (the core's one builder)."""


def _assistant_tool_calls(message: AIMessage) -> list[JSONDict]:
    calls = [tool_call_dict(c.get("id"), c["name"], c["args"]) for c in message.tool_calls]
    calls += [tool_call_dict(c.get("id"), c.get("name") or "", c.get("args") or "")
              for c in message.invalid_tool_calls]
    known = {c["id"] for c in calls}
    # An Anthropic-style history may carry a ``tool_use`` block without a matching tool_call.
    if isinstance(message.content, list):
        for block in message.content:
            if (isinstance(block, Mapping) and block.get("type") == "tool_use"
                    and block.get("id") not in known):
                calls.append(tool_call_dict(block.get("id"), str(block.get("name") or ""),
                                            block.get("input") or {}))
    return calls


def _thinking_details(content: Any) -> list[JSONDict]:
    """Anthropic ``thinking`` blocks as OpenRouter ``reasoning_details`` (signature kept)."""
    if not isinstance(content, list):
        return []
    details: list[JSONDict] = []
    for block in content:
        if not isinstance(block, Mapping):
            continue
        if block.get("type") == "thinking":
            detail: JSONDict = {"type": "reasoning.text", "text": block.get("thinking", ""),
                                "format": _ANTHROPIC_REASONING_FORMAT, "index": len(details)}
            if block.get("signature"):
                detail["signature"] = block["signature"]
            details.append(detail)
        elif block.get("type") == "redacted_thinking":
            details.append({"type": "reasoning.encrypted", "data": block.get("data", ""),
                            "format": _ANTHROPIC_REASONING_FORMAT, "index": len(details)})
    return details


def _assistant_content(content: str | list[Any], where: str) -> str | list[JSONDict] | None:
    if isinstance(content, str):
        return content
    parts = []
    for index, block in enumerate(content):
        if isinstance(block, Mapping) and block.get("type") in _ASSISTANT_SKIP:
            continue
        parts.append(to_part(block, f"{where}.content[{index}]"))
    # Several upstreams only take a string for assistant content; use one when nothing is lost.
    if all(p["type"] == "text" and "cache_control" not in p for p in parts):
        return "".join(p["text"] for p in parts)
    return parts


def assistant_message(message: AIMessage, where: str) -> JSONDict:
    """An ``AIMessage`` as an OpenRouter assistant message (reasoning and tool calls kept)."""
    content = _assistant_content(message.content, where)
    out: JSONDict = {"role": "assistant", "content": content}
    calls = _assistant_tool_calls(message)
    if calls:
        out["tool_calls"] = calls
        if not content:
            out["content"] = None
    extra = message.additional_kwargs
    details = extra.get("reasoning_details") or _thinking_details(message.content)
    if details:
        out["reasoning_details"] = details
    elif isinstance(extra.get("reasoning_content"), str) and extra["reasoning_content"]:
        out["reasoning"] = extra["reasoning_content"]
    return _with_name(message, out)


def _tool_result_message(block: Mapping[str, Any], where: str) -> JSONDict:
    content = block.get("content", "")
    if isinstance(content, list):
        content = to_parts(content, where)
    elif not isinstance(content, str):
        content = json.dumps(content, ensure_ascii=False)
    return {"role": "tool", "tool_call_id": str(block.get("tool_use_id") or ""),
            "content": content}


def user_messages(message: HumanMessage, where: str) -> list[JSONDict]:
    """A ``HumanMessage``; Anthropic ``tool_result`` blocks split off as ``tool`` messages."""
    content = message.content
    if isinstance(content, str):
        return [_with_name(message, {"role": "user", "content": content})]
    results: list[JSONDict] = []
    parts: list[JSONDict] = []
    for index, block in enumerate(content):
        block_where = f"{where}.content[{index}]"
        if isinstance(block, Mapping) and block.get("type") == "tool_result":
            results.append(_tool_result_message(block, block_where))
        else:
            parts.append(to_part(block, block_where))
    if parts or not results:
        results.append(_with_name(message, {"role": "user", "content": parts}))
    return results


def tool_message(message: ToolMessage, where: str) -> JSONDict:
    """A ``ToolMessage``; list content (images, PDFs) is converted part by part."""
    content = message.content
    converted: str | list[JSONDict] = (
        to_parts(content, where) if isinstance(content, list) else str(content)
    )
    return {"role": "tool", "tool_call_id": message.tool_call_id, "content": converted}


def to_openrouter(message: BaseMessage, position: int) -> list[JSONDict]:
    """One LangChain message → its OpenRouter message dict(s)."""
    content = message.content
    # Most messages of a conversation: text from the user or the system, or from the
    # assistant without tool calls or reasoning to send back, none named. What the walk
    # makes of them, without naming positions for errors (exact types: a subclass walks).
    if type(content) is str and not message.name:
        if type(message) is HumanMessage:
            return [{"role": "user", "content": content}]
        if type(message) is SystemMessage:
            return [{"role": "system", "content": content}]
        if (type(message) is AIMessage and _empty(message.additional_kwargs, dict)
                and _empty(message.tool_calls, list)
                and _empty(message.invalid_tool_calls, list)):
            return [{"role": "assistant", "content": content}]
    return _walked(message, position)


def _empty(value: object, kind: type) -> bool:
    # An empty value of the declared type: anything else (a value assigned later without
    # validation) takes the walk and fares there as it always did.
    return type(value) is kind and not value


def _walked(message: BaseMessage, position: int) -> list[JSONDict]:
    # Any message, by its kind and content: errors name the message and part they are about.
    where = f"messages[{position}]"
    if isinstance(message, AIMessage):
        return [assistant_message(message, where)]
    if isinstance(message, HumanMessage):
        return user_messages(message, where)
    if isinstance(message, SystemMessage):
        return [_with_name(message, {"role": "system",
                                     "content": to_parts(message.content, where)})]
    if isinstance(message, ToolMessage):
        return [tool_message(message, where)]
    if isinstance(message, ChatMessage):
        return [_with_name(message, {"role": message.role,
                                     "content": to_parts(message.content, where)})]
    raise InputError(f"{where}: {type(message).__name__} is not supported by OpenRouter; "
                     "use System/Human/AI/Tool messages")


def convert_messages(messages: Sequence[BaseMessage]) -> list[JSONDict]:
    """Every LangChain message → OpenRouter message dicts, in order."""
    out: list[JSONDict] = []
    for position, message in enumerate(messages):
        out.extend(to_openrouter(message, position))
    return out
