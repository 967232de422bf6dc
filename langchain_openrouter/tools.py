"""Tool binding and structured-output helpers (pure: schemas in, dicts and parsers out).

Tools: anything ``convert_to_openai_tool`` understands (pydantic models, TypedDicts,
functions, ``BaseTool``s, OpenAI and Anthropic tool dicts) becomes an OpenAI function tool;
OpenRouter server tools (``{"type": "openrouter:web_search", ...}``, or the helpers in
:mod:`openrouter_core.server_tools`) are checked and sent as they are.
``tool_choice`` is kept as given and normalised by ``openrouter_core.request`` against the
bound tools when the request is built (``"any"``/``True`` → ``"required"``, a name → that
function), so a wrong name fails with the list of bound tools.

Structured output: ``json_schema`` sends ``response_format`` with the schema, ``json_mode``
sends ``{"type": "json_object"}`` (honoured, never switched to another method) and
``function_calling`` forces one tool call. Parsers stream partial objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.base import OutputParserLike
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.json import parse_json_markdown
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from openrouter_core.decode import output_limit, unanswered
from openrouter_core.server_tools import check_server_tool, is_server_tool

JSONDict = dict[str, Any]
ToolLike = Mapping[str, Any] | type[BaseModel] | Callable[..., Any] | BaseTool
METHODS: tuple[str, ...] = ("function_calling", "json_mode", "json_schema")
RESPONSE_HEALING = {"id": "response-healing"}
"""OpenRouter's plugin that repairs malformed JSON in non-streaming structured replies."""


def _function_dicts_kept() -> bool:
    # Whether convert_to_openai_tool returns an OpenAI function-tool dict as it is, with and
    # without ``strict`` (langchain-core does since 0.3.44; a release that stops makes
    # format_tool convert every tool again).
    sample = {"type": "function", "function": {"name": "f", "parameters": {}}}
    return all(convert_to_openai_tool(sample, strict=strict) is sample
               for strict in (None, True, False))


FUNCTION_DICTS_KEPT: bool = _function_dicts_kept()
"""Whether :func:`format_tool` may take a ``{"type": "function", ...}`` dict as it is, as
``convert_to_openai_tool`` would (checked once, against the installed langchain-core)."""


def format_tool(tool: ToolLike, *, strict: bool | None = None) -> JSONDict:
    """One tool-like object → the dict sent in ``tools`` (server tools are checked)."""
    formatted: JSONDict
    if type(tool) is dict and tool.get("type") == "function" and FUNCTION_DICTS_KEPT:
        # The commonest tool by far (agents pass OpenAI tool dicts): what the conversion
        # would return, without its per-tool import and look-ups.
        formatted = tool
    elif is_server_tool(tool):
        return check_server_tool(tool, "bind_tools")  # type: ignore[arg-type]
    else:
        formatted = convert_to_openai_tool(tool, strict=strict)
    if strict is None:
        return formatted
    # convert_to_openai_tool returns ready-made function dicts as is; apply ``strict`` anyway.
    function = formatted.get("function")
    if isinstance(function, dict) and "strict" not in function:
        formatted = {**formatted, "function": {**function, "strict": strict}}
    return formatted


def tool_name_of(schema: Any) -> str:
    """The function name a schema gets as a tool (the forced call's name)."""
    return str(convert_to_openai_tool(schema)["function"]["name"])


def format_tools(tools: Sequence[ToolLike], *, strict: bool | None = None) -> list[JSONDict]:
    """Every tool → its dict, in order."""
    return [format_tool(tool, strict=strict) for tool in tools]


