"""Settings, OpenRouter-shaped messages, tools and formats → one request body and its headers.

Pure functions. The adapters convert framework objects into OpenRouter message dicts; this
module checks them (so nothing malformed goes on the wire), normalises ``tool_choice`` and
assembles the body in the order OpenRouter documents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from openrouter_core import server_tools, spelling
from openrouter_core.errors import InputError
from openrouter_core.settings import JSONDict, RequestSettings

if TYPE_CHECKING:
    from openrouter_core.catalog import RepeatedCheck

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
PART_TYPES = frozenset({"text", "image_url", "file", "input_audio", "video_url"})
URL_PREFIXES = ("https://", "http://", "data:")


def _check_url(url: str, where: str, kind: str) -> None:
    # A local path or file:// URL would leak the path to OpenRouter and fail there.
    if not url.startswith(URL_PREFIXES):
        raise InputError(
            f"{where}: {kind} {url[:80]!r} is neither an http(s) URL nor a data: URL; read "
            "local files and send their bytes (base64) instead")


def _check_part(part: Any, where: str) -> None:
    if not isinstance(part, Mapping):
        raise InputError(f"{where}: content part must be an object, got {type(part).__name__}")
    kind = part.get("type")
    if kind not in PART_TYPES:
        raise InputError(
            f"{where}: unsupported content part type {kind!r}; OpenRouter accepts "
            f"{', '.join(sorted(PART_TYPES))}"
        )
    payload = part.get(kind)
    if kind == "text":
        if not isinstance(part.get("text"), str):
            raise InputError(f"{where}: text part has no 'text' string")
    elif kind in ("image_url", "video_url"):
        url = payload.get("url") if isinstance(payload, Mapping) else payload
        if not isinstance(url, str) or not url:
            raise InputError(f"{where}: {kind} part has neither data nor a URL")
        _check_url(url, where, f"{kind} url")
    elif kind == "file":
        if not isinstance(payload, Mapping) or not (
            payload.get("file_data") or payload.get("file_id") or payload.get("url")
        ):
            raise InputError(f"{where}: file part needs 'file_data' (a data: URL) or a URL")
        for key in ("file_data", "url"):
            value = payload.get(key)
            if isinstance(value, str):
                _check_url(value, where, f"file {key}")
    elif kind == "input_audio" and (
        not isinstance(payload, Mapping) or not payload.get("data") or not payload.get("format")
    ):
        raise InputError(f"{where}: input_audio part needs 'data' (base64) and 'format'")


def check_messages(messages: Sequence[Mapping[str, Any]]) -> None:
    """Raise :class:`InputError` naming the first malformed message or content part."""
    if not messages:
        raise InputError("messages: the message list is empty; send at least one message")
    # Every request checks every message: where a message is is spelled out only for an error
    # (or for its content parts), not formatted for each message that passes.
    for position, message in enumerate(messages):
        role = message.get("role")
        if role not in ROLES:
            raise InputError(f"messages[{position}]: unknown role {role!r}")
        content = message.get("content")
        if isinstance(content, list):
            for index, part in enumerate(content):
                _check_part(part, f"messages[{position}].content[{index}]")
        elif content is not None and not isinstance(content, str):
            raise InputError(f"messages[{position}]: content must be a string or a list of parts")
        if role == "tool" and not message.get("tool_call_id"):
            raise InputError(f"messages[{position}]: tool message has no tool_call_id")


def tool_name(tool: Mapping[str, Any]) -> str | None:
    """The function name of an OpenAI-style tool dict (``None`` for server tools)."""
    function = tool.get("function")
    if isinstance(function, Mapping) and isinstance(function.get("name"), str):
        return str(function["name"])
    return None


def tool_call_entry(call_id: str | None, name: str, arguments: Any,
                    kind: str | None = "function") -> JSONDict:
    """One assistant ``tool_calls`` entry, for both adapters: argument text is kept verbatim,
    anything else is JSON-encoded one way (UTF-8 as is, not ``\\u`` escapes)."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return {"id": call_id or "", "type": kind or "function",
            "function": {"name": name, "arguments": text}}


