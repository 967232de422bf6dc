"""``ChatOpenRouter.invoke``/``ainvoke`` with langchain-core's lifecycle, in one layer.

``BaseChatModel.invoke`` goes through ``generate_prompt``, ``generate`` (a batch API: one
``LLMResult`` flattened per prompt, another combined for the batch, run infos) and
``_generate_with_cache``, which looks up the cache and inspects ``_generate``'s signature on
every call. For one prompt and no observer, that bookkeeping took more time than everything
``ChatOpenRouter`` does besides the HTTP exchange (see ``docs/performance.md``).

This module runs ``generate``'s steps for exactly one prompt: the same run start
(:func:`langchain_openrouter.run_start.begin`, which configures callbacks and reports
``on_chat_model_start`` whenever a handler can be attached), ``on_llm_error`` with the error's
generations, ``on_llm_end`` with the one prompt's result. The part in between is
``_generate_with_cache`` itself whenever it could do more than call ``_generate``: a cache in
play, a handler attached (which may ask for a stream: ``astream_events``, LangGraph's messages
mode, v2 protocol handlers), or a streaming request. Otherwise (no handler, no cache, not
streaming) the rate limiter, ``_generate`` and ``_generate_with_cache``'s closing steps (v1
content, message id, response metadata) run here.

As with :mod:`langchain_openrouter.stream_lifecycle`, the helpers used are langchain-core's own;
:data:`SUPPORTED` is false when one is missing, and ``ChatOpenRouter`` then uses the inherited
methods. The parity tests compare the returned message and every callback event with the
inherited methods', with and without handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from langchain_core.globals import get_llm_cache
from langchain_core.language_models import _utils as _lcu, chat_models as _lc
from langchain_core.outputs import ChatResult, LLMResult
from langchain_core.utils.utils import LC_ID_PREFIX

from langchain_openrouter import stream_lifecycle
from langchain_openrouter.run_start import abegin, begin, normalized

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel, LanguageModelInput
    from langchain_core.messages import AIMessage
    from langchain_core.runnables import RunnableConfig

SUPPORTED: bool = stream_lifecycle.SUPPORTED and hasattr(_lc, "_gen_info_and_msg_metadata")
"""Whether the installed langchain-core has every helper this module's lifecycle uses."""

TAKEN_BY_INVOKE = frozenset({"prompts", "messages", "callbacks", "tags", "metadata",
                             "run_name", "run_id"})
"""Call keywords that langchain-core's ``invoke`` passes to ``generate_prompt``/``generate`` as
named arguments of their own: given in ``**kwargs`` too, they make it raise ``TypeError``
("got multiple values"), so such a call is left to langchain-core's ``invoke``."""

def _direct(model: BaseChatModel, run_manager: Any, kwargs: dict[str, Any], *,
            async_api: bool) -> bool:
    # True when _generate_with_cache would do nothing but call _generate and close: no cache
    # to look up, no handler that could ask for a stream, no streaming asked for.
    if run_manager.handlers:
        return False
    if model.cache is not False and (model.cache is not None or get_llm_cache() is not None):
        return False
    return not model._should_stream(async_api=async_api, run_manager=run_manager, **kwargs)


def _close(model: BaseChatModel, result: ChatResult, run_manager: Any) -> ChatResult:
    """``_generate_with_cache``'s closing steps, as it applies them to ``_generate``'s result.

    (Merging the generation info into the response metadata changes nothing for
    ``ChatOpenRouter``'s results, whose metadata already holds it; the step is kept so that
    these stay langchain-core's steps.)"""
    if model.output_version == "v1":
        for generation in result.generations:
            generation.message = _lcu._update_message_content_to_blocks(generation.message,
                                                                        "v1")
    for index, generation in enumerate(result.generations):
        if generation.message.id is None:
            generation.message.id = f"{LC_ID_PREFIX}-{run_manager.run_id}-{index}"
        generation.message.response_metadata = _lc._gen_info_and_msg_metadata(generation)
    if len(result.generations) == 1 and result.llm_output is not None:
        message = result.generations[0].message
        message.response_metadata = {**result.llm_output, **message.response_metadata}
    return result


def _error_result(error: BaseException) -> LLMResult:
    return LLMResult(generations=[cast("list[Any]", _lc._generate_response_from_error(error))])


def _end_result(result: ChatResult) -> LLMResult:
    return LLMResult(generations=[cast("list[Any]", result.generations)],
                     llm_output=result.llm_output)


def _message(result: ChatResult) -> AIMessage:
    return cast("AIMessage", result.generations[0].message)


def invoke(model: BaseChatModel, model_input: LanguageModelInput,
           config: RunnableConfig | None, stop: list[str] | None,
           kwargs: dict[str, Any]) -> AIMessage:
    """``BaseChatModel.invoke``'s lifecycle for one prompt (the model's ``_generate`` must
    take ``run_manager``, as ``ChatOpenRouter``'s does)."""
    messages, call_kwargs, run_manager = begin(model, model_input, config, stop, kwargs,
                                               stream=False)
    # Before the try, as in langchain-core's generate: a message it cannot normalise leaves
    # the run started and unreported.
    messages = normalized(messages)
    try:
        if _direct(model, run_manager, call_kwargs, async_api=False):
            if model.rate_limiter:
                model.rate_limiter.acquire(blocking=True)
            result = _close(model, model._generate(messages, stop=stop, run_manager=run_manager,
                                                   **call_kwargs), run_manager)
        else:
            result = model._generate_with_cache(messages, stop=stop, run_manager=run_manager,
                                                **call_kwargs)
    except BaseException as error:
        run_manager.on_llm_error(error, response=_error_result(error))
        raise
    if run_manager.handlers:  # (with none, on_llm_end does nothing: its result is not built)
        run_manager.on_llm_end(_end_result(result))
    return _message(result)


async def ainvoke(model: BaseChatModel, model_input: LanguageModelInput,
                  config: RunnableConfig | None, stop: list[str] | None,
                  kwargs: dict[str, Any]) -> AIMessage:
    """The async twin of :func:`invoke`; only the awaited lines differ.

    ``on_llm_error`` hears of an ``Exception``; a cancellation, ``KeyboardInterrupt`` or
    ``SystemExit`` goes through unreported, as with langchain-core's ``agenerate``, which
    gathers its prompts with ``return_exceptions=True``. Two cases differ: a ``CancelledError``
    raised by the call itself (not by an outer cancel) and a custom ``BaseException``, which
    ``agenerate`` reports before it fails with an ``AttributeError`` of its own; here they are
    not reported and propagate as they are. The call also runs in the caller's task, where
    ``agenerate`` makes a child task.
    """
    messages, call_kwargs, run_manager = await abegin(model, model_input, config, stop, kwargs,
                                                      stream=False)
    # Before the try, as in langchain-core's agenerate: a message it cannot normalise leaves
    # the run started and unreported.
    messages = normalized(messages)
    try:
        if _direct(model, run_manager, call_kwargs, async_api=True):
            if model.rate_limiter:
                await model.rate_limiter.aacquire(blocking=True)
            result = _close(model, await model._agenerate(
                messages, stop=stop, run_manager=run_manager, **call_kwargs), run_manager)
        else:
            result = await model._agenerate_with_cache(messages, stop=stop,
                                                       run_manager=run_manager, **call_kwargs)
    except Exception as error:
        await run_manager.on_llm_error(error, response=_error_result(error))
        raise
    if run_manager.handlers:
        await run_manager.on_llm_end(_end_result(result))
    return _message(result)


__all__ = ["SUPPORTED", "TAKEN_BY_INVOKE", "ainvoke", "invoke"]
