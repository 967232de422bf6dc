"""Whole replies (``chat``, ``complete`` and a stream's last response) are built without
pydantic's validation only where that changes nothing.

``responses.to_chat_response``, ``to_completion_response`` and the text block store their
fields directly. These tests hold them to the validated builds on decoded replies of every
shape (fields, fields set, equality, dumps, pickling, the message's text) and check that the
import-time comparison that switches the shortcut on can tell a wrong build from a right one.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from llama_index_openrouter import responses
from openrouter_core.decode import decode_response
from openrouter_core.stored import state


def both(body: dict[str, Any], patch: pytest.MonkeyPatch) -> tuple[Any, Any, Any, Any]:
    """Chat and completion responses with the shortcut, then with the validated builds."""
    result = decode_response(body)
    chat = responses.to_chat_response(result)
    completion = responses.to_completion_response(result, delta="d")
    with patch.context() as off:
        off.setattr(responses, "UNVALIDATED_BUILDS", False)
        return (chat, responses.to_chat_response(result), completion,
                responses.to_completion_response(result, delta="d"))


def assert_same(built: Any, reference: Any) -> None:
    assert state(built) == state(reference)
    assert built == reference
    assert built.model_dump() == reference.model_dump()
    assert state(pickle.loads(pickle.dumps(built))) == state(reference)


def test_the_shortcut_is_on_in_this_environment() -> None:
    # CI runs this against the lowest, pinned and newest llama-index-core and pydantic.
    assert responses.UNVALIDATED_BUILDS


usages = st.one_of(st.none(), st.fixed_dictionaries(
    {"prompt_tokens": st.integers(0, 10**6), "completion_tokens": st.integers(0, 10**6),
     "total_tokens": st.integers(0, 2 * 10**6)},
    optional={"cost": st.floats(0, 10, allow_nan=False),
              "prompt_tokens_details": st.fixed_dictionaries(
                  {}, optional={"cached_tokens": st.integers(0, 100)}),
              "completion_tokens_details": st.fixed_dictionaries(
                  {}, optional={"reasoning_tokens": st.integers(0, 100)})}))
messages = st.fixed_dictionaries(
    {"role": st.just("assistant"), "content": st.one_of(st.none(), st.text(max_size=20))},
    optional={"reasoning": st.text(min_size=1, max_size=10), "refusal": st.text(min_size=1),
              "reasoning_details": st.just([{"type": "reasoning.text", "text": "t",
                                             "index": 0}]),
              "annotations": st.just([{"type": "url_citation", "url_citation": {
                  "url": "https://example.com", "title": "Example"}}]),
              "tool_calls": st.just([{"id": "call_1", "type": "function", "function": {
                  "name": "f", "arguments": "{\"a\": 1}"}}]),
              "images": st.just([{"type": "image_url", "image_url": {
                  "url": "data:image/png;base64,iVBORw0KGgo="}}])})
bodies = st.fixed_dictionaries(
    {"choices": st.tuples(st.fixed_dictionaries(
        {"message": messages},
        optional={"finish_reason": st.sampled_from(["stop", "length", None]),
                  "logprobs": st.just({"content": [{"token": "Hi", "logprob": -0.1}]})}))},
    optional={"id": st.text(min_size=1, max_size=8).map(lambda s: "gen-" + s),
              "model": st.just("openai/gpt-4o-mini-2024-07-18"), "provider": st.just("OpenAI"),
              "usage": usages})


@settings(max_examples=200, deadline=None)
@given(bodies)
def test_the_shortcut_equals_the_validated_build(body: dict[str, Any]) -> None:
    body = {**body, "choices": list(body["choices"])}
    with pytest.MonkeyPatch.context() as patch:
        chat, chat_reference, completion, completion_reference = both(body, patch)
    assert_same(chat, chat_reference)
    assert_same(chat.message, chat_reference.message)
    for block, other in zip(chat.message.blocks, chat_reference.message.blocks, strict=True):
        assert state(block) == state(other)
    assert chat.message.content == chat_reference.message.content
    assert_same(completion, completion_reference)


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
