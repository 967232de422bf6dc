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

LlamaIndex also wraps each of these methods in a span (``DispatcherSpanMixin``): the call's
arguments bound to its signature, a ``uuid4``, the span's enter and exit. That is more than a
quarter of a non-streamed call's own time in our package, even when only the
``NullSpanHandler`` each dispatcher starts with is there. The span is the outer layer, so these
wrappers take its place: they mark themselves as already decorated (LlamaIndex's span decorator
leaves such a function as it is) and open the span themselves, bound to the LLM as the mixin's
would be, whenever :func:`observed` holds or the span could reach a handler (:func:`spanned`:
a span handler other than ``NullSpanHandler``, or an event handler for its ``SpanDropEvent``).
A span also sets the active span id that events carry, which is why an event handler alone
brings the span back too.

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
from llama_index_instrumentation import get_dispatcher
from llama_index_instrumentation.dispatcher import DISPATCHER_SPAN_DECORATED_ATTR
from llama_index_instrumentation.span_handlers import NullSpanHandler

from llama_index_openrouter.callbacks import idle

if TYPE_CHECKING:
    from llama_index_instrumentation.dispatcher import Dispatcher

F = TypeVar("F", bound=Callable[..., Any])


def observed(llm: Any) -> bool:
    """Whether a call of ``llm`` has anyone to report to (see the module's description)."""
    manager = getattr(llm, "callback_manager", None)
    if not isinstance(manager, CallbackManager) or manager.handlers:
        return True
    # Loops rather than any() over generators (half the time): this runs on every call.
    for reached in _delivered_to(_llm_callbacks.dispatcher):  # noqa: SIM110
        if _listens(reached):
            return True
    return False


def spanned(dispatcher: Dispatcher) -> bool:
    """Whether a span on ``dispatcher`` reaches a handler: a span handler other than
    ``NullSpanHandler``, or an event handler for the ``SpanDropEvent`` a failing span sends
    (the walks of ``Dispatcher.span_enter`` and ``Dispatcher.event``)."""
    for reached in _delivered_to(dispatcher):
        if _listens(reached):
            return True
        for handler in reached.span_handlers:
            if not isinstance(handler, NullSpanHandler):
                return True
    return False


def _delivered_to(dispatcher: Dispatcher | None) -> Iterator[Dispatcher]:
    # The dispatcher and the parents it propagates to: where LlamaIndex delivers its events
    # and spans.
    while dispatcher:
        yield dispatcher
        dispatcher = dispatcher.parent if dispatcher.propagate else None


def _listens(dispatcher: Dispatcher) -> bool:
    for handler in dispatcher.event_handlers:  # noqa: SIM110 - as in observed()
        if not idle(handler):
            return True
    return False


def chat_callback(method: F) -> F:
    """``llm_chat_callback()(method)``, called only when :func:`observed`."""
    return _when_observed(method, llm_chat_callback()(method))


def completion_callback(method: F) -> F:
    """``llm_completion_callback()(method)``, called only when :func:`observed`."""
    return _when_observed(method, llm_completion_callback()(method))


def _when_observed(method: F, reported: Callable[..., Any]) -> F:
    # The dispatcher DispatcherSpanMixin would use: the one of the defining class's module.
    dispatcher = get_dispatcher(method.__module__)
    quiet = _looking_like(method, reported, _quiet(method))
    # Bound to the LLM as the mixin's span would be: the span is named after its class.
    loud: Any = dispatcher.span(reported)
    quiet_in_span: Any = dispatcher.span(quiet)

    def choose(llm: Any) -> Callable[..., Any]:
        if observed(llm):
            return cast("Callable[..., Any]", loud.__get__(llm, type(llm)))
        if spanned(dispatcher):
            return cast("Callable[..., Any]", quiet_in_span.__get__(llm, type(llm)))
        return functools.partial(quiet, llm)

    if inspect.iscoroutinefunction(method):
        async def async_call(_self: Any, *args: Any, **kwargs: Any) -> Any:
            return await choose(_self)(*args, **kwargs)

        return _opens_its_span(_looking_like(method, reported, async_call))

    def call(_self: Any, *args: Any, **kwargs: Any) -> Any:
        return choose(_self)(*args, **kwargs)

    return _opens_its_span(_looking_like(method, reported, call))


def _quiet(method: F) -> Callable[..., Any]:
    """``method`` after the rate limiter, reporting nothing (see the module's description)."""
    if inspect.iscoroutinefunction(method):
        async def async_quiet(_self: Any, *args: Any, **kwargs: Any) -> Any:
            if _self.rate_limiter is not None:
                await _self.rate_limiter.async_acquire()
            with _tagged():
                return await method(_self, *args, **kwargs)

        return async_quiet

    def quiet(_self: Any, *args: Any, **kwargs: Any) -> Any:
        if _self.rate_limiter is not None:
            _self.rate_limiter.acquire()
        with _tagged():
            return method(_self, *args, **kwargs)

    return quiet


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


def _opens_its_span(wrapper: F) -> F:
    # The span is the wrapper's to open (see the module's description): LlamaIndex's span
    # decorator returns a function carrying this flag unchanged.
    setattr(wrapper, DISPATCHER_SPAN_DECORATED_ATTR, True)
    return wrapper


__all__ = ["chat_callback", "completion_callback", "observed", "spanned"]