def check_tools(tools: Sequence[Mapping[str, Any]]) -> list[JSONDict]:
    """Validate tool dicts: functions need a name and a JSON-serialisable schema.

    Server tools (``{"type": "openrouter:web_search", ...}``) are checked by
    :func:`openrouter_core.server_tools.check_server_tool`.
    """
    out: list[JSONDict] = []
    functions: list[tuple[int, Mapping[str, Any]]] = []
    if type(tools) is not list and (isinstance(tools, (str, bytes, Mapping))
                                    or not isinstance(tools, Sequence)):
        raise InputError(f"tools: expected a list of tool dicts, got {_kind_of(tools)}")
    for position, tool in enumerate(tools):
        # (A plain dict first: the Mapping ABC check costs more, on every tool of every call.)
        if type(tool) is not dict and not isinstance(tool, Mapping):
            raise InputError(
                f"tools[{position}]: expected a tool dict ({{'type': 'function', 'function': "
                f"{{'name': ...}}}}) or an 'openrouter:*' server tool, got {_kind_of(tool)}; "
                "framework tool objects and schemas go through the framework's tool binding "
                "(LangChain's bind_tools, LlamaIndex's chat_with_tools)")
        kind = tool.get("type")
        if server_tools.is_server_tool(tool):
            out.append(server_tools.check_server_tool(tool, f"tools[{position}]"))
            continue
        if kind != "function" or tool_name(tool) is None:
            raise InputError(
                f"tools[{position}]: expected {{'type': 'function', 'function': {{'name': ...}}}}"
                f" or an 'openrouter:*' server tool, got type {kind!r}"
            )
        functions.append((position, tool))
        out.append(dict(tool))
    _check_serialisable(functions)
    return out


def _kind_of(value: Any) -> str:
    # How an error names a value of the wrong kind: a class by name, anything else by type.
    if isinstance(value, type):
        return f"the class {value.__name__!r}"
    return f"{type(value).__name__} {value!r:.60}"


def _check_serialisable(functions: list[tuple[int, Mapping[str, Any]]]) -> None:
    """An error naming the first function tool whose schema is not JSON.

    One encoding of them all (in C) is the common case; only a failure pays for finding
    which tool it was, one by one."""
    try:
        json.dumps([tool for _, tool in functions])
        return
    except (TypeError, ValueError):
        pass
    for position, tool in functions:
        try:
            json.dumps(tool)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"tools[{position}] ({tool_name(tool)}): schema is not JSON-serialisable: {exc}"
            ) from exc
    # Each encodes alone but not all together: say so rather than send what cannot be encoded.
    raise InputError("tools: the schemas are not JSON-serialisable together")


def normalize_tool_choice(choice: Any, tools: Sequence[Mapping[str, Any]]) -> Any:
    """Map LangChain/LlamaIndex spellings onto OpenRouter's ``tool_choice``.

    ``"any"`` and ``True`` mean ``"required"``; a bare tool name means that function, which must
    be among the bound tools.
    """
    if choice is None or choice is False:
        return None
    names = [n for n in (tool_name(t) for t in tools) if n]
    if choice is True or choice == "any":
        choice = "required"
    if choice in ("auto", "none", "required"):
        return choice
    if isinstance(choice, str):
        choice = {"type": "function", "function": {"name": choice}}
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if not isinstance(name, str):
            raise InputError(f"tool_choice: cannot read a tool name from {dict(choice)!r}")
        if name not in names:
            raise InputError(
                f"tool_choice names tool {name!r}, which is not bound; bound tools: "
                f"{', '.join(names) or 'none'}"
            )
        return {"type": "function", "function": {"name": name}}
    raise InputError(f"tool_choice: unsupported value {choice!r}")


def _check_model(model: Any) -> None:
    if not isinstance(model, str) or not model.strip():
        raise InputError("model: a model slug is required, e.g. 'openai/gpt-4o-mini'")


