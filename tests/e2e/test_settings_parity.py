"""Every core setting is a constructor argument of both adapters, validated by the core.

Derived from ``RequestSettings`` (the one declaration): for each setting, a valid sample value
reaches the wire unchanged through ``ChatOpenRouter`` and ``OpenRouter``, and an invalid one
fails at construction in both, naming the setting. A setting added to the core without its
adapter fields, or typed differently in an adapter, fails here.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import pytest
from llama_index.core.base.llms.types import ChatMessage
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.config import FIELD_FOR_SETTING
from llama_index_openrouter import OpenRouter
from openrouter_core.settings import SETTING_NAMES, RequestSettings
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-e2e-test-key-0000000000"
MODEL = "openai/gpt-4o-mini"

# Values the generic rule below cannot pick (object settings and constrained strings).
SPECIAL: dict[str, tuple[Any, Any]] = {
    "provider": ({"order": ["openai"], "allow_fallbacks": False}, {"sort": "cheapest"}),
    "reasoning": ({"effort": "high"}, {"effort": "extreme"}),
    "plugins": ([{"id": "web", "max_results": 2}], [{"max_results": 2}]),
    "image_config": ({"aspect_ratio": "16:9"}, "16:9"),
    "route": ("fallback", "random"),
    "session_id": ("s-1", "x" * 300),
    "models": (["openai/gpt-4o", "anthropic/claude-haiku-4.5"], [""]),
    "stop": (["END"], 5),
    "logit_bias": ({"50256": -100.0}, {"50256": "never"}),
    "n": (2, 0),  # 1 is the API's default and is not sent
}


def _sample(annotation: Any) -> tuple[Any, Any]:
    """A valid and an invalid value for a plain annotation."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return _sample(args[0])
    if origin is Literal:
        return args[0], "not-a-choice"
    if origin is list:
        inner = typing.get_args(annotation)[0]
        good, bad = _sample(inner)
        return [good], [bad]
    if origin is dict or annotation is dict:
        return {"k": "v"}, "not-an-object"
    if annotation is bool:
        return True, "maybe"
    if annotation is int:
        return 1, "one"
    if annotation is float:
        return 0.5, "half"
    if annotation is str:
        return "x", 5
    raise AssertionError(f"no sample rule for {annotation!r}: add it to SPECIAL")


def samples() -> list[Any]:
    out = []
    for name in sorted(SETTING_NAMES):
        good, bad = SPECIAL.get(name) or _sample(RequestSettings.model_fields[name].annotation)
        out.append(pytest.param(name, good, bad, id=name))
    return out


def _wire(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value


def _langchain(emu: Emulator, name: str, value: Any) -> ChatOpenRouter:
    return ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url, max_retries=0,
                          **{FIELD_FOR_SETTING[name]: value})


def _llama_index(emu: Emulator, name: str, value: Any) -> OpenRouter:
    return OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url, max_retries=0,
                      **{name: value})


# gpt-4o-mini does not list every sampling parameter; the warning saying so is tested elsewhere.
@pytest.mark.filterwarnings("ignore::openrouter_core.catalog.UnsupportedParameterWarning")
@pytest.mark.parametrize(("name", "good", "bad"), samples())
def test_setting_reaches_the_wire_and_is_validated_in_both_adapters(
        openrouter_emulator: Emulator, name: str, good: Any, bad: Any) -> None:
    emu = openrouter_emulator
    emu.responder = lambda request: Reply.text("ok")
    _langchain(emu, name, good).invoke("x")
    _llama_index(emu, name, good).chat([ChatMessage(role="user", content="x")])
    lc_body, li_body = (r.json for r in emu.chat_requests)
    assert lc_body[name] == li_body[name] == _wire(good), name
    for make in (_langchain, _llama_index):
        with pytest.raises(ValueError, match=FIELD_FOR_SETTING[name] if make is _langchain
                           else name):
            make(emu, name, bad)


def test_both_adapters_send_tool_calls_in_history_the_same_way(
        openrouter_emulator: Emulator) -> None:
    """One tool-call builder in the core: the same call in each framework's history goes out
    as the same bytes (UTF-8 kept, not escaped)."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
    from llama_index.core.base.llms.types import TextBlock, ToolCallBlock

    emu = openrouter_emulator
    emu.responder = lambda request: Reply.text("ok")
    args = {"city": "Zürich", "days": 2}
    ChatOpenRouter(model=MODEL, api_key=KEY, base_url=emu.base_url).invoke([
        HumanMessage("weather?"),
        AIMessage("", tool_calls=[{"id": "c1", "name": "weather", "args": args}]),
        ToolMessage("sunny", tool_call_id="c1")])
    OpenRouter(model=MODEL, api_key=KEY, api_base=emu.base_url).chat([
        ChatMessage(role="user", content="weather?"),
        ChatMessage(role="assistant", blocks=[ToolCallBlock(tool_call_id="c1",
                                                            tool_name="weather",
                                                            tool_kwargs=args)]),
        ChatMessage(role="tool", blocks=[TextBlock(text="sunny")],
                    additional_kwargs={"tool_call_id": "c1"})])
    lc, li = (r.json["messages"][1]["tool_calls"] for r in emu.chat_requests)
    assert lc == li == [{"id": "c1", "type": "function", "function": {
        "name": "weather", "arguments": '{"city": "Zürich", "days": 2}'}}]
