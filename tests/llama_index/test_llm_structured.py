"""Structured output against the emulator: native json_schema and forced function calling."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictInProgressEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel

from llama_index_openrouter import OpenRouter
from llama_index_openrouter.structured import parse_output, response_format, schema_name
from openrouter_core.testing import Emulator, Reply

from .conftest import Collected, make_llm

# TOOLS_ONLY is deliberately a model the catalog does not know.
pytestmark = pytest.mark.filterwarnings("ignore::openrouter_core.catalog.UnknownModelWarning")

PROMPT = PromptTemplate("Invent a city in {country}.")


class City(BaseModel):
    """A city."""

    name: str
    population: int


NATIVE = "openai/gpt-4o-mini"  # known to support json_schema
TOOLS_ONLY = "someone/new-model"  # unknown: forced function calling


def test_response_format() -> None:
    fmt = response_format(City)
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "City"
    assert fmt["json_schema"]["schema"]["required"] == ["name", "population"]
    assert schema_name(type("My Model!", (), {})) == "My_Model_"


def test_parse_output() -> None:
    assert parse_output('{"name": "A", "population": 1}', City) == City(name="A", population=1)
    assert parse_output('```json\n{"name": "A", "population": 1}\n```', City).name == "A"
    with pytest.raises(ValueError, match="not a valid City"):
        parse_output("no json here", City)


def test_native_structured_predict(emu: Emulator, instrumentation: Collected) -> None:
    llm = make_llm(emu, model=NATIVE)
    emu.enqueue(Reply.text('{"name": "Lyon", "population": 500000}'))
    city = llm.structured_predict(City, PROMPT, country="France")
    assert city == City(name="Lyon", population=500000)
    body = emu.requests[-1].json
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "City"
    assert "tools" not in body
    assert body["messages"][-1]["content"] == "Invent a city in France."
    assert len(instrumentation.of(LLMStructuredPredictStartEvent)) == 1
    assert instrumentation.of(LLMStructuredPredictEndEvent)[0].output == city


def test_function_calling_structured_predict(emu: Emulator) -> None:
    llm = make_llm(emu, model=TOOLS_ONLY)
    city = llm.structured_predict(City, PROMPT, country="Peru")  # auto responder fills args
    assert isinstance(city, City)
    body = emu.requests[-1].json
    assert body["tools"][0]["function"]["name"] == "City"
    assert body["tool_choice"] == "required"
    assert "response_format" not in body


@pytest.mark.parametrize("model", [NATIVE, TOOLS_ONLY])
async def test_astructured_predict(emu: Emulator, model: str) -> None:
    llm = make_llm(emu, model=model)
    city = await llm.astructured_predict(City, PROMPT, country="Chile")
    assert isinstance(city, City)


@pytest.mark.parametrize("model", [NATIVE, TOOLS_ONLY])
def test_stream_structured_predict(emu: Emulator, model: str,
                                   instrumentation: Collected) -> None:
    llm = make_llm(emu, model=model)
    if model == NATIVE:
        emu.enqueue(Reply.text('{"name": "Cusco", "population": 430000}'))
    else:
        emu.enqueue(Reply.tool_calls(("City", {"name": "Cusco", "population": 430000})))
    outputs = list(llm.stream_structured_predict(City, PROMPT, country="Peru"))
    assert outputs[-1] == City(name="Cusco", population=430000)
    assert len(outputs) > 1  # partial objects came first
    body = emu.requests[-1].json
    assert body["stream"] is True
    if model == TOOLS_ONLY:
        assert body["tool_choice"] == "required"
    assert instrumentation.of(LLMStructuredPredictInProgressEvent)


@pytest.mark.parametrize("model", [NATIVE, TOOLS_ONLY])
async def test_astream_structured_predict(emu: Emulator, model: str) -> None:
    llm = make_llm(emu, model=model)
    gen = await llm.astream_structured_predict(City, PROMPT, country="Peru")
    outputs = [o async for o in gen]
    assert isinstance(outputs[-1], City)


@pytest.mark.parametrize("model", [NATIVE, TOOLS_ONLY])
async def test_as_structured_llm(emu: Emulator, model: str) -> None:
    sllm = make_llm(emu, model=model).as_structured_llm(City)
    messages = [ChatMessage(role="user", content="A city please")]
    response = sllm.chat(messages)
    assert isinstance(response.raw, City)
    assert City.model_validate_json(response.message.content or "") == response.raw
    response = await sllm.achat(messages)
    assert isinstance(response.raw, City)
    streamed = list(sllm.stream_chat(messages))
    assert isinstance(streamed[-1].raw, City)


def test_program_mode_function_forces_tools(emu: Emulator) -> None:
    llm = make_llm(emu, model=NATIVE, pydantic_program_mode=PydanticProgramMode.FUNCTION)
    llm.structured_predict(City, PROMPT, country="Italy")
    assert "tools" in emu.requests[-1].json


def test_invalid_native_output_is_a_clear_error(emu: Emulator, llm: OpenRouter) -> None:
    emu.enqueue(Reply.text("Sorry, I cannot."))
    with pytest.raises(ValueError, match="not a valid City"):
        llm.structured_predict(City, PROMPT, country="Spain")


@pytest.mark.parametrize("model", [NATIVE, TOOLS_ONLY])
@pytest.mark.parametrize(("reply", "reason"), [
    (lambda: Reply.text(None, refusal="I won't invent cities."),
     "The model refused to answer: \"I won't invent cities.\""),
    (lambda: Reply.text('{"name": "Ly', finish_reason="length"),
     "cut off by the output limit (finish reason 'length')"),
], ids=["refusal", "output-limit"])
async def test_a_reply_without_an_answer_says_why(emu: Emulator, model: str, reply: object,
                                                  reason: str) -> None:
    # Not "invalid JSON" or "0 tool calls" alone: the reason the reply itself gives.
    llm = make_llm(emu, model=model)
    for call in ("sync", "async"):
        emu.enqueue(reply())  # type: ignore[operator]
        with pytest.raises(ValueError) as info:
            if call == "sync":
                llm.structured_predict(City, PROMPT, country="France")
            else:
                await llm.astructured_predict(City, PROMPT, country="France")
        assert reason.lower() in str(info.value).lower()


def test_the_output_limit_is_read_from_either_finish_reason(emu: Emulator) -> None:
    llm = make_llm(emu, model=NATIVE)
    emu.enqueue(Reply.text('{"name": "Ly', finish_reason="stop",
                           native_finish_reason="MAX_TOKENS"))
    with pytest.raises(ValueError, match=r"output limit \(finish reason 'MAX_TOKENS'\)"):
        llm.structured_predict(City, PROMPT, country="France")
