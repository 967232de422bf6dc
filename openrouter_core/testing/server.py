"""The :class:`Emulator`: a real HTTP/1.1 OpenRouter look-alike on 127.0.0.1.

It runs ``asyncio.start_server`` on its own event loop in a daemon thread, so synchronous and
asynchronous client code in the test thread can both talk to it, and hundreds of concurrent
connections cost one task each. State shared with the test thread (queues, records, counters)
is guarded by one lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal

from openrouter_core.testing import endpoints
from openrouter_core.testing.auto import auto_respond
from openrouter_core.testing.connection import Connection
from openrouter_core.testing.records import JSONDict, RecordedRequest
from openrouter_core.testing.render import ResponsePlan, render_error, render_reply
from openrouter_core.testing.replies import Reply, ReplySource, Responder
from openrouter_core.testing.wire import ParsedRequest
from openrouter_core.totals import exact_cost

Route = Literal["chat", "embeddings", "models", "embedding_models", "key", "credits",
                "generation"]
"""Routes with their own reply queue and responder."""

API_PREFIX = "/api/v1"
"""Path prefix of every route, as on openrouter.ai."""

_ROUTES: dict[tuple[str, str], Route] = {
    ("POST", f"{API_PREFIX}/chat/completions"): "chat",
    ("POST", f"{API_PREFIX}/embeddings"): "embeddings",
    ("GET", f"{API_PREFIX}/models"): "models",
    ("GET", f"{API_PREFIX}/embeddings/models"): "embedding_models",
    ("GET", f"{API_PREFIX}/key"): "key",
    ("GET", f"{API_PREFIX}/credits"): "credits",
    ("GET", f"{API_PREFIX}/generation"): "generation",
}


class Emulator:
    """A loopback OpenRouter emulator serving scripted or automatic replies.

    Example::

        with Emulator() as emu:
            emu.enqueue(Reply.text("Hi!"), Reply.fault("reset_after", 2))
            client = openai.OpenAI(base_url=emu.base_url, api_key="sk-or-v1-test")
            ...
            assert emu.chat_requests[0].json["model"] == "openai/gpt-4o-mini"

    Replies queued with :meth:`enqueue` are served first-in first-out to chat requests; when
    the queue is empty :attr:`responder` answers (by default
    :func:`~openrouter_core.testing.auto.auto_respond`). With ``require_api_key`` set, requests
    without ``Authorization: Bearer <that key>`` get OpenRouter's 401. With ``strict_models``,
    a chat request naming a model id the bundled catalog does not know gets OpenRouter's 400
    ``"<id> is not a valid model ID"`` before any queued reply is used.

    Every chat completion and embeddings body served is recorded for
    ``GET /generation?id=`` (its cost, tokens, model, provider and scripted latency), and its
    cost is added to :attr:`spent`, which ``GET /key`` and ``GET /credits`` report as usage.
    """

    def __init__(self, *, require_api_key: str | None = None, host: str = "127.0.0.1",
                 port: int = 0, strict_models: bool = False) -> None:
        self.require_api_key = require_api_key
        """Key every request must carry as ``Authorization: Bearer <key>`` (``None``: any)."""
        self.strict_models = strict_models
        """Answer chat requests for model ids missing from the bundled catalog with 400."""
        self._spent = Decimal(0)
        self.host = host
        self.port = port
        """Bound port (``0`` before :meth:`start` picks a free one)."""
        self.responder: Responder = auto_respond
        """Answers chat requests when the queue is empty."""
        self.embeddings_responder: Responder = endpoints.auto_embeddings
        """Answers ``POST /embeddings`` when its queue is empty."""
        self.models_responder: Responder = endpoints.auto_models
        """Answers ``GET /models`` when its queue is empty."""
        self.embedding_models_responder: Responder = endpoints.auto_embedding_models
        """Answers ``GET /embeddings/models`` when its queue is empty."""
        self.key_responder: Responder = endpoints.key_lookup(lambda: self.spent)
        """Answers ``GET /key`` when its queue is empty (usage: :attr:`spent`)."""
        self.credits_responder: Responder = endpoints.credits_lookup(lambda: self.spent)
        """Answers ``GET /credits`` when its queue is empty (usage: :attr:`spent`)."""
        self.generations: dict[str, JSONDict] = {}
        """Records ``GET /generation?id=`` answers with (404 for ids not in here): one per
        reply served, plus those added with :meth:`add_generation`."""
        self.generation_responder: Responder = endpoints.generation_lookup(self.generations)
        """Answers ``GET /generation`` when its queue is empty."""
        self.connections_opened = 0
        """Connections accepted since start (or the last :meth:`reset`)."""
        self.open_connections = 0
        """Connections open right now."""
        self._lock = threading.Condition()
        self._queues: dict[Route, deque[ReplySource]] = {r: deque() for r in _ROUTES.values()}
        self._records: list[RecordedRequest] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/api/v1`` — pass it as the client's base URL."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Emulator:
        """Bind a free port and serve in a daemon thread; returns ``self``."""
        if self.running:
            return self
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = loop
        self._thread = threading.Thread(target=self._run, args=(loop, ready, failure),
                                        name="openrouter-emulator", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise RuntimeError("OpenRouter emulator failed to start") from failure[0]
        return self

    def _run(self, loop: asyncio.AbstractEventLoop, ready: threading.Event,
             failure: list[BaseException]) -> None:
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(asyncio.start_server(
                self._accept, self.host, self.port, backlog=4096, limit=1 << 20))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported to start()
            failure.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    def stop(self) -> None:
        """Close every connection, stop the loop and join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = self._loop = self._server = None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- scripting ------------------------------------------------------------------------

    def enqueue(self, *replies: ReplySource, route: Route = "chat") -> None:
        """Queue replies (or ``(RecordedRequest) -> Reply`` callables) for ``route``, FIFO."""
        with self._lock:
            self._queues[route].extend(replies)

    @property
    def pending(self) -> int:
        """Chat replies still queued."""
        with self._lock:
            return len(self._queues["chat"])

    def reset(self) -> None:
        """Forget queued replies, recorded requests, custom responders, generation records,
        the spend and the counter."""
        with self._lock:
            for queue in self._queues.values():
                queue.clear()
            self._records = []
            self.responder = auto_respond
            self.embeddings_responder = endpoints.auto_embeddings
            self.models_responder = endpoints.auto_models
            self.embedding_models_responder = endpoints.auto_embedding_models
            self.key_responder = endpoints.key_lookup(lambda: self.spent)
            self.credits_responder = endpoints.credits_lookup(lambda: self.spent)
            self.generations.clear()
            self._spent = Decimal(0)
            self.generation_responder = endpoints.generation_lookup(self.generations)
            self.connections_opened = 0

    def add_generation(self, generation_id: str, **fields: Any) -> JSONDict:
        """Make ``GET /generation?id=<generation_id>`` answer with a record (``fields``
        override the defaults of :func:`~openrouter_core.testing.endpoints.generation_record`).
        Queue ``Reply.error(404, ...)`` on route ``"generation"`` first to emulate the delay
        before a record appears."""
        record = endpoints.generation_record(generation_id, **fields)
        with self._lock:
            self.generations[generation_id] = record
        return record

    # --- inspection -----------------------------------------------------------------------

    @property
    def spent(self) -> float:
        """USD of every chat and embeddings reply served since the last :meth:`reset`."""
        return float(self.spent_exact)

    @property
    def spent_exact(self) -> Decimal:
        """:attr:`spent` as the exact decimal sum of the costs written on the wire, the total
        a client's ``openrouter_core.totals.sum_costs`` or ``UsageTotals`` must equal."""
        with self._lock:
            return self._spent

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since the last :meth:`reset`, in arrival order."""
        with self._lock:
            return list(self._records)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The ``POST /chat/completions`` requests among :attr:`requests`."""
        return [r for r in self.requests if r.path == f"{API_PREFIX}/chat/completions"]

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self._lock:
            return self._lock.wait_for(predicate, timeout)

    def wait_for_requests(self, count: int, timeout: float = 2.0) -> bool:
        """Block until at least ``count`` requests arrived; ``False`` on timeout."""
        return self._wait(lambda: len(self._records) >= count, timeout)

    def wait_for_disconnect(self, request_index: int = -1, timeout: float = 2.0) -> bool:
        """Block until the client hung up on request ``request_index``'s response.

        ``True`` once its ``closed_at`` is set (the client closed the connection before the
        response was complete — e.g. it cancelled a stream); ``False`` on timeout.
        """
        def closed() -> bool:
            try:
                return self._records[request_index].closed_at is not None
            except IndexError:
                return False

        return self._wait(closed, timeout)

    # --- serving (event loop thread) ------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        with self._lock:
            self.connections_opened += 1
            self.open_connections += 1
        try:
            await Connection(reader, writer, self._dispatch, self._notify).serve()
        except asyncio.CancelledError:
            pass  # stop(): the task ends here; re-raising only makes asyncio log it
        finally:
            self._tasks.discard(task)
            with self._lock:
                self.open_connections -= 1
                self._lock.notify_all()

    def _dispatch(self, parsed: ParsedRequest) -> tuple[RecordedRequest, ResponsePlan]:
        record = RecordedRequest(
            method=parsed.method, path=parsed.path, headers=parsed.headers, body=parsed.body,
            json=_parse_json(parsed.body), query=parsed.query, received_at=time.monotonic())
        with self._lock:
            record.index = len(self._records)
            self._records.append(record)
            self._lock.notify_all()
        try:
            plan = render_reply(self._reply_for(record), record)
            self._bill(record, plan)
        except Exception as exc:  # a bad script must fail the test visibly, not hang it
            plan = render_error(500, {"error": {"message": f"emulator: {exc!r}", "code": 500}})
        return record, plan

    def _bill(self, record: RecordedRequest, plan: ResponsePlan) -> None:
        """Record a served chat or embeddings reply for ``/generation`` and add its cost."""
        if plan.abort_before_headers or plan.status != 200:
            return
        generation: JSONDict | None = None
        if plan.served is not None:
            latency, total = plan.planned_seconds
            generation = endpoints.served_generation(
                plan.served, record, streamed=plan.chunked, latency=latency,
                generation_time=total)
        elif _ROUTES.get((record.method, record.path)) == "embeddings":
            generation = endpoints.embedding_generation(_parse_json(plan.body))
        if generation is None:
            return
        with self._lock:
            self.generations[generation["id"]] = generation
            # The cost as written on the wire (json writes a float's repr), summed exactly.
            self._spent += exact_cost(generation["total_cost"] or 0)

    def _reply_for(self, record: RecordedRequest) -> Reply:
        if self.require_api_key is not None and (
                record.header("authorization") != f"Bearer {self.require_api_key}"):
            return endpoints.unauthorized(record)
        route = _ROUTES.get((record.method, record.path))
        if route is None:
            return endpoints.not_found(record)
        if route == "chat" and self.strict_models:
            invalid = endpoints.invalid_model(record)
            if invalid is not None:
                return invalid
        with self._lock:
            source = self._queues[route].popleft() if self._queues[route] else None
        if source is None:
            source = {"chat": self.responder, "embeddings": self.embeddings_responder,
                      "models": self.models_responder,
                      "embedding_models": self.embedding_models_responder,
                      "key": self.key_responder, "credits": self.credits_responder,
                      "generation": self.generation_responder}[route]
        return source if isinstance(source, Reply) else source(record)

    def _notify(self) -> None:
        with self._lock:
            self._lock.notify_all()


def _parse_json(body: bytes) -> object:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
