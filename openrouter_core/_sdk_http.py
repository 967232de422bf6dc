"""The HTTP library that the installed ``openai`` SDK is built on, read from the SDK itself.

``openai`` 1.x and 2.x are built on ``httpx``; ``openai`` 3 moved to ``httpx2``, a fork with the
same API. Which one is present depends on the SDK the user has, so the module is found at run time
from the SDK's own client class, never by name: the exceptions we build must carry the very
``Request``/``Response`` classes the SDK raises with, and we must not import a package that
nobody declared.

Use it as ``from openrouter_core._sdk_http import http`` inside the function that needs it: the
look-up imports ``openai``, which import of this package avoids until a request is made.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["http"]

if TYPE_CHECKING:
    # The type checker runs on the pinned set (see requirements/), whose openai 3 uses httpx2.
    # The run-time value below is whatever the installed SDK uses; both expose the same names.
    import httpx2 as http


@cache
def _sdk_http_module() -> ModuleType:
    import openai

    # DefaultHttpxClient subclasses the SDK's HTTP client class: its first base from outside
    # ``openai`` names the library (``httpx.Client`` or ``httpx2.Client``).
    for base in openai.DefaultHttpxClient.__mro__:
        top = base.__module__.partition(".")[0]
        if top not in ("openai", "builtins"):
            return importlib.import_module(top)
    raise ImportError("cannot tell which HTTP library the installed openai SDK uses")


def __getattr__(name: str) -> ModuleType:
    # A module-level __getattr__ keeps ``import openrouter_core._sdk_http`` free of ``openai``.
    if name == "http":
        return _sdk_http_module()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
