"""Model ids the catalog does not know: a warning with the id the user probably meant.

A mistyped slug (``openai/gpt4o-mini``) is otherwise only noticed when OpenRouter answers 400,
or never when a fallback list or a router absorbs it. The check runs on what is known without
a fetch (a live catalog already fetched, else the bundled snapshot), so it must not refuse an
id: the snapshot can be older than a model released yesterday. It warns once per id instead,
at the user's line, with "did you mean ...?" when a catalog id is within two edits.

Never warned about: router ids (``openrouter/auto``, ``openrouter/free``... new routers appear
without notice), presets (``@preset/...``), and anything when no catalog is available at all.
Variant suffixes (``:free``, ``:nitro``, ``:exacto``, ``:online``, ``:thinking``, ``:floor``...)
are stripped before the look-up and kept on the suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable

from openrouter_core import spelling
from openrouter_core.catalog.models import Catalog, base_slug

ROUTER_PREFIX = "openrouter/"
"""Ids under this prefix are OpenRouter's routers, not models: never checked."""


class UnknownModelWarning(UserWarning):
    """A model id the catalog does not know was sent as given (maybe a typo, maybe newer than
    the catalog snapshot)."""


def is_router(model: str) -> bool:
    """Whether ``model`` names a router or a preset rather than one model."""
    base = base_slug(model)
    return not base or base.startswith(ROUTER_PREFIX)


def suggestion(model: str, catalogs: Iterable[Catalog]) -> str | None:
    """The catalog id ``model`` is probably a typo of (its ``:variant`` kept), or ``None``."""
    base = base_slug(model)
    candidates = {info.id for catalog in catalogs for info in catalog
                  if abs(len(info.id) - len(base)) <= spelling.MAX_DISTANCE}
    near = spelling.closest(base, sorted(candidates))
    if near is None:
        return None
    suffix = model.strip()[len(base):] if model.strip().startswith(base) else ""
    return near + suffix


def check_model_id(model: str, catalogs: Iterable[Catalog]) -> bool:
    """Warn once per process about ``model`` when none of ``catalogs`` knows it.

    Returns whether ``model`` is such an id (warned about now or earlier), ``False`` for a
    known id, a router or preset, or when no catalog is available. This runs before every
    request, and the suggestion compares the id with every catalog id of similar length
    (about 20 ms): the message is only built for the one warning."""
    # A loop, not any() over a generator: a known model (every request's case) returns at its
    # first catalog.
    listing = []
    for catalog in catalogs:
        if len(catalog):
            if catalog.get(model) is not None:
                return False
            listing.append(catalog)
    if not listing or is_router(model):
        return False
    spelling.warn_once("model", model, lambda: _unknown_model_message(model, listing),
                       category=UnknownModelWarning)
    return True


def _unknown_model_message(model: str, catalogs: Iterable[Catalog]) -> str:
    """The warning for ``model`` not being in ``catalogs``, with a suggestion."""
    near = suggestion(model, catalogs)
    hint = f"; did you mean {near!r}?" if near is not None else "."
    return (f"{model!r} is not a model id in the OpenRouter catalog{hint} It is sent as "
            "given (the catalog snapshot may predate a new model; refresh it with "
            "`python -m openrouter_core.catalog refresh`).")
