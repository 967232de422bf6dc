"""LlamaIndex's LLM callbacks and spans run when a handler can see them, and only then.

With an event handler, a ``CallbackManager`` handler or an active cost block, every call goes
through LlamaIndex's own ``llm_chat_callback``/``llm_completion_callback`` (one in-progress
event per streamed chunk) inside LlamaIndex's span. A span handler alone brings the span. With
none, no event object and no span is built, and the rate limiter, the one thing the callbacks
do besides reporting, still takes its slot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager
from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.dispatcher import Dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler, NullEventHandler
from llama_index.core.instrumentation.events.llm import (
    LLMChatInProgressEvent,
    LLMCompletionInProgressEvent,
)
from llama_index.core.instrumentation.span_handlers import BaseSpanHandler, SimpleSpanHandler
from llama_index.core.llms import callbacks as llm_callbacks
from llama_index.core.rate_limiter import BaseRateLimiter

from llama_index_openrouter import OpenRouter, base as openrouter_base, get_openrouter_callback
from llama_index_openrouter.observed import observed, spanned
from openrouter_core.testing import Emulator, Reply

from .conftest import Collected, make_llm

HI = [ChatMessage(role="user", content="Hi")]
WORDS = ["One ", "two ", "three."]


def _stream_chat(llm: OpenRouter) -> int:
    return len(list(llm.stream_chat(HI)))


def _astream_chat(llm: OpenRouter) -> int:
    async def run() -> int:
        return len([r async for r in await llm.astream_chat(HI)])
    return asyncio.run(run())


def _stream_complete(llm: OpenRouter) -> int:
    return len(list(llm.stream_complete("Hi")))


def _astream_complete(llm: OpenRouter) -> int:
    async def run() -> int:
        return len([r async for r in await llm.astream_complete("Hi")])
    return asyncio.run(run())


STREAMS: dict[str, Callable[[OpenRouter], int]] = {
    "stream_chat": _stream_chat, "astream_chat": _astream_chat,
    "stream_complete": _stream_complete, "astream_complete": _astream_complete}


class Keep(BaseEventHandler):
    """An event handler that keeps every event it is given."""

    events: list[Any] = []

    def handle(self, event: Any, **kwargs: Any) -> None:
        self.events.append(event)


@contextmanager
def attached(dispatcher: Dispatcher, handler: BaseEventHandler | BaseSpanHandler) -> Iterator[None]:
    """``handler`` on ``dispatcher`` for the block."""
    if isinstance(handler, BaseSpanHandler):
        dispatcher.add_span_handler(handler)
        handlers: list[Any] = dispatcher.span_handlers
    else:
        dispatcher.add_event_handler(handler)
        handlers = dispatcher.event_handlers
    try:
        yield
    finally:
        handlers.remove(handler)


@contextmanager
def not_propagating(dispatcher: Dispatcher) -> Iterator[None]:
    """``dispatcher`` delivering to its own handlers only, for the block."""
    dispatcher.propagate = False  # LlamaIndex would not deliver to the parents any more
    try:
        yield
    finally:
        dispatcher.propagate = True


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The in-progress events LlamaIndex's callbacks build (they look the classes up in their
    module when a chunk passes)."""
    made: list[Any] = []
    for name, kind in (("LLMChatInProgressEvent", LLMChatInProgressEvent),
                       ("LLMCompletionInProgressEvent", LLMCompletionInProgressEvent)):
        counting = type(name, (kind,), {"model_post_init": lambda self, _: made.append(self)})
        monkeypatch.setattr(llm_callbacks, name, counting)
    return made


@pytest.mark.parametrize("call", STREAMS.values(), ids=STREAMS.keys())
def test_no_handler_no_event_objects(emu: Emulator, built: list[Any],
                                     call: Callable[[OpenRouter], int]) -> None:
    llm = make_llm(emu)
    assert not observed(llm)
    emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS))
    assert call(llm) >= len(WORDS)
    assert built == []


@pytest.mark.parametrize("call", STREAMS.values(), ids=STREAMS.keys())
def test_an_event_handler_gets_one_event_per_chunk(emu: Emulator, built: list[Any],
                                                   instrumentation: Collected,
                                                   call: Callable[[OpenRouter], int]) -> None:
    llm = make_llm(emu)
    assert observed(llm)
    emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS))
    responses = call(llm)
    assert len(built) == responses
    assert instrumentation.events[-responses - 1:-1] == built  # then the end event


class Recorder(BaseCallbackHandler):
    """A legacy callback handler that keeps the event types it sees."""

    def __init__(self) -> None:
        super().__init__([], [])
        self.seen: list[str] = []

    def on_event_start(self, event_type: Any, payload: Any = None, event_id: str = "",
                       parent_id: str = "", **kwargs: Any) -> str:
        self.seen.append(f"start {event_type.value}")
        return event_id

    def on_event_end(self, event_type: Any, payload: Any = None, event_id: str = "",
                     **kwargs: Any) -> None:
        self.seen.append(f"end {event_type.value}")

    def start_trace(self, trace_id: str | None = None) -> None:
        self.seen.append(f"trace {trace_id}")

    def end_trace(self, trace_id: str | None = None,
                  trace_map: dict[str, list[str]] | None = None) -> None:
        self.seen.append(f"trace end {trace_id}")


