"""ChatOpenRouter counts tokens offline, so LangChain's trimming works without transformers."""

from __future__ import annotations

import base64
import struct

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter
from openrouter_core.tokens import REPLY_PRIMING, count_messages, tokenizer_for

KEY = "sk-or-v1-tokens-test"
HISTORY = [
    SystemMessage("You are a terse assistant."),
    HumanMessage("What is the capital of France?"),
    AIMessage("Paris."),
    HumanMessage("And of Italy?"),
    AIMessage("Rome."),
    HumanMessage("Tell me a joke about both."),
]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


def _model(name: str = "openai/gpt-4o-mini") -> ChatOpenRouter:
    return ChatOpenRouter(model=name, api_key=KEY)


def test_token_ids_are_the_family_encoding() -> None:
    assert _model().get_token_ids("Hello, world!") == [13225, 11, 2375, 0]
    assert _model().get_num_tokens("Hello, world!") == 4
    assert _model("openai/gpt-4").get_token_ids("Hello, world!") == [9906, 11, 1917, 0]


def test_messages_are_counted_as_the_request_would_carry_them() -> None:
    model = _model()
    wire = [{"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "What is the capital of France?"},
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": "And of Italy?"},
            {"role": "assistant", "content": "Rome."},
            {"role": "user", "content": "Tell me a joke about both."}]
    expected = count_messages(wire, tokenizer_for("openai/gpt-4o-mini"))
    assert model.get_num_tokens_from_messages(HISTORY) == expected
    with_tools = model.get_num_tokens_from_messages(HISTORY, tools=[get_weather])
    assert with_tools > expected + model.get_num_tokens("get_weather")


def test_images_count_by_tile() -> None:
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 512, 512)
    url = "data:image/png;base64," + base64.b64encode(png + b"\x08\x02\x00\x00\x00").decode()
    text_only = _model().get_num_tokens_from_messages([HumanMessage("What is this?")])
    with_image = _model().get_num_tokens_from_messages([HumanMessage(content=[
        {"type": "text", "text": "What is this?"},
        {"type": "image", "url": url}])])
    assert with_image - text_only == 85 + 170


def test_trim_messages_with_the_model_as_token_counter() -> None:
    model = _model()
    # The system message is counted apart from the rest, so reply priming counts twice.
    budget = model.get_num_tokens_from_messages([HISTORY[0], *HISTORY[-3:]]) + REPLY_PRIMING
    trimmed = trim_messages(HISTORY, max_tokens=budget, token_counter=model, strategy="last",
                            include_system=True, start_on="human")
    assert trimmed == [HISTORY[0], HISTORY[3], HISTORY[4], HISTORY[5]]
    assert model.get_num_tokens_from_messages(trimmed) <= budget
    tighter = trim_messages(HISTORY, max_tokens=budget - 1, token_counter=model,
                            strategy="last", include_system=True, start_on="human")
    assert tighter == [HISTORY[0], HISTORY[5]]


def test_other_families_count_without_a_network() -> None:
    claude = _model("anthropic/claude-sonnet-4")
    assert claude.get_num_tokens("Hello, world!") == 4  # o200k_base as the documented proxy
    text = "Привет, как дела?"  # the approximation would give pseudo ids, not these
    assert claude.get_token_ids(text) == _model().get_token_ids(text)
    assert claude.get_num_tokens_from_messages(HISTORY) > 0
