"""Default answers of the non-chat routes: ``/embeddings``, ``/models`` and unknown paths.

Each is a plain responder ``(RecordedRequest) -> Reply``; the emulator's
``embeddings_responder``/``models_responder`` attributes hold them and may be replaced, and
scripted replies can be queued per route with ``Emulator.enqueue(..., route=...)``.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from openrouter_core.testing.chat import PROMPT_PRICE, estimate_tokens, generation_id
from openrouter_core.testing.records import JSONDict, RecordedRequest
from openrouter_core.testing.replies import Reply

EMBEDDING_DIMENSIONS = 8
"""Vector length of auto embeddings when the request sets no ``dimensions``."""


def hashed_vector(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A deterministic pseudo-random unit vector for ``text`` (same text, same vector)."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend(v / 2**31 for v in struct.unpack(">8i", digest))
        counter += 1
    return _unit(values[:dimensions])


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 8) for v in vector]


_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from", "has", "have",
    "how", "i", "in", "is", "it", "its", "of", "on", "or", "the", "this", "that", "to", "was",
    "what", "when", "where", "which", "who", "why", "with", "you", "your"})


def words(text: str) -> list[str]:
    """The lower-cased content words of ``text`` (stopwords dropped unless nothing is left)."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    content = [t for t in tokens if t not in _STOPWORDS]
    return content or tokens


def embedding_vector(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A hashed bag-of-words unit vector: the sum of one pseudo-random vector per word.

    Deterministic, and texts sharing words point the same way, so cosine similarity ranks
    documents by word overlap (use 64+ ``dimensions`` for clean retrieval tests). Text without
    any word gets the hashed vector of the whole text.
    """
    tokens = words(text)
    if not tokens:
        return hashed_vector(text, dimensions)
    total = [0.0] * dimensions
    for token in tokens:
        for i, value in enumerate(hashed_vector(token, dimensions)):
            total[i] += value
    return _unit(total)


def encode_base64(vector: list[float]) -> str:
    """``vector`` as little-endian float32 bytes in base64 (``encoding_format="base64"``)."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def _inputs(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [item if isinstance(item, str) else str(item) for item in raw]
    return []


def _encoded(text: str, size: int, base64_wanted: bool) -> list[float] | str:
    vector = embedding_vector(text, size)
    return encode_base64(vector) if base64_wanted else vector


def base64_embeddings(request: RecordedRequest) -> Reply:
    """:func:`auto_embeddings`, but honouring ``encoding_format="base64"`` (vectors sent as
    base64 float32). Install it with ``emu.embeddings_responder = base64_embeddings``."""
    return auto_embeddings(request, honour_encoding=True)


def auto_embeddings(request: RecordedRequest, *, honour_encoding: bool = False) -> Reply:
    """An OpenAI-shaped embeddings list plus OpenRouter's ``provider``, ``id`` and ``cost``.

    Vectors are :func:`embedding_vector` floats; ``encoding_format`` is ignored unless
    ``honour_encoding`` (see :func:`base64_embeddings`).
    """
    body = request.body_dict
    inputs = _inputs(body.get("input"))
    if not inputs:
        return Reply.error(400, "Input must have at least 1 token.",
                           metadata={"provider_name": None})
    dims = body.get("dimensions")
    size = dims if isinstance(dims, int) and dims > 0 else EMBEDDING_DIMENSIONS
    tokens = sum(max(1, estimate_tokens(text)) for text in inputs)
    cost = round(tokens * PROMPT_PRICE, 12)
    model = str(body.get("model") or "openai/text-embedding-3-small")
    payload: JSONDict = {
        "object": "list",
        "data": [{"object": "embedding", "embedding": _encoded(
                     text, size, honour_encoding and body.get("encoding_format") == "base64"),
                  "index": i}
                 for i, text in enumerate(inputs)],
        "model": model.split("/", 1)[-1],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens, "cost": cost,
                  "is_byok": False,
                  "cost_details": {"upstream_inference_cost": cost,
                                   "upstream_inference_prompt_cost": cost,
                                   "upstream_inference_completions_cost": 0}},
        "provider": "OpenAI",
        "id": generation_id().replace("gen-", "gen-emb-", 1),
    }
    return Reply.json(payload, headers={"X-Generation-Id": payload["id"]})


