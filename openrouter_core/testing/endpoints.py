"""Default answers of the non-chat routes: ``/embeddings``, ``/models`` and unknown paths.

Each is a plain responder ``(RecordedRequest) -> Reply``; the emulator's
``embeddings_responder``/``models_responder`` attributes hold them and may be replaced, and
scripted replies can be queued per route with ``Emulator.enqueue(..., route=...)``.
"""

from __future__ import annotations

import hashlib
import math
import struct
from typing import Any

from openrouter_core.testing.chat import PROMPT_PRICE, estimate_tokens, generation_id
from openrouter_core.testing.records import JSONDict, RecordedRequest
from openrouter_core.testing.replies import Reply

EMBEDDING_DIMENSIONS = 8
"""Vector length of auto embeddings when the request sets no ``dimensions``."""


def embedding_vector(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A deterministic unit vector for ``text`` (same text, same vector)."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend(v / 2**31 for v in struct.unpack(">8i", digest))
        counter += 1
    vector = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 8) for v in vector]


def _inputs(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [item if isinstance(item, str) else str(item) for item in raw]
    return []


def auto_embeddings(request: RecordedRequest) -> Reply:
    """An OpenAI-shaped embeddings list plus OpenRouter's ``provider``, ``id`` and ``cost``."""
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
        "data": [{"object": "embedding", "embedding": embedding_vector(text, size), "index": i}
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


def auto_models(_request: RecordedRequest) -> Reply:
    """``{"data": [...]}`` with :data:`DEFAULT_MODELS`."""
    return Reply.json({"data": DEFAULT_MODELS})


def not_found(request: RecordedRequest) -> Reply:
    """OpenRouter's error shape for an unknown route."""
    return Reply.error(404, f"Not Found: {request.method} {request.path}")


def unauthorized(_request: RecordedRequest) -> Reply:
    """The 401 OpenRouter sends without a valid ``Authorization: Bearer`` key."""
    return Reply.error(401, "Missing Authentication header")
