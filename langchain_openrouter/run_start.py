"""The start of a ``ChatOpenRouter`` run, shared by the stream and invoke lifecycles.

langchain-core starts every run the same way: it converts the input, works out the traced
parameters (the invocation parameters, the LangSmith ``ls_*`` metadata, the messages formatted
for tracing), builds a callback manager from the config, the model and the environment
(``CallbackManager.configure``) and reports ``on_chat_model_start``, which names the run. When
no handler comes out of ``configure``, everything but the converted input and the run's id is
built for no one: no handler ever reads it.

:func:`begin` decides that first (:func:`observed`, which asks what ``configure`` asks, with
langchain-core's own functions) and, for a run no one observes, skips the steps whose only
reader is a handler. The steps that can fail or change the call still run, in langchain-core's
order: the input's conversion, the structured-output format's, the invocation parameters
(which check the call's settings) and the run id (the config's, or a new one made as
``on_chat_model_start`` makes it). The run then gets a run manager with no handlers, which is
what ``on_chat_model_start`` returns when ``configure`` found none.

What ``observed`` asks is pinned to the installed langchain-core by the helpers in
:data:`QUIET_SUPPORTED` and checked by the tests against ``CallbackManager.configure`` itself,
source by source (config and model callbacks, ``verbose``, ``set_debug``, LangSmith tracing by
environment and by context, the configure hooks such as ``get_usage_metadata_callback``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    BaseCallbackManager,
    CallbackManager,
    CallbackManagerForLLMRun,
    manager as _manager,
)
from langchain_core.language_models import _utils as _lcu, chat_models as _lc
from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages
from langchain_core.runnables.config import ensure_config
from langchain_core.tracers import context as _tracing
from langchain_core.utils import env as _env, uuid as _uuid

if TYPE_CHECKING:
    from uuid import UUID

    from langchain_core.callbacks import Callbacks
    from langchain_core.language_models import BaseChatModel, LanguageModelInput
    from langchain_core.runnables import RunnableConfig

_QUIET_HELPERS = {
    # uuid7 in the manager's module: on_chat_model_start names its runs with it.
    _manager: ("_get_debug", "uuid7"),
    _uuid: ("uuid7",),
    _tracing: ("_configure_hooks", "_tracing_v2_is_enabled"),
    _env: ("env_var_is_set",),
}

QUIET_SUPPORTED: bool = all(hasattr(module, name) for module, names in _QUIET_HELPERS.items()
                            for name in names)
"""Whether the installed langchain-core has every helper :func:`observed` asks; without one,
every run takes the full start."""

_V1_TRACING = ("LANGCHAIN_TRACING", "LANGCHAIN_HANDLER")
"""Environment variables with which ``configure`` fails unless v2 tracing is on: such a run
takes the full start, so that it fails as it would with langchain-core."""


@dataclass
class RunStart:
    """Everything between the input and the run's start: pure, shared by sync and async, and by
    the stream and invoke lifecycles (:mod:`langchain_openrouter.invoke_lifecycle`)."""

    messages: list[BaseMessage]
    configure: tuple[Any, ...]
    configure_kwargs: dict[str, Any]
    start_args: tuple[Any, ...]
    start_kwargs: dict[str, Any]
    kwargs: dict[str, Any]


class Begun(NamedTuple):
    """A started run: its input messages, the keywords for the model's call, its manager."""

    messages: list[BaseMessage]
    kwargs: dict[str, Any]
    run_manager: Any


def input_messages(model: BaseChatModel, model_input: LanguageModelInput) -> list[BaseMessage]:
    """``model._convert_input(model_input).to_messages()``: for a string or a sequence, the
    same messages without the prompt value langchain-core builds and validates in between
    (``StringPromptValue.to_messages`` is ``[HumanMessage(content=text)]``,
    ``ChatPromptValue.to_messages`` the converted list), unless a subclass converts its input
    its own way."""
    if type(model)._convert_input is _lc.BaseChatModel._convert_input:
        if isinstance(model_input, str):
            return [HumanMessage(content=model_input)]
        if isinstance(model_input, Sequence):
            return convert_to_messages(model_input)
    return model._convert_input(model_input).to_messages()


def _structured_format(kwargs: dict[str, Any]) -> Any:
    # Taken out of the call's keywords as langchain-core takes it (when the first is given,
    # the second stays among the keywords).
    return kwargs.pop("ls_structured_output_format", None) or kwargs.pop(
        "structured_output_format", None)


