"""The auto responder's rules and the JSON-schema sample synthesizer."""

from __future__ import annotations

import json
from enum import Enum
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from openrouter_core.testing import (
    Reply,
    answer_text,
    auto_respond,
    echo,
    first_of,
    sample_from_schema,
)
from openrouter_core.testing.auto import answer_tool_result, call_tool, structured_output
from tests.emulator.helpers import request

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                                                    "unit": {"enum": ["C", "F"]}},
                   "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {
    "type": "object", "properties": {"tz": {"type": "string", "format": "date-time"}}}}}


class Color(str, Enum):  # noqa: UP042  (the str-mixin enum users write, not StrEnum)
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    zip_code: str = Field(min_length=5, max_length=5)


class Person(BaseModel):
    name: str
    age: int = Field(ge=18, le=99)
    height: float = Field(gt=2.0)
    email: str | None = None
    favourite: Color
    kind: Literal["a", "b"]
    home: Address
    past: list[Address]
    tags: list[str] = []
    friend: Person | None = None


def test_default_answer_mentions_the_last_user_text():
    reply = auto_respond(request(messages=[{"role": "user", "content": "first"},
                                           {"role": "assistant", "content": "ok"},
                                           {"role": "user", "content": [
                                               {"type": "text", "text": "second"}]}]))
    assert reply.content == answer_text("second")
    assert reply.content.startswith('Here is a short answer about "second": ')
    assert echo(request(messages=[{"role": "system", "content": "s"}])).content
    assert echo(request()).content == "You said: Say hello"


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello!", "Hello! How can I help you today?"),
    ("  What is\nthe capital of France?  ", 'Here is a short answer about "What is the '
     'capital of France": the main points are well established, and I can go into more '
     "detail on any of them if that helps."),
    (None, "Hello from the OpenRouter emulator. How can I help you today?"),
])
def test_answer_text(text: str | None, expected: str) -> None:
    assert answer_text(text) == expected


def test_answer_names_a_long_topic_cut_at_a_word() -> None:
    text = answer_text("word " * 100)
    quoted = text.split('"')[1]
    assert quoted.endswith("word…") and len(quoted) <= 121


def test_long_user_text_is_cut():
    reply = echo(request(messages=[{"role": "user", "content": "x" * 5000}]))
    assert reply.content is not None
    assert len(reply.content) < 1100


def test_calls_first_function_tool_with_synthesized_arguments():
    reply = auto_respond(request(tools=[{"type": "openrouter:web_search"}, WEATHER_TOOL,
                                        TIME_TOOL]))
    assert [(c.name, c.arguments) for c in reply.calls] == [
        ("get_weather", {"city": "Paris", "unit": "C"})]


def test_calls_the_forced_tool():
    reply = auto_respond(request(tools=[WEATHER_TOOL, TIME_TOOL], tool_choice={
        "type": "function", "function": {"name": "get_time"}}))
    assert reply.calls[0].name == "get_time"
    assert reply.calls[0].arguments == {"tz": "2025-01-01T12:00:00Z"}


def test_tool_choice_none_answers_in_text():
    reply = auto_respond(request(tools=[WEATHER_TOOL], tool_choice="none"))
    assert not reply.calls
    assert reply.content == answer_text("Say hello")


