"""The one helper every example shares: live with a key, the offline emulator without one.

With ``OPENROUTER_API_KEY`` set, an example talks to OpenRouter and this module stays out of
the way. Without it, :func:`run_example` starts the bundled loopback emulator
(``openrouter_core.testing.Emulator``), queues the example's canned replies and points
``OPENROUTER_API_BASE``/``OPENROUTER_API_KEY`` at it while the example runs. Because the
classes read those variables, the example code itself is exactly what you would write for a
live run: no ``base_url`` juggling.

Failures a new user meets (bad key, no credits, unknown model, rate limits, no network) are
printed as one line on stderr, and the script exits with status 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from openrouter_core import errors
from openrouter_core.testing import Emulator, ReplySource, Responder, endpoints

OFFLINE_KEY = "sk-or-v1-offline-emulator"
"""The placeholder key the examples send to the emulator (it accepts any key)."""


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --8<-- [start:openrouter]
@contextmanager
def openrouter(*replies: ReplySource, responder: Responder | None = None,
               ) -> Iterator[Emulator | None]:
    """Live OpenRouter when a key is set (yields ``None``); else a scripted emulator.

    ``replies`` are served in order to chat requests; when they run out, ``responder`` (or
    the emulator's automatic responder) answers.
    """
    if os.environ.get("OPENROUTER_API_KEY"):
        print("Using OpenRouter live (OPENROUTER_API_KEY is set).")
        yield None
        return
    with Emulator() as emulator:
        print(f"No OPENROUTER_API_KEY set: using the offline emulator at {emulator.base_url} "
              "(canned replies).")
        emulator.enqueue(*replies)
        if responder is not None:
            emulator.responder = responder
        with _environment(OPENROUTER_API_KEY=OFFLINE_KEY,
                          OPENROUTER_API_BASE=emulator.base_url):
            yield emulator
# --8<-- [end:openrouter]


# --8<-- [start:explain]
def explain(exc: errors.OpenRouterError) -> str:
    """One line a new user can act on, for the failures they are likely to meet."""
    if isinstance(exc, errors.AuthenticationError):
        return "OpenRouter rejected the API key (401): check OPENROUTER_API_KEY."
    if isinstance(exc, errors.PaymentRequiredError):
        return "Not enough OpenRouter credits (402): add credits or pick a ':free' model."
    if isinstance(exc, (errors.NotFoundError, errors.BadRequestError)) and "model" in str(exc):
        return f"Unknown model: {exc.error_message}. See https://openrouter.ai/models."
    if isinstance(exc, errors.RateLimitError):
        return "Rate limited (429) by OpenRouter or the provider: wait a little and retry."
    if isinstance(exc, errors.APIConnectionError):
        return "Could not reach OpenRouter: check the network or OPENROUTER_API_BASE."
    return f"OpenRouter error: {exc}"
# --8<-- [end:explain]


def run_example(main: Callable[[], None], *replies: ReplySource,
                responder: Responder | None = None) -> int:
    """Run ``main`` live or against the scripted emulator; returns a process exit code."""
    try:
        with openrouter(*replies, responder=responder) as emulator:
            if emulator is not None:
                # The examples' /models: a handful of well-known models rather than the whole
                # bundled snapshot the emulator lists by default.
                emulator.models_responder = endpoints.fixed_models
            main()
    except errors.OpenRouterError as exc:
        print(f"\nError: {explain(exc)}", file=sys.stderr)
        return 1
    return 0
