"""Record everything a LangChain call does, to compare ours with langchain-core's own.

``ChatOpenRouter.stream``/``astream`` re-implement ``BaseChatModel.stream``/``astream`` so
that chunks are not all kept until the end, and ``invoke``/``ainvoke`` run
``BaseChatModel``'s lifecycle in one layer. These helpers run one input through either
implementation (``inherited=True`` calls the ``BaseChatModel`` method on the same model) and
record the yielded chunks (the returned message, for ``invoke``) and every callback event,
deep-copied at the time it happened. With the same ``run_id`` in the config the two
recordings must be equal.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from langchain_openrouter import ChatOpenRouter

RUN_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


class EventRecorder(BaseCallbackHandler):
    """Keeps a deep copy of every LLM callback, in order (run inline, also under async)."""

    run_inline = True

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]],
                            **kwargs: Any) -> None:
        self.events.append(("start", copy.deepcopy((serialized, messages, kwargs))))

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.events.append(("token", copy.deepcopy((token, kwargs))))

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.events.append(("end", copy.deepcopy((response, kwargs))))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", (type(error).__name__, str(error),
                                      copy.deepcopy(kwargs))))


@dataclass
class Recording:
    """What one stream produced: chunks, callback events, and the error it raised (if any)."""

    chunks: list[BaseMessage] = field(default_factory=list)
    """The yielded chunks, or the message ``invoke`` returned."""
    events: list[tuple[str, Any]] = field(default_factory=list)
    error: tuple[str, str] | None = None

    def end(self) -> LLMResult:
        """The ``on_llm_end`` response."""
        (response, _), = [payload for name, payload in self.events if name == "end"]
        assert isinstance(response, LLMResult)
        return response


def _config(recorder: EventRecorder, config: dict[str, Any] | None) -> dict[str, Any]:
    return {**(config or {}), "callbacks": [recorder], "run_id": RUN_ID}


def _run_config(recorder: EventRecorder, config: dict[str, Any] | None,
                observed: bool) -> dict[str, Any]:
    # Without ``observed`` no handler is attached; the run id is fixed either way.
    return _config(recorder, config) if observed else {**(config or {}), "run_id": RUN_ID}


def record(model: ChatOpenRouter, model_input: Any, *, inherited: bool, observed: bool = True,
           config: dict[str, Any] | None = None, **kwargs: Any) -> Recording:
    """Run ``stream`` (ours, or ``BaseChatModel.stream`` when ``inherited``) and record it;
    without ``observed`` no handler is attached."""
    recorder = EventRecorder()
    out = Recording(events=recorder.events)
    method = BaseChatModel.stream if inherited else ChatOpenRouter.stream
    try:
        for chunk in method(model, model_input, _run_config(recorder, config, observed),
                            **kwargs):
            out.chunks.append(copy.deepcopy(chunk))
    except Exception as exc:  # recorded, then compared: never swallowed
        out.error = (type(exc).__name__, str(exc))
    return out


async def arecord(model: ChatOpenRouter, model_input: Any, *, inherited: bool,
                  observed: bool = True, config: dict[str, Any] | None = None,
                  **kwargs: Any) -> Recording:
    """Async :func:`record` over ``astream``."""
    recorder = EventRecorder()
    out = Recording(events=recorder.events)
    method = BaseChatModel.astream if inherited else ChatOpenRouter.astream
    try:
        async for chunk in method(model, model_input, _run_config(recorder, config, observed),
                                  **kwargs):
            out.chunks.append(copy.deepcopy(chunk))
    except Exception as exc:  # recorded, then compared: never swallowed
        out.error = (type(exc).__name__, str(exc))
    return out


def record_invoke(model: ChatOpenRouter, model_input: Any, *, inherited: bool,
                  observed: bool = True, config: dict[str, Any] | None = None,
                  **kwargs: Any) -> Recording:
    """Run ``invoke`` (ours, or ``BaseChatModel.invoke``) and record it; without ``observed``
    no handler is attached (the run id is still fixed)."""
    recorder = EventRecorder()
    out = Recording(events=recorder.events)
    method = BaseChatModel.invoke if inherited else ChatOpenRouter.invoke
    run_config = _run_config(recorder, config, observed)
    try:
        out.chunks.append(copy.deepcopy(method(model, model_input, run_config, **kwargs)))
    except Exception as exc:  # recorded, then compared: never swallowed
        out.error = (type(exc).__name__, str(exc))
    return out


async def arecord_invoke(model: ChatOpenRouter, model_input: Any, *, inherited: bool,
                         observed: bool = True, config: dict[str, Any] | None = None,
                         **kwargs: Any) -> Recording:
    """Async :func:`record_invoke` over ``ainvoke``."""
    recorder = EventRecorder()
    out = Recording(events=recorder.events)
    method = BaseChatModel.ainvoke if inherited else ChatOpenRouter.ainvoke
    run_config = _run_config(recorder, config, observed)
    try:
        out.chunks.append(copy.deepcopy(await method(model, model_input, run_config,
                                                     **kwargs)))
    except Exception as exc:  # recorded, then compared: never swallowed
        out.error = (type(exc).__name__, str(exc))
    return out


def assert_same(ours: Recording, theirs: Recording) -> None:
    """Equal chunks, events (one by one, for a readable failure) and error."""
    assert ours.error == theirs.error
    assert ours.chunks == theirs.chunks
    assert [name for name, _ in ours.events] == [name for name, _ in theirs.events]
    for index, (mine, reference) in enumerate(zip(ours.events, theirs.events, strict=True)):
        assert mine == reference, f"callback event {index} ({mine[0]}) differs"
