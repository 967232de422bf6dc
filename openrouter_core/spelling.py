"""Unknown keys in what a user writes: a near miss is an error, anything else a warning.

OpenRouter adds request fields and tool parameters faster than any client release, so an
unknown key cannot simply be refused: it is sent, with a one-time warning at the caller's line.
But a key one or two edits away from a known one (``quallity``, ``efort``) is almost always a
typo that the server would silently ignore, so it fails before anything is sent, naming the
key it probably meant. ``extra_body`` stays the unchecked escape hatch.
"""

from __future__ import annotations

import re
import sys
import threading
import warnings
from collections.abc import Callable, Collection, Iterable
from typing import Any

from openrouter_core.errors import InputError

MAX_DISTANCE = 2
"""Edits (insert, delete, substitute, swap neighbours) that still count as a typo."""

_OWN_PACKAGES = ("openrouter_core", "langchain", "llama_index", "langgraph", "pydantic",
                 "workflows", "asyncio", "concurrent", "threading", "contextlib", "functools")
"""Prefixes of the top-level modules skipped when a warning looks for the caller's line:
ours, the frameworks' (``langchain_openrouter`` and ``llama_index_instrumentation`` included)
and the standard-library plumbing they call through."""


_CREDENTIAL = re.compile(r"api_?key|secret|password|passwd|authorization|bearer|(^|_)token$|"
                         r"(^|_)(access|auth|refresh|session|id)_?token($|_)")
"""Unknown keys refused outright: names that hold credentials (``openai_api_key``, the
argument ``OpenAIEmbeddings`` users bring along)."""


MAX_LISTED = 12
"""Known keys are listed in the error message up to this many."""


class UnknownKeyError(InputError, TypeError):
    """A key within two edits of a known one: almost surely a typo (nothing was sent).

    Also a ``TypeError``, what Python raises for an unexpected keyword argument."""


class CredentialKeyError(InputError):
    """An unknown key named like a credential (``openai_api_key``): refused rather than sent.
    Its message names the key and never the value."""


class UnknownKeyWarning(UserWarning):
    """A key this package does not know was sent as given (it may be newer than the package)."""


def distance(a: str, b: str) -> int:
    """Edit distance with adjacent swaps (optimal string alignment); small strings only."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def closest(key: str, known: Iterable[str]) -> str | None:
    """The known key ``key`` is most likely a typo of, or ``None``.

    A candidate must be within :data:`MAX_DISTANCE` edits and share more than it changes
    (so ``"n"`` is not a typo of ``"k"``); ties go to the alphabetically first. Case and the
    difference between ``-`` and ``_`` are ignored on both sides.
    """
    best: tuple[int, str] | None = None
    folded = key.lower().replace("-", "_")
    for candidate in known:
        d = distance(folded, candidate.lower().replace("-", "_"))
        if d <= MAX_DISTANCE and d < len(key) and (best is None or (d, candidate) < best):
            best = (d, candidate)
    return None if best is None else best[1]


def caller_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first frame outside this package,
    its adapters and the frameworks they plug into: the user's own line."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.split(".")[0].startswith(_OWN_PACKAGES):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


_warned: set[tuple[str, str]] = set()
_lock = threading.Lock()


def warn_once(where: str, key: str, message: str | Callable[[], str],
              category: type[Warning] = UnknownKeyWarning) -> None:
    """Warn about ``key`` in ``where`` once per process, at the caller's line. A costly
    ``message`` can be given as a function: it is only called when the warning is made."""
    with _lock:
        if (where, key) in _warned:
            return
        _warned.add((where, key))
    text = message() if callable(message) else message
    # caller_stacklevel() counts this frame as 1, as warn()'s stacklevel does.
    warnings.warn(text, category, stacklevel=caller_stacklevel())


def warned(where: str, key: str) -> bool:
    """Whether :func:`warn_once` has warned about ``key`` in ``where`` (and not forgotten it
    since)."""
    return (where, key) in _warned


def check_keys(keys: Iterable[str], known: Collection[str], where: str, *,
               scope: str | None = None) -> None:
    """Apply the rule to ``keys`` given for ``where`` (e.g. ``"reasoning"``). An unknown key
    is warned about once per process and ``scope`` (default ``where``): a value checked in two
    places (a tool when it is bound, then in each request) names a scope of its own, so that
    one key gives one warning.

    Raises:
        UnknownKeyError: A key is within two edits of a known one; the message names both
            (and lists the known keys when they are few).
    """
    for key in keys:
        if key in known:
            continue
        if _CREDENTIAL.search(key.lower().replace("-", "_")):
            # Never sent as given: the value would travel in the body, and be kept (and shown)
            # with the model's extra parameters.
            raise CredentialKeyError(
                f"{where}: {key!r} looks like a credential and is not a parameter here, so it "
                "would be sent in the request body; give the OpenRouter key as api_key=... (or "
                "set OPENROUTER_API_KEY), and anything the server must receive in extra_body")
        near = closest(key, known)
        if near is not None:
            listing = (f" Known keys: {', '.join(sorted(known))}"
                       if len(known) <= MAX_LISTED else "")
            raise UnknownKeyError(f"{where}: unknown key {key!r}; did you mean {near!r}?"
                                  + listing)
        warn_once(scope or where, key, f"{where}: {key!r} is not a key this package knows; "
                  "it is sent as given (OpenRouter may have added it; if not, the server "
                  "ignores it)")


def reset_warnings() -> None:
    """Forget what :func:`warn_once` warned about (for tests)."""
    with _lock:
        _warned.clear()


def collect_unknown(values: dict[str, Any], known: Collection[str], where: str, into: str,
                    *, body_keys: Collection[str] = ()) -> list[str]:
    """Apply the rule to a class's constructor arguments: a near miss of a parameter raises
    :class:`UnknownKeyError`, any other unknown argument is warned about once and moved into
    ``values[into]`` (the extra request-body parameters, sent as given). ``body_keys`` are
    request-body keys known to be fine there: moved without a warning. Returns the names
    moved. ``known`` must hold every accepted name, aliases included (see
    :func:`accepted_names`)."""
    unknown = [key for key in values if key not in known]
    if not unknown:
        return unknown
    check_keys(unknown, {*known, *body_keys} if body_keys else known, where)
    extra = dict(values.get(into) or {})
    extra.update({key: values.pop(key) for key in unknown})
    values[into] = extra
    return unknown


def accepted_names(model_class: Any) -> frozenset[str]:
    """Every name a pydantic model class accepts for its fields: names, aliases and validation
    aliases (each choice of an ``AliasChoices``)."""
    names: set[str] = set()
    for name, field in model_class.model_fields.items():
        names.add(name)
        if field.alias:
            names.add(field.alias)
        alias = field.validation_alias
        for choice in getattr(alias, "choices", (alias,)):
            if isinstance(choice, str):
                names.add(choice)
    return frozenset(names)