def is_pydantic_class(schema: Any) -> bool:
    """Whether ``schema`` is a pydantic model class (parsed into instances)."""
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def json_schema_format(schema: Any, *, strict: bool | None) -> JSONDict:
    """``response_format`` for the ``json_schema`` method."""
    if isinstance(schema, Mapping) and schema.get("type") == "json_schema":
        return dict(schema)
    if isinstance(schema, Mapping) and "name" in schema and "schema" in schema:
        spec = dict(schema)
    else:
        function = convert_to_openai_function(schema, strict=strict)
        spec = {"name": function["name"], "schema": function.get("parameters", {})}
        if function.get("description"):
            spec["description"] = function["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def no_answer(message: AIMessage) -> str | None:
    """Why a whole reply holds no structured answer, when the reply says so itself: a refusal,
    a forced tool call that cannot be run (its reason, from ``invalid_tool_calls``), or an
    answer cut off by the output limit. ``None`` when there is an answer to read, a complete
    one that ended at the limit included (repaired by ``response-healing``, say)."""
    if message.tool_calls:
        return None
    refusal = message.additional_kwargs.get("refusal")
    if not refusal:
        for call in message.invalid_tool_calls:
            if call.get("error"):
                return str(call["error"])
    meta = message.response_metadata
    limit = output_limit(meta.get("finish_reason"), meta.get("native_finish_reason"))
    return unanswered(refusal, limit, complete=limit is None or _whole_json(message.text))


def _whole_json(text: str) -> bool:
    # langchain-core's parsers would complete a cut-off object ({"name": "Po reads as
    # {"name": "Po"}), so completeness is read strictly here; control characters inside
    # strings are allowed, as langchain-core's own parser allows them.
    try:
        parse_json_markdown(text, parser=lambda part: json.loads(part, strict=False))
    except ValueError:
        return False
    return True


class _ChecksTheReply:
    """A whole reply (not the partial parses of a stream) that holds no answer fails with the
    reason the reply itself gives (:func:`no_answer`), rather than with the parser's "invalid
    JSON", or no result at all for a forced tool call that was not made.

    The parsers keep their langchain-core names in runs and traces (:meth:`get_name`)."""

    def parse_result(self, result: list[Any], *, partial: bool = False) -> Any:
        message = getattr(result[0], "message", None) if result and not partial else None
        reason = no_answer(message) if isinstance(message, AIMessage) else None
        if reason is not None:
            raise OutputParserException(f"Structured output: {reason}",
                                        llm_output=message.text or None)  # type: ignore[union-attr]
        return super().parse_result(result, partial=partial)  # type: ignore[misc]

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        # The name of the langchain-core parser this one checks for (what runs, astream_events
        # and LangSmith show), not this private subclass's.
        base = next(cls for cls in type(self).__mro__ if not cls.__name__.startswith("_"))
        own = name or getattr(self, "name", None) or base.__name__
        return str(super().get_name(suffix, name=own))  # type: ignore[misc]


class _JsonParser(_ChecksTheReply, JsonOutputParser):
    pass


class _PydanticParser(_ChecksTheReply, PydanticOutputParser):  # type: ignore[type-arg]
    pass


class _PydanticToolsParser(_ChecksTheReply, PydanticToolsParser):
    pass


class _KeyToolsParser(_ChecksTheReply, JsonOutputKeyToolsParser):
    pass


def content_parser(schema: Any) -> OutputParserLike[Any]:
    """Parser for JSON in the message text (``json_schema`` / ``json_mode``)."""
    if is_pydantic_class(schema):
        return _PydanticParser(pydantic_object=schema)
    return _JsonParser()


def tool_parser(schema: Any, tool_name: str) -> OutputParserLike[Any]:
    """Parser for the forced tool call (``function_calling``)."""
    if is_pydantic_class(schema):
        return _PydanticToolsParser(tools=[schema], first_tool_only=True)
    return _KeyToolsParser(key_name=tool_name, first_tool_only=True)


def with_raw(
    llm: Runnable[LanguageModelInput, AIMessage], parser: OutputParserLike[Any]
) -> Runnable[LanguageModelInput, Any]:
    """``{"raw", "parsed", "parsing_error"}`` output, as ``include_raw=True`` promises."""
    parse_assign = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    parse_none = RunnablePassthrough.assign(parsed=lambda _: None)
    parse_with_fallback = parse_assign.with_fallbacks([parse_none],
                                                      exception_key="parsing_error")
    return RunnableMap(raw=llm) | parse_with_fallback


def with_healing(plugins: list[JSONDict] | None) -> list[JSONDict]:
    """The model's plugins plus ``response-healing`` (once)."""
    current = [dict(p) for p in plugins or []]
    if not any(p.get("id") == RESPONSE_HEALING["id"] for p in current):
        current.append(dict(RESPONSE_HEALING))
    return current


def structured_output(
    model: BaseChatModel,
    schema: Any,
    method: str,
    *,
    include_raw: bool,
    strict: bool | None,
    kwargs: dict[str, Any],
) -> Runnable[LanguageModelInput, Any]:
    """Bind the request for ``method`` to ``model`` and pipe it into the matching parser."""
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if schema is None and method != "json_mode":
        raise ValueError(f"schema: required for method={method!r}")
    if schema is not None:
        kwargs["ls_structured_output_format"] = {
            "kwargs": {"method": method, "strict": strict}, "schema": schema}
    llm: Runnable[LanguageModelInput, AIMessage]
    if method == "function_calling":
        name = tool_name_of(schema)
        # One forced call, so the parser's first tool call is the answer.
        llm = model.bind_tools([schema], tool_choice=name, strict=strict,
                               parallel_tool_calls=False, **kwargs)
        parser = tool_parser(schema, name)
    else:
        response_format = ({"type": "json_object"} if method == "json_mode"
                           else json_schema_format(schema, strict=strict))
        llm = model.bind(response_format=response_format, **kwargs)
        parser = content_parser(schema)
    return with_raw(llm, parser) if include_raw else llm | parser
