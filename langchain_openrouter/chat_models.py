"""``ChatOpenRouter``: LangChain's chat model for OpenRouter, built on ``openrouter_core``.

The class holds settings and wires three pure steps around one line of I/O: messages and
kwargs → request (:mod:`.messages`, :mod:`.config`, :mod:`.calls`), ``openrouter_core.transport``
call, core result → LangChain objects (:mod:`.responses`, :mod:`.streaming`). Sync and async
share everything but that line.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from functools import cache
from operator import attrgetter
from typing import Any, Literal, Self, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput, ModelProfile
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import AliasChoices, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from langchain_openrouter import (
    calls,
    config as cfg,  # "config" is the RunnableConfig argument
    invoke_lifecycle,
    responses,
    stream_lifecycle,
    streaming,
)
from langchain_openrouter.errors import langchain_errors
from langchain_openrouter.messages import convert_messages
from openrouter_core import environment, spelling, transport
from openrouter_core.decode import ChatResult as CoreResult, decode_choices
from openrouter_core.memo import LastBuilt, LastFrom, held
from openrouter_core.settings import UNTYPED_BODY_KEYS, Attribution, RequestSettings
from openrouter_core.stream import StreamAssembler, TextBuilder
from openrouter_core.totals import UsageTotals

_INVOCATION_PARAMS_FROM = ("_get_invocation_params", "_settings", "_llm_type")
"""The methods a run's invocation parameters are worked out with (see ``_params_check``)."""


@cache
def _argument_names(cls: type[BaseChatModel]) -> tuple[dict[str, str], frozenset[str]]:
    """``cls``'s own parameter names (aliases included) → field, and every accepted name.

    Only the class's own parameters are promoted out of ``model_kwargs``: LangChain's
    (``metadata``, ``tags``, ``cache``...) there are request-body keys that share a name.
    Computed once per class, not on every construction.
    """
    def names(fields: Mapping[str, Any]) -> dict[str, str]:
        out = {name: name for name in fields}
        out.update({f.alias: name for name, f in fields.items() if f.alias})
        return out

    own = names({n: f for n, f in cls.model_fields.items()
                 if n not in BaseChatModel.model_fields})
    own["provider"] = "openrouter_provider"
    return own, frozenset(own) | frozenset(names(BaseChatModel.model_fields))


