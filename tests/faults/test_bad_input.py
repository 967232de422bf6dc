"""Bad input: a clear ``InputError`` naming the problem, raised before any request is sent.

Each case runs through all eight call styles (for streams the error comes on first iteration)
and asserts the emulator saw nothing. A reply whose tool arguments are not valid JSON must not
lose the other calls.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitableBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
)
from pydantic import SecretStr

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import errors
from openrouter_core.testing import Emulator, Reply
from tests.faults.cases import assert_typed
from tests.faults.drivers import KEY, MODEL, STYLES, Framework, Style, call, make_model
from tests.faults.report import record

MISSING = "/nonexistent/dir/missing-image.png"
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
UNSERIALISABLE = {"type": "function", "function": {
    "name": "pick", "parameters": {"type": "object",
                                   "properties": {"x": {"enum": {"a", "b"}}}}}}

Call = tuple[Any, Any, dict[str, Any]]
"""What to call: the model (or a bound LangChain runnable), the prompt, per-call kwargs."""


def _human(content: list[Any]) -> list[HumanMessage]:
    return [HumanMessage(content=content)]


def _user(*blocks: Any) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, blocks=list(blocks))]


def _vanished_image() -> ImageBlock:
    """An ``ImageBlock`` whose file existed when the block was made and is gone now
    (LlamaIndex itself rejects a path that does not exist at construction)."""
    folder = Path(tempfile.mkdtemp())
    path = folder / "missing-image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    block = ImageBlock(path=path)
    path.unlink()
    folder.rmdir()
    return block


def _plain(text: str = "hi") -> Any:
    return text


@dataclass(frozen=True, slots=True)
class BadInput:
    """One kind of bad input, built per framework; ``needle`` must be in the message."""

    id: str
    label: str
    needles: tuple[str, ...]
    langchain: Callable[[ChatOpenRouter], Call]
    llama_index: Callable[[OpenRouter], Call]
    xfail: dict[str, str] = field(default_factory=dict)


LOCAL_PATH_BUG = ("langchain_openrouter.content.image_part/file_part (Source.data_url) pass a "
                  "`url` that is a local path or file:// URL to OpenRouter verbatim (request "
                  "sent, OpenRouter cannot read it, local path leaks); expected InputError "
                  "before any request (only http(s):// and data: URLs are sendable)")
CASES = [
    BadInput("unknown-block", "unknown content block type", ("not supported",),
             lambda m: (m, _human([{"type": "hologram", "data": "x"}]), {}),
             lambda m: (m, _user(CitableBlock(content=[TextBlock(text="x")], title="t",
                                              source="s")), {})),
    BadInput("image-no-data", "image block without data or URL", ("image",),
             lambda m: (m, _human([{"type": "image", "mime_type": "image/png"}]), {}),
             lambda m: (m, _user(ImageBlock()), {})),
    BadInput("missing-file", "unreadable file path", ("missing-image.png",),
             lambda m: (m, _human([{"type": "image", "url": MISSING}]), {}),
             lambda m: (m, _user(_vanished_image()), {})),
    BadInput("file-url", "`file://` URL as an image", ("file://",),
             lambda m: (m, _human([{"type": "image", "url": "file:///etc/hostname"}]), {}),
             lambda m: (m, _user(ImageBlock(url="file:///etc/hostname")), {})),
    BadInput("schema", "non-JSON-serialisable tool schema", ("not JSON-serialisable", "pick"),
             lambda m: (m.bind_tools([UNSERIALISABLE]), _plain(), {}),
             lambda m: (m, _user(TextBlock(text="hi")), {"tools": [UNSERIALISABLE]})),
    BadInput("tool-choice", "`tool_choice` naming a tool that is not bound",
             ("get_time", "not bound"),
             lambda m: (m.bind_tools([WEATHER], tool_choice="get_time"), _plain(), {}),
             lambda m: (m, _user(TextBlock(text="hi")),
                        {"tools": [WEATHER], "tool_choice": "get_time"})),
    BadInput("tool-choice-no-tools", "`tool_choice` naming a tool, no tools bound",
             ("get_time", "no tools"),
             lambda m: (m, _plain(), {"tool_choice": "get_time"}),
             lambda m: (m, _user(TextBlock(text="hi")), {"tool_choice": "get_time"})),
    BadInput("provider", "invalid `provider` preference value", ("sort",),
             lambda m: (m, _plain(), {"provider": {"sort": "cheapest"}}),
             lambda m: (m, _user(TextBlock(text="hi")), {"provider": {"sort": "cheapest"}})),
    BadInput("max-tokens", "negative `max_tokens`", ("max_tokens",),
             lambda m: (m, _plain(), {"max_tokens": -5}),
             lambda m: (m, _user(TextBlock(text="hi")), {"max_tokens": -5})),
    BadInput("empty", "empty message list", ("empty",),
             lambda m: (m, [], {}),
             lambda m: (m, [], {})),
]


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for style in STYLES:
            reason = case.xfail.get(style.framework)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(case, style, id=f"{case.id}-{style.id}", marks=marks))
    return out


@pytest.mark.parametrize(("case", "style"), _params())
def test_bad_input_fails_before_any_request(request: pytest.FixtureRequest, emu: Emulator,
                                            case: BadInput, style: Style) -> None:
    record(request, "Bad input", case.label,
           "`InputError` (a `ValueError`) naming the problem; 0 requests", style.id)
    model: Any = make_model(style, emu)
    build = case.langchain if style.framework == "langchain" else case.llama_index
    target, prompt, kwargs = build(model)
    outcome = call(style, target, prompt, **kwargs)
    error = assert_typed(outcome, style, errors.InputError)
    assert isinstance(error, ValueError)
    for needle in case.needles:
        assert needle in str(error), str(error)
    assert emu.requests == []


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
@pytest.mark.parametrize(("setting", "value", "needle"), [
    ("provider", {"sort": "cheapest"}, "sort"),
    ("max_tokens", -1, "max_tokens"),
    ("reasoning", {"effort": "extreme"}, "effort"),
])
def test_bad_settings_fail_at_construction(request: pytest.FixtureRequest, emu: Emulator,
                                           framework: Framework, setting: str, value: Any,
                                           needle: str) -> None:
    record(request, "Bad input at construction", f"`{setting}={value!r}` ({framework})",
           "`ValueError` naming the parameter; no key in the message; 0 requests")
    with pytest.raises(ValueError, match=needle) as info:
        if framework == "langchain":
            ChatOpenRouter(model=MODEL, api_key=SecretStr(KEY), base_url=emu.base_url,
                           **{"openrouter_provider" if setting == "provider" else setting: value})
        else:
            OpenRouter(model=MODEL, api_key=SecretStr(KEY), api_base=emu.base_url,
                       **{setting: value})
    assert KEY not in str(info.value)
    assert emu.requests == []


# Not a truncated prefix: LangChain's own chunk merging "repairs" prefixes such as
# '{"city": "Par' into {"city": "Par"} (parse_partial_json), which no adapter can prevent.
BROKEN_ARGS = Reply.tool_calls(("get_weather", '{"city": Paris}'), ("get_time", {"tz": "UTC"}))


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_invalid_tool_arguments_keep_the_other_calls(request: pytest.FixtureRequest,
                                                     emu: Emulator, style: Style) -> None:
    record(request, "Bad input", "reply with invalid JSON tool arguments (1 of 2 calls)",
           "LangChain: `invalid_tool_calls` + the valid call; LlamaIndex: per-call `error` + "
           "the valid call", style.id)
    emu.enqueue(BROKEN_ARGS)
    model: Any = make_model(style, emu)
    outcome = call(style, model)
    assert outcome.error is None, repr(outcome.error)
    if style.framework == "langchain":
        message = outcome.result
        assert [(c["name"], c["args"]) for c in message.tool_calls] == [
            ("get_time", {"tz": "UTC"})]
        assert [(c["name"], c["args"]) for c in message.invalid_tool_calls] == [
            ("get_weather", '{"city": Paris}')]
    else:
        selections = model.get_tool_calls_from_response(outcome.result,
                                                        error_on_no_tool_call=False)
        by_name = {s.tool_name: s for s in selections}
        assert set(by_name) == {"get_weather", "get_time"}
        assert by_name["get_time"].tool_kwargs == {"tz": "UTC"}
        assert getattr(by_name["get_time"], "error", None) is None
        broken = by_name["get_weather"]
        assert broken.tool_kwargs == {}
        assert "not valid JSON" in str(getattr(broken, "error", ""))
        assert "get_weather" in str(getattr(broken, "error", ""))


CUT_ARGS = Reply.tool_calls(("get_weather", '{"city": "Par', "call_cut"),
                            ("get_time", {"tz": "UTC"}), finish_reason="tool_calls",
                            native_finish_reason="max_output_tokens")
"""RIG-06's shape: the output limit cut the second-to-last call's arguments mid-JSON."""


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_call_cut_off_by_the_output_limit_is_never_runnable(request: pytest.FixtureRequest,
                                                            emu: Emulator, style: Style) -> None:
    record(request, "Bad input", "tool call cut off by the output limit (native "
           "`max_output_tokens`, arguments mid-JSON)",
           "raw text kept, error names the limit. LangChain: `invalid_tool_calls` (streams: "
           "the final chunk's `response_metadata`); LlamaIndex: `TruncatedToolCallError` when "
           "the calls are read", style.id)
    emu.enqueue(CUT_ARGS)
    model: Any = make_model(style, emu)
    outcome = call(style, model)
    assert outcome.error is None, repr(outcome.error)
    limit = "cut off by the output limit (finish reason 'max_output_tokens')"
    if style.framework == "langchain":
        message = outcome.result
        streamed = style.method in ("stream", "astream")
        verdict = (message.response_metadata["invalid_tool_calls"] if streamed
                   else message.invalid_tool_calls)
        assert [(c["id"], c["args"]) for c in verdict] == [("call_cut", '{"city": "Par')]
        assert limit in verdict[0]["error"]
        if not streamed:
            assert [c["name"] for c in message.tool_calls] == ["get_time"]
    else:
        with pytest.raises(errors.TruncatedToolCallError, match=r"'get_weather'") as info:
            model.get_tool_calls_from_response(outcome.result)
        assert limit in str(info.value)
        assert info.value.calls == [("call_cut", "get_weather", '{"city": "Par')]
