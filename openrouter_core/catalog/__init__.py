"""The OpenRouter model catalog: ``/models`` → :class:`ModelInfo`, cached, with a snapshot.

Typical use::

    from openrouter_core import catalog

    info = catalog.lookup("anthropic/claude-sonnet-4.5:nitro")   # variant stripped
    if info is not None:
        print(info.context_length, info.pricing.prompt, info.supports_tools)
    cheap_vision = catalog.list_models(supports="tools", input_modality="image",
                                       max_prompt_price="0.000001")

``OPENROUTER_CATALOG=offline|live|auto`` selects the source (see :mod:`.store`). Refresh the
bundled snapshot with ``python -m openrouter_core.catalog refresh`` (needs a key and network).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openrouter_core import spelling
from openrouter_core.catalog.capabilities import (
    UnsupportedParameterWarning,
    filter_models,
    native_structured_output,
    reset_warnings,
    unsupported_parameters,
    warn_unsupported_once,
    warned,
)
from openrouter_core.catalog.models import (
    Catalog,
    ModelInfo,
    Pricing,
    ReasoningSupport,
    base_slug,
    parse_model,
    parse_models,
)
from openrouter_core.catalog.slugs import UnknownModelWarning, check_model_id, is_router
from openrouter_core.catalog.store import (
    SNAPSHOT_PATH,
    aget_catalog,
    build_catalog,
    catalog_mode,
    clear_cache,
    fetch,
    get_catalog,
    load_snapshot,
    peek_catalog,
    refresh,
    refresh_from_file,
    write_snapshot,
)
from openrouter_core.transport import Endpoint

__all__ = [
    "SNAPSHOT_PATH",
    "Catalog",
    "ModelInfo",
    "Pricing",
    "ReasoningSupport",
    "RepeatedCheck",
    "UnknownModelWarning",
    "UnsupportedParameterWarning",
    "aget_catalog",
    "alist_models",
    "alookup",
    "base_slug",
    "build_catalog",
    "catalog_mode",
    "check_model_id",
    "check_request",
    "clear_cache",
    "fetch",
    "filter_models",
    "get_catalog",
    "is_router",
    "list_models",
    "load_snapshot",
    "lookup",
    "lookup_cached",
    "native_structured_output",
    "parse_model",
    "parse_models",
    "peek_catalog",
    "refresh",
    "refresh_from_file",
    "reset_warnings",
    "unsupported_parameters",
    "warn_unsupported_once",
    "write_snapshot",
]


def lookup(model: str, endpoint: Endpoint | None = None, *,
           mode: str | None = None) -> ModelInfo | None:
    """The catalog entry for ``model`` (variants stripped, dated names resolved), or ``None``.

    Never raises because of network trouble: a failed fetch falls back to the snapshot, and a
    missing snapshot means ``None`` (callers then use their defaults).
    """
    return get_catalog(endpoint, mode=mode).get(model)


def lookup_cached(model: str, endpoint: Endpoint | None = None) -> ModelInfo | None:
    """:func:`lookup` without any fetch: see :func:`peek_catalog`.

    A model missing from a fetched catalog (a partial listing, a test server's, or a model
    withdrawn since the snapshot) is looked up in the bundled snapshot next.
    """
    return _first(_known(endpoint), model)


def _known(endpoint: Endpoint | None) -> tuple[Catalog, Catalog]:
    # What lookup_cached reads, in order: the fetched catalog (or the snapshot), then the
    # snapshot. Read once per request: each read of the snapshot checks its file's mtime.
    snapshot = load_snapshot()
    return peek_catalog(endpoint, snapshot), snapshot


def _first(known: tuple[Catalog, Catalog], model: str) -> ModelInfo | None:
    return known[0].get(model) or known[1].get(model)


def check_request(body: Mapping[str, Any], endpoint: Endpoint | None = None) -> list[str]:
    """Warn once per model about body parameters the model does not list as supported, and
    once per id about a ``model`` (or ``models`` entry) the catalog does not know
    (:class:`UnknownModelWarning`, with the id it is probably a typo of).

    Uses only what is known without a fetch; returns the parameters warned about now.
    """
    return _check(body, _known(endpoint))[0]


def _check(body: Mapping[str, Any],
           known: tuple[Catalog, Catalog]) -> tuple[list[str], _Checked]:
    # check_request against `known`: the parameters warned about now, and what the check found
    # that makes it a no-op while nothing changes (see RepeatedCheck).
    model = body.get("model")
    listed = body.get("models")
    unknown = []
    for slug in [model, *(listed if isinstance(listed, list) else [])]:
        if isinstance(slug, str) and check_model_id(slug, known):
            unknown.append(slug)
    info = _first(known, model) if isinstance(model, str) else None
    if info is None:
        return [], _Checked(known, tuple(unknown), "", ())
    parameters = unsupported_parameters(info, body)
    return (warn_unsupported_once(str(model), parameters),
            _Checked(known, tuple(unknown), str(model), tuple(parameters)))


@dataclass(frozen=True, slots=True)
class _Checked:
    """What one :func:`check_request` read and warned about."""

    known: tuple[Catalog, Catalog]
    unknown: tuple[str, ...]
    """Ids no catalog knew: each warned about once, in the ``spelling`` memory."""
    model: str
    parameters: tuple[str, ...]
    """``model``'s unsupported parameters: each warned about once, in the capabilities memory."""

    def holds(self, known: tuple[Catalog, Catalog]) -> bool:
        """Whether checking the same body against ``known`` would do nothing: the same
        catalogs (immutable, so the same objects answer the same) and every warning it made
        still remembered (a reset of either memory makes the next check warn again)."""
        if known[0] is not self.known[0] or known[1] is not self.known[1]:
            return False
        for slug in self.unknown:
            if not spelling.warned("model", slug):
                return False
        for parameter in self.parameters:  # noqa: SIM110 - a loop, as above
            if not warned(self.model, parameter):
                return False
        return True