def _model(slug: str, name: str, context: int, prompt: str, completion: str,
           inputs: list[str], outputs: list[str], parameters: list[str]) -> JSONDict:
    return {
        "id": slug, "canonical_slug": slug, "hugging_face_id": "", "name": name,
        "created": 1735689600, "description": f"{name} (emulated)", "context_length": context,
        "architecture": {"modality": f"{'+'.join(inputs)}->{'+'.join(outputs)}",
                         "input_modalities": inputs, "output_modalities": outputs,
                         "tokenizer": "Other", "instruct_type": None},
        "pricing": {"prompt": prompt, "completion": completion},
        "top_provider": {"context_length": context, "max_completion_tokens": 16384,
                         "is_moderated": False},
        "per_request_limits": None, "supported_parameters": parameters,
        "default_parameters": {},
    }


_CHAT_PARAMETERS = ["max_tokens", "temperature", "top_p", "stop", "tools", "tool_choice",
                    "response_format", "structured_outputs", "seed"]

DEFAULT_MODELS: list[JSONDict] = [
    _model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 128000, "0.00000015", "0.0000006",
           ["text", "image", "file"], ["text"], _CHAT_PARAMETERS),
    _model("anthropic/claude-sonnet-4.5", "Anthropic: Claude Sonnet 4.5", 1000000,
           "0.000003", "0.000015", ["text", "image", "file"], ["text"],
           [*_CHAT_PARAMETERS, "reasoning", "include_reasoning"]),
    _model("google/gemini-2.5-flash-image", "Google: Gemini 2.5 Flash Image", 32768,
           "0.0000003", "0.0000025", ["image", "text"], ["image", "text"],
           ["max_tokens", "temperature", "top_p", "seed", "response_format"]),
]
"""The catalog ``GET /models`` answers with by default."""


def _with(entry: JSONDict, **changes: Any) -> JSONDict:
    """``entry`` with top-level keys replaced and ``pricing``/``top_provider`` keys merged."""
    out = {**entry, **{k: v for k, v in changes.items() if k not in ("pricing", "top_provider")}}
    for nested in ("pricing", "top_provider"):
        if nested in changes:
            out[nested] = {**entry[nested], **changes[nested]}
    return out


_REASONING_PARAMETERS = [*_CHAT_PARAMETERS, "reasoning", "include_reasoning"]

DEFAULT_MODELS.extend([
    _with(_model("anthropic/claude-haiku-4.5", "Anthropic: Claude Haiku 4.5", 200000,
                 "0.000001", "0.000005", ["image", "text"], ["text"], _REASONING_PARAMETERS),
          canonical_slug="anthropic/claude-4.5-haiku-20251001",
          pricing={"input_cache_read": "0.0000001", "input_cache_write": "0.00000125"},
          top_provider={"max_completion_tokens": 64000},
          reasoning={"mandatory": False, "supported_efforts": ["high", "medium", "low"]}),
    _with(_model("openai/gpt-5-mini", "OpenAI: GPT-5 Mini", 400000, "0.00000025", "0.000002",
                 ["text", "image", "file"], ["text"], _REASONING_PARAMETERS),
          canonical_slug="openai/gpt-5-mini-2025-08-07",
          pricing={"input_cache_read": "0.000000025", "image": "0", "request": "0"},
          top_provider={"max_completion_tokens": 128000},
          reasoning={"mandatory": True,
                     "supported_efforts": ["high", "medium", "low", "minimal"]}),
    _model("meta-llama/llama-3.3-70b-instruct:free", "Meta: Llama 3.3 70B Instruct (free)",
           65536, "0", "0", ["text"], ["text"], ["max_tokens", "temperature", "top_p", "stop"]),
    _model("meta-llama/llama-3.3-70b-instruct", "Meta: Llama 3.3 70B Instruct", 131072,
           "0.00000013", "0.0000004", ["text"], ["text"],
           ["max_tokens", "temperature", "top_p", "stop", "tools", "tool_choice", "seed",
            "top_k", "repetition_penalty"]),
])

