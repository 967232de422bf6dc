"""LlamaIndex's LLM callbacks, run when someone is there to receive them.

``llm_chat_callback``/``llm_completion_callback`` report every call to the instrumentation
dispatcher and the legacy ``CallbackManager``: a start and an end event, plus one
``LLM*InProgressEvent`` per streamed chunk. Building that event (pydantic validation, a
``uuid4``, a deep copy of its tags) costs more than reading the chunk off the wire, and with no
handler anywhere it reaches nobody: the dispatcher only hands events to its handlers, and a
``CallbackManager`` without handlers only keeps ids.

So :func:`chat_callback` and :func:`completion_callback` decorate a method with LlamaIndex's own
callback, and call that decorated method whenever a handler could see anything: an event
handler on the LLM dispatcher or a parent it propagates to, a handler on the LLM's
``callback_manager``, or a ``callback_manager`` the callback would replace. Otherwise they call
the method itself, after the one thing the callback does that is not reporting: taking a slot
from the LLM's ``rate_limiter``. What a handler receives is therefore LlamaIndex's own
reporting, unchanged.

A handler added while a call runs sees that call's later events only if the call started with
a handler in place (as a LangChain run's handlers are fixed when it starts).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import callbacks as _llm_callbacks
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

from llama_index_openrouter.callbacks import idle

if TYPE_CHECKING:
    from llama_index_instrumentation.dispatcher import Dispatcher

F = TypeVar("F", bound=Callable[..., Any])


def observed(llm: Any) -> bool:
    """Whether a call of ``llm`` has anyone to report to (see the module's description)."""
    manager = getattr(llm, "callback_manager", None)
    if not isinstance(manager, CallbackManager) or manager.handlers:
        return True
    dispatcher: Dispatcher | None = _llm_callbacks.dispatcher
    while dispatcher:  # the dispatcher's own walk in ``Dispatcher.event``
        if any(not idle(handler) for handler in dispatcher.event_handlers):
            return True
        dispatcher = dispatcher.parent if dispatcher.propagate else None
    return False


def chat_callback(method: F) -> F:
    """``llm_chat_callback()(method)``, called only when :func:`observed`."""
    return _when_observed(method, llm_chat_callback()(method))


def completion_callback(method: F) -> F:
    """``llm_completion_callback()(method)``, called only when :func:`observed`."""
    return _when_observed(method, llm_completion_callback()(method))


def _when_observed(method: F, reported: Callable[..., Any]) -> F:
    if inspect.iscoroutinefunction(method):
        async def async_call(_self: Any, *args: Any, **kwargs: Any) -> Any:
            if observed(_self):
                return await reported(_self, *args, **kwargs)
            if _self.rate_limiter is not None:
                await _self.rate_limiter.async_acquire()
            with _tagged():
                return await method(_self, *args, **kwargs)

        return _looking_like(method, reported, async_call)

    def call(_self: Any, *args: Any, **kwargs: Any) -> Any:
        if observed(_self):
            return reported(_self, *args, **kwargs)
        if _self.rate_limiter is not None:
            _self.rate_limiter.acquire()
        with _tagged():
            return method(_self, *args, **kwargs)

    return _looking_like(method, reported, call)


@contextmanager
def _tagged() -> Iterator[None]:
    """Marks an exception as LlamaIndex's callbacks do (``CallbackManager.as_trace``): an
    outer ``CallbackManager.event`` then leaves it out of its end payload, as before."""
    try:
        yield
    except Exception as exc:
        if not hasattr(exc, "event_added"):
            exc.event_added = True  # type: ignore[attr-defined]  # LlamaIndex's own flag
        raise


def _looking_like(method: F, reported: Callable[..., Any], wrapper: Callable[..., Any]) -> F:
    # As LlamaIndex's callbacks do: the method's name and documentation, and the signature of
    # LlamaIndex's own wrapper (``(_self, messages, **kwargs)`` for chat), but no
    # ``__wrapped__`` (the callback has set the method's own to ``True``, which
    # ``inspect.signature`` would follow).
    functools.update_wrapper(wrapper, method, updated=())
    del wrapper.__wrapped__  # type: ignore[attr-defined]  # update_wrapper has just set it
    wrapper.__signature__ = inspect.signature(reported)  # type: ignore[attr-defined]
    return cast("F", wrapper)


__all__ = ["chat_callback", "completion_callback", "observed"]
