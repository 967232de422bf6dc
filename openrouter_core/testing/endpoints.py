"""Default answers of the non-chat routes: ``/embeddings``, ``/models``, ``/key``,
``/credits``, ``/generation`` and unknown paths, and the strict-mode model check.

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
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from openrouter_core.catalog.models import Catalog, base_slug
from openrouter_core.catalog.store import SNAPSHOT_PATH, load_snapshot
from openrouter_core.testing.chat import (
    PROMPT_PRICE,
    Resolved,
    compute_usage,
    estimate_tokens,
    generation_id,
)
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
    "label": "sk-or-v1-emu...test", "limit": 10.0, "limit_remaining": 10.0,
    "limit_reset": "monthly", "include_byok_in_limit": False, "usage": 0.0,
    "usage_daily": 0.0, "usage_weekly": 0.0, "usage_monthly": 0.0, "byok_usage": 0.0,
    "is_free_tier": False, "is_provisioning_key": False,
    "rate_limit": {"requests": -1, "interval": "10s", "note": "emulated"},
}
"""The ``data`` object ``GET /key`` answers with before anything was spent: a $10 limit.
The emulator's own ``/key`` fills the usage fields from what it has served
(:func:`key_lookup`)."""

TOTAL_CREDITS = 10.0
"""USD of credits ``GET /credits`` reports as bought."""


def key_data(spent: float) -> JSONDict:
    """:data:`DEFAULT_KEY_INFO` after ``spent`` USD: every usage figure is ``spent`` (all of
    it spent today) and ``limit_remaining`` is the limit minus it."""
    spent = round(spent, 12)
    limit = DEFAULT_KEY_INFO["limit"]
    return {**DEFAULT_KEY_INFO, "usage": spent, "usage_daily": spent, "usage_weekly": spent,
            "usage_monthly": spent, "limit_remaining": round(max(limit - spent, 0.0), 12)}


def auto_key(_request: RecordedRequest) -> Reply:
    """``{"data": DEFAULT_KEY_INFO}`` (nothing spent)."""
    return Reply.json({"data": DEFAULT_KEY_INFO})


def key_lookup(spent: Callable[[], float]) -> Callable[[RecordedRequest], Reply]:
    """A ``GET /key`` responder whose usage is ``spent()`` (the emulator's served costs)."""

    def respond(_request: RecordedRequest) -> Reply:
        return Reply.json({"data": key_data(spent())})

    return respond


def credits_lookup(spent: Callable[[], float]) -> Callable[[RecordedRequest], Reply]:
    """A ``GET /credits`` responder: :data:`TOTAL_CREDITS` bought, ``spent()`` used."""

    def respond(_request: RecordedRequest) -> Reply:
        return Reply.json({"data": {"total_credits": TOTAL_CREDITS,
                                    "total_usage": round(spent(), 12)}})

    return respond


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


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)


def served_generation(resolved: Resolved, request: RecordedRequest, *, streamed: bool,
                      latency: float, generation_time: float) -> JSONDict:
    """The ``GET /generation`` record of a chat reply the emulator served: the id, model,
    provider, finish reasons, tokens and cost of that reply (its usage, or the usage it would
    have reported when it sent none) and its scripted delays as latency (first body byte) and
    generation time (whole body), in milliseconds."""
    reply = resolved.reply
    usage = resolved.usage if resolved.usage is not None else compute_usage(reply, request)
    details = usage.get("completion_tokens_details") or {}
    prompt_details = usage.get("prompt_tokens_details") or {}
    cost_details = usage.get("cost_details") or {}
    tool_use = usage.get("server_tool_use_details") or {}
    cost = float(usage.get("cost") or 0.0)
    created = datetime.fromtimestamp(resolved.created, UTC)
    return generation_record(
        resolved.id, total_cost=cost, usage=cost,
        upstream_inference_cost=cost_details.get("upstream_inference_cost"),
        provider_name=reply.provider, model=resolved.model,
        created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), streamed=streamed,
        latency=_milliseconds(latency), generation_time=_milliseconds(generation_time),
        finish_reason=resolved.finish_reason,
        native_finish_reason=resolved.native_finish_reason,
        tokens_prompt=usage.get("prompt_tokens", 0),
        tokens_completion=usage.get("completion_tokens", 0),
        native_tokens_prompt=usage.get("prompt_tokens", 0),
        native_tokens_completion=usage.get("completion_tokens", 0),
        native_tokens_reasoning=details.get("reasoning_tokens", 0),
        native_tokens_cached=prompt_details.get("cached_tokens", 0),
        num_media_completion=len(reply.images) or None,
        num_search_results=tool_use.get("web_search_requests"),
        is_byok=bool(usage.get("is_byok")))


