"""Record everything a LangChain call does, to compare ours with langchain-core's own.

``ChatOpenRouter.stream``/``astream`` re-implement ``BaseChatModel.stream``/``astream`` so
that chunks are not all kept until the end, and ``invoke``/``ainvoke`` run
``BaseChatModel``'s lifecycle in one layer. :func:`record` runs one input through either
implementation (``inherited=True`` calls the ``BaseChatModel`` method on the same model) and
records the yielded chunks (the returned message, for ``invoke``) and every callback event,
deep-copied at the time it happened. With the same ``run_id`` in the config the two
recordings must be equal; :func:`run_both` makes both recordings of one :data:`Case`, and
:data:`SHARED_CASES` are the cases every call is compared on.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.outputs import LLMResult
from langchain_core.rate_limiters import InMemoryRateLimiter
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Emulator, Reply
from tests.langchain.conftest import MODEL, TEST_KEY

RUN_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
GEN_ID = "gen-1700000000-EmulatedIdForTests01"
FIXED = {"id": GEN_ID, "created": 1700000000}
PNG = "data:image/png;base64,iVBORw0KGgo="

Call = Literal["stream", "astream", "invoke", "ainvoke"]


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
    """What one call produced: chunks, callback events, and the error it raised (if any)."""

    chunks: list[BaseMessage] = field(default_factory=list)
    """The yielded chunks, or the message ``invoke`` returned."""
    events: list[tuple[str, Any]] = field(default_factory=list)
    error: tuple[str, str] | None = None
    sent: list[Any] = field(default_factory=list)
    """The request bodies the call sent (filled in by :func:`run_both`)."""

    def end(self) -> LLMResult:
        """The ``on_llm_end`` response."""
        (response, _), = [payload for name, payload in self.events if name == "end"]
        assert isinstance(response, LLMResult)
        return response


def record(model: ChatOpenRouter, model_input: Any, *, inherited: bool, call: Call = "stream",
           observed: bool = True, config: dict[str, Any] | None = None,
           **kwargs: Any) -> Recording:
    """Run ``call`` (ours, or ``BaseChatModel``'s when ``inherited``) and record it; an async
    call runs in an event loop of its own. Without ``observed`` no handler is attached (the
    run id is fixed either way)."""
    recorder = EventRecorder()
    out = Recording(events=recorder.events)
    run_config: dict[str, Any] = {**(config or {}), "run_id": RUN_ID}
    if observed:
        run_config["callbacks"] = [recorder]
    method = getattr(BaseChatModel if inherited else ChatOpenRouter, call)
    try:
        _collect(call, method(model, model_input, run_config, **kwargs), out.chunks)
    except Exception as exc:  # recorded, then compared: never swallowed
        out.error = (type(exc).__name__, str(exc))
    return out


def _collect(call: Call, result: Any, into: list[BaseMessage]) -> None:
    # Each chunk is kept as it arrives, so the chunks before an error are in the recording.
    async def drain() -> None:
        async for chunk in result:
            into.append(copy.deepcopy(chunk))

    if call == "stream":
        for chunk in result:
            into.append(copy.deepcopy(chunk))
    elif call == "astream":
        asyncio.run(drain())
    else:
        into.append(copy.deepcopy(asyncio.run(result) if call == "ainvoke" else result))


def assert_same(ours: Recording, theirs: Recording) -> None:
    """Equal request bodies, chunks, events (one by one, for a readable failure) and error."""
    assert ours.sent == theirs.sent
    assert ours.error == theirs.error
    assert ours.chunks == theirs.chunks
    assert [name for name, _ in ours.events] == [name for name, _ in theirs.events]
    for index, (mine, reference) in enumerate(zip(ours.events, theirs.events, strict=True)):
        assert mine == reference, f"callback event {index} ({mine[0]}) differs"


# --- the cases ----------------------------------------------------------------------------
class Weather(BaseModel):
    """Weather in a city."""

    city: str


Case = tuple[Reply, dict[str, Any], dict[str, Any]]
"""A reply, model fields, and call keyword arguments (``config`` and ``model_input`` among
them)."""

SHARED_CASES: dict[str, Case] = {
    "text": (Reply.text("one two three four five", **FIXED), {}, {}),
    "reasoning": (Reply.text("answer", reasoning="step one, step two", signature="sig",
                             reasoning_kind="reasoning.text", **FIXED), {}, {}),
    "tool-call": (Reply.tool_calls(("get_weather", {"city": "Paris"}, "call_1"), **FIXED),
                  {}, {}),
    "image": (Reply.text("Here it is", images=[PNG], **FIXED), {}, {}),
    "citations": (Reply.text("cited", annotations=[{"type": "url_citation", "url_citation": {
        "url": "https://example.test", "title": "t", "start_index": 0, "end_index": 5}}],
        **FIXED), {}, {}),
    "v1-output": (Reply.text("blocks please", reasoning="thought", **FIXED),
                  {"output_version": "v1"}, {}),
    "stop-and-kwargs": (Reply.text("short", **FIXED), {},
                        {"stop": ["\n"], "temperature": 0.1, "max_tokens": 5}),
    "config": (Reply.text("tagged", **FIXED), {"tags": ["model-tag"], "metadata": {"m": 1}},
               {"config": {"tags": ["t1"], "metadata": {"k": "v"}, "run_name": "named"}}),
    "structured-format": (Reply.tool_calls(("Weather", {"city": "Oslo"}, "call_w"), **FIXED), {},
                          {"ls_structured_output_format": {
                              "kwargs": {"method": "function_calling"}, "schema": Weather}}),
    # A format without a schema: langchain-core fails to trace it (KeyError), observed or not.
    "structured-format-unreadable": (Reply.text("never sent", **FIXED), {},
                                     {"ls_structured_output_format": {"kwargs": {}}}),
    # langchain-core's tracing format refuses a base64 image without a MIME type, before the
    # run starts, observed or not; so does the metadata merge refuse metadata that is no dict.
    "image-without-mime-type": (Reply.text("never sent", **FIXED), {}, {"model_input": [
        HumanMessage(content=[{"type": "text", "text": "hi"},
                              {"type": "image", "base64": "iVBORw0KGgo="}])]}),
    "metadata-not-a-dict": (Reply.text("never sent", **FIXED), {},
                            {"config": {"metadata": ["not", "a", "dict"]}}),
    "rate-limited": (Reply.text("slow down", **FIXED),
                     {"rate_limiter": InMemoryRateLimiter(requests_per_second=1000)}, {}),
    "http-error": (Reply.error(429, "Rate limit exceeded", **FIXED), {}, {}),
    "bad-input": (Reply.text("never sent", **FIXED), {},
                  {"model_input": [{"role": "user", "content": [{"type": "nonsense"}]}]}),
}
"""The cases both the stream and the invoke parity tests run."""

BEFORE_START = frozenset({"structured-format-unreadable", "image-without-mime-type",
                          "metadata-not-a-dict"})
"""The cases that fail before the run starts: no callback event, observed or not."""


def parity_model(emu: Emulator, **fields: Any) -> ChatOpenRouter:
    """A ``ChatOpenRouter`` on the emulator, without retries."""
    return ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0,
                          **fields)


def run_both(emu: Emulator, case: Case, call: Call, *,
             observed: bool = True) -> tuple[Recording, Recording]:
    """``case`` through our ``call`` and through langchain-core's, each on a fresh model."""
    reply, fields, kwargs = case
    kwargs = dict(kwargs)
    model_input = kwargs.pop("model_input", "Hello")
    recordings = []
    for inherited in (False, True):
        emu.enqueue(reply)
        before = len(emu.requests)
        recording = record(parity_model(emu, **fields), model_input, inherited=inherited,
                           call=call, observed=observed, **kwargs)
        recording.sent = [request.json for request in emu.requests[before:]]
        recordings.append(recording)
    return recordings[0], recordings[1]
