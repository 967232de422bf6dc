"""``run_start.input_messages`` gives the messages langchain-core's ``_convert_input``
and ``to_messages`` give, for every input ``invoke`` and ``stream`` accept."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompt_values import ChatPromptValue, PromptValue, StringPromptValue
from langchain_core.prompts import ChatPromptTemplate

from langchain_openrouter import ChatOpenRouter
from langchain_openrouter.run_start import input_messages
from tests.langchain.conftest import MODEL, TEST_KEY

INPUTS: list[Any] = [
    "hello",
    "",
    [HumanMessage("hi", id="h1"), AIMessage("hello", id="a1")],
    [("system", "be brief"), ("human", "hi")],
    [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yes"}],
    ("human", "a tuple of two strings is a sequence of two messages"),
    [],
    # Prompt values go to _convert_input in both paths: these check that they are passed on.
    StringPromptValue(text="a prompt value"),
    ChatPromptTemplate.from_messages([("system", "s"), ("human", "{q}")]).invoke({"q": "x"}),
]


@pytest.mark.parametrize("model_input", INPUTS)
def test_same_messages_as_langchain_core(model_input: LanguageModelInput) -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY)
    ours = input_messages(model, model_input)
    theirs = model._convert_input(model_input).to_messages()
    assert ours == theirs
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    assert [m.model_fields_set for m in ours] == [m.model_fields_set for m in theirs]


def test_bad_input_fails_as_langchain_core_does() -> None:
    model = ChatOpenRouter(model=MODEL, api_key=TEST_KEY)
    with pytest.raises(ValueError) as ours:
        input_messages(model, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as theirs:
        model._convert_input(42).to_messages()  # type: ignore[arg-type]
    assert str(ours.value) == str(theirs.value)
    for bad in ([42], [("wizard", "hi")]):
        with pytest.raises((ValueError, NotImplementedError)) as ours_list:
            input_messages(model, bad)  # type: ignore[arg-type]
        with pytest.raises((ValueError, NotImplementedError)) as theirs_list:
            model._convert_input(bad).to_messages()  # type: ignore[arg-type]
        assert type(ours_list.value) is type(theirs_list.value)


class Prefixed(ChatOpenRouter):
    """A subclass that converts its input its own way."""

    def _convert_input(self, model_input: LanguageModelInput) -> PromptValue:
        return ChatPromptValue(messages=[SystemMessage("prefix"),
                                         *super()._convert_input(model_input).to_messages()])


def test_a_subclass_conversion_is_used() -> None:
    model = Prefixed(model=MODEL, api_key=TEST_KEY)
    messages: list[BaseMessage] = input_messages(model, "hi")
    assert [m.content for m in messages] == ["prefix", "hi"]
