"""ChatMessage and content blocks → OpenRouter message dicts (pure)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from llama_index_openrouter.messages import to_openrouter_message, to_openrouter_messages
from openrouter_core.errors import InputError
from openrouter_core.request import check_messages

from .conftest import MP4, PDF, PNG, WAV

B64_PNG = base64.b64encode(PNG).decode()


def one(message: ChatMessage) -> dict:
    out = to_openrouter_message(message)
    check_messages([out])  # everything we build must pass the core's own checks
    return out


def test_plain_text_is_a_string() -> None:
    assert one(ChatMessage(role="user", content="hi")) == {"role": "user", "content": "hi"}


@pytest.mark.parametrize(("role", "wire"), [
    (MessageRole.SYSTEM, "system"), (MessageRole.DEVELOPER, "developer"),
    (MessageRole.USER, "user"), (MessageRole.ASSISTANT, "assistant"),
    (MessageRole.CHATBOT, "assistant"), (MessageRole.MODEL, "assistant"),
])
def test_roles(role: MessageRole, wire: str) -> None:
    assert one(ChatMessage(role=role, content="x"))["role"] == wire


def test_several_text_blocks_stay_parts() -> None:
    out = one(ChatMessage(role="user", blocks=[TextBlock(text="a"), TextBlock(text="b")]))
    assert out["content"] == [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]


def test_image_bytes_become_a_data_url() -> None:
    out = one(ChatMessage(role="user", blocks=[TextBlock(text="what?"), ImageBlock(image=PNG)]))
    assert out["content"][1] == {"type": "image_url",
                                 "image_url": {"url": f"data:image/png;base64,{B64_PNG}"}}


def test_image_url_is_passed_through_with_detail() -> None:
    block = ImageBlock(url="https://example.com/cat.png", detail="low")
    out = one(ChatMessage(role="user", blocks=[block]))
    assert out["content"] == [{"type": "image_url", "image_url": {
        "url": "https://example.com/cat.png", "detail": "low"}}]


def test_image_path_is_read_and_inlined(tmp_path: Path) -> None:
    path = tmp_path / "pic.png"
    path.write_bytes(PNG)
    out = one(ChatMessage(role="user", blocks=[ImageBlock(path=path)]))
    assert out["content"][0]["image_url"]["url"] == f"data:image/png;base64,{B64_PNG}"


def test_image_of_unknown_type_is_rejected() -> None:
    block = ImageBlock(image=b"not an image at all")
    with pytest.raises(InputError, match=r"messages\[0\]\.blocks\[0\].*media type"):
        to_openrouter_message(ChatMessage(role="user", blocks=[block]))


def test_pdf_document_becomes_a_file_part() -> None:
    out = one(ChatMessage(role="user", blocks=[DocumentBlock(data=PDF, title="report.pdf")]))
    expected = "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    assert out["content"] == [{"type": "file", "file": {"filename": "report.pdf",
                                                        "file_data": expected}}]


def test_document_url_is_sent_as_file_data() -> None:
    block = DocumentBlock(url="https://example.com/a.pdf", title="a.pdf")
    out = one(ChatMessage(role="user", blocks=[block]))
    assert out["content"][0]["file"] == {"filename": "a.pdf",
                                         "file_data": "https://example.com/a.pdf"}


def test_audio_becomes_input_audio() -> None:
    out = one(ChatMessage(role="user", blocks=[AudioBlock(audio=WAV)]))
    assert out["content"] == [{"type": "input_audio", "input_audio": {
        "data": base64.b64encode(WAV).decode(), "format": "wav"}}]


def test_video_bytes_and_url_become_video_url() -> None:
    out = one(ChatMessage(role="user", blocks=[
        VideoBlock(video=MP4), VideoBlock(url="https://example.com/v.mp4")]))
    assert out["content"][0]["video_url"]["url"].startswith("data:video/mp4;base64,")
    assert out["content"][1] == {"type": "video_url",
                                 "video_url": {"url": "https://example.com/v.mp4"}}


def test_cache_point_marks_the_preceding_part() -> None:
    out = one(ChatMessage(role="system", blocks=[
        TextBlock(text="long context"),
        CachePoint(cache_control=CacheControl(type="ephemeral")),
        TextBlock(text="question"),
    ]))
    assert out["content"] == [
        {"type": "text", "text": "long context", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "question"},
    ]


def test_cache_point_keeps_a_non_default_ttl_and_forces_parts() -> None:
    out = one(ChatMessage(role="user", blocks=[
        TextBlock(text="x"), CachePoint(cache_control=CacheControl(type="ephemeral", ttl="1h"))]))
    assert out["content"] == [{"type": "text", "text": "x",
                               "cache_control": {"type": "ephemeral", "ttl": "1h"}}]


def test_cache_point_first_is_an_error() -> None:
    with pytest.raises(InputError, match="CachePoint"):
        to_openrouter_message(ChatMessage(role="user", blocks=[
            CachePoint(cache_control=CacheControl(type="ephemeral"))]))


def test_assistant_tool_calls_and_reasoning_details_are_sent_back_unchanged() -> None:
    details = [{"type": "reasoning.text", "text": "hmm", "signature": "sig", "format":
                "anthropic-claude-v1", "index": 0},
               {"type": "reasoning.encrypted", "data": "xyz", "index": 1}]
    message = ChatMessage(role="assistant", blocks=[
        ThinkingBlock(content="hmm", additional_information={"reasoning_details": details}),
        ToolCallBlock(tool_call_id="call_1", tool_name="add", tool_kwargs={"a": 1}),
        ToolCallBlock(tool_call_id="call_2", tool_name="raw", tool_kwargs='{"x": 2}'),
    ])
    out = one(message)
    assert out == {
        "role": "assistant", "content": None, "reasoning_details": details,
        "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "add", "arguments": '{"a": 1}'}},
            {"id": "call_2", "type": "function", "function": {"name": "raw",
                                                             "arguments": '{"x": 2}'}},
        ],
    }


def test_legacy_tool_calls_in_additional_kwargs() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    out = one(ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": [call]}))
    assert out["tool_calls"] == [call]


def test_blocks_win_over_legacy_tool_calls() -> None:
    legacy = {"id": "old", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    out = one(ChatMessage(role="assistant", blocks=[
        ToolCallBlock(tool_call_id="new", tool_name="g", tool_kwargs={})],
        additional_kwargs={"tool_calls": [legacy]}))
    assert [c["id"] for c in out["tool_calls"]] == ["new"]


def test_citations_are_not_sent_back() -> None:
    out = one(ChatMessage(role="assistant", blocks=[
        TextBlock(text="It is sunny."),
        CitationBlock(cited_content=TextBlock(text="x"), source="https://a.example",
                      title="A", additional_location_info={}),
    ]))
    assert out == {"role": "assistant", "content": "It is sunny."}


def test_tool_result_with_text() -> None:
    out = one(ChatMessage(role="tool", content="42", additional_kwargs={"tool_call_id": "c1"}))
    assert out == {"role": "tool", "content": "42", "tool_call_id": "c1"}


def test_tool_result_with_an_image_sends_image_parts() -> None:
    out = one(ChatMessage(role="tool", blocks=[TextBlock(text="chart:"), ImageBlock(image=PNG)],
                          additional_kwargs={"tool_call_id": "c1"}))
    assert out["content"][0] == {"type": "text", "text": "chart:"}
    assert out["content"][1]["type"] == "image_url"
    assert out["tool_call_id"] == "c1"


def test_tool_result_without_id_is_an_error() -> None:
    with pytest.raises(InputError, match="tool_call_id"):
        to_openrouter_message(ChatMessage(role="tool", content="x"))


def test_unsupported_block_is_named() -> None:
    block = CitableBlock(title="t", source="s", content="c")
    with pytest.raises(InputError, match=r"messages\[1\]\.blocks\[0\]: CitableBlock"):
        to_openrouter_messages([ChatMessage(role="user", content="a"),
                                ChatMessage(role="user", blocks=[block])])


def test_tool_call_blocks_outside_assistant_are_errors() -> None:
    with pytest.raises(InputError, match="assistant"):
        to_openrouter_message(ChatMessage(role="user", blocks=[
            ToolCallBlock(tool_name="f", tool_kwargs={})]))


def test_thinking_without_details_is_not_sent() -> None:
    out = one(ChatMessage(role="assistant", blocks=[ThinkingBlock(content="..."),
                                                    TextBlock(text="ok")]))
    assert out == {"role": "assistant", "content": "ok"}


def test_empty_assistant_message_has_empty_content() -> None:
    assert one(ChatMessage(role="assistant", blocks=[])) == {"role": "assistant", "content": ""}


class _OwnText(TextBlock):
    """A TextBlock subclass: not the shortcut's exact type, so it takes the walk."""


