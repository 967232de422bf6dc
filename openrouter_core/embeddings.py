"""``POST /embeddings``: request bodies, decoding, batching, and the two I/O drivers.

Pure parts: :func:`build_body` (input list, ``dimensions``, ``encoding_format``, provider
preferences), :func:`decode_embeddings` (vectors ordered by ``index``, base64 float32 decoded
to floats, OpenRouter's ``provider``, ``id`` and ``usage`` with ``cost``), :func:`batches` and
:func:`merge`. :func:`embed` / :func:`aembed` send one request per batch and differ only in the
line that does I/O. Failures raise the core's typed errors (:mod:`openrouter_core.errors`).
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from openrouter_core import errors, transport
from openrouter_core.decode import JSONDict, Usage, decode_usage
from openrouter_core.settings import ProviderPreferences, merge_objects
from openrouter_core.transport import Endpoint

DEFAULT_BATCH_SIZE = 128
"""Inputs per request unless told otherwise (OpenAI accepts up to 2048)."""

EncodingFormat = Literal["float", "base64"]


@dataclass(frozen=True, slots=True)
class EmbeddingOptions:
    """Everything about an embeddings request except the model and the inputs."""

    dimensions: int | None = None
    encoding_format: EncodingFormat | None = None
    provider: ProviderPreferences | JSONDict | None = None
    user: str | None = None
    extra_body: JSONDict | None = None


@dataclass(slots=True)
class EmbeddingResult:
    """Vectors in input order, with what OpenRouter reported about the call(s)."""

    vectors: list[list[float]] = field(default_factory=list)
    model: str | None = None
    provider: str | None = None
    ids: list[str] = field(default_factory=list)
    usage: Usage | None = None

    @property
    def id(self) -> str | None:
        """The generation id of the (last) request."""
        return self.ids[-1] if self.ids else None

    @property
    def cost(self) -> float | None:
        """USD charged, summed over batches (``None`` if OpenRouter reported none)."""
        return self.usage.cost if self.usage is not None else None


def build_body(model: str, inputs: Sequence[str], options: EmbeddingOptions) -> JSONDict:
    """The JSON body for one request; raises ``InputError`` for unusable input."""
    if not model or not model.strip():
        raise errors.InputError("embeddings: a model slug is required, e.g. "
                                "'openai/text-embedding-3-small'")
    if not all(isinstance(text, str) for text in inputs):
        raise errors.InputError("embeddings: every input must be a string")
    body: JSONDict = {"model": model, "input": list(inputs)}
    if options.dimensions is not None:
        if options.dimensions < 1:
            raise errors.InputError("embeddings: dimensions must be a positive integer")
        body["dimensions"] = options.dimensions
    if options.encoding_format is not None:
        body["encoding_format"] = options.encoding_format
    if isinstance(options.provider, ProviderPreferences):
        body["provider"] = options.provider.model_dump(exclude_none=True)
    elif options.provider:
        body["provider"] = ProviderPreferences.model_validate(
            options.provider).model_dump(exclude_none=True)
    if options.user is not None:
        body["user"] = options.user
    if options.extra_body:
        _add_extra(body, options.extra_body)
    return body


def _add_extra(body: JSONDict, extra: Mapping[str, Any]) -> None:
    # The extra body parameters (an adapter's model_kwargs or additional_kwargs) go in last,
    # but never silently over what the call was given: the model and inputs are not theirs to
    # change, a typed option given again must agree, and provider preferences merge key by
    # key (theirs winning per key), as in chat requests.
    for key, value in extra.items():
        if key in ("model", "input"):
            if value != body[key]:
                raise errors.InputError(f"embeddings: {key!r} cannot be changed among the extra "
                                        "body parameters; pass it to the call")
            continue
        given = body.get(key)
        if given is None:
            body[key] = value
        elif value is None:
            continue  # an explicit None is "not given": the call's own value stays
        elif isinstance(given, Mapping) and isinstance(value, Mapping):
            body[key] = merge_objects(given, value, first=key, second="the extra body",
                                      path=key)
        elif given != value or type(given) is not type(value):
            raise errors.InputError(f"embeddings: {key}={given!r} and {value!r} among the extra "
                                    f"body parameters disagree; give {key} once")


def decode_vector(raw: Any) -> list[float]:
    """A float list, or a base64 string of little-endian float32 values, as floats."""
    if isinstance(raw, str):
        data = base64.b64decode(raw)
        return list(struct.unpack(f"<{len(data) // 4}f", data[: len(data) // 4 * 4]))
    if isinstance(raw, list):
        return [float(v) for v in raw]
    raise ValueError(f"embedding is neither a list nor base64 text: {type(raw).__name__}")


def _index(item: JSONDict) -> int:
    index = item.get("index")
    return index if isinstance(index, int) else 0


def decode_embeddings(body: Any, expected: int | None = None) -> EmbeddingResult:
    """Decode a response body; vectors sorted by ``index``. Raises ``ValueError`` when the
    body is not an embeddings list or holds a different number of vectors than ``expected``."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ValueError("embeddings response has no 'data' list")
    items = [item for item in body["data"] if isinstance(item, dict)]
    items.sort(key=_index)
    vectors = [decode_vector(item.get("embedding")) for item in items]
    if expected is not None and len(vectors) != expected:
        raise ValueError(f"embeddings response has {len(vectors)} vectors for {expected} inputs")
    generation = body.get("id")
    return EmbeddingResult(
        vectors=vectors,
        model=body.get("model") if isinstance(body.get("model"), str) else None,
        provider=body.get("provider") if isinstance(body.get("provider"), str) else None,
        ids=[generation] if isinstance(generation, str) else [],
        usage=decode_usage(body.get("usage")),
    )


