"""The only module that talks HTTP.

The ``openai`` SDK's client is the transport: its HTTP client (connection pool, limits,
redirects), its headers (auth, user agent, platform) and its default timeout. The response
bytes are read raw and handed to :mod:`openrouter_core.reading` (which uses
:mod:`~openrouter_core.decode` and :mod:`~openrouter_core.stream`): building one pydantic object
per SSE chunk is most of the SDK's streaming cost, and the SDK's models would drop OpenRouter's
extra fields anyway.

Chat requests skip the SDK's per-request preparation (typed-parameter transform, option
objects, header merging: about half a millisecond, as long as the whole exchange with a local
server). What that preparation produces for our wire-form body never changes within a client,
so :class:`_Shared` computes it once: the same headers and the same JSON bytes go out on the
SDK's own HTTP client. The plain JSON endpoints (rare) still go through the SDK's ``get``/``post``.

Clients are created lazily on the first request and shared by every model instance with the same
(base URL, API key, timeout), per process (a forked worker opens its own pool) and, for async
clients, per event loop. Retries are ours (the SDK's are switched off) so that one policy covers
408/429/5xx, connection errors, OpenRouter's retryable 402 and 200-with-error bodies, and honours
``Retry-After`` in seconds or as an HTTP date.

Sync and async paths share every step except the lines that do I/O: the retry decisions live in
``_RetryPolicy`` and the byte handling in ``reading`` (``BodyReader``, ``StreamDriver``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import json
import logging
import os
import random
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, SecretStr

from openrouter_core import environment, errors, reading
from openrouter_core.decode import (
    ChatResult,
    ChunkDelta,
    JSONDict,
)
from openrouter_core.stream import (
    StreamAssembler,
)

if TYPE_CHECKING:
    import openai

    from openrouter_core._sdk_http import http

logger = logging.getLogger("openrouter_core")
T = TypeVar("T")

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
RETRY_INITIAL_DELAY = 0.5
RETRY_MAX_DELAY = 8.0
RETRY_AFTER_CAP = 60.0


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to send requests. Holds the key as a ``SecretStr`` (never in a repr)."""

    base_url: str = DEFAULT_BASE_URL
    api_key: SecretStr | None = None
    timeout: float | None = None
    """Seconds of silence allowed: connecting, and between received bytes (see
    :class:`~openrouter_core.reading.Clock`). ``None``: the SDK's default."""
    max_retries: int = 2
    total_timeout: float | None = None
    """Seconds the whole call may take, retries included; ``None`` (default): no cap."""

    def key_value(self) -> str:
        """The API key (else ``OPENROUTER_API_KEY`` now: a model unpickled in another process
        carries no key), or a clear error naming the environment variable to set."""
        key = self.api_key if self.api_key is not None else environment.api_key()
        if key is None or not key.get_secret_value():
            raise errors.InputError(
                "No OpenRouter API key: pass api_key=... or set OPENROUTER_API_KEY"
            )
        return key.get_secret_value()

    def cache_key(self) -> tuple[Any, ...]:
        """Identity of the shared pool: one per process, base URL, key and timeout."""
        return (os.getpid(), self.base_url.rstrip("/"), self.key_value(), self.timeout)