_SHAPES = {
    "one text": lambda: [TextBlock(text="hello")],
    "empty text": lambda: [TextBlock(text="")],
    "own text class": lambda: [_OwnText(text="hi")],
    "text, cached": lambda: [TextBlock(text="long"), CachePoint(cache_control=CacheControl(
        type="ephemeral"))],
    "two texts": lambda: [TextBlock(text="a"), TextBlock(text="b")],
    "image": lambda: [ImageBlock(url="https://example.com/a.png")],
    "no blocks": lambda: [],
    "thinking": lambda: [ThinkingBlock(content="...")],
}


def _outcome(convert: object, message: ChatMessage) -> object:
    try:
        return convert(message)  # type: ignore[operator]
    except Exception as exc:  # the same error, whatever it is
        return f"{type(exc).__name__}: {exc}"


class _LooksEmpty(dict[str, object]):
    def __len__(self) -> int:
        return 0


@pytest.mark.parametrize("extra", [None, [], "", _LooksEmpty(tool_calls=[
    {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}])],
    ids=["none", "list", "str", "looks-empty"])
@pytest.mark.parametrize("role", [MessageRole.ASSISTANT, MessageRole.CHATBOT, MessageRole.USER])
def test_the_shortcut_reads_odd_assigned_extras_as_the_walk(role: MessageRole,
                                                            extra: object) -> None:
    # ChatMessage does not validate assignments: whatever was assigned, both fare alike.
    from llama_index_openrouter.messages import _walked

    message = ChatMessage(role=role, content="hi")
    message.additional_kwargs = extra  # type: ignore[assignment]
    assert _outcome(to_openrouter_message, message) == _outcome(
        lambda m: _walked(m, 0), message)