class ChatOpenRouter(BaseChatModel):
    """Chat model for OpenRouter: hundreds of models behind one OpenAI-shaped API.

    Setup: set ``OPENROUTER_API_KEY`` (or pass ``api_key``). ``OPENROUTER_API_BASE`` (or
    ``base_url``) points it elsewhere, e.g. at a proxy or the test emulator.

    Example:
        ```python
        from langchain_openrouter import ChatOpenRouter

        model = ChatOpenRouter(
            model="anthropic/claude-sonnet-4.5",
            temperature=0,
            openrouter_provider={"order": ["Anthropic"]},
            reasoning={"effort": "low"},
        )
        model.invoke("Hello")
        ```

    Every OpenRouter request option is a field (validated at construction, so a typo'd
    ``reasoning.effort`` fails fast) and may also be passed per call:
    ``model.invoke(msgs, temperature=0.2, models=[...])``. Unknown keyword arguments go to
    ``model_kwargs`` and from there into the request body verbatim, with a warning; a near
    miss of a known name fails with "did you mean".

    Output: text in ``content`` (generated images as ``image`` blocks), reasoning text in
    ``additional_kwargs["reasoning_content"]`` and the raw ``reasoning_details`` in
    ``additional_kwargs`` (sent back unchanged on the next turn), usage with cache and
    reasoning details in ``usage_metadata``, and served model, provider, cost, finish reasons
    and url citations in ``response_metadata``.
    """

    # defer_build: the validator for ~60 fields is built on first construction, not at import.
    # Validation errors never quote the constructor input: it may hold the API key.
    model_config = ConfigDict(populate_by_name=True, defer_build=True, hide_input_in_errors=True)

    # --- connection -----------------------------------------------------------------------
    model_name: str = Field(alias="model")
    """The OpenRouter model slug, e.g. ``"openai/gpt-4o-mini"``."""
    openrouter_api_key: SecretStr | None = Field(
        alias="api_key", default_factory=environment.api_key)
    """API key; read from ``OPENROUTER_API_KEY`` when not given. Never logged or serialized."""
    openrouter_api_base: str | None = Field(
        alias="base_url", default_factory=lambda: environment.read("base_url"))
    """Base URL (default ``https://openrouter.ai/api/v1``; env ``OPENROUTER_API_BASE``, else
    ``OPENROUTER_BASE_URL``)."""
    request_timeout: float | None = Field(default=None, alias="timeout", gt=0)
    """Longest silence allowed, in seconds: connecting, and between received bytes. A slow but
    steady stream is never cut; a server that goes quiet raises ``ModelTimeoutError``."""
    total_timeout: float | None = Field(default=None, gt=0)
    """Optional cap on the whole call in seconds, retries included; off by default."""
    max_retries: int = Field(default=2, ge=0)
    """Retries for 408/429/5xx, connection errors and retryable 402s (``Retry-After`` kept)."""
    default_headers: Mapping[str, str] | None = Field(default=None, exclude=True, repr=False)
    """Extra headers on every request. They may hold secrets (a proxy's ``Authorization``), so
    they are left out of ``repr``, ``model_dump`` and LangChain's ``dumps``; a pickle keeps them,
    as the model would not work without them in the process that loads it."""
    app_url: str | None = Field(default_factory=lambda: environment.read("app_url"))
    """App attribution: sent as ``HTTP-Referer``. Off unless set."""
    app_title: str | None = Field(default_factory=lambda: environment.read("app_title"))
    """App attribution: sent as ``X-OpenRouter-Title``. Off unless set."""
    app_categories: list[str] | None = None
    """App attribution: marketplace categories (``X-OpenRouter-Categories``)."""

    # --- behaviour ------------------------------------------------------------------------
    streaming: bool = False
    """Stream even for ``invoke`` (the chunks are aggregated)."""
    stream_usage: bool = True
    """Report usage when streaming (on exactly one, the final, chunk)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body parameters; known settings among them are validated like fields."""

    # --- sampling -------------------------------------------------------------------------
    temperature: float | None = None
    """Sampling temperature (0-2)."""
    max_tokens: int | None = None
    """Maximum tokens to generate."""
    max_completion_tokens: int | None = None
    """Maximum completion tokens (OpenAI's newer name; reasoning tokens included)."""
    top_p: float | None = None
    """Nucleus sampling."""
    frequency_penalty: float | None = None
    """Frequency penalty (-2 to 2)."""
    presence_penalty: float | None = None
    """Presence penalty (-2 to 2)."""
    seed: int | None = None
    """Seed for providers that support deterministic sampling."""
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    """Default stop sequences."""
    n: int | None = 1
    """Number of choices (non-streaming only). 1, the API's own default, is not sent; the
    field defaults to it so that a dump has the shape ``langchain-openrouter``'s had."""
    logprobs: bool | None = None
    """Return token log probabilities."""
    top_logprobs: int | None = None
    """How many alternatives per token when ``logprobs`` is on."""
    logit_bias: dict[str, float] | None = None
    """Token id → bias."""
    top_k: int | None = None
    """Top-k sampling (providers that support it)."""
    min_p: float | None = None
    """Min-p sampling."""
    top_a: float | None = None
    """Top-a sampling."""
    repetition_penalty: float | None = None
    """Repetition penalty (0-2]."""

    # --- routing and features -------------------------------------------------------------
    openrouter_provider: dict[str, Any] | None = Field(
        default=None, validation_alias=AliasChoices("openrouter_provider", "provider"))
    """Provider routing preferences (``order``, ``only``, ``sort``, ``max_price``...)."""
    models: list[str] | None = None
    """Fallback models tried in order when the primary fails."""
    route: Literal["fallback"] | None = None
    """Routing strategy for ``models``."""
    transforms: list[str] | None = None
    """Prompt transforms, e.g. ``["middle-out"]``."""
    plugins: list[dict[str, Any]] | None = None
    """Plugins, e.g. ``[{"id": "web"}]`` or ``[{"id": "response-healing"}]``."""
    reasoning: dict[str, Any] | None = None
    """Reasoning options: ``effort`` or ``max_tokens``, ``exclude``, ``summary``..."""
    modalities: list[Literal["text", "image", "audio"]] | None = None
    """Output modalities, e.g. ``["image", "text"]`` for image generation."""
    image_config: dict[str, Any] | None = None
    """Image-generation options (``aspect_ratio``, ``image_size``)."""
    verbosity: Literal["low", "medium", "high"] | None = None
    """Answer verbosity for models that support it."""
    prediction: dict[str, Any] | None = None
    """Predicted output for latency optimisation."""
    max_tool_calls: int | None = None
    """Upper bound on tool calls in one turn."""
    service_tier: str | None = None
    """Upstream service tier."""
    session_id: str | None = Field(
        default_factory=lambda: environment.read("session_id"))
    """Groups related requests for observability (env ``OPENROUTER_SESSION_ID``)."""
    trace: dict[str, Any] | None = None
    """Trace metadata forwarded to broadcast destinations."""
    user: str | None = None
    """End-user identifier."""
    prompt_cache_key: str | None = None
    """Prompt-cache routing key."""
    debug: dict[str, Any] | None = None
    """OpenRouter debug options."""
    extra_body: dict[str, Any] | None = None
    """Anything else, merged into the body last."""

    # Built from the fields when the model is made and again whenever a field changes (in place
    # included): per-request work that does not change the bytes sent (openrouter_core.memo).
    _built_settings: LastBuilt[RequestSettings] = PrivateAttr(default_factory=LastBuilt)
    _built_connection: LastBuilt[calls.Connection] = PrivateAttr(default_factory=LastBuilt)
    # One request template per stream flag: a model both invoked and streamed keeps both.
    _built_template: LastFrom[calls.CallTemplate] = PrivateAttr(default_factory=LastFrom)
    _built_stream_template: LastFrom[calls.CallTemplate] = PrivateAttr(
        default_factory=LastFrom)
    # The settings whose body a quiet run has worked out (see _params_check).
    _checked_body: LastFrom[dict[str, Any]] = PrivateAttr(default_factory=LastFrom)

    @model_validator(mode="before")
    @classmethod
    def _collect_extra_kwargs(cls, values: Any) -> Any:
        """Unknown constructor arguments go to ``model_kwargs`` (as the older package did),
        after the spelling check (:mod:`openrouter_core.spelling`)."""
        if not isinstance(values, dict):
            return values
        for name in sorted(cfg.IGNORED_ARGUMENTS & set(values)):
            if values.pop(name) is not None:
                warnings.warn(f"{name} is accepted for compatibility and not used: clients are "
                              "pooled and shared by openrouter_core",
                              stacklevel=spelling.caller_stacklevel())
        field_of, known = _argument_names(cls)
        for key in cfg.promote_fields(values, field_of):
            warnings.warn(f"{key} is a ChatOpenRouter parameter, not a model_kwargs entry; it "
                          f"was moved to the {key} parameter (pass it directly)",
                          stacklevel=spelling.caller_stacklevel())
        # A near miss of an argument fails ("did you mean"); another unknown key is sent in
        # the body with a one-time warning at the caller's line, from model_kwargs' check.
        spelling.check_keys([k for k in values if k not in known],
                            known | UNTYPED_BODY_KEYS.keys(), "ChatOpenRouter")
        cfg.collect_extra(values, known)
        cfg.warn_if_milliseconds(values.get("timeout", values.get("request_timeout")))
        return values

    @model_validator(mode="after")
    def _validate_settings(self) -> Self:
        """Validate every setting now (no network, no client) so mistakes fail fast."""
        self._settings()
        if self.n is not None and self.n > 1 and self.streaming:
            raise ValueError("n: must be 1 when streaming=True")
        return self

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the API key: the unpickling process reads ``OPENROUTER_API_KEY``
        when it sends (see ``openrouter_core.environment.state_without_key``)."""
        return environment.state_without_key(super().__getstate__(), "openrouter_api_key")

    # --- LangChain plumbing ---------------------------------------------------------------
    @property
    def model(self) -> str:
        """The model slug (same as ``model_name``)."""
        return self.model_name

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The API key is serialized as a secret reference, never as a value."""
        return {"openrouter_api_key": "OPENROUTER_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """``dumpd``/``load`` round-trip is supported."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Serialization namespace: ``["langchain_openrouter", "chat_models"]``."""
        return ["langchain_openrouter", "chat_models"]

    @property
    def _llm_type(self) -> str:
        return "openrouter-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._settings().to_body()}

    def _resolve_model_profile(self) -> ModelProfile | None:
        # Construction must not touch the network: only a catalog fetched earlier in the
        # process (openrouter_core.catalog.get_catalog()) or the bundled snapshot is consulted.
        from openrouter_core import catalog  # on first construction, not at import

        info = catalog.lookup_cached(self.model_name, self._connection().endpoint())
        if info is None:
            return None
        from langchain_openrouter.profile import model_profile

        return model_profile(info)

    # -- token counting (offline: see openrouter_core.tokens) --------------------------------

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` for this model's family, never downloading anything.

        OpenAI families use their tiktoken encoding when it is on disk; others, or a missing
        file, get the documented approximation (pseudo ids, a slight over-count).
        """
        from openrouter_core.tokens import tokenizer_for

        return tokenizer_for(self.model_name).encode(text)

    def get_num_tokens_from_messages(self, messages: list[BaseMessage],
                                     tools: Sequence[Any] | None = None) -> int:
        """Prompt tokens of ``messages`` (and ``tools``) as OpenAI-shaped APIs bill them:
        per-message framing, text, tool calls, and images by tile; what
        ``trim_messages(token_counter=model)`` and the summarization middleware call."""
        from langchain_openrouter.tools import format_tools
        from openrouter_core.tokens import count_messages, tokenizer_for

        formatted = format_tools(list(tools)) if tools else None
        return count_messages(convert_messages(messages), tokenizer_for(self.model_name),
                              formatted)

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        ls = LangSmithParams(ls_provider="openrouter", ls_model_type="chat",
                             ls_model_name=kwargs.get("model") or self.model_name)
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            ls["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens) or self.max_completion_tokens
        if max_tokens:
            ls["ls_max_tokens"] = max_tokens
        stop_value = stop or kwargs.get("stop") or self.stop
        if stop_value:
            ls["ls_stop"] = stop_value if isinstance(stop_value, list) else [stop_value]
        return ls

    def _get_invocation_params(self, stop: list[str] | None = None,
                               **kwargs: Any) -> dict[str, Any]:
        # Traced parameters: the request settings, never the connection (key, headers).
        return {"model": self.model_name, "_type": self._llm_type,
                **self._settings().to_body(), "stop": stop, **kwargs}

    def _params_check(self) -> Callable[[], object] | None:
        # What working out the invocation parameters (_get_invocation_params) can raise, as a
        # call that raises it without building them: the request settings and their body
        # (to_body fails when extra_body conflicts with a typed setting); the rest of them
        # are the call's own keywords, merged as they are. None when one of the methods they
        # come from is not ChatOpenRouter's own (a subclass's, or patched on the class), so
        # that run_start builds them and they fail in their own way.
        cls = type(self)
        for name, own in _OWN_PARAMS_METHODS.items():
            if getattr(cls, name) is not own:
                return None
        return self._checked_settings

    def _checked_settings(self) -> RequestSettings:
        # The settings, their body worked out once per settings object (a new one whenever a
        # field changes): to_body depends on nothing else, so it fails the first time or never.
        settings = self._settings()
        memo = cast("LastFrom[dict[str, Any]]", held(self, "_checked_body", LastFrom))
        memo.get((settings,), _settings_body)
        return settings

    # --- request building (pure) ----------------------------------------------------------
    def _settings(self) -> RequestSettings:
        names = _setting_fields(type(self))
        values = _read_settings(type(self))(self)
        # (Empty model_kwargs builds as None does; as None, every input of a model whose
        # settings are numbers, strings or unset is immutable, which the memo checks fastest.)
        model_kwargs = self.model_kwargs or None
        memo: LastBuilt[RequestSettings] = held(self, "_built_settings")
        return memo.get((*values, model_kwargs), lambda kept: cfg.build_settings(
            dict(zip(names, kept[:-1], strict=True)), kept[-1]))

    def _connection(self) -> calls.Connection:
        inputs = (self.openrouter_api_base, self.openrouter_api_key, self.request_timeout,
                  self.max_retries, self.total_timeout, self.app_url, self.app_title,
                  self.app_categories, self.default_headers)
        memo: LastBuilt[calls.Connection] = held(self, "_built_connection")
        return memo.get(inputs, lambda kept: _connection(*kept))

    def _call(self, messages: list[BaseMessage], stop: list[str] | None,
              kwargs: Mapping[str, Any], *, stream: bool,
              run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None,
              ) -> calls.CallSpec:
        self._check_budget(run_manager)
        converted = convert_messages(messages)
        settings, connection = self._settings(), self._connection()
        if not kwargs and not stop:  # most calls: the settings' part of the request is kept
            memo = cast("LastFrom[calls.CallTemplate]", held(
                self, "_built_stream_template" if stream else "_built_template", LastFrom))
            return memo.get((settings, connection, self.model_name, stream, self.stream_usage),
                            calls.call_template).call(converted)
        return calls.build_call(
            model=self.model_name, messages=converted, settings=settings,
            connection=connection, kwargs=kwargs, stop=stop, stream=stream,
            stream_usage=self.stream_usage,
        )

    @staticmethod
    def _check_budget(
            run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None) -> None:
        # A cost handler with a budget (get_openrouter_callback(max_cost=...)) that has been
        # reached stops the request here, before it is built or sent. The open blocks are
        # asked directly too: langchain-core streams a call for a handler that asks for tokens
        # (astream_events, LangGraph's messages mode) without handing the run's callbacks on.
        # (Only a loaded callbacks module can have open blocks; importing it here would load
        # the cost estimator for every model.)
        blocks = sys.modules.get("langchain_openrouter.callbacks")
        if blocks is not None:
            blocks.check_budget()
        for handler in run_manager.handlers if run_manager is not None else ():
            if isinstance(handler, UsageTotals):
                handler.check_budget()

    def _chat_result(self, result: CoreResult, call: calls.CallSpec) -> ChatResult:
        choices = decode_choices(result.raw) if (call.body.get("n") or 1) > 1 else [result]
        return responses.chat_result(choices, call.model)

    def _final(self, assembler: StreamAssembler, call: calls.CallSpec) -> AIMessageChunk:
        result = assembler.result()
        if not call.stream_usage:
            result.usage = None
        return streaming.final_chunk(result, call.model)

    # --- I/O: the only lines that differ between sync and async ---------------------------
    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        if self.streaming:
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        call = self._call(messages, stop, kwargs, stream=False, run_manager=run_manager)
        with langchain_errors():
            result = transport.complete(call.endpoint, call.body, call.headers)
        return self._chat_result(result, call)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None,
                         **kwargs: Any) -> ChatResult:
        if self.streaming:
            return await agenerate_from_stream(
                self._astream(messages, stop, run_manager, **kwargs))
        call = self._call(messages, stop, kwargs, stream=False, run_manager=run_manager)
        with langchain_errors():
            result = await transport.acomplete(call.endpoint, call.body, call.headers)
        return self._chat_result(result, call)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for message in self._chunks(messages, stop, run_manager, kwargs, StreamAssembler()):
            chunk = streaming.generation_chunk(message)
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async for message in self._achunks(messages, stop, run_manager, kwargs,
                                           StreamAssembler()):
            chunk = streaming.generation_chunk(message)
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    def _chunks(self, messages: list[BaseMessage], stop: list[str] | None,
                run_manager: CallbackManagerForLLMRun | None, kwargs: Mapping[str, Any],
                assembler: StreamAssembler) -> Iterator[AIMessageChunk]:
        # The messages of the stream's chunks: each delta's new material, then the final one.
        call = self._call(messages, stop, kwargs, stream=True, run_manager=run_manager)
        # v1: image blocks are named by their place in the reply (see streamed_content).
        images: int | None = 0 if self.output_version == "v1" else None
        with langchain_errors():
            for delta in transport.stream(call.endpoint, call.body, call.headers, assembler):
                message = streaming.delta_chunk(delta, first_image=images)
                if images is not None:
                    images += len(delta.images)
                if message is not None:
                    yield message
        yield self._final(assembler, call)

    async def _achunks(self, messages: list[BaseMessage], stop: list[str] | None,
                       run_manager: AsyncCallbackManagerForLLMRun | None,
                       kwargs: Mapping[str, Any],
                       assembler: StreamAssembler) -> AsyncIterator[AIMessageChunk]:
        call = self._call(messages, stop, kwargs, stream=True, run_manager=run_manager)
        images: int | None = 0 if self.output_version == "v1" else None
        with langchain_errors():
            async for delta in transport.astream(call.endpoint, call.body, call.headers,
                                                 assembler):
                message = streaming.delta_chunk(delta, first_image=images)
                if images is not None:
                    images += len(delta.images)
                if message is not None:
                    yield message
        yield self._final(assembler, call)

    # --- invoke/ainvoke: langchain-core's lifecycle in one layer, plus the verdict on cut-off
    # tool calls
    def invoke(self, input: LanguageModelInput, config: RunnableConfig | None = None, *,
               stop: list[str] | None = None, **kwargs: Any) -> AIMessage:
        """As ``BaseChatModel.invoke``; a tool call cut off by the output limit is always in
        ``invalid_tool_calls``, also when the reply was streamed (agents call ``invoke``)."""
        if self._own_invoke(async_api=False, kwargs=kwargs):
            message = invoke_lifecycle.invoke(self, input, config, stop, kwargs)
        else:
            message = super().invoke(input, config, stop=stop, **kwargs)
        return responses.settle_tool_calls(message)

    async def ainvoke(self, input: LanguageModelInput, config: RunnableConfig | None = None,
                      *, stop: list[str] | None = None, **kwargs: Any) -> AIMessage:
        """Async :meth:`invoke`."""
        if self._own_invoke(async_api=True, kwargs=kwargs):
            message = await invoke_lifecycle.ainvoke(self, input, config, stop, kwargs)
        else:
            message = await super().ainvoke(input, config, stop=stop, **kwargs)
        return responses.settle_tool_calls(message)

    def _own_invoke(self, *, async_api: bool, kwargs: Mapping[str, Any]) -> bool:
        # The inherited methods when the installed langchain-core lacks a helper we rely on,
        # when a subclass replaced a step of the chain invoke goes through (its override must
        # run), or when a keyword would make that chain raise (see TAKEN_BY_INVOKE).
        steps = (("agenerate_prompt", "agenerate", "_agenerate_with_cache", "_agenerate")
                 if async_api else
                 ("generate_prompt", "generate", "_generate_with_cache", "_generate"))
        return (invoke_lifecycle.SUPPORTED
                and invoke_lifecycle.TAKEN_BY_INVOKE.isdisjoint(kwargs)
                and self._none_replaced(steps))

    # --- stream/astream: langchain-core's lifecycle, without keeping every chunk ------------
    def stream(self, input: LanguageModelInput, config: RunnableConfig | None = None, *,
               stop: list[str] | None = None, **kwargs: Any) -> Iterator[AIMessageChunk]:
        """Stream the reply; as ``BaseChatModel.stream``, in memory flat in the chunk count."""
        # A generator function, as langchain-core's (RunnableLambda and coerce_to_runnable
        # tell generator functions apart), though returning the lifecycle's iterator would
        # save a frame per chunk.
        if not self._flat_streaming(async_api=False, kwargs=kwargs):
            yield from super().stream(input, config, stop=stop, **kwargs)
            return
        yield from stream_lifecycle.stream(self, input, config, stop, kwargs, self._chunk_source)

    async def astream(self, input: LanguageModelInput, config: RunnableConfig | None = None,
                      *, stop: list[str] | None = None,
                      **kwargs: Any) -> AsyncIterator[AIMessageChunk]:
        """Async :meth:`stream`."""
        if not self._flat_streaming(async_api=True, kwargs=kwargs):
            async for chunk in super().astream(input, config, stop=stop, **kwargs):
                yield chunk
            return
        async for chunk in stream_lifecycle.astream(self, input, config, stop, kwargs,
                                                    self._achunk_source):
            yield chunk

    def _should_stream(self, *, async_api: bool,
                       run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun
                       | None = None, **kwargs: Any) -> bool:
        # A reply of several choices (n > 1) is not streamed under the hood (for a handler
        # that asks for tokens, such as astream_events or LangGraph's messages mode): a
        # stream is read as one choice, so the others would be lost. Only an explicit
        # stream=True streams it, and that fails naming n before anything is sent.
        if not kwargs.get("stream"):
            n = kwargs.get("n")
            if n is None:
                n = self.n
            # extra_body is merged into the body last (the call's over the model's).
            for extra in (self.extra_body, kwargs.get("extra_body")):
                if isinstance(extra, Mapping) and extra.get("n") is not None:
                    n = extra["n"]
            if isinstance(n, int) and not isinstance(n, bool) and n > 1:
                return False
        return super()._should_stream(async_api=async_api, run_manager=run_manager, **kwargs)

    def _flat_streaming(self, *, async_api: bool, kwargs: Mapping[str, Any]) -> bool:
        # The inherited methods when streaming is off (they fall back to invoke), when the
        # installed langchain-core lacks a helper we rely on, or when a subclass replaced
        # _stream/_astream (their chunks may not match our assembler's text).
        return (stream_lifecycle.SUPPORTED
                and self._none_replaced(("_stream", "_astream"))
                and self._should_stream(async_api=async_api, **{**kwargs, "stream": True}))

    def _none_replaced(self, names: tuple[str, ...]) -> bool:
        # Whether this instance's class still has ChatOpenRouter's methods of these names.
        cls = type(self)
        if cls is ChatOpenRouter:  # the common case, decided without a look-up
            return True
        return all(getattr(cls, name) is getattr(ChatOpenRouter, name) for name in names)

    def _chunk_source(self, messages: list[BaseMessage], stop: list[str] | None,
                      kwargs: dict[str, Any], run_manager: CallbackManagerForLLMRun | None,
                      ) -> tuple[Iterator[AIMessageChunk], TextBuilder]:
        self._check_budget(run_manager)  # the run manager itself reports the tokens
        assembler = StreamAssembler()
        return self._chunks(messages, stop, None, kwargs, assembler), assembler.content

    def _achunk_source(self, messages: list[BaseMessage], stop: list[str] | None,
                       kwargs: dict[str, Any], run_manager: AsyncCallbackManagerForLLMRun | None,
                       ) -> tuple[AsyncIterator[AIMessageChunk], TextBuilder]:
        self._check_budget(run_manager)
        assembler = StreamAssembler()
        return self._achunks(messages, stop, None, kwargs, assembler), assembler.content

    # --- tools and structured output ------------------------------------------------------
    def bind_tools(
        self,
        tools: Sequence[Mapping[str, Any] | type | Callable[..., Any] | Any],
        *,
        tool_choice: str | bool | Mapping[str, Any] | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools: pydantic models, functions, ``BaseTool``s, tool dicts, server tools.

        Args:
            tools: Tool-like objects; ``{"type": "openrouter:web_search", ...}`` and other
                ``openrouter:*`` server tools are sent untouched.
            tool_choice: ``"auto"``, ``"none"``, ``"any"``/``"required"``/``True``, a tool
                name, or an OpenAI tool-choice dict.
            strict: Ask for schema-exact arguments (sets ``function.strict``).
            parallel_tool_calls: ``False`` asks for at most one call per turn.
            **kwargs: Further per-call settings bound with the tools.
        """
        from langchain_openrouter import tools as tooling  # output parsers: loaded on first use

        formatted = tooling.format_tools(tools, strict=strict)
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        response_healing: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """A runnable returning ``schema``-shaped output (pydantic instance or dict).

        Args:
            schema: A pydantic class, TypedDict, JSON schema or OpenAI function dict
                (optional for ``json_mode``).
            method: ``"json_schema"`` (the default when the catalog lists structured
                outputs for the model), ``"function_calling"`` (the default otherwise, also
                for a model the catalog does not know) or ``"json_mode"`` (sent as
                ``response_format={"type": "json_object"}``).
            include_raw: Return ``{"raw", "parsed", "parsing_error"}``.
            strict: Ask for schema-exact output.
            response_healing: Add OpenRouter's ``response-healing`` plugin, which repairs
                malformed JSON in non-streaming replies.
            **kwargs: Further per-call settings.
        """
        from langchain_openrouter import tools as tooling  # output parsers: loaded on first use

        method = method or self._default_structured_method()
        if response_healing:
            # Plugins given here replace the model's for these calls (lists are replaced, not
            # merged): healing is added to whichever list the calls send.
            # (None given for the calls means "not given", as everywhere: the model's.)
            given = kwargs.get("plugins")
            kwargs["plugins"] = tooling.with_healing(self.plugins if given is None else given)
        return tooling.structured_output(self, schema, method, include_raw=include_raw,
                                         strict=strict, kwargs=kwargs)

    def _default_structured_method(self) -> Literal["function_calling", "json_schema"]:
        # One rule for both adapters (openrouter_core.catalog.native_structured_output): native
        # JSON schema when the catalog lists it, else a forced tool.
        profile = self.profile or {}
        return "json_schema" if profile.get("structured_output") is True else "function_calling"


def _connection(base_url: str | None, api_key: SecretStr | None, timeout: float | None,
                max_retries: int, total_timeout: float | None, app_url: str | None,
                app_title: str | None, app_categories: list[str] | None,
                default_headers: Mapping[str, str] | None) -> calls.Connection:
    return calls.Connection(
        base_url=base_url, api_key=api_key, timeout=timeout, max_retries=max_retries,
        total_timeout=total_timeout,
        attribution=Attribution(app_url=app_url, app_title=app_title,
                                app_categories=app_categories),
        default_headers=default_headers,
    )


@cache
def _read_settings(cls: type[ChatOpenRouter]) -> Callable[[ChatOpenRouter], tuple[Any, ...]]:
    """Reads the values of :func:`_setting_fields` in one C call (a tuple, even for one)."""
    names = _setting_fields(cls)
    getter = attrgetter(*names)
    return getter if len(names) > 1 else lambda model: (getter(model),)


_OWN_PARAMS_METHODS = {name: ChatOpenRouter.__dict__[name] for name in _INVOCATION_PARAMS_FROM}
"""ChatOpenRouter's own methods of :data:`_INVOCATION_PARAMS_FROM`, as defined."""


def _settings_body(inputs: tuple[RequestSettings]) -> dict[str, Any]:
    return inputs[0].to_body()


@cache
def _setting_fields(cls: type[ChatOpenRouter]) -> tuple[str, ...]:
    """The request-setting fields ``cls`` has (a subclass may drop some), once per class, as
    :func:`_argument_names` is (pydantic's ``model_fields`` costs about 0.5 µs a read)."""
    return tuple(name for name in cfg.SETTING_FOR_FIELD if name in cls.model_fields)