# --- shared clients -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shared:
    """One SDK client and what every chat request on it reuses (computed once per client)."""

    sdk: Any
    """``openai.OpenAI`` or ``openai.AsyncOpenAI``."""
    http: Any
    """The SDK's HTTP client (``DefaultHttpxClient``): the SDK's pool, limits and redirects."""
    chat_url: str
    headers: Any
    """The SDK's default and auth headers, as an ``httpx.Headers``."""
    timeout: Any
    """The SDK client's timeout (a number or an ``httpx.Timeout``)."""
    prepared: _Prepared | None = None
    """What every request with the endpoint's own timeout and no headers of its own sends,
    merged once (``None`` when that would not equal ``build_request``'s merge)."""

    @classmethod
    def open(cls, endpoint: Endpoint, *, asynchronous: bool) -> _Shared:
        import openai  # imported on first request: ~0.7 s we keep out of import time

        from openrouter_core._sdk_http import http

        pool: Any
        sdk: Any
        try:
            pool = (openai.DefaultAsyncHttpxClient() if asynchronous
                    else openai.DefaultHttpxClient())
        except (ImportError, ValueError, http.InvalidURL) as exc:
            # The HTTP client reads the proxy from the environment when it is made: a SOCKS
            # proxy without its extra package, a proxy URL of an unknown scheme or one it
            # cannot parse (a bad port) fails here.
            raise errors.InputError(
                "the HTTP client cannot be made with this environment's proxy settings "
                f"(ALL_PROXY, HTTPS_PROXY, HTTP_PROXY): {errors.redact(str(exc))}") from None
        if asynchronous:
            sdk = openai.AsyncOpenAI(**_client_options(endpoint), http_client=pool)
        else:
            sdk = openai.OpenAI(**_client_options(endpoint), http_client=pool)
        # openai 1.x puts the auth header in default_headers, later releases apart; values
        # the SDK leaves out (Omit) are not strings.
        headers = {name: value for name, value in {**sdk.default_headers,
                                                   **sdk.auth_headers}.items()
                   if isinstance(value, str)}
        shared = cls(sdk, pool, f"{str(sdk.base_url).rstrip('/')}/chat/completions",
                     http.Headers(headers), sdk.timeout)
        return dataclasses.replace(shared, prepared=_Prepared.check(shared, endpoint.timeout))

    def chat_request(self, body: JSONDict, headers: dict[str, str],
                     timeout: float | None) -> http.Request:
        """The request the SDK's ``chat.completions.create`` would send for ``body``."""
        for required in ("model", "messages"):
            if required not in body:
                raise errors.InputError(f"request body has no {required!r}; build it with "
                                        "openrouter_core.request.build_body")
        # The SDK's key order (model, stream, then extra_body; openai 1.x put messages first).
        ordered: JSONDict = {"model": body["model"]}
        if body.get("stream"):
            ordered["stream"] = True
        ordered.update((k, v) for k, v in body.items() if k not in ("model", "stream"))
        content = _wire_json(ordered)
        prepared = self.prepared
        # Cookies the pool has kept from responses go through build_request's merge.
        if (prepared is not None and not headers and timeout == prepared.timeout
                and type(timeout) is type(prepared.timeout) and not self.http.cookies):
            return prepared.request(content)
        return self.built_request(content, headers, timeout)

    def built_request(self, content: bytes, headers: Mapping[str, str],
                      timeout: float | None) -> http.Request:
        """The request through ``build_request``: the SDK's headers, ``headers``, and what
        ``with_streaming_response.create()`` adds per request (retries are ours, so each
        attempt is a first try to the SDK)."""
        merged = self.headers.copy()
        merged.update(headers)
        limit = self.timeout if timeout is None else timeout
        merged["x-stainless-raw-response"] = "stream"
        merged["x-stainless-retry-count"] = "0"
        read = getattr(limit, "read", limit)
        if read is not None:
            merged["x-stainless-read-timeout"] = str(read)
        return self.http.build_request("POST", self.chat_url, content=content,
                                       headers=merged, timeout=limit)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A pool's request parts that do not change from request to request, merged once.

    ``build_request`` merges the pool's headers with the SDK's and ours, and parses the URL, on
    every request: about two thirds of building one (30 of 45 µs). With no headers of the
    call's own and the endpoint's timeout, that merge always gives the same headers, so it is
    done once here and each request only adds its body. :meth:`check` keeps this only when a
    request built this way equals ``build_request``'s (method, URL, headers in order, body,
    extensions), so a change in the HTTP library falls back to ``build_request``.
    """

    url: Any
    headers: Any
    extensions: dict[str, Any]
    timeout: float | None
    """The per-request timeout these parts are for (the endpoint's)."""

    def request(self, content: bytes) -> http.Request:
        """The request carrying ``content``."""
        from openrouter_core._sdk_http import http

        # Each request gets its own timeout dict, as from build_request.
        extensions = {**self.extensions, "timeout": dict(self.extensions["timeout"])}
        return http.Request("POST", self.url, content=content, headers=self.headers,
                            extensions=extensions)

    @classmethod
    def check(cls, shared: _Shared, timeout: float | None) -> _Prepared | None:
        """The parts for ``shared`` and ``timeout``, if they build what ``build_request``
        builds; else ``None`` (also when the HTTP library no longer builds requests the way
        this expects)."""
        from openrouter_core._sdk_http import http

        sample = b'{"model":"m","messages":[]}'
        try:
            reference = shared.built_request(sample, {}, timeout)
            headers = http.Headers(reference.headers)
            for automatic in ("host", "content-length"):  # added again by each Request
                del headers[automatic]
            headers.encoding = reference.headers.encoding  # else re-detected on every copy
            prepared = cls(reference.url, headers, dict(reference.extensions), timeout)
            built = prepared.request(sample)
        except Exception:  # any surprise means: use build_request
            logger.debug("prepared chat requests are off for this pool", exc_info=True)
            return None
        same = (built.method, built.url, built.headers.raw, built.content, built.extensions) == (
            reference.method, reference.url, reference.headers.raw, reference.content,
            reference.extensions)
        return prepared if same else None


def _wire_json(body: JSONDict) -> bytes:
    """JSON bytes as the SDK (and httpx) write them: compact, UTF-8, no NaN."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_json_default).encode()


def _json_default(value: Any) -> Any:
    # What the SDK's encoder adds to json's types; our bodies are wire-form already.
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True, mode="json", by_alias=True)
    raise TypeError(f"request body holds a {type(value).__name__}, which is not JSON")


_lock = threading.Lock()
_sync_clients: dict[tuple[Any, ...], _Shared] = {}
_async_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], _Shared]
] = weakref.WeakKeyDictionary()
_warned_plain_http: set[str] = set()
connections_opened = 0
"""How many SDK clients (connection pools) this process has created; for load reports."""


def _warn_if_plaintext(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or base_url in _warned_plain_http:
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        _warned_plain_http.add(base_url)
        logger.warning("OpenRouter base URL %s is not TLS: the API key travels in clear text",
                       base_url)


def _client_options(endpoint: Endpoint) -> dict[str, Any]:
    _warn_if_plaintext(endpoint.base_url)
    options: dict[str, Any] = {
        "api_key": endpoint.key_value(),
        "base_url": endpoint.base_url,
        "max_retries": 0,
    }
    if endpoint.timeout is not None:
        options["timeout"] = endpoint.timeout
    return options


def _shared_sync(endpoint: Endpoint) -> _Shared:
    global connections_opened
    key = endpoint.cache_key()
    shared = _sync_clients.get(key)
    if shared is None:
        with _lock:
            shared = _sync_clients.get(key)
            if shared is None:
                shared = _sync_clients[key] = _Shared.open(endpoint, asynchronous=False)
                connections_opened += 1
    return shared


def _shared_async(endpoint: Endpoint) -> _Shared:
    global connections_opened
    loop = asyncio.get_running_loop()
    key = endpoint.cache_key()
    with _lock:
        per_loop = _async_clients.get(loop)
        if per_loop is None:
            _forget_closed_loops()
            per_loop = _async_clients[loop] = {}
        shared = per_loop.get(key)
        if shared is None:
            shared = per_loop[key] = _Shared.open(endpoint, asynchronous=True)
            connections_opened += 1
    return shared


def _forget_closed_loops() -> None:
    # A loop's pools hold its connections, which refer back to the loop, so a closed loop
    # (each asyncio.run() makes and closes one) would never leave the weak-keyed cache: its
    # pools and sockets stayed for good. They are dropped when a new loop first asks. Called
    # with _lock held.
    for stale in [loop for loop in _async_clients if loop.is_closed()]:
        del _async_clients[stale]
        _close_sockets_of(stale)


def _close_sockets_of(loop: asyncio.AbstractEventLoop) -> None:
    # A closed loop runs nothing, its pools' aclose() included, and asyncio closes the sockets
    # of its transports only when they are collected: with a ResourceWarning each, at whatever
    # line the collection happens to run. No transport of a closed loop can be used again, so
    # their sockets are closed here. (asyncio's selector loops keep their transports in
    # _transports; a loop without it leaves them to collection, as before.)
    transports = getattr(loop, "_transports", None)
    for transport in list(transports.values()) if transports is not None else ():
        sock = getattr(transport, "_sock", None)
        if sock is None:
            continue
        with contextlib.suppress(OSError):
            sock.close()
        transport._sock = None


def sync_client(endpoint: Endpoint) -> openai.OpenAI:
    """The shared sync client for ``endpoint`` (created on first use)."""
    client: openai.OpenAI = _shared_sync(endpoint).sdk
    return client


def async_client(endpoint: Endpoint) -> openai.AsyncOpenAI:
    """The shared async client for ``endpoint`` on the running event loop."""
    client: openai.AsyncOpenAI = _shared_async(endpoint).sdk
    return client


def close() -> None:
    """Close every shared sync client of this process."""
    with _lock:
        clients = list(_sync_clients.values())
        _sync_clients.clear()
    for shared in clients:
        shared.sdk.close()


async def aclose() -> None:
    """Close the shared async clients of the running event loop."""
    loop = asyncio.get_running_loop()
    with _lock:
        clients = list(_async_clients.pop(loop, {}).values())
    for shared in clients:
        await shared.sdk.close()


# --- retry policy (pure) ------------------------------------------------------------------


@dataclass(slots=True)
class _RetryPolicy:
    max_retries: int
    attempt: int = 0

    def delay(self, exc: errors.OpenRouterError) -> float | None:
        """Seconds to wait before retrying ``exc``, or ``None`` to give up."""
        if not exc.retryable or self.attempt >= self.max_retries:
            return None
        self.attempt += 1
        if exc.retry_after is not None:
            return float(min(exc.retry_after, RETRY_AFTER_CAP))
        backoff: float = min(RETRY_INITIAL_DELAY * 2 ** (self.attempt - 1), RETRY_MAX_DELAY)
        return backoff * (0.75 + random.random() * 0.25)  # jitter spreads synchronized clients


def _request_of(exc: Exception) -> Any:
    """``exc.request``, or ``None`` (httpx raises ``RuntimeError`` when it has none)."""
    try:
        return getattr(exc, "request", None)
    except RuntimeError:
        return None


def _convert(exc: Exception, base_url: str | None = None) -> errors.OpenRouterError:
    """Map an SDK or httpx exception raised before a response body is read.

    Connection errors name the URL tried: the request's, else ``base_url``."""
    import openai

    from openrouter_core._sdk_http import http

    if isinstance(exc, errors.OpenRouterError):
        return exc
    if isinstance(exc, openai.APIStatusError):  # from the SDK's own requests (request_json)
        return _status_error(exc.response)
    request = _request_of(exc)
    where = errors.tried_url(request if request is not None else (base_url or ""))
    if isinstance(exc, (openai.APITimeoutError, http.TimeoutException)):
        return errors.connection_error(f"Request to OpenRouter at {where} timed out", request,
                                       timeout=True)
    if isinstance(exc, (openai.APIConnectionError, *_request_errors())):
        return errors.connection_error(f"Could not reach OpenRouter at {where}: {exc}", request)
    raise exc


def _request_errors() -> tuple[type[BaseException], ...]:
    """What the SDK reported as a connection error when it sent the request itself: any
    request error of its HTTP library (redirect loops and body decoding too, not only
    transport errors), TLS errors and a stream closed under AnyIO."""
    import ssl

    import anyio

    from openrouter_core._sdk_http import http

    return (http.RequestError, ssl.SSLError, anyio.EndOfStream)


def _next_wait(policy: _RetryPolicy, clock: reading.Clock, exc: Exception,
               base_url: str | None = None) -> tuple[errors.OpenRouterError, float | None]:
    """The typed error for ``exc`` and the wait before retrying it (``None``: give up)."""
    error = _convert(exc, base_url)
    if clock.past() and isinstance(error, errors.APITimeoutError):
        # A timeout that ran into the whole-call limit is that limit's error, not retried.
        return clock.expired(getattr(error, "request", None), "request"), None
    wait = policy.delay(error)
    if wait is not None and not clock.allows_wait(wait):
        return error, None  # the retry could not start before total_timeout
    return error, wait


def _retrying(endpoint: Endpoint, clock: reading.Clock, attempt: Callable[[], T]) -> T:
    """Run ``attempt`` until it succeeds or the retry policy gives up (typed error)."""
    policy = _RetryPolicy(endpoint.max_retries)
    while True:
        try:
            return attempt()
        except Exception as exc:  # converted, then retried or re-raised
            error, wait = _next_wait(policy, clock, exc, endpoint.base_url)
            if wait is None:
                # Not chained: the SDK's exception text is the raw body, which is not redacted
                # (a server could echo the key); the typed error carries the same facts.
                raise error from None
        time.sleep(wait)


async def _aretrying(endpoint: Endpoint, clock: reading.Clock,
                     attempt: Callable[[], Awaitable[T]]) -> T:
    """Async :func:`_retrying`: the same policy, awaiting the attempt and the wait."""
    policy = _RetryPolicy(endpoint.max_retries)
    while True:
        try:
            return await attempt()
        except Exception as exc:  # converted, then retried or re-raised
            error, wait = _next_wait(policy, clock, exc, endpoint.base_url)
            if wait is None:
                raise error from None  # see _retrying
        await asyncio.sleep(wait)


def _status_error(response: http.Response) -> errors.OpenRouterError:
    """The typed error of a response that is not 2xx, its body read (as the SDK raised it)."""
    return errors.error_from_body(response.status_code, reading.response_body(response),
                                  response=response)


def _send(endpoint: Endpoint, clock: reading.Clock, body: JSONDict,
          headers: dict[str, str]) -> http.Response:
    """One attempt: send the chat request, return the open 2xx response or raise."""
    shared = _shared_sync(endpoint)
    request = shared.chat_request(body, headers, clock.read_timeout())
    response: http.Response = shared.http.send(request, stream=True)
    if 200 <= response.status_code < 300:
        return response
    try:
        response.read()
    finally:
        response.close()
    raise _status_error(response)


async def _asend(endpoint: Endpoint, clock: reading.Clock, body: JSONDict,
                 headers: dict[str, str]) -> http.Response:
    """Async :func:`_send`."""
    shared = _shared_async(endpoint)
    request = shared.chat_request(body, headers, clock.read_timeout())
    response: http.Response = await shared.http.send(request, stream=True)
    if 200 <= response.status_code < 300:
        return response
    try:
        await response.aread()
    finally:
        await response.aclose()
    raise _status_error(response)


def _read_whole(response: http.Response, clock: reading.Clock) -> ChatResult:
    """Read a reply whole and decode it (the response closed after): a non-streamed call's,
    or a stream request's answered with one body (see ``reading.carries_events``)."""
    try:
        reader = reading.BodyReader.open(response, clock)
        try:
            for data in response.iter_bytes():
                reader.add(data)
        except reading.io_errors() as exc:
            raise reader.broken(exc) from exc
        return reader.result()
    finally:
        response.close()


async def _aread_whole(response: http.Response, clock: reading.Clock) -> ChatResult:
    """Async :func:`_read_whole`."""
    try:
        reader = reading.BodyReader.open(response, clock)
        try:
            async for data in response.aiter_bytes():
                reader.add(data)
        except reading.io_errors() as exc:
            raise reader.broken(exc) from exc
        return reader.result()
    finally:
        await response.aclose()


def complete(endpoint: Endpoint, body: JSONDict, headers: dict[str, str]) -> ChatResult:
    """Send a non-streaming request and decode the reply (retrying per policy)."""
    clock = reading.Clock.start(endpoint.timeout, endpoint.total_timeout)

    def attempt() -> ChatResult:
        return _read_whole(_send(endpoint, clock, body, headers), clock)

    return _retrying(endpoint, clock, attempt)


async def acomplete(endpoint: Endpoint, body: JSONDict, headers: dict[str, str]) -> ChatResult:
    """Async :func:`complete`."""
    clock = reading.Clock.start(endpoint.timeout, endpoint.total_timeout)

    async def attempt() -> ChatResult:
        return await _aread_whole(await _asend(endpoint, clock, body, headers), clock)

    return await _aretrying(endpoint, clock, attempt)


# --- streaming ----------------------------------------------------------------------------

_EVENTS_PER_TURN = 16
"""Events an async stream hands over from one read before it lets other tasks run."""


def stream(endpoint: Endpoint, body: JSONDict, headers: dict[str, str],
           assembler: StreamAssembler) -> Iterator[ChunkDelta]:
    """Stream a request: yields normalised deltas; ``assembler.result()`` holds the whole reply.

    A reply that is not events is read whole within the attempt (``reading.carries_events``),
    so a failure in it is retried by the same policy as a non-streamed call's: nothing has
    reached the caller yet. Closing the generator (``break`` in the caller's loop) closes the
    HTTP response.
    """
    clock = reading.Clock.start(endpoint.timeout, endpoint.total_timeout)

    def attempt() -> http.Response | ChatResult:
        response = _send(endpoint, clock, body, headers)
        return response if reading.carries_events(response) else _read_whole(response, clock)

    reply = _retrying(endpoint, clock, attempt)
    if isinstance(reply, ChatResult):
        yield reading.whole_reply_delta(reply, assembler)
        return
    try:
        driver = reading.StreamDriver(reply, assembler, clock)
        try:
            for data in reply.iter_bytes():
                yield from driver.feed(data)
            yield from driver.finish()
        except reading.io_errors() as exc:
            raise driver.fail(exc) from exc
    finally:
        reply.close()


async def astream(endpoint: Endpoint, body: JSONDict, headers: dict[str, str],
                  assembler: StreamAssembler) -> AsyncIterator[ChunkDelta]:
    """Async :func:`stream`; cancelling the consuming task closes the HTTP response."""
    clock = reading.Clock.start(endpoint.timeout, endpoint.total_timeout)

    async def attempt() -> http.Response | ChatResult:
        response = await _asend(endpoint, clock, body, headers)
        return (response if reading.carries_events(response)
                else await _aread_whole(response, clock))

    reply = await _aretrying(endpoint, clock, attempt)
    if isinstance(reply, ChatResult):
        yield reading.whole_reply_delta(reply, assembler)
        return
    try:
        driver = reading.StreamDriver(reply, assembler, clock)
        try:
            count = 0
            async for data in reply.aiter_bytes():
                for delta in driver.feed(data):
                    yield delta
                    count += 1
                    if count % _EVENTS_PER_TURN == 0:
                        # Bytes already buffered (a burst after a stall, a fast provider) are
                        # handed over without waiting on the socket, so without this the event
                        # loop would not get back: other streams' first tokens would wait.
                        await asyncio.sleep(0)
            for delta in driver.finish():
                yield delta
        except reading.io_errors() as exc:
            raise driver.fail(exc) from exc
    finally:
        await reply.aclose()


# --- plain JSON endpoints (/models, /embeddings, /key, /generation) -----------------------


def _json_options(endpoint: Endpoint, params: dict[str, str] | None,
                  headers: dict[str, str] | None) -> Any:
    """The SDK's per-request ``options`` (its ``RequestOptions`` TypedDict) as a plain dict."""
    options: dict[str, Any] = {"headers": headers or {}}
    if params:
        options["params"] = params
    if endpoint.timeout is not None:
        options["timeout"] = endpoint.timeout
    return options


def _json_body_of(response: http.Response) -> Any:
    return reading.json_body(response, response.content)


def request_json(endpoint: Endpoint, method: str, path: str, *, body: JSONDict | None = None,
                 params: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> Any:
    """``GET``/``POST`` ``path`` (relative to the base URL) and return the parsed JSON body.

    Uses the shared client and the same retry policy and error types as chat requests.
    """
    from openrouter_core._sdk_http import http

    options = _json_options(endpoint, params, headers)

    def attempt() -> Any:
        client = sync_client(endpoint)
        if method.upper() == "GET":
            return _json_body_of(client.get(path, cast_to=http.Response, options=options))
        return _json_body_of(client.post(path, cast_to=http.Response, body=body,
                                        options=options))

    return _retrying(endpoint, reading.Clock.start(endpoint.timeout, endpoint.total_timeout),
                     attempt)


async def arequest_json(endpoint: Endpoint, method: str, path: str, *,
                        body: JSONDict | None = None, params: dict[str, str] | None = None,
                        headers: dict[str, str] | None = None) -> Any:
    """Async :func:`request_json`."""
    from openrouter_core._sdk_http import http

    options = _json_options(endpoint, params, headers)

    async def attempt() -> Any:
        client = async_client(endpoint)
        if method.upper() == "GET":
            return _json_body_of(await client.get(path, cast_to=http.Response,
                                                 options=options))
        return _json_body_of(await client.post(path, cast_to=http.Response, body=body,
                                              options=options))

    return await _aretrying(
        endpoint, reading.Clock.start(endpoint.timeout, endpoint.total_timeout), attempt)