def _add_settings(body: JSONDict, settings: RequestSettings, *, stream: bool,
                  stream_usage: bool) -> None:
    # The settings' keys over what the body holds (extra_body may even name "model"), then the
    # stream flags, which no setting overrides.
    body.update(settings.to_body())
    if stream:
        n = body.get("n")
        if isinstance(n, int) and n > 1:
            # The stream is read as one choice: the others would be lost without a word.
            raise InputError(f"n: must be 1 for a streamed reply (got {n}); ask for several "
                             "choices without streaming")
        body["stream"] = True
        if stream_usage:
            body["stream_options"] = {"include_usage": True}


def _warn_routing(conflicts: Sequence[str]) -> None:
    for message in conflicts:
        spelling.warn_once("routing", message, message, category=RoutingWarning)


def build_body(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    settings: RequestSettings,
    *,
    stream: bool = False,
    stream_usage: bool = True,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: Any = None,
    parallel_tool_calls: bool | None = None,
    response_format: Mapping[str, Any] | None = None,
) -> JSONDict:
    """Assemble and validate a chat-completions request body."""
    _check_model(model)
    check_messages(messages)
    body: JSONDict = {"model": model, "messages": list(messages)}
    if tools:
        checked = check_tools(tools)
        body["tools"] = checked
        normalized = normalize_tool_choice(tool_choice, checked)
        if normalized is not None:
            body["tool_choice"] = normalized
        if parallel_tool_calls is not None:
            body["parallel_tool_calls"] = parallel_tool_calls
    elif tool_choice not in (None, False, "auto", "none"):
        raise InputError(f"tool_choice={tool_choice!r} was given but no tools are bound")
    if response_format is not None:
        if not isinstance(response_format, Mapping):
            raise InputError(
                "response_format: expected a dict such as {'type': 'json_object'} or "
                "{'type': 'json_schema', 'json_schema': {...}}, got "
                f"{_kind_of(response_format)}; for a schema class, use the framework's "
                "structured output (LangChain's with_structured_output, LlamaIndex's "
                "structured_predict)")
        body["response_format"] = dict(response_format)
    _add_settings(body, settings, stream=stream, stream_usage=stream_usage)
    _warn_routing(routing_conflicts(body))
    return body


REQUEST_OPTIONS = frozenset({"tools", "tool_choice", "parallel_tool_calls", "response_format"})
"""Per-call options that shape the request but are not settings (see :func:`prepare`)."""


def prepare(model: str, messages: Sequence[Mapping[str, Any]], settings: RequestSettings, *,
            options: Mapping[str, Any], stream: bool, stream_usage: bool = True,
            endpoint: Any = None, attribution: Mapping[str, str] | None = None,
            default_headers: Mapping[str, str] | None = None) -> tuple[JSONDict, dict[str, str]]:
    """The one request preparation both adapters use: body and headers, checked.

    ``settings`` are already merged with the documented precedence (``RequestSettings.merged``:
    the model's settings, then ``model_kwargs``/``additional_kwargs``, then the call's
    keywords, ``extra_body`` last, objects merged key by key). ``options`` holds the
    :data:`REQUEST_OPTIONS`. The body is built and validated (:func:`build_body`), the model
    catalog is consulted (one warning per unsupported parameter or unknown model id), and the
    headers are the user's defaults plus attribution. (:class:`BodyTemplate` prepares the same
    body for calls without options, its settings' part built once.)

    Raises:
        InputError: Anything malformed, before a byte is sent.
    """
    body = build_body(
        model, messages, settings, stream=stream, stream_usage=stream_usage,
        tools=options.get("tools"), tool_choice=options.get("tool_choice"),
        parallel_tool_calls=options.get("parallel_tool_calls"),
        response_format=options.get("response_format"),
    )
    _check_catalog(body, endpoint)
    return body, build_headers(attribution or {}, default_headers)


