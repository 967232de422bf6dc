"""LlamaIndex tools ↔ OpenRouter function calling.

Pure functions: tools → OpenAI-shaped tool dicts, ``tool_required``/``tool_choice`` → the value
for :func:`openrouter_core.request.build_body`, and a response's tool calls → ``ToolSelection``s.
Reading tool calls is tolerant: a streamed (partial) response's half-written JSON is repaired
into the fields seen so far, and a complete response whose arguments are not valid JSON gives
that one call a clear ``error`` instead of failing the whole turn.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]


class OpenRouterToolSelection(ToolSelection):
    """A ``ToolSelection`` that also keeps the raw argument text and any parse ``error``.

    ``tool_kwargs`` is empty when ``error`` is set, so a broken call is never run with guessed
    arguments.
    """

    raw_arguments: str | None = None
    error: str | None = None


def tool_spec(tool: BaseTool) -> JSONDict:
    """The OpenRouter tool dict of a LlamaIndex tool (name sanitised by LlamaIndex)."""
    return tool.metadata.to_openai_tool(skip_length_check=True)


def resolve_tool_choice(tool_choice: Any, tool_required: bool) -> Any:
    """What to send as ``tool_choice``: the caller's choice, else ``"required"`` when required.

    ``None`` means "send nothing" (the provider default, ``auto``). Tool names and the
    ``"any"`` spelling are normalised by the core when the body is built.
    """
    if tool_choice is not None:
        return tool_choice
    return "required" if tool_required else None


_REPAIR_ATTEMPTS = 64


def _closed(prefix: str) -> str:
    """``prefix`` with its open string, arrays and objects closed."""
    closers: list[str] = []
    in_string = escaped = False
    for char in prefix:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            closers.append("}" if char == "{" else "]")
        elif char in "}]" and closers:
            closers.pop()
    return prefix + ('"' if in_string else "") + "".join(reversed(closers))


def repair_partial_json(text: str) -> Any:
    """Best-effort parse of a JSON prefix: close what is open, dropping a dangling tail.

    Used only for streamed responses that are still arriving (a half-written key, a trailing
    comma); returns ``None`` when nothing sensible can be recovered.
    """
    end = len(text)
    for _ in range(_REPAIR_ATTEMPTS):
        if end <= 0:
            break
        try:
            return json.loads(_closed(text[:end]))
        except ValueError:
            end -= 1
    return None


def _calls(response: ChatResponse) -> list[tuple[str, str, Any]]:
    """``(id, name, arguments)`` of each call: blocks first, legacy ``tool_calls`` otherwise."""
    message = response.message
    blocks = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    if blocks:
        return [(b.tool_call_id or "", b.tool_name, b.tool_kwargs) for b in blocks]
    out: list[tuple[str, str, Any]] = []
    for raw in message.additional_kwargs.get("tool_calls") or []:
        data = raw.model_dump() if hasattr(raw, "model_dump") else raw
        if isinstance(data, dict):
            function = data.get("function") or {}
            out.append((data.get("id") or "", function.get("name") or "",
                        function.get("arguments", "")))
    return out


def _selection(call_id: str, name: str, arguments: Any, *, partial: bool) -> ToolSelection:
    if isinstance(arguments, dict):
        return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs=arguments)
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    try:
        parsed = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        if partial:
            repaired = repair_partial_json(text)
            kwargs = repaired if isinstance(repaired, dict) else {}
            return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs=kwargs,
                                           raw_arguments=text)
        error = (f"tool call {call_id or '?'} ({name}): arguments are not valid JSON "
                 f"({exc.msg} at position {exc.pos}): {text[:200]!r}")
        logger.warning(error)
        return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs={},
                                       raw_arguments=text, error=error)
    if not isinstance(parsed, dict):
        error = (f"tool call {call_id or '?'} ({name}): arguments must be a JSON object, "
                 f"got {type(parsed).__name__}")
        return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs={},
                                       raw_arguments=text, error=None if partial else error)
    return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs=parsed,
                                   raw_arguments=text)


def tool_selections(response: ChatResponse, *, partial: bool) -> list[ToolSelection]:
    """Every tool call of ``response`` as a ``ToolSelection`` (see the module docstring)."""
    return [_selection(i, n, a, partial=partial) for i, n, a in _calls(response)]


def keep_first_tool_call(response: ChatResponse) -> ChatResponse:
    """Drop all but the first tool call, for ``allow_parallel_tool_calls=False``."""
    message = response.message
    blocks = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    if len(blocks) > 1:
        first = blocks[0]
        message.blocks = [b for b in message.blocks
                          if not isinstance(b, ToolCallBlock) or b is first]
    calls = message.additional_kwargs.get("tool_calls")
    if isinstance(calls, list) and len(calls) > 1:
        message.additional_kwargs["tool_calls"] = calls[:1]
    return response
