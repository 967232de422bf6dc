"""LlamaIndex tools ↔ OpenRouter function calling.

Pure functions: tools → OpenAI-shaped tool dicts, ``tool_required``/``tool_choice`` → the value
for :func:`openrouter_core.request.build_body`, and a response's tool calls → ``ToolSelection``s.
Reading tool calls is tolerant: a streamed (partial) response's half-written JSON is repaired
into the fields seen so far, and a complete response whose arguments are not valid JSON gives
that one call a clear ``error`` instead of failing the whole turn. A call the output limit cut
off is different: nothing can run it, so reading it raises ``TruncatedToolCallError``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.tools.types import ToolMetadata
from pydantic import BaseModel

from llama_index_openrouter.server_tools import OpenRouterServerTool
from openrouter_core.decode import ToolCall, cut_off, output_limit, tool_call_problem
from openrouter_core.errors import TruncatedToolCallError

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]


class OpenRouterToolSelection(ToolSelection):
    """A ``ToolSelection`` that also keeps the raw argument text and any parse ``error``.

    ``tool_kwargs`` is empty when ``error`` is set, so a broken call is never run with guessed
    arguments; a call cut off by the output limit is refused outright (see
    :func:`refuse_truncated`).
    """

    raw_arguments: str | None = None
    error: str | None = None
    truncated: bool = False
    """The output limit cut the arguments off (``error`` says so)."""


def tool_spec(tool: BaseTool | Mapping[str, Any]) -> JSONDict:
    """The OpenRouter tool dict of a LlamaIndex tool (name sanitised by LlamaIndex).

    A server tool (:class:`~llama_index_openrouter.server_tools.OpenRouterServerTool`, or a
    raw ``{"type": "openrouter:..."}`` dict) is sent as its own dict; the core checks every
    tool dict when the request is built.
    """
    if isinstance(tool, OpenRouterServerTool):
        return dict(tool.spec)
    if isinstance(tool, Mapping):
        return dict(tool)
    metadata = tool.metadata
    if type(metadata) is not ToolMetadata:  # a subclass may build its schema its own way
        return metadata.to_openai_tool(skip_length_check=True)
    try:
        spec: JSONDict = json.loads(_spec_text(metadata.name, metadata.description,
                                               metadata.fn_schema))
        return spec
    except (TypeError, ValueError):  # not JSON: the core's check names the tool
        return metadata.to_openai_tool(skip_length_check=True)


@lru_cache(maxsize=512)
def _spec_text(name: str, description: str, fn_schema: type[BaseModel] | None) -> str:
    """A plain ``ToolMetadata``'s tool dict, as JSON text: it depends on nothing but these
    three, and pydantic rebuilds a JSON schema on every call (about 0.2 ms a tool, paid on
    every request). Each request gets fresh objects from the text, so nothing is shared."""
    metadata = ToolMetadata(name=name, description=description, fn_schema=fn_schema)
    return json.dumps(metadata.to_openai_tool(skip_length_check=True))


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


def _selection(call_id: str, name: str, arguments: Any, *, partial: bool,
               limit: str | None) -> OpenRouterToolSelection:
    if isinstance(arguments, dict):
        return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs=arguments)
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    call = ToolCall(id=call_id, name=name, arguments=text)
    problem = tool_call_problem(call, limit)
    if problem is None:
        return OpenRouterToolSelection(tool_id=call_id, tool_name=name,
                                       tool_kwargs=call.parsed_arguments(), raw_arguments=text)
    if partial:  # still arriving: show the fields seen so far
        repaired = repair_partial_json(text)
        kwargs = repaired if isinstance(repaired, dict) else {}
        return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs=kwargs,
                                       raw_arguments=text)
    logger.warning(problem)
    return OpenRouterToolSelection(tool_id=call_id, tool_name=name, tool_kwargs={},
                                   raw_arguments=text, error=problem,
                                   truncated=cut_off(call, limit))


def tool_selections(response: ChatResponse, *, partial: bool) -> list[OpenRouterToolSelection]:
    """Every tool call of ``response`` as a ``ToolSelection`` (see the module docstring)."""
    extra = response.additional_kwargs
    limit = output_limit(extra.get("finish_reason"), extra.get("native_finish_reason"))
    return [_selection(i, n, a, partial=partial, limit=limit) for i, n, a in _calls(response)]


def refuse_truncated(selections: list[OpenRouterToolSelection], response: ChatResponse) -> None:
    """Raise :class:`~openrouter_core.errors.TruncatedToolCallError` if the output limit cut
    off any call, so that an agent stops with the reason instead of running it with ``{}``."""
    cut = [s for s in selections if s.truncated]
    if cut:
        raise TruncatedToolCallError([s.error or "" for s in cut],
                                     [(s.tool_id, s.tool_name, s.raw_arguments or "")
                                      for s in cut], response)


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