class RepeatedCheck:
    """:func:`check_request` for every body made of ``fixed`` and some messages: the bodies of
    one request template.

    The check reads a body's model, fallback ids and parameters, never its messages, so it is
    made on ``fixed`` (the body without ``messages``), and its outcome depends only on the
    catalogs known at the time and on what was warned about already. Once a check has run, the
    next one is a no-op as long as the same catalog objects are known (a newly read snapshot,
    a fetched or expired live catalog and :func:`clear_cache` each bring new ones) and its
    warnings are still remembered; only then is it skipped. The catalogs are still looked up
    for each check, as :func:`check_request` looks them up.
    """

    __slots__ = ("_fixed", "_last")

    def __init__(self, fixed: Mapping[str, Any]) -> None:
        self._fixed = dict(fixed)
        self._last: _Checked | None = None

    def check(self, endpoint: Endpoint | None = None) -> None:
        """:func:`check_request` of a body made of ``fixed`` (and any messages), skipped when
        it would do nothing."""
        known = _known(endpoint)
        last = self._last
        if last is not None and last.holds(known):
            return
        # Kept only once the check has run through (a warning made an error stops it first).
        self._last = _check(self._fixed, known)[1]


async def alookup(model: str, endpoint: Endpoint | None = None, *,
                  mode: str | None = None) -> ModelInfo | None:
    """Async :func:`lookup`."""
    return (await aget_catalog(endpoint, mode=mode)).get(model)


def list_models(endpoint: Endpoint | None = None, *, mode: str | None = None,
                supports: str | list[str] | None = None,
                input_modality: str | list[str] | None = None,
                output_modality: str | list[str] | None = None,
                max_prompt_price: Decimal | float | str | None = None,
                max_completion_price: Decimal | float | str | None = None,
                min_context: int | None = None, free: bool | None = None) -> list[ModelInfo]:
    """Models meeting every condition, cheapest first (see :func:`filter_models`)."""
    return filter_models(get_catalog(endpoint, mode=mode), **_filters(locals()))


async def alist_models(endpoint: Endpoint | None = None, *, mode: str | None = None,
                       supports: str | list[str] | None = None,
                       input_modality: str | list[str] | None = None,
                       output_modality: str | list[str] | None = None,
                       max_prompt_price: Decimal | float | str | None = None,
                       max_completion_price: Decimal | float | str | None = None,
                       min_context: int | None = None,
                       free: bool | None = None) -> list[ModelInfo]:
    """Async :func:`list_models`."""
    return filter_models(await aget_catalog(endpoint, mode=mode), **_filters(locals()))


def _filters(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if k not in ("endpoint", "mode")}
