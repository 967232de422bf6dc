"""Account look-ups: the key's budget (``GET /key``) and a call's record (``GET /generation``).

``key_info`` lets an app check its remaining credit before a long agent run::

    info = key_info(endpoint)
    if info.remaining is not None and info.remaining < 1.0:
        raise SystemExit("less than $1 left on this key")

``generation`` fetches OpenRouter's authoritative record of one call (cost, native token
counts, latency, provider). The record appears a little after the call finishes — OpenRouter
answers 404 until then — so the helpers retry 404s until ``wait`` seconds have passed.
Parsing is lenient: unknown fields are kept in ``raw``, missing ones are ``None``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from openrouter_core import errors, transport
from openrouter_core.decode import JSONDict
from openrouter_core.transport import Endpoint

GENERATION_WAIT = 10.0
"""Default seconds to keep retrying a 404 from ``/generation``."""
GENERATION_INTERVAL = 0.5
"""Default first pause between ``/generation`` attempts (doubles up to 2 s)."""


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _data(body: Any) -> JSONDict:
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """The API key's limits and spending (USD), as ``GET /key`` reports them."""

    label: str | None = None
    limit: float | None = None
    limit_remaining: float | None = None
    limit_reset: str | None = None
    usage: float | None = None
    usage_daily: float | None = None
    usage_weekly: float | None = None
    usage_monthly: float | None = None
    is_free_tier: bool | None = None
    is_provisioning_key: bool | None = None
    rate_limit: JSONDict | None = None
    raw: JSONDict = field(default_factory=dict)

    @property
    def remaining(self) -> float | None:
        """Credit left under the key's limit (``None``: the key has no limit)."""
        if self.limit_remaining is not None:
            return self.limit_remaining
        if self.limit is not None and self.usage is not None:
            return max(self.limit - self.usage, 0.0)
        return None


def parse_key_info(body: Any) -> KeyInfo:
    """A ``GET /key`` body (``{"data": {...}}``) → :class:`KeyInfo`."""
    data = _data(body)
    rate = data.get("rate_limit")
    return KeyInfo(
        label=_str(data.get("label")), limit=_float(data.get("limit")),
        limit_remaining=_float(data.get("limit_remaining")),
        limit_reset=_str(data.get("limit_reset")), usage=_float(data.get("usage")),
        usage_daily=_float(data.get("usage_daily")),
        usage_weekly=_float(data.get("usage_weekly")),
        usage_monthly=_float(data.get("usage_monthly")),
        is_free_tier=_bool(data.get("is_free_tier")),
        is_provisioning_key=_bool(data.get("is_provisioning_key")),
        rate_limit=rate if isinstance(rate, dict) else None, raw=data,
    )


@dataclass(frozen=True, slots=True)
class Generation:
    """OpenRouter's record of one call (``GET /generation?id=``); ``total_cost`` in USD."""

    id: str
    model: str | None = None
    provider_name: str | None = None
    total_cost: float | None = None
    cache_discount: float | None = None
    created_at: str | None = None
    streamed: bool | None = None
    cancelled: bool | None = None
    latency: float | None = None
    generation_time: float | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    native_tokens_completion: int | None = None
    native_tokens_reasoning: int | None = None
    native_tokens_cached: int | None = None
    upstream_id: str | None = None
    origin: str | None = None
    raw: JSONDict = field(default_factory=dict)


def parse_generation(body: Any, generation_id: str = "") -> Generation:
    """A ``GET /generation`` body (``{"data": {...}}``) → :class:`Generation`."""
    data = _data(body)
    return Generation(
        id=_str(data.get("id")) or generation_id, model=_str(data.get("model")),
        provider_name=_str(data.get("provider_name")),
        total_cost=_float(data.get("total_cost")),
        cache_discount=_float(data.get("cache_discount")),
        created_at=_str(data.get("created_at")), streamed=_bool(data.get("streamed")),
        cancelled=_bool(data.get("cancelled")), latency=_float(data.get("latency")),
        generation_time=_float(data.get("generation_time")),
        finish_reason=_str(data.get("finish_reason")),
        native_finish_reason=_str(data.get("native_finish_reason")),
        tokens_prompt=_int(data.get("tokens_prompt")),
        tokens_completion=_int(data.get("tokens_completion")),
        native_tokens_prompt=_int(data.get("native_tokens_prompt")),
        native_tokens_completion=_int(data.get("native_tokens_completion")),
        native_tokens_reasoning=_int(data.get("native_tokens_reasoning")),
        native_tokens_cached=_int(data.get("native_tokens_cached")),
        upstream_id=_str(data.get("upstream_id")), origin=_str(data.get("origin")), raw=data,
    )


def key_info(endpoint: Endpoint) -> KeyInfo:
    """The key's limit, usage and remaining credit."""
    return parse_key_info(transport.request_json(endpoint, "GET", "key"))


async def akey_info(endpoint: Endpoint) -> KeyInfo:
    """Async :func:`key_info`."""
    return parse_key_info(await transport.arequest_json(endpoint, "GET", "key"))


@dataclass(slots=True)
class _NotYet:
    """When to ask ``/generation`` again after a 404 (pure; shared by sync and async)."""

    wait: float
    interval: float
    started: float = field(default_factory=time.monotonic)

    def delay(self, exc: errors.NotFoundError) -> float:
        """Seconds to sleep before the next attempt; re-raises ``exc`` past the deadline."""
        left = self.started + self.wait - time.monotonic()
        if left <= 0:
            raise exc
        pause, self.interval = min(self.interval, left), min(self.interval * 2, 2.0)
        return pause


def _check_id(generation_id: str) -> dict[str, str]:
    if not generation_id:
        raise errors.InputError("generation: an id such as 'gen-…' is required")
    return {"id": generation_id}


def generation(endpoint: Endpoint, generation_id: str, *, wait: float = GENERATION_WAIT,
               interval: float = GENERATION_INTERVAL) -> Generation:
    """The record of ``generation_id``; 404s are retried for up to ``wait`` seconds."""
    params, poll = _check_id(generation_id), _NotYet(wait, interval)
    while True:
        try:
            body = transport.request_json(endpoint, "GET", "generation", params=params)
            return parse_generation(body, generation_id)
        except errors.NotFoundError as exc:
            pause = poll.delay(exc)
        time.sleep(pause)


async def ageneration(endpoint: Endpoint, generation_id: str, *,
                      wait: float = GENERATION_WAIT,
                      interval: float = GENERATION_INTERVAL) -> Generation:
    """Async :func:`generation`."""
    params, poll = _check_id(generation_id), _NotYet(wait, interval)
    while True:
        try:
            body = await transport.arequest_json(endpoint, "GET", "generation", params=params)
            return parse_generation(body, generation_id)
        except errors.NotFoundError as exc:
            pause = poll.delay(exc)
        await asyncio.sleep(pause)