def start_run(model: BaseChatModel, model_input: LanguageModelInput,
              config: RunnableConfig, stop: list[str] | None, kwargs: dict[str, Any], *,
              stream: bool) -> RunStart:
    """Mirrors the set-up half of ``BaseChatModel.stream`` (``stream=True``) or of ``invoke``
    through ``generate`` (langchain-core 1.x), step for step, from an ``ensure_config``-ed
    config; they differ only in the traced ``options``, where ``stream`` also lists the call's
    invocation parameters."""
    messages = input_messages(model, model_input)
    structured_dict = _lc._format_ls_structured_output(_structured_format(kwargs))
    params = model._get_invocation_params(stop=stop, **kwargs)
    listed = {key: params[key] for key in kwargs if key in params} if stream else {}
    options = {"stop": stop, **listed, **structured_dict}
    inheritable_metadata = {**(config.get("metadata") or {}),
                            **model._get_ls_params_with_defaults(stop=stop, **kwargs)}
    return RunStart(
        messages=messages,
        configure=(config.get("callbacks"), model.callbacks, model.verbose, config.get("tags"),
                   model.tags, inheritable_metadata, model.metadata),
        configure_kwargs={"langsmith_inheritable_metadata":
                          _lcu._filter_invocation_params_for_tracing(params)},
        start_args=(model._serialized, [_lc._format_for_tracing(messages)]),
        start_kwargs={"invocation_params": params, "options": options,
                      "name": config.get("run_name"), "run_id": config.pop("run_id", None),
                      "batch_size": 1},
        kwargs=kwargs,
    )


def _has_handlers(callbacks: Callbacks) -> bool:
    if isinstance(callbacks, BaseCallbackManager):
        return bool(callbacks.handlers or callbacks.inheritable_handlers)
    return bool(callbacks)


def observed(callbacks: Callbacks, local_callbacks: Callbacks, *, verbose: bool) -> bool:
    """Whether ``CallbackManager.configure`` could give a run with these callbacks a handler
    (or fail), asked as ``configure`` asks: the given callbacks, ``verbose``, langchain-core's
    debug flag, LangSmith tracing (environment, context, a tracer set by context), the
    configure hooks' context variables and environment variables, and the retired v1 tracing
    variables that make ``configure`` raise."""
    if verbose or _has_handlers(callbacks) or _has_handlers(local_callbacks):
        return True
    env_var_is_set = _env.env_var_is_set
    if (_manager._get_debug() or env_var_is_set(_V1_TRACING[0])
            or env_var_is_set(_V1_TRACING[1])):
        return True
    if _tracing._tracing_v2_is_enabled():
        return True
    for var, _inheritable, handler_class, env_var in _tracing._configure_hooks:
        if var.get() is not None or (
                env_var is not None and handler_class is not None and env_var_is_set(env_var)):
            return True
    return False


def _quiet(model: BaseChatModel, model_input: LanguageModelInput, config: RunnableConfig,
           stop: list[str] | None, kwargs: dict[str, Any]) -> tuple[list[BaseMessage], UUID]:
    # The start of a run no one observes: the steps of start_run and on_chat_model_start that
    # can fail or change the call, in their order.
    messages = input_messages(model, model_input)
    structured = _structured_format(kwargs)
    if structured:  # (its conversion can fail for a schema langchain-core cannot read)
        _lc._format_ls_structured_output(structured)
    model._get_invocation_params(stop=stop, **kwargs)
    run_id = config.get("run_id")
    return messages, run_id if run_id is not None else _uuid.uuid7()


def _is_quiet(model: BaseChatModel, config: RunnableConfig) -> bool:
    return QUIET_SUPPORTED and not observed(config.get("callbacks"), model.callbacks,
                                            verbose=model.verbose)


def begin(model: BaseChatModel, model_input: LanguageModelInput,
          config: RunnableConfig | None, stop: list[str] | None, kwargs: dict[str, Any], *,
          stream: bool) -> Begun:
    """Start a run as langchain-core does (``stream``: as ``BaseChatModel.stream``, otherwise
    as ``invoke``), skipping the steps only a handler reads when no handler can be attached."""
    config = ensure_config(config)
    if _is_quiet(model, config):
        messages, run_id = _quiet(model, model_input, config, stop, kwargs)
        return Begun(messages, kwargs, CallbackManagerForLLMRun(
            run_id=run_id, handlers=[], inheritable_handlers=[]))
    start = start_run(model, model_input, config, stop, kwargs, stream=stream)
    manager = CallbackManager.configure(*start.configure, **start.configure_kwargs)
    (run_manager,) = manager.on_chat_model_start(*start.start_args, **start.start_kwargs)
    return Begun(start.messages, start.kwargs, run_manager)


async def abegin(model: BaseChatModel, model_input: LanguageModelInput,
                 config: RunnableConfig | None, stop: list[str] | None,
                 kwargs: dict[str, Any], *, stream: bool) -> Begun:
    """The async twin of :func:`begin`; only the awaited line differs."""
    config = ensure_config(config)
    if _is_quiet(model, config):
        messages, run_id = _quiet(model, model_input, config, stop, kwargs)
        return Begun(messages, kwargs, AsyncCallbackManagerForLLMRun(
            run_id=run_id, handlers=[], inheritable_handlers=[]))
    start = start_run(model, model_input, config, stop, kwargs, stream=stream)
    manager = AsyncCallbackManager.configure(*start.configure, **start.configure_kwargs)
    (run_manager,) = await manager.on_chat_model_start(*start.start_args,
                                                       **start.start_kwargs)
    return Begun(start.messages, start.kwargs, run_manager)


__all__ = ["QUIET_SUPPORTED", "Begun", "RunStart", "abegin", "begin", "input_messages",
           "observed", "start_run"]
