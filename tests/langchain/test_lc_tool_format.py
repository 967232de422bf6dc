"""``format_tool``'s shortcut for OpenAI function-tool dicts against the full conversion."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

from langchain_openrouter import tools as tooling
from openrouter_core import server_tools


class Lookup(BaseModel):
    """Look a word up."""

    word: str


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"]}}}

TOOLS: dict[str, Any] = {
    "function dict": WEATHER,
    "function dict, strict set": {"type": "function",
                                  "function": {**WEATHER["function"], "strict": False}},
    "function dict with extra keys": {**WEATHER, "cache_control": {"type": "ephemeral"}},
    "function dict without a function": {"type": "function", "name": "loose"},
    "function dict, function not a dict": {"type": "function", "function": "f"},
    "function dict subclass": OrderedDict(WEATHER),
    "function-shaped Mapping": MappingProxyType(WEATHER),
    "bare function schema": {"name": "bare", "description": "d",
                             "parameters": {"type": "object", "properties": {}}},
    "anthropic-style dict": {"name": "anth", "description": "d",
                             "input_schema": {"type": "object", "properties": {}}},
    "server tool": {"type": "openrouter:web_search", "parameters": {"max_results": 3}},
    "search shorthand": {"type": "web_search"},
    "pydantic class": Lookup,
    "python function": add,
}


def _full(tool: Any, strict: bool | None, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(tooling, "FUNCTION_DICTS_KEPT", False)
        try:
            return tooling.format_tool(tool, strict=strict)
        except Exception as exc:  # compared by type and message
            return (type(exc), str(exc))


def test_the_installed_langchain_core_returns_function_dicts_as_they_are() -> None:
    # What the shortcut relies on; pinned here so that the lowest, pinned and newest CI runs
    # each say whether their langchain-core still reads function dicts this way.
    assert tooling.FUNCTION_DICTS_KEPT
    assert convert_to_openai_tool(WEATHER) is WEATHER


@pytest.mark.parametrize("strict", [None, True, False])
@pytest.mark.parametrize("name", list(TOOLS))
def test_the_shortcut_formats_every_tool_as_the_full_conversion(
        name: str, strict: bool | None, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = TOOLS[name]
    try:
        got: Any = tooling.format_tool(tool, strict=strict)
    except Exception as exc:
        got = (type(exc), str(exc))
    assert got == _full(tool, strict, monkeypatch)
    if not isinstance(got, tuple):
        assert list(got) == list(_full(tool, strict, monkeypatch))  # same key order


def test_a_function_dict_is_taken_without_converting_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("converted")

    monkeypatch.setattr(tooling, "convert_to_openai_tool", refuse)
    assert tooling.format_tool(WEATHER) is WEATHER
    strict = tooling.format_tool(WEATHER, strict=True)
    assert strict["function"]["strict"] is True
    assert "strict" not in WEATHER["function"]  # the caller's dict is not changed
    with pytest.raises(AssertionError, match="converted"):
        tooling.format_tool(OrderedDict(WEATHER))  # a subclass takes the conversion
    monkeypatch.setattr(tooling, "FUNCTION_DICTS_KEPT", False)
    with pytest.raises(AssertionError, match="converted"):
        tooling.format_tool(WEATHER)  # a langchain-core that copies them: converted


def test_bind_tools_sends_the_function_dicts_it_was_given() -> None:
    from langchain_openrouter import ChatOpenRouter

    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key="sk-or-v1-x")
    bound: Any = model.bind_tools([WEATHER, Lookup])
    assert bound.kwargs["tools"][0] == WEATHER
    assert bound.kwargs["tools"][1]["function"]["name"] == "Lookup"


@pytest.mark.parametrize("tool", [
    {"type": "openrouter:web_search"}, {"type": "web_search_preview"}, {"type": "function"},
    {"type": 3}, {}, OrderedDict(type="openrouter:image_generation"),
    MappingProxyType({"type": "openrouter:web_search"}), MappingProxyType({"type": "function"}),
    Lookup, add, "openrouter:web_search", None,
])
def test_is_server_tool_reads_dicts_and_other_mappings_alike(tool: Any) -> None:
    kind = tool.get("type") if hasattr(tool, "get") else None
    expected = isinstance(kind, str) and (kind.startswith(server_tools.PREFIX)
                                          or kind in server_tools.SHORTHANDS)
    assert server_tools.is_server_tool(tool) is expected