def batches(inputs: Sequence[str], batch_size: int) -> Iterator[list[str]]:
    """``inputs`` in consecutive slices of at most ``batch_size``."""
    if batch_size < 1:
        raise errors.InputError("embeddings: batch_size must be at least 1")
    for start in range(0, len(inputs), batch_size):
        yield list(inputs[start:start + batch_size])


def add_usage(left: Usage | None, right: Usage | None) -> Usage | None:
    """Token counts and cost of two calls added (``cost`` stays ``None`` only if both are)."""
    if left is None or right is None:
        return left or right
    cost = None if left.cost is None and right.cost is None else (
        (left.cost or 0.0) + (right.cost or 0.0))
    return Usage(prompt_tokens=left.prompt_tokens + right.prompt_tokens,
                 completion_tokens=left.completion_tokens + right.completion_tokens,
                 total_tokens=left.total_tokens + right.total_tokens, cost=cost,
                 is_byok=left.is_byok, raw={})


def merge(results: Sequence[EmbeddingResult]) -> EmbeddingResult:
    """Batch results joined in order, usage and cost summed."""
    merged = EmbeddingResult()
    for result in results:
        merged.vectors.extend(result.vectors)
        merged.ids.extend(result.ids)
        merged.model = merged.model or result.model
        merged.provider = merged.provider or result.provider
        merged.usage = add_usage(merged.usage, result.usage)
    return merged


def _checked(endpoint: Endpoint, body: Any, expected: int,
             on_batch: BatchHook | None) -> EmbeddingResult:
    try:
        result = decode_embeddings(body, expected)
    except (ValueError, struct.error) as exc:
        from openrouter_core._sdk_http import http  # loaded by the request that got here

        url = endpoint.base_url.rstrip("/") + "/embeddings"
        response = http.Response(200, request=http.Request("POST", url))
        raise errors.malformed_error(f"OpenRouter embeddings response: {exc}", response,
                                     body) from exc
    if on_batch is not None:
        on_batch(result)
    return result


BatchHook = Callable[[EmbeddingResult], None]
"""Called with each batch's result as it arrives (e.g. to report per-request usage)."""


def embed(endpoint: Endpoint, model: str, inputs: Sequence[str],
          options: EmbeddingOptions | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE,
          headers: dict[str, str] | None = None,
          on_batch: BatchHook | None = None) -> EmbeddingResult:
    """Embed ``inputs`` (one request per batch, order kept); no request for an empty list."""
    options = options or EmbeddingOptions()
    results = []
    for batch in batches(inputs, batch_size):
        body = build_body(model, batch, options)
        raw = transport.request_json(endpoint, "POST", "embeddings", body=body, headers=headers)
        results.append(_checked(endpoint, raw, len(batch), on_batch))
    return merge(results)


async def aembed(endpoint: Endpoint, model: str, inputs: Sequence[str],
                 options: EmbeddingOptions | None = None, *,
                 batch_size: int = DEFAULT_BATCH_SIZE,
                 headers: dict[str, str] | None = None,
                 on_batch: BatchHook | None = None) -> EmbeddingResult:
    """Async :func:`embed`."""
    options = options or EmbeddingOptions()
    results = []
    for batch in batches(inputs, batch_size):
        body = build_body(model, batch, options)
        raw = await transport.arequest_json(endpoint, "POST", "embeddings", body=body,
                                            headers=headers)
        results.append(_checked(endpoint, raw, len(batch), on_batch))
    return merge(results)