def test_tool_result_is_quoted():
    messages = [{"role": "user", "content": "weather?"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "c1", "type": "function",
                     "function": {"name": "get_weather", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "Sunny, 21C"}]
    reply = auto_respond(request(messages=messages, tools=[WEATHER_TOOL]))
    assert not reply.calls
    assert reply.content is not None
    assert "Sunny, 21C" in reply.content


_AFTER_WEATHER = [{"role": "user", "content": "weather?"},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"id": "c1", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{}"}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "Sunny, 21C"}]


@pytest.mark.parametrize(("tool_choice", "called"), [
    ("required", "get_time"),  # the first tool not called yet this turn
    ({"type": "function", "function": {"name": "get_weather"}}, "get_weather"),
    ({"type": "function", "function": {"name": "get_time"}}, "get_time"),
])
def test_a_forced_call_is_made_after_a_tool_result(tool_choice: object, called: str) -> None:
    # A real model must call a tool when tool_choice forces one, tool result or not (an
    # agent's structured answer through a tool depends on it).
    reply = auto_respond(request(messages=_AFTER_WEATHER, tools=[WEATHER_TOOL, TIME_TOOL],
                                 tool_choice=tool_choice))
    assert [c.name for c in reply.calls] == [called]
    assert answer_tool_result(request(messages=_AFTER_WEATHER, tools=[WEATHER_TOOL, TIME_TOOL],
                                      tool_choice=tool_choice)) is None


def test_required_after_every_tool_was_called_answers_in_text() -> None:
    # Calling a tool again and again would loop an agent forever (say, a structured answer
    # that keeps failing validation): the result is answered in text instead.
    reply = auto_respond(request(messages=_AFTER_WEATHER, tools=[WEATHER_TOOL],
                                 tool_choice="required"))
    assert not reply.calls
    assert "Sunny, 21C" in (reply.content or "")


def test_required_counts_only_the_calls_since_the_users_last_message() -> None:
    # A new turn: the tools called in the previous one may be called again.
    messages = [*_AFTER_WEATHER, {"role": "assistant", "content": "It is sunny."},
                {"role": "user", "content": "and the time?"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "c2", "type": "function",
                     "function": {"name": "get_time", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c2", "content": "noon"}]
    reply = auto_respond(request(messages=messages, tools=[WEATHER_TOOL, TIME_TOOL],
                                 tool_choice="required"))
    assert [c.name for c in reply.calls] == ["get_weather"]


@pytest.mark.parametrize("tool_choice", [None, "auto", "none"])
def test_an_unforced_tool_result_is_answered_in_text(tool_choice: object) -> None:
    reply = auto_respond(request(messages=_AFTER_WEATHER, tools=[WEATHER_TOOL, TIME_TOOL],
                                 tool_choice=tool_choice))
    assert not reply.calls
    assert "Sunny, 21C" in (reply.content or "")


def test_structured_output_from_json_schema():
    schema = Person.model_json_schema()
    reply = auto_respond(request(response_format={
        "type": "json_schema", "json_schema": {"name": "Person", "schema": schema,
                                               "strict": True}}))
    assert reply.content is not None
    person = Person.model_validate_json(reply.content)
    assert person.email is not None  # optional properties are filled too
    assert len(person.past) == 1


def test_structured_output_after_tool_result():
    messages = [{"role": "user", "content": "q"},
                {"role": "tool", "tool_call_id": "c1", "content": "r"}]
    response_format = {"type": "json_schema",
                       "json_schema": {"name": "A", "schema": Address.model_json_schema()}}
    reply = auto_respond(request(messages=messages, tools=[WEATHER_TOOL],
                                 response_format=response_format))
    assert reply.content is not None
    Address.model_validate_json(reply.content)


def test_json_object_mode():
    reply = auto_respond(request(response_format={"type": "json_object"}))
    assert reply.content is not None
    assert isinstance(json.loads(reply.content), dict)


def test_rules_decline_with_none():
    plain = request()
    assert structured_output(plain) is None
    assert call_tool(plain) is None
    assert answer_tool_result(plain) is None


def test_first_of_composes_custom_rules():
    def weather(req):
        return Reply.text("Sunny") if "weather" in (req.last_user_text or "") else None

    responder = first_of(weather, fallback=auto_respond)
    assert responder(request(messages=[{"role": "user", "content": "weather?"}])).content == (
        "Sunny")
    assert responder(request()).content == answer_text("Say hello")


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "integer", "minimum": 5}, 5),
    ({"type": "integer", "exclusiveMaximum": 0}, -1),
    ({"type": "number", "maximum": 1}, 1.0),
    ({"type": "boolean"}, True),
    ({"type": "null"}, None),
    ({"type": ["null", "string"]}, "sample"),
    ({"const": 3}, 3),
    ({"default": "d"}, "d"),
    ({"default": None, "type": "string"}, "sample"),
    ({"anyOf": [{"type": "null"}, {"type": "integer"}]}, 1),
    ({"allOf": [{"properties": {"a": {"type": "integer"}}},
                {"properties": {"b": {"type": "boolean"}}}]}, {"a": 1, "b": True}),
    ({"type": "array", "items": {"type": "string"}, "minItems": 2}, ["sample", "sample"]),
    ({"type": "string", "format": "email"}, "user@example.com"),
    ({}, "sample"),
])
def test_sample_values(schema, expected):
    assert sample_from_schema(schema) == expected


def test_recursive_schema_terminates():
    schema = {"$defs": {"Node": {"type": "object", "properties": {
        "child": {"$ref": "#/$defs/Node"}}}}, "$ref": "#/$defs/Node"}
    value = sample_from_schema(schema)
    depth = 0
    while isinstance(value, dict) and value:
        value = value["child"]
        depth += 1
    assert 0 < depth <= 8


def test_named_strings_get_plausible_values_and_others_a_placeholder() -> None:
    schema = {"type": "object", "properties": {
        "city": {"type": "string"}, "first_name": {"type": "string"},
        "search_query": {"type": "string"}, "Query": {"type": "string"},
        "code": {"type": "string", "maxLength": 5}}}
    assert sample_from_schema(schema) == {"city": "Paris", "first_name": "Ada",
                                          "search_query": "sample search_query",
                                          "Query": "latest news", "code": "print"}