def embedding_generation(payload: Any) -> JSONDict | None:
    """The ``GET /generation`` record of a served embeddings body, or ``None`` when the body
    has no ``id`` (a scripted reply need not look like OpenRouter's)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        return None
    usage: JSONDict = payload["usage"] if isinstance(payload.get("usage"), dict) else {}
    cost = usage.get("cost")
    cost = float(cost) if isinstance(cost, (int, float)) else 0.0
    model = payload.get("model")
    tokens = usage.get("prompt_tokens", 0)
    return generation_record(
        payload["id"], total_cost=cost, usage=cost, upstream_inference_cost=cost,
        provider_name=payload.get("provider") or "OpenAI",
        model=f"openai/{model}" if isinstance(model, str) and "/" not in model else model,
        latency=0, generation_time=0, finish_reason=None, native_finish_reason=None,
        tokens_prompt=tokens, native_tokens_prompt=tokens, upstream_id=None)


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


def bundled_catalog() -> Catalog:
    """The package's bundled catalog snapshot (``openrouter_core/data/models.json``), whatever
    ``OPENROUTER_CATALOG_SNAPSHOT`` says: the emulator answers as openrouter.ai would."""
    return load_snapshot(SNAPSHOT_PATH)


def _listing(entry: JSONDict) -> JSONDict:
    """A snapshot entry (reduced fields) completed to the full ``/models`` entry shape."""
    name = str(entry.get("name") or entry["id"])
    inputs = entry["architecture"]["input_modalities"]
    outputs = entry["architecture"]["output_modalities"]
    pricing = {"prompt": "0", "completion": "0", **entry.get("pricing", {})}
    top = {"is_moderated": False, **entry.get("top_provider", {})}
    return {
        "id": entry["id"], "canonical_slug": entry.get("canonical_slug") or entry["id"],
        "hugging_face_id": "", "name": name, "created": 1735689600,
        "description": f"{name} (from the bundled catalog snapshot)",
        "context_length": entry.get("context_length"),
        "architecture": {"modality": f"{'+'.join(inputs)}->{'+'.join(outputs)}",
                         "input_modalities": inputs, "output_modalities": outputs,
                         "tokenizer": "Other", "instruct_type": None},
        "pricing": pricing, "top_provider": top, "per_request_limits": None,
        "supported_parameters": entry.get("supported_parameters", []),
        "default_parameters": {},
        **({"reasoning": entry["reasoning"]} if "reasoning" in entry else {}),
    }


def snapshot_models() -> list[JSONDict]:
    """The bundled snapshot as ``/models`` entries (every model the package knows)."""
    return [_listing(entry) for entry in bundled_catalog().to_wire()]


def auto_models(_request: RecordedRequest) -> Reply:
    """``{"data": [...]}`` with :func:`snapshot_models`: the bundled catalog snapshot."""
    return Reply.json({"data": snapshot_models()})


def fixed_models(_request: RecordedRequest) -> Reply:
    """``{"data": [...]}`` with the seven hand-written :data:`DEFAULT_MODELS` (small, with
    made-up but fixed prices); install with ``emu.models_responder = fixed_models``."""
    return Reply.json({"data": DEFAULT_MODELS})


def is_known_model(model: str, known: Catalog | None = None) -> bool:
    """Whether OpenRouter would accept ``model`` as a model id: in the catalog (variant
    suffixes stripped, dated names resolved), or a preset (``@preset/...``)."""
    if not base_slug(model):
        return True
    return (known if known is not None else bundled_catalog()).get(model) is not None


def invalid_model(request: RecordedRequest) -> Reply | None:
    """OpenRouter's 400 for a chat request naming a model id it does not know (checking
    ``model`` and each of ``models``), or ``None`` when every id is known."""
    body = request.body_dict
    listed = body.get("models")
    ids = [body.get("model"), *(listed if isinstance(listed, list) else [])]
    for model in ids:
        if isinstance(model, str) and not is_known_model(model):
            return Reply.error(400, f"{model} is not a valid model ID", user_id=EMULATED_USER)
    return None


EMULATED_USER = "user_emulated"
"""The ``user_id`` the emulator's error bodies carry, as OpenRouter's do."""


def not_found(request: RecordedRequest) -> Reply:
    """OpenRouter's error shape for an unknown route."""
    return Reply.error(404, f"Not Found: {request.method} {request.path}")


def unauthorized(_request: RecordedRequest) -> Reply:
    """The 401 OpenRouter sends without a valid ``Authorization: Bearer`` key."""
    return Reply.error(401, "Missing Authentication header")
