"""Structured output: native ``response_format`` json_schema, or forced function calling.

:func:`program_for` picks the program ``structured_predict`` and friends run. Models known to
honour ``response_format: {"type": "json_schema"}`` get :class:`JSONSchemaProgram` (one request,
the reply's text is the JSON object); every other model gets LlamaIndex's
``FunctionCallingProgram`` with ``tool_choice="required"`` so the output tool is always called,
streaming included. ``pydantic_program_mode`` other than ``DEFAULT`` is honoured as LlamaIndex
documents it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any, Generic

from llama_index.core.bridge.pydantic import ValidationError
from llama_index.core.program.function_program import FunctionCallingProgram
from llama_index.core.program.utils import get_program_for_llm, process_streaming_objects
from llama_index.core.prompts.base import BasePromptTemplate
from llama_index.core.types import BasePydanticProgram, Model, PydanticProgramMode

from openrouter_core.decode import output_limit, unanswered

if TYPE_CHECKING:
    from llama_index.core.llms.function_calling import FunctionCallingLLM

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def schema_name(output_cls: type[Any]) -> str:
    """A ``json_schema.name`` OpenAI-style APIs accept (``[A-Za-z0-9_-]{1,64}``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", output_cls.__name__)[:64] or "output"


def response_format(output_cls: type[Any]) -> JSONDict:
    """The ``response_format`` asking for JSON that matches ``output_cls``'s schema."""
    return {"type": "json_schema",
            "json_schema": {"name": schema_name(output_cls),
                            "schema": output_cls.model_json_schema()}}


def parse_output(text: str, output_cls: type[Model]) -> Model:
    """Validate the reply text as ``output_cls`` (a Markdown code fence is tolerated)."""
    match = _FENCE.match(text)
    payload = match.group(1) if match else text
    try:
        return output_cls.model_validate_json(payload)
    except (ValidationError, ValueError) as exc:
        raise ValueError(
            f"Structured output: the model's reply is not a valid {output_cls.__name__}: "
            f"{exc}; reply was {text[:300]!r}") from exc


def parse_reply(response: Any, output_cls: type[Model]) -> Model:
    """:func:`parse_output` of a ``ChatResponse``, failing with the reason the reply gives
    for holding no answer (a refusal, or the output limit reached) rather than with a JSON
    error."""
    text = response.message.content or ""
    refusal = response.message.additional_kwargs.get("refusal")
    if refusal and not text:
        raise ValueError(f"Structured output: {unanswered(refusal, None, complete=True)}")
    try:
        return parse_output(text, output_cls)
    except ValueError as exc:
        reason = unanswered(None, reply_limit(response), complete=False)
        if reason is None:
            raise
        raise ValueError(f"Structured output: {reason}; reply was {text[:300]!r}") from exc


def reply_limit(response: Any) -> str | None:
    """The finish reason of a ``ChatResponse`` that says the output limit cut it short."""
    extra = response.additional_kwargs
    return output_limit(extra.get("finish_reason"), extra.get("native_finish_reason"))


def _call_kwargs(llm_kwargs: JSONDict | None, output_cls: type[Any]) -> JSONDict:
    kwargs = dict(llm_kwargs or {})
    for name in ("tool_required", "tool_choice", "allow_parallel_tool_calls"):
        kwargs.pop(name, None)
    kwargs["response_format"] = response_format(output_cls)
    return kwargs


class JSONSchemaProgram(BasePydanticProgram[Model], Generic[Model]):
    """Structured prediction through ``response_format`` json_schema (no tools involved)."""

    def __init__(self, output_cls: type[Model], prompt: BasePromptTemplate,
                 llm: FunctionCallingLLM) -> None:
        self._output_cls = output_cls
        self._prompt = prompt
        self._llm = llm

    @property
    def output_cls(self) -> type[Model]:
        """The pydantic class the reply is parsed into."""
        return self._output_cls

    def _messages(self, prompt_args: JSONDict) -> Any:
        messages = self._prompt.format_messages(llm=self._llm, **prompt_args)
        return self._llm._extend_messages(messages)

    def __call__(self, *args: Any,  # noqa: ARG002 - the program interface
                 llm_kwargs: JSONDict | None = None,
                 **prompt_args: Any) -> Model:
        """Run the prompt once and parse the reply."""
        response = self._llm.chat(self._messages(prompt_args),
                                  **_call_kwargs(llm_kwargs, self._output_cls))
        return parse_reply(response, self._output_cls)

    async def acall(self, *args: Any,  # noqa: ARG002 - the program interface
                 llm_kwargs: JSONDict | None = None,
                    **prompt_args: Any) -> Model:
        """Async :meth:`__call__`."""
        response = await self._llm.achat(self._messages(prompt_args),
                                         **_call_kwargs(llm_kwargs, self._output_cls))
        return parse_reply(response, self._output_cls)

    def _partial(self, response: Any, current: list[Any] | None) -> Any:
        return process_streaming_objects(response, self._output_cls, cur_objects=current,
                                         flexible_mode=True, llm=self._llm)

    def stream_call(self, *args: Any,  # noqa: ARG002 - the program interface
                 llm_kwargs: JSONDict | None = None,
                    **prompt_args: Any) -> Generator[Any, None, None]:
        """Yield ever more complete objects as the JSON streams in."""
        current: list[Any] | None = None
        for response in self._llm.stream_chat(self._messages(prompt_args),
                                              **_call_kwargs(llm_kwargs, self._output_cls)):
            try:
                obj = self._partial(response, current)
            except (ValidationError, ValueError) as exc:
                logger.debug("partial structured output not parseable yet: %s", exc)
                continue
            current = [obj]
            yield obj

    async def astream_call(self, *args: Any,  # noqa: ARG002 - the program interface
                 llm_kwargs: JSONDict | None = None,
                           **prompt_args: Any) -> AsyncGenerator[Any, None]:
        """Async :meth:`stream_call`."""
        responses = await self._llm.astream_chat(self._messages(prompt_args),
                                                 **_call_kwargs(llm_kwargs, self._output_cls))

        async def gen() -> AsyncGenerator[Any, None]:
            current: list[Any] | None = None
            async for response in responses:
                try:
                    obj = self._partial(response, current)
                except (ValidationError, ValueError) as exc:
                    logger.debug("partial structured output not parseable yet: %s", exc)
                    continue
                current = [obj]
                yield obj

        return gen()


def program_for(output_cls: type[Model], prompt: BasePromptTemplate, llm: FunctionCallingLLM,
                *, native: bool) -> BasePydanticProgram[Model]:
    """The program for ``structured_predict``: native schema, forced tool call, or as asked."""
    mode = llm.pydantic_program_mode
    if mode == PydanticProgramMode.DEFAULT and native:
        return JSONSchemaProgram(output_cls, prompt, llm)
    calls_tools = llm.metadata.is_function_calling_model
    if mode == PydanticProgramMode.FUNCTION or (mode == PydanticProgramMode.DEFAULT
                                                and calls_tools):
        # "required" also on the streaming path, where LlamaIndex would otherwise leave the
        # model free to answer in prose.
        return FunctionCallingProgram.from_defaults(
            output_cls=output_cls, llm=llm, prompt=prompt, tool_choice="required")
    return get_program_for_llm(output_cls, prompt, llm, pydantic_program_mode=mode)
