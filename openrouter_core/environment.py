"""The environment variables this package reads, declared once for the core and both adapters.

| setting | variable |
|---|---|
| API key | ``OPENROUTER_API_KEY`` |
| base URL | ``OPENROUTER_API_BASE`` |
| app attribution | ``OPENROUTER_APP_URL``, ``OPENROUTER_APP_TITLE`` |
| session grouping | ``OPENROUTER_SESSION_ID`` |

An explicit argument always wins; an empty variable counts as unset.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import SecretStr

Setting = Literal["api_key", "base_url", "app_url", "app_title", "session_id"]

VARIABLES: dict[Setting, str] = {
    "api_key": "OPENROUTER_API_KEY",
    "base_url": "OPENROUTER_API_BASE",
    "app_url": "OPENROUTER_APP_URL",
    "app_title": "OPENROUTER_APP_TITLE",
    "session_id": "OPENROUTER_SESSION_ID",
}
"""Setting → the environment variable that supplies it when no argument does."""


def read(setting: Setting) -> str | None:
    """The variable's value for ``setting``, or ``None`` when it is unset or empty."""
    return os.environ.get(VARIABLES[setting]) or None


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
