"""The environment variables this package reads, declared once for the core and both adapters.

| setting | variable |
|---|---|
| API key | ``OPENROUTER_API_KEY`` |
| base URL | ``OPENROUTER_API_BASE``, else ``OPENROUTER_BASE_URL`` |
| app attribution | ``OPENROUTER_APP_URL``, ``OPENROUTER_APP_TITLE`` |
| session grouping | ``OPENROUTER_SESSION_ID`` |

An explicit argument always wins; an empty variable counts as unset. For the base URL the
precedence is: the argument, then ``OPENROUTER_API_BASE`` (this package's own name, as in
LangChain's and LlamaIndex's other OpenAI-style integrations), then ``OPENROUTER_BASE_URL``
(the name OpenRouter's own SDKs and several other integrations read), so an environment set up
for either kind of tool points this package at the same server.

A set ``OPENROUTER_*`` variable that nothing reads but that is a near miss of one that is read
(``OPENROUTER_APIKEY``, ``OPENROUTER_BASEURL``, ``OPENROUTER_API_URL``…) is almost always a
typo that would otherwise go unnoticed: it is warned about once per process
(:class:`EnvironmentVariableWarning`), naming the variable it was probably meant to be.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any, Literal

from pydantic import SecretStr

from openrouter_core import spelling

Setting = Literal["api_key", "base_url", "app_url", "app_title", "session_id"]

VARIABLES: dict[Setting, str] = {
    "api_key": "OPENROUTER_API_KEY",
    "base_url": "OPENROUTER_API_BASE",
    "app_url": "OPENROUTER_APP_URL",
    "app_title": "OPENROUTER_APP_TITLE",
    "session_id": "OPENROUTER_SESSION_ID",
}
"""Setting → the environment variable that supplies it when no argument does."""

FALLBACKS: dict[Setting, tuple[str, ...]] = {
    "base_url": ("OPENROUTER_BASE_URL",),
}
"""Setting → further variables read, in order, when the one in :data:`VARIABLES` is unset."""

OTHER_VARIABLES = ("OPENROUTER_CATALOG", "OPENROUTER_CATALOG_TTL", "OPENROUTER_CATALOG_SNAPSHOT")
"""Variables read elsewhere (the model catalog): known, so never reported as typos."""

COMMON_MISTAKES: dict[str, str] = {
    "OPENROUTER_KEY": "OPENROUTER_API_KEY",
    "OPENROUTER_TOKEN": "OPENROUTER_API_KEY",
    "OPENROUTER_API_TOKEN": "OPENROUTER_API_KEY",
    "OPENROUTER_SECRET_KEY": "OPENROUTER_API_KEY",
    "OPENROUTER_URL": "OPENROUTER_API_BASE",
    "OPENROUTER_API_URL": "OPENROUTER_API_BASE",
    "OPENROUTER_BASE": "OPENROUTER_API_BASE",
    "OPENROUTER_ENDPOINT": "OPENROUTER_API_BASE",
    "OPENROUTER_API_BASE_URL": "OPENROUTER_API_BASE",
}
"""Names people plausibly write that are too far from the real one for the typo check."""


class EnvironmentVariableWarning(UserWarning):
    """A set ``OPENROUTER_*`` variable is ignored: it looks like a typo of one that is read."""


@cache
def known_variables() -> frozenset[str]:
    """Every ``OPENROUTER_*`` variable this package reads."""
    names = set(VARIABLES.values()) | set(OTHER_VARIABLES)
    for more in FALLBACKS.values():
        names.update(more)
    return frozenset(names)


@lru_cache(maxsize=256)
def _meant(upper: str) -> str | None:
    # Cached: an application's own OPENROUTER_* variable is looked at on every read, and the
    # similarity search costs about a millisecond.
    return COMMON_MISTAKES.get(upper) or spelling.closest(upper, known_variables())


def near_misses(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Set, non-empty ``OPENROUTER_*`` variables that are ignored → the variable each is
    probably meant to be. Variables far from every known name are left alone (they may be
    the application's own)."""
    environ = os.environ if environ is None else environ
    known = known_variables()
    found: dict[str, str] = {}
    for name in environ:  # names first: reading every value would decode all of them
        upper = name.upper()
        if not upper.startswith("OPENROUTER") or name in known or not environ.get(name):
            continue
        meant = _meant(upper)
        if meant is not None and meant != name:
            found[name] = meant
    return found


def warn_near_misses() -> None:
    """Warn once per process about each variable :func:`near_misses` finds."""
    for name, meant in sorted(near_misses().items()):
        spelling.warn_once("environment", name,
                           f"environment variable {name} is set but ignored; did you mean "
                           f"{meant}?", category=EnvironmentVariableWarning)


def read(setting: Setting) -> str | None:
    """The variable's value for ``setting`` (then its :data:`FALLBACKS`), or ``None`` when
    all are unset or empty."""
    warn_near_misses()
    for name in (VARIABLES[setting], *FALLBACKS.get(setting, ())):
        value = os.environ.get(name)
        if value:
            return value
    return None


def api_key() -> SecretStr | None:
    """``OPENROUTER_API_KEY`` as a secret (never a plain string in a field)."""
    value = read("api_key")
    return SecretStr(value) if value else None


def fill(data: dict[str, object], names: dict[Setting, str]) -> dict[str, object]:
    """``data`` with each missing (``None`` or absent) field in ``names`` (setting → field name)
    taken from the environment; used by the LlamaIndex classes' constructors."""
    out = dict(data)
    for setting, name in names.items():
        if out.get(name) is None:
            value = api_key() if setting == "api_key" else read(setting)
            if value is not None:
                out[name] = value
    return out


def state_without_key(state: dict[Any, Any], field: str) -> dict[Any, Any]:
    """A pydantic model's pickle ``state`` with its key ``field`` emptied.

    A key never travels in a serialized object: the process that unpickles the model reads
    ``OPENROUTER_API_KEY`` when it sends (``Endpoint.key_value``). The adapters' classes call
    this from ``__getstate__``.
    """
    return {**state, "__dict__": {**state["__dict__"], field: None}}