@pytest.mark.parametrize("role", list(MessageRole))
@pytest.mark.parametrize("shape", list(_SHAPES))
@pytest.mark.parametrize("extra", [
    {},
    {"tool_call_id": "call_1", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    {"tool_calls": []},
    {"reasoning_details": [{"type": "reasoning.text", "text": "because", "index": 0}]},
    {"reasoning_details": ["not a dict"], "other": 1},
    {"name": "alice"},
    {"name": ""},
    {"name": 7},
    {"finish_reason": "stop"},
], ids=["none", "tool-calls", "no-tool-calls", "reasoning", "odd-reasoning", "name",
        "empty-name", "odd-name", "other-key"])
def test_the_one_text_shortcut_is_the_walk(role: MessageRole, shape: str,
                                           extra: dict[str, object]) -> None:
    from llama_index_openrouter.messages import _walked

    message = ChatMessage(role=role, blocks=_SHAPES[shape](), additional_kwargs=extra)
    assert _outcome(to_openrouter_message, message) == _outcome(
        lambda m: _walked(m, 0), message)


@pytest.mark.parametrize("role", [MessageRole.USER, MessageRole.SYSTEM, MessageRole.DEVELOPER,
                                  MessageRole.ASSISTANT])
def test_a_plain_text_message_skips_the_walk(role: MessageRole,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # The shortcut is what makes long conversations cheap: it must be taken, not only agree.
    from llama_index_openrouter import messages

    def no_walk(message: ChatMessage, position: int) -> dict[str, object]:
        raise AssertionError("walked")

    monkeypatch.setattr(messages, "_walked", no_walk)
    wire = to_openrouter_message(ChatMessage(role=role, content="hi"))
    assert wire == {"role": messages._ROLES[role], "content": "hi"}


@pytest.mark.parametrize("role", [MessageRole.USER, MessageRole.SYSTEM, MessageRole.ASSISTANT])
def test_a_message_name_is_sent(role: MessageRole) -> None:
    # As llama-index-llms-openai and the LangChain adapter send it (a participant's name).
    message = ChatMessage(role=role, content="hi", additional_kwargs={"name": "alice"})
    assert to_openrouter_message(message) == {"role": role.value, "content": "hi",
                                              "name": "alice"}
    tool = ChatMessage(role=MessageRole.TOOL, content="42",
                       additional_kwargs={"tool_call_id": "c1", "name": "calc"})
    assert "name" not in to_openrouter_message(tool)


@pytest.mark.parametrize("name", [7, ["alice"], {"n": 1}])
def test_a_name_that_is_not_a_string_is_refused(name: object) -> None:
    message = ChatMessage(role=MessageRole.USER, content="hi", additional_kwargs={"name": name})
    with pytest.raises(InputError, match=r"messages\[0\]: additional_kwargs\['name'\] must be a "
                                         "string"):
        to_openrouter_message(message)
