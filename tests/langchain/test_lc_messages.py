"""LangChain messages → OpenRouter message dicts (pure)."""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_openrouter.messages import convert_messages
from openrouter_core.errors import InputError

DETAILS = [
    {"type": "reasoning.text", "text": "think", "signature": "sig", "format": "anthropic-claude-v1",
     "index": 0},
    {"type": "reasoning.encrypted", "data": "enc", "id": "rs_1", "format": "openai-responses-v1",
     "index": 1},
]


def test_basic_roles_and_names() -> None:
    out = convert_messages([
        SystemMessage("be brief"),
        HumanMessage("hi", name="alice"),
        AIMessage("hello"),
        ChatMessage(role="developer", content="dev note"),
    ])
    assert out == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi", "name": "alice"},
        {"role": "assistant", "content": "hello"},
        {"role": "developer", "content": "dev note"},
    ]


def test_assistant_replay_keeps_reasoning_details_unchanged_and_tool_calls() -> None:
    message = AIMessage(
        "",
        additional_kwargs={"reasoning_content": "think", "reasoning_details": DETAILS},
        tool_calls=[{"name": "add", "args": {"a": 1}, "id": "toolu_1", "type": "tool_call"}],
        invalid_tool_calls=[{"name": "bad", "args": "{oops", "id": "toolu_2", "error": "x",
                             "type": "invalid_tool_call"}],
    )
    (out,) = convert_messages([message])
    assert out["reasoning_details"] == DETAILS
    assert "reasoning" not in out  # details already carry it
    assert out["content"] is None
    assert out["tool_calls"] == [
        {"id": "toolu_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}},
        {"id": "toolu_2", "type": "function", "function": {"name": "bad", "arguments": "{oops"}},
    ]


def test_assistant_reasoning_text_only_is_sent_as_reasoning() -> None:
    (out,) = convert_messages([AIMessage("a", additional_kwargs={"reasoning_content": "r"})])
    assert out == {"role": "assistant", "content": "a", "reasoning": "r"}


def test_anthropic_history_tool_use_and_thinking() -> None:
    message = AIMessage([
        {"type": "thinking", "thinking": "hmm", "signature": "SIG"},
        {"type": "redacted_thinking", "data": "RED"},
        {"type": "text", "text": "let me check"},
        {"type": "tool_use", "id": "t1", "name": "pick", "input": {"c": "red"}},
    ])
    (out,) = convert_messages([message])
    assert out["content"] == "let me check"
    assert out["tool_calls"][0]["function"] == {"name": "pick", "arguments": '{"c": "red"}'}
    assert out["reasoning_details"] == [
        {"type": "reasoning.text", "text": "hmm", "format": "anthropic-claude-v1", "index": 0,
         "signature": "SIG"},
        {"type": "reasoning.encrypted", "data": "RED", "format": "anthropic-claude-v1", "index": 1},
    ]


def test_v1_assistant_content_is_replayed_without_duplicates() -> None:
    message = AIMessage(
        [
            {"type": "reasoning", "reasoning": "r"},
            {"type": "text", "text": "a", "annotations": [{"type": "citation", "url": "u"}]},
            {"type": "tool_call", "id": "c1", "name": "f", "args": {}},
            {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
        ],
        tool_calls=[{"name": "f", "args": {}, "id": "c1", "type": "tool_call"}],
        additional_kwargs={"reasoning_details": DETAILS[:1]},
    )
    (out,) = convert_messages([message])
    assert out["content"] == [
        {"type": "text", "text": "a"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]
    assert len(out["tool_calls"]) == 1
    assert out["reasoning_details"] == DETAILS[:1]


def test_assistant_cache_control_keeps_list_content() -> None:
    message = AIMessage([{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}])
    (out,) = convert_messages([message])
    assert out["content"] == [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}]


def test_tool_message_with_image_and_pdf_parts() -> None:
    message = ToolMessage(
        [{"type": "text", "text": "see"},
         {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
         {"type": "file", "base64": "BBBB", "mime_type": "application/pdf"}],
        tool_call_id="c1", status="error",
    )
    (out,) = convert_messages([message])
    assert out["role"] == "tool"
    assert out["tool_call_id"] == "c1"
    assert [p["type"] for p in out["content"]] == ["text", "image_url", "file"]


def test_human_tool_result_blocks_become_tool_messages() -> None:
    message = HumanMessage([
        {"type": "tool_result", "tool_use_id": "t1", "content": "42"},
        {"type": "tool_result", "tool_use_id": "t2",
         "content": [{"type": "text", "text": "x"}]},
        {"type": "text", "text": "and now?"},
    ])
    assert convert_messages([message]) == [
        {"role": "tool", "tool_call_id": "t1", "content": "42"},
        {"role": "tool", "tool_call_id": "t2", "content": [{"type": "text", "text": "x"}]},
        {"role": "user", "content": [{"type": "text", "text": "and now?"}]},
    ]


def test_unsupported_message_and_block_fail_before_sending() -> None:
    with pytest.raises(InputError, match="FunctionMessage is not supported"):
        convert_messages([FunctionMessage(name="f", content="x")])
    with pytest.raises(InputError, match=r"messages\[1\]\.content\[0\].*'hologram'"):
        convert_messages([HumanMessage("ok"), HumanMessage([{"type": "hologram"}])])


class _OwnHuman(HumanMessage):
    """A subclass: not the shortcut's exact type, so it takes the walk."""


_CALL = {"name": "f", "args": {"x": 1}, "id": "call_1", "type": "tool_call"}
_KINDS = {
    "human": lambda **k: HumanMessage(**k),
    "own-human": lambda **k: _OwnHuman(**k),
    "system": lambda **k: SystemMessage(**k),
    "ai": lambda **k: AIMessage(**k),
    "ai-tool-call": lambda **k: AIMessage(tool_calls=[_CALL], **k),
    "ai-invalid-call": lambda **k: AIMessage(invalid_tool_calls=[
        {"name": "f", "args": "{oops", "id": "call_2", "error": "bad", "type": "invalid_tool_call"}
    ], **k),
    "tool": lambda **k: ToolMessage(tool_call_id="call_1", **k),
}
_CONTENTS = {"text": "hello", "empty": "", "parts": [{"type": "text", "text": "hi"}],
             "bad-part": [{"type": "nonsense"}]}
_EXTRAS = {"none": {}, "named": {"name": "ann"},
           "reasoning": {"additional_kwargs": {"reasoning_details": [
               {"type": "reasoning.text", "text": "t", "index": 0}]}},
           "reasoning-content": {"additional_kwargs": {"reasoning_content": "thought"}},
           "empty-reasoning": {"additional_kwargs": {"reasoning_content": ""}}}


@pytest.mark.parametrize("extra", list(_EXTRAS))
@pytest.mark.parametrize("content", list(_CONTENTS))
@pytest.mark.parametrize("kind", list(_KINDS))
def test_the_text_shortcut_is_the_walk(kind: str, content: str, extra: str) -> None:
    from langchain_openrouter.messages import _walked, to_openrouter

    message = _KINDS[kind](content=_CONTENTS[content], **_EXTRAS[extra])

    assert _outcome(to_openrouter, message) == _outcome(_walked, message)


def _outcome(convert: object, message: object) -> object:
    try:
        return convert(message, 3)  # type: ignore[operator]
    except Exception as exc:  # the same error, whatever it is
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(("field", "value"), [
    ("additional_kwargs", None), ("additional_kwargs", []), ("tool_calls", None),
    ("tool_calls", ()), ("invalid_tool_calls", None)])
def test_the_shortcut_reads_odd_assigned_fields_as_the_walk(field: str, value: object) -> None:
    # Messages do not validate assignments: whatever was assigned, both fare alike.
    from langchain_openrouter.messages import _walked, to_openrouter

    message = AIMessage(content="hi")
    setattr(message, field, value)
    assert _outcome(to_openrouter, message) == _outcome(_walked, message)


@pytest.mark.parametrize("message", [HumanMessage("hi"), SystemMessage("hi"), AIMessage("hi")],
                         ids=["human", "system", "ai"])
def test_a_plain_text_message_skips_the_walk(message: object,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # The shortcut is what makes long conversations cheap: it must be taken, not only agree.
    from langchain_openrouter import messages

    def no_walk(message: object, position: int) -> list[dict[str, object]]:
        raise AssertionError("walked")

    monkeypatch.setattr(messages, "_walked", no_walk)
    (wire,) = messages.to_openrouter(message, 0)  # type: ignore[arg-type]
    assert wire["content"] == "hi" and wire["role"] in ("user", "system", "assistant")
