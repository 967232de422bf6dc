"""OpenRouter server tools: one declaration each, one check for helpers and hand-written dicts.

A server tool (``{"type": "openrouter:image_generation", "parameters": {...}}`` in ``tools``)
runs on OpenRouter, not in the caller's process: the model asks for it, OpenRouter executes it
and feeds the result back to the model, and the reply carries the model's answer. Agents must
therefore never try to run one locally; the adapters make sure of that.

Every tool OpenRouter documents for Chat Completions is declared in :data:`SPECS` with its
parameters. :func:`check_server_tool` applies the same rules to a helper's output and to a dict
the user wrote: known enumerations and ranges fail with an error naming the parameter and the
allowed values; an unknown parameter follows :mod:`openrouter_core.spelling` (a near miss of a
known name fails with "did you mean", anything else is sent with a one-time warning, since
OpenRouter passes extra parameters to the model behind the tool).

Image-generation values are checked against the options OpenRouter documents for its image
models (quality, background, output format, compression, moderation). Some image models take
other values; pass those through ``extra=`` on :func:`image_generation`, which is sent unchecked.

What comes back: OpenRouter gives the model the generated image's URL, and the model writes it
into its text (usually as a Markdown image); Chat Completions has no structured field for it.
:func:`image_urls_in_text` extracts those links on request; nothing guesses silently.
Usage reports ``server_tool_use_details`` (requests made and executed, web searches), and the
tool's fee is part of ``usage.cost`` (see :attr:`openrouter_core.decode.Usage.server_tool_cost`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openrouter_core.errors import InputError
from openrouter_core.spelling import check_keys, closest, warn_once

JSONDict = dict[str, Any]
PREFIX = "openrouter:"
"""The ``type`` prefix of every OpenRouter server tool."""

SHORTHANDS = frozenset({"web_search", "web_search_preview", "web_search_preview_2025_03_11",
                        "web_search_2025_08_26"})
"""OpenAI-style tool types OpenRouter accepts and turns into ``openrouter:web_search``."""


@dataclass(frozen=True, slots=True)
class Param:
    """One documented parameter: its JSON type, allowed values or range, and a pattern."""

    kind: type | tuple[type, ...]
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    items: tuple[int, int] | None = None
    """For lists: the allowed number of items."""


@dataclass(frozen=True, slots=True)
class ServerToolSpec:
    """A server tool: its ``type``, documented parameters and any rule across parameters."""

    type: str
    summary: str
    params: Mapping[str, Param] = field(default_factory=dict)
    rule: Callable[[JSONDict, str], None] | None = None


_STR, _INT, _BOOL = str, int, bool
_NUMBER = (int, float)
_LIST, _DICT = list, dict
_LOSSY = ("jpeg", "webp")


def _image_rule(params: JSONDict, where: str) -> None:
    fmt = params.get("output_format")
    if "output_compression" in params and fmt not in _LOSSY:
        raise InputError(f"{where}: output_compression applies only to lossy output formats "
                         f"({', '.join(_LOSSY)}); output_format is {fmt or 'png (the default)'}")
    if params.get("background") == "transparent" and fmt not in (None, "png", "webp"):
        raise InputError(f"{where}: a transparent background needs output_format png or webp, "
                         f"not {fmt!r}")


SPECS: dict[str, ServerToolSpec] = {spec.type: spec for spec in (
    ServerToolSpec("openrouter:image_generation", "generates images from a prompt the model "
                   "writes (default model openai/gpt-5-image)", {
        "model": Param(_STR),
        "quality": Param(_STR, ("auto", "low", "medium", "high")),
        "size": Param(_STR, pattern=r"auto|\d+x\d+"),
        "aspect_ratio": Param(_STR, pattern=r"\d+(\.\d+)?:\d+(\.\d+)?"),
        "background": Param(_STR, ("auto", "transparent", "opaque")),
        "output_format": Param(_STR, ("png", "jpeg", "webp", "svg")),
        "output_compression": Param(_INT, minimum=0, maximum=100),
        "moderation": Param(_STR, ("auto", "low")),
    }, _image_rule),
    ServerToolSpec("openrouter:web_search", "searches the web; citations come back as "
                   "url_citation annotations", {
        "engine": Param(_STR, ("auto", "native", "exa", "firecrawl", "parallel", "perplexity")),
        "mode": Param(_STR, ("instant", "fast", "auto", "deep-lite", "deep", "deep-reasoning",
                             "turbo", "basic", "advanced")),
        "max_results": Param(_INT, minimum=1, maximum=25),
        "max_uses": Param(_INT, minimum=1),
        "max_total_results": Param(_INT, minimum=1),
        "search_context_size": Param(_STR, ("low", "medium", "high")),
        "max_characters": Param(_INT, minimum=1, maximum=100_000),
        "user_location": Param(_DICT),
        "allowed_domains": Param(_LIST),
        "excluded_domains": Param(_LIST),
    }),
    ServerToolSpec("openrouter:web_fetch", "fetches the pages the model asks for", {
        "engine": Param(_STR, ("auto", "native", "exa", "openrouter", "firecrawl", "parallel")),
        "max_uses": Param(_INT, minimum=1),
        "max_content_tokens": Param(_INT, minimum=1),
        "allowed_domains": Param(_LIST),
        "blocked_domains": Param(_LIST),
    }),
    ServerToolSpec("openrouter:datetime", "tells the model the current date and time", {
        "timezone": Param(_STR),
    }),
    ServerToolSpec("openrouter:fusion", "has several analysis models answer, then one "
                   "model fuses their answers", {
        "analysis_models": Param(_LIST, items=(1, 8)),
        "model": Param(_STR),
        "max_tool_calls": Param(_INT, minimum=1, maximum=16),
        "max_completion_tokens": Param(_INT, minimum=1),
        "temperature": Param(_NUMBER, minimum=0, maximum=2),
        "reasoning": Param(_DICT),
        "tools": Param(_LIST, items=(0, 8)),
    }),
    ServerToolSpec("openrouter:advisor", "lets the model consult a second model", {
        "model": Param(_STR),
        "name": Param(_STR, pattern=r".{1,64}"),
        "instructions": Param(_STR),
        "forward_transcript": Param(_BOOL),
        "max_completion_tokens": Param(_INT, minimum=1),
        "temperature": Param(_NUMBER, minimum=0, maximum=2),
        "reasoning": Param(_DICT),
        "stream": Param(_BOOL),
    }),
    ServerToolSpec("openrouter:subagent", "delegates a task to another model with its own "
                   "server tools", {
        "model": Param(_STR),
        "name": Param(_STR, pattern=r".{1,64}"),
        "instructions": Param(_STR),
        "tools": Param(_LIST),
        "max_tool_calls": Param(_INT, minimum=1, maximum=25),
        "max_completion_tokens": Param(_INT, minimum=1),
        "temperature": Param(_NUMBER, minimum=0, maximum=2),
        "reasoning": Param(_DICT),
    }),
    ServerToolSpec("openrouter:experimental__search_models", "searches OpenRouter's model "
                   "catalog", {"max_results": Param(_INT, minimum=1, maximum=20)}),
    ServerToolSpec("openrouter:files", "reads files attached to the conversation"),
)}
"""Every server tool OpenRouter documents for Chat Completions, by ``type``."""


def is_server_tool(tool: Any) -> bool:
    """Whether ``tool`` is a server-tool dict (``openrouter:*`` or an OpenAI search shorthand)."""
    # A plain dict first: bind_tools asks this of every tool, and the Mapping check is an ABC
    # look-up that costs about as much as the rest.
    if type(tool) is not dict and not isinstance(tool, Mapping):
        return False
    kind = tool.get("type")
    return isinstance(kind, str) and (kind.startswith(PREFIX) or kind in SHORTHANDS)


def _describe(param: Param) -> str:
    if param.choices:
        return "one of " + ", ".join(repr(c) for c in param.choices)
    if param.minimum is not None or param.maximum is not None:
        low = "" if param.minimum is None else f"{param.minimum:g}"
        high = "" if param.maximum is None else f"{param.maximum:g}"
        return f"a number in [{low}, {high}]" if high else f"a number >= {low}"
    kinds = param.kind if isinstance(param.kind, tuple) else (param.kind,)
    return " or ".join({"str": "a string", "int": "an integer", "float": "a number",
                        "bool": "true or false", "list": "a list",
                        "dict": "an object"}[k.__name__] for k in kinds)


def _check_value(name: str, value: Any, param: Param, where: str) -> None:
    kinds = param.kind if isinstance(param.kind, tuple) else (param.kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if ok and param.choices:
        ok = value in param.choices
    if ok and isinstance(value, (int, float)) and not isinstance(value, bool):
        ok = ((param.minimum is None or value >= param.minimum)
              and (param.maximum is None or value <= param.maximum))
    if ok and param.pattern is not None:
        ok = re.fullmatch(param.pattern, value) is not None
    if ok and param.items is not None:
        ok = param.items[0] <= len(value) <= param.items[1]
    if not ok:
        expected = _describe(param)
        if param.items is not None:
            expected = f"a list of {param.items[0]} to {param.items[1]} items"
        elif param.pattern is not None and not param.choices:
            expected = f"a string matching {param.pattern!r}"
        raise InputError(f"{where}: parameter {name!r} must be {expected}, got {value!r}")


def check_server_tool(tool: Mapping[str, Any], where: str = "tools") -> JSONDict:
    """Validate one server-tool dict and return a plain copy to send.

    Raises:
        InputError: A misspelled tool type or parameter, a value outside the documented choices
            or range, or ``parameters`` that is not an object; the message names the parameter
            and what is allowed.
    """
    out = dict(tool)
    kind = str(out.get("type"))
    if kind in SHORTHANDS:
        return out
    spec = SPECS.get(kind)
    where = f"{where} ({kind})"
    if spec is None:
        near = closest(kind, SPECS)
        if near is not None:
            raise InputError(f"{where}: unknown server tool; did you mean {near!r}? "
                             f"Known: {', '.join(sorted(SPECS))}")
        warn_once("server tools", kind, f"{where}: not a server tool this package knows; sent "
                  "as given (OpenRouter may have added it)")
        return out
    # Warned about once per tool kind and key, wherever it is checked (bind_tools, then
    # every request that carries it).
    check_keys((k for k in out if k != "type"), ("parameters",), where, scope=kind)
    params = out.get("parameters")
    if params is None:
        return out
    if not isinstance(params, Mapping):
        raise InputError(f"{where}: 'parameters' must be an object, got {params!r}")
    params = dict(params)
    check_keys(params, spec.params, f"{where} parameters", scope=f"{kind} parameters")
    for name, value in params.items():
        if name in spec.params and value is not None:
            _check_value(name, value, spec.params[name], where)
    if spec.rule is not None:
        spec.rule(params, where)
    out["parameters"] = params
    return out


def server_tool(kind: str, extra: Mapping[str, Any] | None = None, **params: Any) -> JSONDict:
    """The checked dict of server tool ``kind`` with ``params`` (``None`` values left out).

    ``extra`` parameters are added after the check, unchecked: for values an image model
    accepts beyond the documented ones.
    """
    given = {k: v for k, v in params.items() if v is not None}
    tool: JSONDict = {"type": kind}
    if given:
        tool["parameters"] = given
    tool = check_server_tool(tool, "server tool")
    if extra:
        tool["parameters"] = {**tool.get("parameters", {}), **extra}
    return tool


def image_generation(*, model: str | None = None, quality: str | None = None,
                     size: str | None = None, aspect_ratio: str | None = None,
                     background: str | None = None, output_format: str | None = None,
                     output_compression: int | None = None, moderation: str | None = None,
                     extra: Mapping[str, Any] | None = None, **other: Any) -> JSONDict:
    """``openrouter:image_generation``: any model can draw; OpenRouter runs the image model.

    Args:
        model: The image model (OpenRouter's default is ``openai/gpt-5-image``).
        quality: ``auto``, ``low``, ``medium`` or ``high``.
        size: ``"1024x1024"``-style, or ``auto``.
        aspect_ratio: ``"16:9"``-style.
        background: ``auto``, ``transparent`` (png or webp only) or ``opaque``.
        output_format: ``png``, ``jpeg``, ``webp`` or ``svg``.
        output_compression: 0-100, for ``jpeg`` and ``webp`` only.
        moderation: ``auto`` or ``low``.
        extra: Further parameters for the image model, sent unchecked.
        **other: Parameters not named above: a near miss of a known one fails ("did you
            mean"), others are sent with a one-time warning.
    """
    return server_tool("openrouter:image_generation", extra, model=model, quality=quality,
                       size=size, aspect_ratio=aspect_ratio, background=background,
                       output_format=output_format, output_compression=output_compression,
                       moderation=moderation, **other)


def web_search(*, engine: str | None = None, mode: str | None = None,
               max_results: int | None = None, max_uses: int | None = None,
               max_total_results: int | None = None, search_context_size: str | None = None,
               max_characters: int | None = None, user_location: Mapping[str, Any] | None = None,
               allowed_domains: list[str] | None = None,
               excluded_domains: list[str] | None = None,
               extra: Mapping[str, Any] | None = None, **other: Any) -> JSONDict:
    """``openrouter:web_search``: the model searches when it needs to; url citations come back.

    Args:
        engine: ``auto``, ``native``, ``exa``, ``firecrawl``, ``parallel`` or ``perplexity``.
        mode: The engine's depth (Exa: ``instant`` … ``deep-reasoning``; Parallel: ``turbo`` …
            ``advanced``).
        max_results: Results per search, 1-25.
        max_uses: Searches per request.
        max_total_results: Results per request.
        search_context_size: ``low``, ``medium`` or ``high``.
        max_characters: Characters kept per result, 1-100,000.
        user_location: ``{"type": "approximate", "city": ..., "country": ...}``.
        allowed_domains: Only these domains.
        excluded_domains: Never these domains.
        extra: Further parameters, sent unchecked.
        **other: Other parameters, checked as in :func:`image_generation`.
    """
    return server_tool("openrouter:web_search", extra, engine=engine, mode=mode,
                       max_results=max_results, max_uses=max_uses,
                       max_total_results=max_total_results,
                       search_context_size=search_context_size, max_characters=max_characters,
                       user_location=dict(user_location) if user_location else None,
                       allowed_domains=allowed_domains, excluded_domains=excluded_domains,
                       **other)


def web_fetch(*, engine: str | None = None, max_uses: int | None = None,
              max_content_tokens: int | None = None, allowed_domains: list[str] | None = None,
              blocked_domains: list[str] | None = None,
              extra: Mapping[str, Any] | None = None, **other: Any) -> JSONDict:
    """``openrouter:web_fetch``: the model reads the pages it asks for (``engine``: ``auto``,
    ``native``, ``exa``, ``openrouter``, ``firecrawl`` or ``parallel``)."""
    return server_tool("openrouter:web_fetch", extra, engine=engine, max_uses=max_uses,
                       max_content_tokens=max_content_tokens, allowed_domains=allowed_domains,
                       blocked_domains=blocked_domains, **other)


def datetime_tool(*, timezone: str | None = None, **other: Any) -> JSONDict:
    """``openrouter:datetime``: the model can ask for the current time (IANA ``timezone``)."""
    return server_tool("openrouter:datetime", None, timezone=timezone, **other)


_MARKDOWN_IMAGE = re.compile(
    r"!\[[^\]]*\]\(\s*"
    # The destination: in angle brackets, or bare, where (as in CommonMark) parentheses may
    # appear balanced (two levels deep: ``cat_(1).png``, ``a((b)).png``).
    r"(?:<(https?://[^\s<>]+)>"
    r"|(https?://(?:[^\s()<>]|\((?:[^\s()<>]|\([^\s()<>]*\))*\))+))"
    # An optional title, in any of Markdown's three quotings.
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")


def image_urls_in_text(text: str) -> list[str]:
    """The image URLs a model wrote as Markdown images (``![alt](https://...)``), in order,
    without repeats.

    ``openrouter:image_generation`` hands the generated image's URL to the model, which is
    told to include it in its answer; Chat Completions has no structured field for it. Only
    Markdown image syntax is read, so a plain link in the text is never taken for an image.
    The URLs OpenRouter hosts are temporary: download what you keep.
    """
    seen: dict[str, None] = {}
    for match in _MARKDOWN_IMAGE.finditer(text):
        seen.setdefault(match.group(1) or match.group(2), None)
    return list(seen)
