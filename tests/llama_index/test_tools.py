"""Tool specs, tool choice and reading tool calls back (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
from llama_index.core.tools import FunctionTool

from llama_index_openrouter.tools import (
    OpenRouterToolSelection,
    keep_first_tool_call,
    repair_partial_json,
    resolve_tool_choice,
    tool_selections,
    tool_spec,
)


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def response(*blocks: ToolCallBlock, partial: bool = False, **extra: object) -> ChatResponse:
    kwargs = {"partial": True} if partial else {}
    return ChatResponse(message=ChatMessage(role="assistant", blocks=list(blocks),
                                            additional_kwargs=dict(extra)),
                        additional_kwargs=kwargs)


def test_tool_spec() -> None:
    spec = tool_spec(FunctionTool.from_defaults(add))
    assert spec["type"] == "function"
    assert spec["function"]["name"] == "add"
    assert spec["function"]["parameters"]["required"] == ["a", "b"]


@pytest.mark.parametrize(("choice", "required", "expected"), [
    (None, False, None), (None, True, "required"), ("add", False, "add"),
    ("auto", True, "auto"), ({"type": "function", "function": {"name": "x"}}, False,
                             {"type": "function", "function": {"name": "x"}}),
])
def test_resolve_tool_choice(choice: object, required: bool, expected: object) -> None:
    assert resolve_tool_choice(choice, required) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": 1, "b', {"a": 1}), ('{"a": "hel', {"a": "hel"}), ('{"a": [1, 2', {"a": [1, 2]}),
    ("{", {}), ('{"q":"x\\"y', {"q": 'x"y'}), ('{"a": 1,', {"a": 1}), ("", None),
    ('{"a": {"b": "c"}, "d": tr', {"a": {"b": "c"}}),
])
def test_repair_partial_json(text: str, expected: object) -> None:
    assert repair_partial_json(text) == expected


def test_selections_from_blocks() -> None:
    out = tool_selections(response(
        ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
        ToolCallBlock(tool_call_id="c2", tool_name="add", tool_kwargs='{"a": 3, "b": 4}'),
    ), partial=False)
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in out] == [
        ("c1", "add", {"a": 1, "b": 2}), ("c2", "add", {"a": 3, "b": 4})]


def test_partial_arguments_are_repaired() -> None:
    out = tool_selections(response(
        ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs='{"a": 1, "b":'),
        partial=True), partial=True)
    assert out[0].tool_kwargs == {"a": 1}
    assert isinstance(out[0], OpenRouterToolSelection)
    assert out[0].error is None


def test_invalid_json_in_a_complete_response_errors_that_call_only() -> None:
    out = tool_selections(response(
        ToolCallBlock(tool_call_id="ok", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
        ToolCallBlock(tool_call_id="bad", tool_name="add", tool_kwargs='{"a": 1, "b": '),
    ), partial=False)
    good, bad = out
    assert good.tool_kwargs == {"a": 1, "b": 2}
    assert isinstance(bad, OpenRouterToolSelection)
    assert bad.tool_kwargs == {}
    assert bad.error is not None
    assert "bad" in bad.error
    assert "not valid JSON" in bad.error
    assert bad.raw_arguments == '{"a": 1, "b": '


def test_non_object_arguments_are_an_error() -> None:
    out = tool_selections(response(ToolCallBlock(tool_call_id="c", tool_name="f",
                                                 tool_kwargs="[1, 2]")), partial=False)
    assert isinstance(out[0], OpenRouterToolSelection)
    assert out[0].error is not None
    assert "JSON object" in out[0].error


def test_legacy_tool_calls_are_read() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    out = tool_selections(response(tool_calls=[call]), partial=False)
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in out] == [("c", "f", {"x": 1})]


def test_keep_first_tool_call() -> None:
    calls = [{"id": i, "type": "function", "function": {"name": "f", "arguments": "{}"}}
             for i in ("a", "b")]
    trimmed = keep_first_tool_call(response(
        ToolCallBlock(tool_call_id="a", tool_name="f"),
        ToolCallBlock(tool_call_id="b", tool_name="f"), tool_calls=calls))
    assert [b.tool_call_id for b in trimmed.message.blocks] == ["a"]  # type: ignore[union-attr]
    assert [c["id"] for c in trimmed.message.additional_kwargs["tool_calls"]] == ["a"]


def test_tool_spec_equals_the_tools_own_and_never_shares_objects() -> None:
    # tool_spec caches a plain ToolMetadata's dict as JSON text (pydantic rebuilds the JSON
    # schema on every call); it must equal what LlamaIndex builds, request after request.
    from typing import Literal

    from llama_index.core.tools import FunctionTool
    from pydantic import BaseModel, Field

    from llama_index_openrouter.tools import _spec_text, tool_spec

    _spec_text.cache_clear()

    class Where(BaseModel):
        city: str = Field(description="City name")
        unit: Literal["c", "f"] = "c"
        days: list[int] = []

    def weather(city: str, unit: str = "c") -> str:
        """Weather for a city."""
        return city

    tools = [FunctionTool.from_defaults(fn=weather),
             FunctionTool.from_defaults(fn=weather, name="w2", fn_schema=Where,
                                        description="Forecast")]
    expected = [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]
    schemas_built = 0
    real_schema = Where.model_json_schema.__func__  # type: ignore[attr-defined]

    def counted(cls: type[BaseModel], *args: Any, **kwargs: Any) -> Any:
        nonlocal schemas_built
        schemas_built += 1
        return real_schema(cls, *args, **kwargs)

    Where.model_json_schema = classmethod(counted)  # type: ignore[method-assign,assignment]
    try:
        for tool, reference in zip(tools, expected, strict=True):
            first = tool_spec(tool)
            assert first == reference
            first["function"]["parameters"]["properties"].clear()
            assert tool_spec(tool) == reference
    finally:
        del Where.model_json_schema
    assert schemas_built == 1  # once for the first request, not on every request


def test_tool_spec_asks_a_metadata_subclass_and_lets_a_bad_schema_reach_the_check() -> None:
    import datetime

    from llama_index.core.tools import ToolMetadata
    from pydantic import BaseModel, Field

    from openrouter_core.errors import InputError
    from openrouter_core.request import check_tools

    class Custom(ToolMetadata):  # a subclass may build its schema its own way: asked each time
        def to_openai_tool(self, skip_length_check: bool = False) -> dict[str, Any]:
            return {"type": "function", "function": {"name": "custom", "parameters": {}}}

    tool = FunctionTool.from_defaults(add)
    tool._metadata = Custom(name="add", description="Add.")
    assert tool_spec(tool)["function"]["name"] == "custom"

    class When(BaseModel):  # an example json cannot write, added after pydantic's encoding
        day: str = Field(json_schema_extra=lambda schema: schema.update(
            example=datetime.date(2026, 1, 1)))

    def plan(day: str) -> str:
        """Plan a day."""
        return day

    bad = tool_spec(FunctionTool.from_defaults(fn=plan, fn_schema=When))
    assert bad["function"]["name"] == "plan"  # LlamaIndex's own dict, passed on
    with pytest.raises(InputError, match=r"tools\[0\] \(plan\): schema is not JSON"):
        check_tools([bad])