def _check_catalog(body: JSONDict, endpoint: Any) -> None:
    # The model catalog (~7 ms to import) loads on the first request, not at import.
    from openrouter_core import catalog

    catalog.check_request(body, endpoint)


class BodyTemplate:
    """Everything :func:`prepare` builds into a body without options, but its messages.

    A model's requests differ mostly in their messages: the settings' part of the body, its
    stream flags and its routing checks stay the same while the settings do. Built once, it
    makes the body of each request, equal to :func:`build_body`'s (the same keys, values and
    order, the same checks in the same order and the same warnings), and consults the catalog as
    :func:`prepare` does, with each request's catalogs (``catalog.RepeatedCheck`` skips the
    check only where it would do nothing).

    Bodies made from one template share their nested setting values (a ``provider`` object,
    say) with it. Nothing changes a body once built; the transport only serialises it.

    Raises:
        InputError: The model slug (when built); the messages (when a body is made).
    """

    __slots__ = ("_catalog_check", "_conflicts", "_model", "_rest")

    def __init__(self, model: str, settings: RequestSettings, *, stream: bool,
                 stream_usage: bool = True) -> None:
        # Templates are made on a request's path, where the catalog is loaded anyway.
        from openrouter_core import catalog

        _check_model(model)
        rest: JSONDict = {}
        _add_settings(rest, settings, stream=stream, stream_usage=stream_usage)
        self._model = model
        self._rest = rest
        # What the checks of a whole body read: the body without its messages, keys in the
        # body's order ("model" first; a "model" among the settings wins, as in build_body).
        fixed = {"model": model, **rest}
        self._conflicts = tuple(routing_conflicts(fixed))
        self._catalog_check: RepeatedCheck = catalog.RepeatedCheck(fixed)

    def body(self, messages: Sequence[Mapping[str, Any]], endpoint: Any = None) -> JSONDict:
        """The checked body for ``messages`` (as ``prepare``'s, catalog checks included)."""
        check_messages(messages)
        body: JSONDict = {"model": self._model, "messages": list(messages), **self._rest}
        _warn_routing(self._conflicts)
        # Done again only when the catalogs known or the warnings memory changed.
        self._catalog_check.check(endpoint)
        return body


SORT_VARIANTS = {"exacto": "exacto", "nitro": "throughput", "floor": "price"}
"""Model-slug variants that are shortcuts for a ``provider.sort`` value."""


class RoutingWarning(UserWarning):
    """Two routing settings of one request where OpenRouter applies only one."""


def routing_conflicts(body: Mapping[str, Any]) -> list[str]:
    """What in ``body``'s routing OpenRouter will not apply as written, one message each.

    OpenRouter documents ``:exacto``/``:nitro``/``:floor`` as shortcuts for
    ``provider.sort`` (``exacto``/``throughput``/``price``), and ``provider.sort`` as used only
    when ``provider.order`` is not set.
    """
    model = str(body.get("model") or "")
    provider = body.get("provider")
    provider = provider if isinstance(provider, Mapping) else {}
    sort = provider.get("sort")
    asked = sort.get("by") if isinstance(sort, Mapping) else sort
    variant = model.rsplit(":", 1)[1] if ":" in model else ""
    implied = SORT_VARIANTS.get(variant)
    found = []
    if implied is not None and asked is not None and asked != implied:
        found.append(f"model {model!r}: the ':{variant}' variant sorts providers by "
                     f"{implied!r} while provider.sort asks for {asked!r}; OpenRouter applies "
                     "one sort per request, so keep only one of them")
    if (implied or asked) and provider.get("order"):
        found.append(f"model {model!r}: provider.sort ({asked or implied!r}) is used only when "
                     f"provider.order is not set; with order={list(provider['order'])!r} the "
                     "order decides")
    return found


def build_headers(
    attribution: Mapping[str, str], default_headers: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Per-request headers: the user's defaults, then attribution (never the API key)."""
    headers = dict(default_headers or {})
    headers.update(attribution)
    return headers
