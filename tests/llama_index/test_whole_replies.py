"""Whole replies (``chat``, ``complete`` and a stream's last response) are built without
pydantic's validation only where that changes nothing.

``responses.to_chat_response``, ``to_completion_response`` and the text block store their
fields directly. These tests hold them to the validated builds on decoded replies of every
shape (fields, fields set, equality, dumps, pickling, the message's text) and check that the
import-time comparison that switches the shortcut on can tell a wrong build from a right one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from llama_index_openrouter import responses
from openrouter_core.decode import decode_response
from openrouter_core.stored import state
from tests.reply_bodies import assert_same_build, reply_bodies
from tests.validated_builds import validated_builds


def both(body: dict[str, Any], patch: pytest.MonkeyPatch) -> tuple[Any, Any, Any, Any]:
    """Chat and completion responses with the shortcut, then with the validated builds."""
    result = decode_response(body)
    chat = responses.to_chat_response(result)
    completion = responses.to_completion_response(result, delta="d")
    with patch.context() as off:
        off.setattr(responses, "UNVALIDATED_BUILDS", False)
        return (chat, responses.to_chat_response(result), completion,
                responses.to_completion_response(result, delta="d"))


def test_the_shortcut_is_on_in_this_environment() -> None:
    # CI runs this against the lowest, pinned and newest llama-index-core and pydantic.
    assert responses.UNVALIDATED_BUILDS


@settings(max_examples=200, deadline=None)
@given(reply_bodies())
def test_the_shortcut_equals_the_validated_build(body: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        chat, chat_reference, completion, completion_reference = both(body, patch)
    assert_same_build(chat, chat_reference)
    assert_same_build(chat.message, chat_reference.message)
    for block, other in zip(chat.message.blocks, chat_reference.message.blocks, strict=True):
        assert state(block) == state(other)
    assert chat.message.content == chat_reference.message.content
    assert_same_build(completion, completion_reference)


def test_the_import_check_tells_a_wrong_build_from_a_right_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert responses._same_as_validated()
    for name, wrong in (("_TEXT_BLOCK_FIELDS_SET", frozenset()),
                        ("_MESSAGE_FIELDS_SET", frozenset({"role"})),
                        ("_CHAT_RESPONSE_FIELDS_SET", frozenset({"message"})),
                        ("_COMPLETION_FIELDS_SET", frozenset({"text"}))):
        with monkeypatch.context() as patch:
            patch.setattr(responses, name, wrong)
            assert not responses._same_as_validated(), name


def test_a_text_reply_is_stored_not_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Equal states cannot tell whether the shortcut was taken: count validated builds."""
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        CompletionResponse,
        TextBlock,
    )

    builds = validated_builds(monkeypatch, ChatMessage, ChatResponse, CompletionResponse,
                              TextBlock)
    result = decode_response({"choices": [{"message": {"role": "assistant", "content": "Hi."}}]})
    chat = responses.to_chat_response(result)
    completion = responses.to_completion_response(result)
    assert builds == []
    assert chat.message.content == "Hi." and completion.text == "Hi."
    monkeypatch.setattr(responses, "UNVALIDATED_BUILDS", False)
    responses.to_chat_response(result)
    assert sorted(name for name, _ in builds) == ["ChatMessage", "ChatResponse", "TextBlock"]