EMBEDDING_MODELS: list[JSONDict] = [
    _model("openai/text-embedding-3-small", "OpenAI: Text Embedding 3 Small", 8192,
           "0.00000002", "0", ["text"], ["embeddings"], ["dimensions", "encoding_format"]),
    _model("openai/text-embedding-3-large", "OpenAI: Text Embedding 3 Large", 8192,
           "0.00000013", "0", ["text"], ["embeddings"], ["dimensions", "encoding_format"]),
]
"""The catalog ``GET /embeddings/models`` answers with by default."""


def auto_embedding_models(_request: RecordedRequest) -> Reply:
    """``{"data": [...]}`` with :data:`EMBEDDING_MODELS`."""
    return Reply.json({"data": EMBEDDING_MODELS})


DEFAULT_KEY_INFO: JSONDict = {
    "label": "sk-or-v1-emu...test", "limit": 10.0, "limit_remaining": 9.25,
    "limit_reset": "monthly", "include_byok_in_limit": False, "usage": 0.75,
    "usage_daily": 0.05, "usage_weekly": 0.25, "usage_monthly": 0.75, "byok_usage": 0.0,
    "is_free_tier": False, "is_provisioning_key": False,
    "rate_limit": {"requests": -1, "interval": "10s", "note": "emulated"},
}
"""The ``data`` object ``GET /key`` answers with by default."""


def auto_key(_request: RecordedRequest) -> Reply:
    """``{"data": DEFAULT_KEY_INFO}``."""
    return Reply.json({"data": DEFAULT_KEY_INFO})


def generation_record(generation_id: str, **fields: Any) -> JSONDict:
    """A ``GET /generation`` ``data`` object with plausible defaults, ``fields`` overriding."""
    record: JSONDict = {
        "id": generation_id, "upstream_id": "chatcmpl-emulated", "total_cost": 0.0,
        "cache_discount": None, "upstream_inference_cost": None,
        "provider_name": "OpenAI", "created_at": "2026-01-01T00:00:00.000Z",
        "model": "openai/gpt-4o-mini", "app_id": None, "streamed": False, "cancelled": False,
        "latency": 250, "moderation_latency": None, "generation_time": 200,
        "finish_reason": "stop", "native_finish_reason": "stop", "tokens_prompt": 0,
        "tokens_completion": 0, "native_tokens_prompt": 0, "native_tokens_completion": 0,
        "native_tokens_reasoning": 0, "native_tokens_cached": 0, "num_media_prompt": None,
        "num_media_completion": None, "num_search_results": None, "origin": "",
        "usage": 0.0, "is_byok": False,
    }
    record.update(fields)
    return record


def generation_lookup(records: dict[str, JSONDict]) -> Callable[[RecordedRequest], Reply]:
    """A ``GET /generation?id=`` responder answering from ``records`` (404 when unknown)."""

    def respond(request: RecordedRequest) -> Reply:
        wanted = parse_qs(request.query).get("id", [""])[0]
        record = records.get(wanted)
        if record is None:
            return Reply.error(404, f"Generation {wanted} not found")
        return Reply.json({"data": record},
                          headers={"Content-Type": "application/json; charset=UTF-8"})

    return respond


def auto_models(_request: RecordedRequest) -> Reply:
    """``{"data": [...]}`` with :data:`DEFAULT_MODELS`."""
    return Reply.json({"data": DEFAULT_MODELS})


def not_found(request: RecordedRequest) -> Reply:
    """OpenRouter's error shape for an unknown route."""
    return Reply.error(404, f"Not Found: {request.method} {request.path}")


def unauthorized(_request: RecordedRequest) -> Reply:
    """The 401 OpenRouter sends without a valid ``Authorization: Bearer`` key."""
    return Reply.error(401, "Missing Authentication header")
