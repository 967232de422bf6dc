"""The start of a ``ChatOpenRouter`` run, shared by the stream and invoke lifecycles.

langchain-core starts every run the same way: it converts the input, works out the traced
parameters (the invocation parameters, the LangSmith ``ls_*`` metadata, the messages formatted
for tracing), builds a callback manager from the config, the model and the environment
(``CallbackManager.configure``) and reports ``on_chat_model_start``, which names the run.
:func:`start_run` mirrors the first half step for step.

The rest is where a run nobody observes spends its time for nothing: ``configure`` reads the
tracing context, the environment and the configure hooks, and builds a manager whose handlers
are empty, and the traced parameters are built for handlers that do not exist. :func:`begin`
asks first (:func:`observed`, with the questions ``configure`` asks and langchain-core's own
functions) and, when no handler can come out of ``configure``, gives the run what
``on_chat_model_start`` would have given it: a run manager without handlers, named by the
config's run id or by a new one made as langchain-core makes it. Such a run also skips what
only a handler reads (:func:`quiet_start`), but not the failures: each step of the start can
fail on some input (an image block without a MIME type fails in the tracing format, metadata
that is not a dict in the merge, settings whose body cannot be made in the invocation
parameters, a call's value whose truth cannot be told in the ``ls_*`` parameters), so each
still runs where it can fail, in the same order.

What ``observed`` asks is pinned to the installed langchain-core by the helpers in
:data:`QUIET_SUPPORTED` and checked by the tests against ``CallbackManager.configure`` itself,
source by source (config and model callbacks, ``verbose``, ``set_debug``, LangSmith tracing by
environment and by context, the configure hooks such as ``get_usage_metadata_callback``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from langchain_core.utils import env as _env

if TYPE_CHECKING:
    from uuid import UUID

    from langchain_core.callbacks import Callbacks
    from langchain_core.language_models import BaseChatModel, LanguageModelInput
    from langchain_core.runnables import RunnableConfig

_QUIET_HELPERS = {
    # uuid7 in the manager's module: on_chat_model_start names its runs with it.
    _manager: ("_get_debug", "uuid7"),
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
    params: dict[str, Any]
    """The invocation parameters, as traced."""
    start_args: tuple[Any, ...]
    start_kwargs: dict[str, Any]
    kwargs: dict[str, Any]

    def configure_kwargs(self) -> dict[str, Any]:
        """``configure``'s keywords: the parameters LangSmith inherits (without the large
        ones). Made only for a run that configures callbacks: nobody else reads them."""
        return {"langsmith_inheritable_metadata":
                _lcu._filter_invocation_params_for_tracing(self.params)}


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


def normalized(messages: list[BaseMessage]) -> list[BaseMessage]:
    """``_normalize_messages(messages)`` (langchain-core's translation of older content-block
    formats to its v1 blocks). It changes only list contents; for messages whose contents are
    all strings it returns a new list of the same messages, which this returns without running
    it (a test pins that reading of the installed langchain-core)."""
    for message in messages:
        if not isinstance(message.content, str):
            return _lcu._normalize_messages(messages)
    return list(messages)


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
    if type(params) is not dict:
        # Filtering a plain dict for tracing cannot fail, so only a run that configures
        # callbacks does it (RunStart.configure_kwargs); anything else (a dict subclass
        # included) is filtered here, and fails here, where it fails in langchain-core.
        _lcu._filter_invocation_params_for_tracing(params)
    return RunStart(
        messages=messages,
        configure=(config.get("callbacks"), model.callbacks, model.verbose, config.get("tags"),
                   model.tags, inheritable_metadata, model.metadata),
        params=params,
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


def _is_quiet(model: BaseChatModel, config: RunnableConfig) -> bool:
    # The callbacks and verbose flag configure would be given (RunStart.configure's first
    # three), asked before the start is built: nothing in building it changes them.
    return QUIET_SUPPORTED and not observed(config.get("callbacks"), model.callbacks,
                                            verbose=model.verbose)


def _run_id(run_id: UUID | None) -> UUID:
    # The config's run id, or a new one made as on_chat_model_start makes it.
    return run_id if run_id is not None else _manager.uuid7()  # type: ignore[attr-defined]


def quiet_start(model: BaseChatModel, model_input: LanguageModelInput,
                config: RunnableConfig, stop: list[str] | None, kwargs: dict[str, Any],
                params_check: Callable[[], object]) -> tuple[list[BaseMessage], UUID | None]:
    """:func:`start_run` for a run no handler observes: its messages and run id, and every
    failure :func:`start_run` could raise, without building what only a handler reads (the
    invocation parameters, the tracing format, the inherited metadata).

    ``params_check`` raises what working out the model's invocation parameters could raise
    (for ``ChatOpenRouter``: its request settings and their body). The ``ls_*`` parameters and
    the model's serialisation run as they are (the first reads the call's keywords; the second
    is kept per instance); the structured-output format runs when one is given, the metadata
    merge for metadata that is not a dict, the tracing format for a message whose content is a
    list. Everything runs in :func:`start_run`'s order, so the first failure is the same one.
    """
    messages = input_messages(model, model_input)
    structured = _structured_format(kwargs)
    if structured:
        _lc._format_ls_structured_output(structured)
    params_check()
    metadata = config.get("metadata")
    if metadata and type(metadata) is not dict:
        {**metadata}  # noqa: B018 - fails for what is not a mapping, as the merge does
    model._get_ls_params_with_defaults(stop=stop, **kwargs)
    model._serialized  # noqa: B018 - a cached property: built, and able to fail, once
    for message in messages:
        if not isinstance(message.content, str):
            _lc._format_for_tracing(messages)
            break
    return messages, config.pop("run_id", None)


def _params_check(model: BaseChatModel) -> Callable[[], object] | None:
    # ChatOpenRouter names what its invocation parameters can raise (None: they are to be
    # built, so that they fail in their own way).
    params_check = getattr(model, "_params_check", None)
    return params_check() if params_check is not None else None


def _quiet(model: BaseChatModel, model_input: LanguageModelInput, config: RunnableConfig,
           stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool,
           manager: type[CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun],
           ) -> Begun | None:
    # A run no handler can observe, begun with a ``manager`` without handlers (None: an
    # observed run).
    if not _is_quiet(model, config):
        return None
    params_check = _params_check(model)
    if params_check is not None:
        messages, run_id = quiet_start(model, model_input, config, stop, kwargs, params_check)
    else:
        start = start_run(model, model_input, config, stop, kwargs, stream=stream)
        messages, run_id = start.messages, start.start_kwargs["run_id"]
    return Begun(messages, kwargs,
                 manager(run_id=_run_id(run_id), handlers=[], inheritable_handlers=[]))


def begin(model: BaseChatModel, model_input: LanguageModelInput,
          config: RunnableConfig | None, stop: list[str] | None, kwargs: dict[str, Any], *,
          stream: bool) -> Begun:
    """Start a run as langchain-core does (``stream``: as ``BaseChatModel.stream``, otherwise
    as ``invoke``); without configuring callbacks when no handler can be attached, and then
    without the traced parameters when the model can name what they would raise."""
    config = ensure_config(config)
    quiet = _quiet(model, model_input, config, stop, kwargs, stream=stream,
                   manager=CallbackManagerForLLMRun)
    if quiet is not None:
        return quiet
    start = start_run(model, model_input, config, stop, kwargs, stream=stream)
    manager = CallbackManager.configure(*start.configure, **start.configure_kwargs())
    (run_manager,) = manager.on_chat_model_start(*start.start_args, **start.start_kwargs)
    return Begun(start.messages, start.kwargs, run_manager)


async def abegin(model: BaseChatModel, model_input: LanguageModelInput,
                 config: RunnableConfig | None, stop: list[str] | None,
                 kwargs: dict[str, Any], *, stream: bool) -> Begun:
    """The async twin of :func:`begin`; only the managers' kind and the awaited line
    differ."""
    config = ensure_config(config)
    quiet = _quiet(model, model_input, config, stop, kwargs, stream=stream,
                   manager=AsyncCallbackManagerForLLMRun)
    if quiet is not None:
        return quiet
    start = start_run(model, model_input, config, stop, kwargs, stream=stream)
    manager = AsyncCallbackManager.configure(*start.configure, **start.configure_kwargs())
    (run_manager,) = await manager.on_chat_model_start(*start.start_args,
                                                       **start.start_kwargs)
    return Begun(start.messages, start.kwargs, run_manager)


__all__ = ["QUIET_SUPPORTED", "Begun", "RunStart", "abegin", "begin", "input_messages",
           "normalized", "observed", "quiet_start", "start_run"]