@pytest.mark.parametrize("call", STREAMS.values(), ids=STREAMS.keys())
def test_a_callback_manager_handler_is_reported_to(emu: Emulator, built: list[Any],
                                                   call: Callable[[OpenRouter], int]) -> None:
    recorder = Recorder()
    llm = make_llm(emu, callback_manager=CallbackManager([recorder]))
    emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS))
    responses = call(llm)
    assert "start llm" in recorder.seen and "end llm" in recorder.seen
    assert len(built) == responses


def test_idle_handlers_do_not_count_but_others_do(emu: Emulator) -> None:
    llm = make_llm(emu)
    root = get_dispatcher()
    assert any(type(h) is NullEventHandler for h in root.event_handlers)  # LlamaIndex's default
    with get_openrouter_callback():  # installs the cost router on the root dispatcher
        assert observed(llm)
    assert not observed(llm)  # the router stays, idle without an active block

    class Quiet(NullEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            pass

    # A subclass may do anything: it counts.
    with attached(get_dispatcher(llm_callbacks.__name__), Quiet()):
        assert observed(llm)
    assert not observed(llm)


def test_cost_block_counts_a_stream_taken_without_other_handlers(emu: Emulator) -> None:
    llm = make_llm(emu)
    emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS, cost=0.25))
    with get_openrouter_callback() as cost:
        _stream_chat(llm)
    assert cost.total_cost == pytest.approx(0.25)


class CountingLimiter(BaseRateLimiter):
    """A rate limiter that counts the slots taken."""

    def __init__(self) -> None:
        self.taken = 0

    def acquire(self, *args: Any, **kwargs: Any) -> None:
        self.taken += 1

    async def async_acquire(self, *args: Any, **kwargs: Any) -> None:
        self.taken += 1


@pytest.mark.parametrize("handled", [False, True], ids=["quiet", "reported"])
def test_the_rate_limiter_takes_a_slot_either_way(emu: Emulator, handled: bool) -> None:
    limiter = CountingLimiter()
    manager = CallbackManager([Recorder()] if handled else [])
    llm = make_llm(emu, rate_limiter=limiter, callback_manager=manager)
    assert observed(llm) is handled
    for call in STREAMS.values():
        emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS))
        call(llm)
    emu.enqueue(Reply.text("Hello"))
    llm.chat(HI)
    emu.enqueue(Reply.text("Hello"))
    asyncio.run(llm.acomplete("Hi"))
    assert limiter.taken == len(STREAMS) + 2


