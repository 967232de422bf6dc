"""``OpenRouter``: a LlamaIndex ``FunctionCallingLLM`` backed by ``openrouter_core``.

Every public method is a thin shell: :func:`~llama_index_openrouter.calls.prepare` builds the
request, one ``openrouter_core.transport`` call does the I/O, and
:mod:`~llama_index_openrouter.responses` / :mod:`~llama_index_openrouter.streaming` turn the
result into LlamaIndex objects. Sync, async and streaming variants share everything but that
one I/O line. Construction validates settings and does no network I/O; the HTTP client is
created (and shared) by the core on the first request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import BasePydanticProgram, Model
from pydantic import BaseModel, ConfigDict

from llama_index_openrouter.calls import adrive, drive, prepare
from llama_index_openrouter.config import OpenRouterConfig
from llama_index_openrouter.observed import chat_callback, completion_callback
from llama_index_openrouter.responses import to_chat_response, to_completion_response
from llama_index_openrouter.streaming import PARTIAL_KEY, ChatStream
from llama_index_openrouter.structured import program_for, reply_limit
from llama_index_openrouter.tools import (
    keep_first_tool_call,
    refuse_truncated,
    resolve_tool_choice,
    tool_selections,
    tool_spec,
)
from openrouter_core import transport
from openrouter_core.decode import unanswered
from openrouter_core.stream import StreamAssembler

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

    from llama_index_openrouter.profile import ModelFacts

dispatcher = get_dispatcher(__name__)

JSONDict = dict[str, Any]


def _user(prompt: str) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, content=prompt)]


class OpenRouter(FunctionCallingLLM, OpenRouterConfig):
    """OpenRouter chat models in LlamaIndex: tools, structured output, reasoning, images.

    Example::

        from llama_index_openrouter import OpenRouter

        llm = OpenRouter(model="anthropic/claude-sonnet-4.5", reasoning={"effort": "low"},
                         provider={"sort": "throughput"}, max_tokens=1024)
        print(llm.complete("Hello").text)

    Every OpenRouter request option is a constructor argument (see
    :class:`~llama_index_openrouter.config.OpenRouterConfig`); ``None`` means "not sent".
    Per-call keyword arguments override them for that call. The key comes from ``api_key`` or
    ``OPENROUTER_API_KEY`` and is never serialised or logged.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True)

    @classmethod
    def class_name(cls) -> str:
        """Stable serialisation name (the one ``llama-index-llms-openrouter`` used)."""
        return "OpenRouter_LLM"

    @property
    def model_facts(self) -> ModelFacts:
        """The catalog's facts about the configured model: window, output budget, tool and
        json_schema support, image input and output (offline: the bundled snapshot unless a
        catalog was fetched in this process)."""
        # Imported here, like the catalog in ``calls.prepare``: not needed at import.
        from llama_index_openrouter import profile as model_info

        return model_info.lookup(self.model, self.endpoint())

    @property
    def metadata(self) -> LLMMetadata:
        """Context window, output budget and tool support of the configured model."""
        facts = self.model_facts
        tools = self.is_function_calling_model
        context_window = self.context_window or facts.context_window
        return LLMMetadata(
            context_window=context_window,
            # LlamaIndex's PromptHelper keeps num_output free for the reply. Without a cap of
            # the user's, the catalog's largest reply, but never more than half the window:
            # many models list a largest reply as long as their window, which would leave no
            # room for the prompt (every response synthesizer fails on it).
            num_output=(self.max_tokens or self.max_completion_tokens
                        or min(facts.num_output, max(context_window // 2, 1))),
            is_chat_model=True,
            is_function_calling_model=facts.supports_tools if tools is None else tools,
            model_name=self.model,
        )

    @property
    def tokenizer(self) -> Callable[[str], list[int]]:
        """This model family's offline tokenizer, for ``ChatMemoryBuffer.from_defaults(
        tokenizer_fn=llm.tokenizer)`` and ``TokenCountingHandler(tokenizer=llm.tokenizer)``.

        OpenAI families use their tiktoken encoding from disk; others the documented
        approximation (see ``openrouter_core.tokens``). It never downloads anything.
        """
        from openrouter_core.tokens import tokenizer_for

        return tokenizer_for(self.model).encode

    def to_payload(self) -> JSONDict:
        """What instrumentation events carry: metadata and routing, never credentials."""
        return {"class_name": self.class_name(), **self.metadata.model_dump(),
                "api_base": self.api_base}

    # -- the I/O lines ----------------------------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = prepare(self, messages, kwargs, stream=False)
        return to_chat_response(transport.complete(*request))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = prepare(self, messages, kwargs, stream=False)
        return to_chat_response(await transport.acomplete(*request))

    def _complete(self, messages: Sequence[ChatMessage], **kwargs: Any) -> CompletionResponse:
        request = prepare(self, messages, kwargs, stream=False)
        return to_completion_response(transport.complete(*request))

    async def _acomplete(self, messages: Sequence[ChatMessage],
                         **kwargs: Any) -> CompletionResponse:
        request = prepare(self, messages, kwargs, stream=False)
        return to_completion_response(await transport.acomplete(*request))

    def _stream(self, messages: Sequence[ChatMessage], kwargs: JSONDict,
                chat: bool) -> Any:
        request = prepare(self, messages, kwargs, stream=True)
        assembler = StreamAssembler()
        stream = ChatStream(assembler)
        deltas = transport.stream(*request, assembler)
        if chat:
            return drive(deltas, stream, stream.chat_partial, stream.chat_final)
        return drive(deltas, stream, stream.completion_partial, stream.completion_final)

    def _astream(self, messages: Sequence[ChatMessage], kwargs: JSONDict,
                 chat: bool) -> Any:
        request = prepare(self, messages, kwargs, stream=True)
        assembler = StreamAssembler()
        stream = ChatStream(assembler)
        deltas = transport.astream(*request, assembler)
        if chat:
            return adrive(deltas, stream, stream.chat_partial, stream.chat_final)
        return adrive(deltas, stream, stream.completion_partial, stream.completion_final)

    # -- LlamaIndex LLM interface -----------------------------------------------------------

    @chat_callback
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Send the conversation and return the assistant's reply."""
        return self._chat(messages, **kwargs)

    @chat_callback
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""
        return await self._achat(messages, **kwargs)

    @chat_callback
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the reply: one response per chunk, each with its ``delta``."""
        gen: ChatResponseGen = self._stream(messages, kwargs, chat=True)
        return gen

    @chat_callback
    async def astream_chat(self, messages: Sequence[ChatMessage],
                           **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        gen: ChatResponseAsyncGen = self._astream(messages, kwargs, chat=True)
        return gen

    @completion_callback
    def complete(self, prompt: str, formatted: bool = False,  # noqa: ARG002 - LlamaIndex's signature
                 **kwargs: Any) -> CompletionResponse:
        """Send ``prompt`` as one user message and return the reply text."""
        return self._complete(_user(prompt), **kwargs)

    @completion_callback
    async def acomplete(self, prompt: str, formatted: bool = False,  # noqa: ARG002 - LlamaIndex's signature
                        **kwargs: Any) -> CompletionResponse:
        """Async :meth:`complete`."""
        return await self._acomplete(_user(prompt), **kwargs)

    @completion_callback
    def stream_complete(self, prompt: str, formatted: bool = False,  # noqa: ARG002 - LlamaIndex's signature
                        **kwargs: Any) -> CompletionResponseGen:
        """Stream the reply to ``prompt``."""
        gen: CompletionResponseGen = self._stream(_user(prompt), kwargs, chat=False)
        return gen

    @completion_callback
    async def astream_complete(self, prompt: str, formatted: bool = False,  # noqa: ARG002 - LlamaIndex's signature
                               **kwargs: Any) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`."""
        gen: CompletionResponseAsyncGen = self._astream(_user(prompt), kwargs, chat=False)
        return gen

    # -- function calling -------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,  # noqa: ARG002 - LlamaIndex's signature
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> JSONDict:
        """The ``chat`` arguments for a tool-calling turn."""
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.extend(_user(user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        out: JSONDict = {"messages": messages, **kwargs}
        specs = [tool_spec(t) for t in tools]
        if specs:
            out["tools"] = specs
            out["parallel_tool_calls"] = allow_parallel_tool_calls
            choice = resolve_tool_choice(tool_choice, tool_required)
            if choice is not None:
                out["tool_choice"] = choice
        return out

    def _validate_chat_with_tools_response(
        self, response: ChatResponse, tools: Sequence[BaseTool],  # noqa: ARG002
        allow_parallel_tool_calls: bool = False, **kwargs: Any,  # noqa: ARG002
    ) -> ChatResponse:
        """Keep only the first call when parallel calls were not allowed."""
        return response if allow_parallel_tool_calls else keep_first_tool_call(response)

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True,
        **kwargs: Any,  # noqa: ARG002 - LlamaIndex's signature
    ) -> list[ToolSelection]:
        """The tool calls of a (possibly partial, streamed) response.

        Partial JSON in a streamed chunk is repaired to the fields seen so far; in a complete
        response, a call with invalid JSON comes back with empty ``tool_kwargs`` and an
        ``error`` (see :class:`~llama_index_openrouter.tools.OpenRouterToolSelection`) while
        the other calls are kept.

        Raises:
            TruncatedToolCallError: The output limit cut off a call's arguments (an agent
                would otherwise run it with guessed arguments); the error carries the raw
                text and the response.
        """
        partial = bool(response.additional_kwargs.get(PARTIAL_KEY))
        selections = tool_selections(response, partial=partial)
        if not partial:
            refuse_truncated(selections, response)
        if not selections and error_on_no_tool_call:
            # With the reply's own reason, when it gives one (what a forced call's caller
            # needs): a refusal, or the output limit reached before any call.
            reason = unanswered(response.message.additional_kwargs.get("refusal"),
                                reply_limit(response), complete=False)
            raise ValueError("Expected at least one tool call, but got 0 tool calls."
                             + (f" Reason: {reason}." if reason else ""))
        return list(selections)

    # -- structured output ------------------------------------------------------------------

    def _program(self, output_cls: type[Model],
                 prompt: PromptTemplate) -> BasePydanticProgram[Model]:
        from llama_index_openrouter import profile as model_info

        native = model_info.lookup(self.model, self.endpoint()).supports_json_schema
        return program_for(output_cls, prompt, self, native=native)

    def _checked(self, result: Any, output_cls: type[Any]) -> Any:
        if not isinstance(result, BaseModel):
            raise TypeError(f"structured output: expected a {output_cls.__name__}, got "
                            f"{type(result).__name__}: {result!r}")
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    def structured_predict(self, output_cls: type[Model], prompt: PromptTemplate,
                           llm_kwargs: JSONDict | None = None, **prompt_args: Any) -> Model:
        """Predict an ``output_cls`` (native json_schema, else a forced tool call)."""
        dispatcher.event(LLMStructuredPredictStartEvent(
            output_cls=output_cls, template=prompt, template_args=prompt_args))
        result = self._program(output_cls, prompt)(llm_kwargs=llm_kwargs, **prompt_args)
        checked: Model = self._checked(result, output_cls)
        return checked

    @dispatcher.span
    async def astructured_predict(self, output_cls: type[Model], prompt: PromptTemplate,
                                  llm_kwargs: JSONDict | None = None,
                                  **prompt_args: Any) -> Model:
        """Async :meth:`structured_predict`."""
        dispatcher.event(LLMStructuredPredictStartEvent(
            output_cls=output_cls, template=prompt, template_args=prompt_args))
        program = self._program(output_cls, prompt)
        result = await program.acall(llm_kwargs=llm_kwargs, **prompt_args)
        checked: Model = self._checked(result, output_cls)
        return checked

    def _structured_stream_call(self, output_cls: type[Model], prompt: PromptTemplate,
                                llm_kwargs: JSONDict | None = None,
                                **prompt_args: Any) -> Any:
        return self._program(output_cls, prompt).stream_call(llm_kwargs=llm_kwargs,
                                                             **prompt_args)

    async def _structured_astream_call(self, output_cls: type[Model], prompt: PromptTemplate,
                                       llm_kwargs: JSONDict | None = None,
                                       **prompt_args: Any) -> Any:
        return await self._program(output_cls, prompt).astream_call(llm_kwargs=llm_kwargs,
                                                                    **prompt_args)
