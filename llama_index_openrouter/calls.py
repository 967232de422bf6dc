"""One request's body and headers, and the stream drivers shared by every streaming method.

``prepare`` is pure: configuration + LlamaIndex messages + per-call keyword arguments → the
body and headers the core transport sends. The drivers are the only code that differs between
sync and async streaming, and they differ only in ``for`` versus ``async for``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, TypeVar, cast

from llama_index.core.base.llms.types import ChatMessage

from llama_index_openrouter.callbacks import check_budget
from llama_index_openrouter.config import OpenRouterConfig
from llama_index_openrouter.messages import to_openrouter_messages
from llama_index_openrouter.streaming import ChatStream
from openrouter_core.decode import ChatResult, ChunkDelta
from openrouter_core.errors import InputError
from openrouter_core.memo import LastFrom, held
from openrouter_core.request import (
    REQUEST_OPTIONS,
    BodyTemplate,
    build_headers,
    prepare as prepare_request,
)
from openrouter_core.settings import RequestSettings
from openrouter_core.stream import Progress
from openrouter_core.transport import Endpoint

JSONDict = dict[str, Any]
R = TypeVar("R")

# Keyword arguments LlamaIndex passes down that are about the framework, not the request.
_FRAMEWORK_KWARGS = frozenset({"formatted", "verbose", "tool_required",
                               "allow_parallel_tool_calls", "error_on_no_tool_call",
                               "error_on_tool_error"})


def prepare(config: OpenRouterConfig, messages: Sequence[ChatMessage], kwargs: JSONDict,
            *, stream: bool) -> tuple[Endpoint, JSONDict, dict[str, str]]:
    """Build and validate the request: the endpoint, body and headers, the first arguments of
    the transport's calls. Raises ``InputError`` before anything is sent."""
    check_budget()  # a reached budget stops the request here, before anything is built or sent
    # Most calls pass no keywords: no comprehension to run (each is a call of its own).
    call = {k: v for k, v in kwargs.items() if k not in _FRAMEWORK_KWARGS} if kwargs else {}
    options = {k: call.pop(k) for k in REQUEST_OPTIONS if k in call} if call else {}
    try:
        settings = config._settings_for_request(call)
    except InputError:
        raise  # already names the problem (a misspelt key is an UnknownKeyError, a TypeError)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    endpoint = config.endpoint()
    converted = to_openrouter_messages(messages)
    attribution = config.attribution_headers()
    if call or options:
        body, headers = prepare_request(config.model, converted, settings, options=options,
                                        stream=stream, endpoint=endpoint,
                                        attribution=attribution,
                                        default_headers=config.default_headers)
        return endpoint, body, headers
    # Most calls: the settings' part of the body is kept while the settings (a new object
    # whenever a field changed) and the model stay the same.
    memo = cast("LastFrom[BodyTemplate]", held(
        config, "_built_stream_body" if stream else "_built_body", LastFrom))
    template = memo.get((settings, config.model, stream), _body_template)
    return (endpoint, template.body(converted, endpoint),
            build_headers(attribution, config.default_headers))


def _body_template(inputs: tuple[RequestSettings, str, bool]) -> BodyTemplate:
    settings, model, stream = inputs
    return BodyTemplate(model, settings, stream=stream)


Partial = Callable[[tuple[ChunkDelta, Progress]], R]
Final = Callable[[tuple[ChunkDelta, ChatResult]], R]


def drive(deltas: Iterator[ChunkDelta], stream: ChatStream, partial: Partial[R],
          final: Final[R]) -> Iterator[R]:
    """Sync driver: one response per delta; a mid-stream error raises after what came."""
    try:
        for delta in deltas:
            if (held := stream.push(delta)) is not None:
                yield partial(held)
    except Exception:
        if (held := stream.flush()) is not None:
            yield partial(held)
        raise
    if (last := stream.last()) is not None:
        yield final(last)


async def adrive(deltas: AsyncIterator[ChunkDelta], stream: ChatStream, partial: Partial[R],
                 final: Final[R]) -> AsyncIterator[R]:
    """Async :func:`drive`."""
    try:
        async for delta in deltas:
            if (held := stream.push(delta)) is not None:
                yield partial(held)
    except Exception:
        if (held := stream.flush()) is not None:
            yield partial(held)
        raise
    if (last := stream.last()) is not None:
        yield final(last)
