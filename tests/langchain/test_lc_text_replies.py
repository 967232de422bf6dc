"""Non-streamed text replies are built without pydantic's validation only where that changes
nothing.

``responses.chat_result`` stores the fields of a text reply's ``AIMessage``, its
``ChatGeneration`` and the ``ChatResult`` directly (validating the three was about a tenth of a
call against a local server). These tests hold the shortcut to the validated build on decoded
replies of every shape it takes: fields, fields set, equality, dumps, serialization, pickling
and the message's own methods; and the import-time check that switches it on can tell a wrong
build from a right one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from langchain_core.load import dumpd
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatResult

from langchain_openrouter import responses
from openrouter_core.decode import decode_choices
from tests.reply_bodies import assert_same_build, reply_bodies
from tests.validated_builds import validated_builds


def both(raw: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[ChatResult, ChatResult]:
    """The result built with the shortcut, then with the validated builds."""
    choices = decode_choices(raw)
    built = responses.chat_result(choices, "openai/gpt-4o-mini")
    with monkeypatch.context() as patch:
        patch.setattr(responses, "UNVALIDATED_BUILDS", False)
        reference = responses.chat_result(choices, "openai/gpt-4o-mini")
    return built, reference


def assert_same(built: ChatResult, reference: ChatResult) -> None:
    assert_same_build(built, reference)
    for generation, other in zip(built.generations, reference.generations, strict=True):
        assert_same_build(generation, other)
        assert_same_build(generation.message, other.message)
        assert dumpd(generation.message) == dumpd(other.message)
        assert generation.message.content_blocks == other.message.content_blocks
        assert generation.text == other.text


def test_the_shortcut_is_on_in_this_environment() -> None:
    # As for streamed chunks: CI runs this against the lowest, pinned and newest langchain-core
    # and pydantic, and a release that changes these models turns the shortcut off by itself.
    assert responses.UNVALIDATED_BUILDS


@settings(max_examples=200, deadline=None)
@given(reply_bodies(max_choices=3))
def test_the_shortcut_equals_the_validated_build(body: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        built, reference = both(body, monkeypatch)
    assert_same(built, reference)


def test_tool_calls_and_images_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    validated = validated_builds(monkeypatch, AIMessage)
    text = {"choices": [{"message": {"role": "assistant", "content": "Hi."}}]}
    responses.chat_result(decode_choices(text), "m")
    assert validated == []  # stored
    tool = {"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}}]}
    image = {"choices": [{"message": {"role": "assistant", "content": "Here.", "images": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}}]}
    for body in (tool, image):
        built = responses.chat_result(decode_choices(body), "m")
        assert isinstance(built.generations[0].message, AIMessage)
    # Each of the two went through AIMessage's validation (the image's content as blocks).
    assert len(validated) == 2 and validated[0][1].get("content") == ""
    monkeypatch.undo()
    for body in (tool, image):
        built, reference = both(body, monkeypatch)
        assert_same(built, reference)


def test_the_import_check_tells_a_wrong_build_from_a_right_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert responses._same_as_validated()
    for name, wrong in (("_MESSAGE_FIELDS_SET", frozenset({"content"})),
                        ("_GENERATION_FIELDS_SET", frozenset({"message"})),
                        ("_RESULT_FIELDS_SET", frozenset({"generations"}))):
        with monkeypatch.context() as patch:
            patch.setattr(responses, name, wrong)
            assert not responses._same_as_validated(), name
