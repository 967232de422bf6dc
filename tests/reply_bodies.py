"""Non-streamed reply bodies for property tests, and the checks that two builds of one reply
are the same objects: what both adapters' tests of their stored (unvalidated) builds share."""

from __future__ import annotations

import pickle
from typing import Any

from hypothesis import strategies as st

from openrouter_core.stored import state

usages = st.one_of(st.none(), st.fixed_dictionaries(
    {"prompt_tokens": st.integers(0, 10**6), "completion_tokens": st.integers(0, 10**6),
     "total_tokens": st.integers(0, 2 * 10**6)},
    optional={"cost": st.floats(0, 10, allow_nan=False),
              "prompt_tokens_details": st.fixed_dictionaries(
                  {}, optional={"cached_tokens": st.integers(0, 100),
                                "cache_write_tokens": st.integers(0, 100)}),
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
choices = st.fixed_dictionaries(
    {"message": messages},
    optional={"finish_reason": st.sampled_from(["stop", "length", None]),
              "logprobs": st.just({"content": [{"token": "Hi", "logprob": -0.1}]})})


def reply_bodies(max_choices: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    """Reply bodies with 1 to ``max_choices`` choices, each part present or not."""
    return st.fixed_dictionaries(
        {"choices": st.lists(choices, min_size=1, max_size=max_choices)},
        optional={"id": st.text(min_size=1, max_size=8).map(lambda s: "gen-" + s),
                  "model": st.just("openai/gpt-4o-mini-2024-07-18"),
                  "provider": st.just("OpenAI"), "created": st.integers(0, 2**31),
                  "usage": usages})


def assert_same_build(built: Any, reference: Any) -> None:
    """``built`` is the object ``reference`` is: fields, fields marked as set, extra and private
    attributes, equality, dump, and the same again after a pickle round trip."""
    assert state(built) == state(reference)
    assert built == reference
    assert built.model_dump() == reference.model_dump()
    assert state(pickle.loads(pickle.dumps(built))) == state(reference)