def test_the_methods_keep_their_names_and_signatures() -> None:
    import inspect

    def chat(self: Any, messages: Any, **kwargs: Any) -> Any: ...
    async def achat(self: Any, messages: Any, **kwargs: Any) -> Any: ...
    def complete(self: Any, prompt: str, formatted: bool = False, **kwargs: Any) -> Any: ...
    async def acomplete(self: Any, prompt: str, formatted: bool = False,
                        **kwargs: Any) -> Any: ...

    def shape(function: Any) -> list[tuple[str, Any]]:
        return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]

    # What LlamaIndex's own callbacks make of such methods.
    expected = {"chat": shape(llm_callbacks.llm_chat_callback()(chat)),
                "achat": shape(llm_callbacks.llm_chat_callback()(achat)),
                "complete": shape(llm_callbacks.llm_completion_callback()(complete)),
                "acomplete": shape(llm_callbacks.llm_completion_callback()(acomplete))}
    assert expected["chat"] == [("_self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                                ("messages", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                                ("kwargs", inspect.Parameter.VAR_KEYWORD)]
    for name in ("chat", "achat", "stream_chat", "astream_chat", "complete", "acomplete",
                 "stream_complete", "astream_complete"):
        method = getattr(OpenRouter, name)
        assert method.__name__ == name
        assert method.__doc__
        kind = ("a" if name.startswith("a") else "") + (
            "chat" if name.endswith("chat") else "complete")
        assert shape(method) == expected[kind], name
        assert inspect.iscoroutinefunction(method) == name.startswith("a")


@pytest.mark.parametrize("handled", [False, True], ids=["quiet", "reported"])
def test_an_error_is_tagged_for_outer_callback_managers_either_way(emu: Emulator,
                                                                   handled: bool) -> None:
    llm = make_llm(emu, callback_manager=CallbackManager([Recorder()] if handled else []))
    for call in (lambda: llm.chat(HI), lambda: asyncio.run(llm.achat(HI)),
                 lambda: llm.complete("Hi"), lambda: asyncio.run(llm.acomplete("Hi"))):
        emu.enqueue(Reply.error(400, "bad request"))
        with pytest.raises(Exception) as caught:
            call()
        assert getattr(caught.value, "event_added", False) is True


def test_handlers_count_where_the_dispatcher_would_deliver(emu: Emulator) -> None:
    llm = make_llm(emu)
    with attached(get_dispatcher(), Keep()):
        assert observed(llm)
        with not_propagating(get_dispatcher(llm_callbacks.__name__)):
            assert not observed(llm)


CALLS: dict[str, Callable[[OpenRouter], Any]] = {
    **STREAMS, "chat": lambda llm: llm.chat(HI),
    "achat": lambda llm: asyncio.run(llm.achat(HI)),
    "complete": lambda llm: llm.complete("Hi"),
    "acomplete": lambda llm: asyncio.run(llm.acomplete("Hi"))}


@pytest.fixture
def entered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the spans any dispatcher opens."""
    ids: list[str] = []
    original = Dispatcher.span_enter

    def counting(self: Dispatcher, id_: str, *args: Any, **kwargs: Any) -> None:
        ids.append(id_)
        original(self, id_, *args, **kwargs)

    monkeypatch.setattr(Dispatcher, "span_enter", counting)
    return ids


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_no_handler_no_span(emu: Emulator, entered: list[str],
                            call: Callable[[OpenRouter], Any]) -> None:
    llm = make_llm(emu)
    assert not observed(llm)
    assert not spanned(get_dispatcher(openrouter_base.__name__))
    emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS))
    call(llm)
    assert entered == []


class Spans(SimpleSpanHandler):
    """A span handler that also keeps what each span was opened with."""

    opened: list[tuple[str, Any, dict[str, Any]]] = []

    def new_span(self, id_: str, bound_args: Any, instance: Any = None,
                 parent_span_id: str | None = None, tags: dict[str, Any] | None = None,
                 **kwargs: Any) -> Any:
        self.opened.append((id_, instance, dict(bound_args.arguments)))
        return super().new_span(id_, bound_args, instance, parent_span_id, tags, **kwargs)


class Derived(OpenRouter):
    """A user's subclass that adds nothing: its spans are named after it."""


@pytest.mark.parametrize("derived", [False, True], ids=["OpenRouter", "subclass"])
@pytest.mark.parametrize("name", CALLS.keys())
def test_a_span_handler_alone_gets_the_span_inside_the_callers(emu: Emulator, name: str,
                                                               derived: bool,
                                                               built: list[Any]) -> None:
    llm = make_llm(emu)
    if derived:
        llm = Derived(**{field: getattr(llm, field) for field in ("model", "api_key",
                                                                   "api_base", "max_retries")})
    spans = Spans()  # (pydantic gives each instance its own list)

    @get_dispatcher("tests.caller").span
    def caller() -> Any:
        return CALLS[name](llm)

    with attached(get_dispatcher(), spans):
        assert not observed(llm)
        emu.enqueue(Reply.text("".join(WORDS), chunks=WORDS))
        caller()
    by_id = {span.id_: span for span in spans.completed_spans}
    ours = [span for span_id, span in by_id.items()
            if span_id.startswith(f"{type(llm).__name__}.{name}-")]
    assert len(ours) == 1  # one span, as LlamaIndex's mixin opens, named after the class
    callers = [span_id for span_id in by_id if ".caller-" in span_id]
    assert ours[0].parent_id is not None and [ours[0].parent_id] == callers
    # Opened as the mixin's span would be: bound to the LLM, the call's own arguments.
    (_, instance, arguments), = [o for o in spans.opened if o[0] == ours[0].id_]
    assert instance is llm
    assert "_self" not in arguments
    # (LlamaIndex's completion callback declares ``(_self, *args, **kwargs)``.)
    assert (arguments["messages"] == HI) if "chat" in name else (arguments["args"] == ("Hi",))
    assert built == []  # no event handler: still no event objects


def test_a_failing_span_reports_its_drop_to_an_event_handler_on_our_dispatcher(
        emu: Emulator) -> None:
    ours = get_dispatcher(openrouter_base.__name__)
    handler = Keep()
    with attached(ours, handler):
        llm = make_llm(emu)
        assert not observed(llm)  # the LLM events' dispatcher would not deliver there
        assert spanned(ours)
        emu.enqueue(Reply.error(400, "bad request"))
        with pytest.raises(Exception, match="bad request"):
            llm.chat(HI)
    assert [type(event).__name__ for event in handler.events] == ["SpanDropEvent"]


def test_an_event_handler_alone_gets_events_tagged_with_the_calls_span(
        emu: Emulator) -> None:
    llm = make_llm(emu)
    handler = Keep()
    with attached(get_dispatcher(), handler):
        assert spanned(get_dispatcher(openrouter_base.__name__))  # for its SpanDropEvent
        emu.enqueue(Reply.text("Hello"))
        llm.chat(HI)
    assert handler.events
    assert all(event.span_id.startswith("OpenRouter.chat-") for event in handler.events)


def test_span_handlers_count_where_the_dispatcher_would_deliver() -> None:
    ours = get_dispatcher(openrouter_base.__name__)
    with attached(get_dispatcher(), SimpleSpanHandler()):
        assert spanned(ours)
        with not_propagating(ours):
            assert not spanned(ours)
