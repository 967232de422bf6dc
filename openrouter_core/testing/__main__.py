"""``python -m openrouter_core.testing serve``: run the emulator until Ctrl-C.

Starts an :class:`~openrouter_core.testing.Emulator` with the default auto responder, prints
its base URL and the environment variables that point this package (and most OpenRouter
clients) at it, then serves until interrupted (Ctrl-C or SIGTERM)::

    $ python -m openrouter_core.testing serve --port 8080
    OpenRouter emulator serving at http://127.0.0.1:8080/api/v1
    export OPENROUTER_API_KEY=sk-or-v1-emulator-dummy-key
    export OPENROUTER_API_BASE=http://127.0.0.1:8080/api/v1
    Press Ctrl-C to stop.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TextIO

from openrouter_core import environment
from openrouter_core.testing.server import Emulator

DUMMY_API_KEY = "sk-or-v1-emulator-dummy-key"
"""The key printed for the emulator: any key works, this one only looks like a real one."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m openrouter_core.testing",
        description="The loopback OpenRouter emulator of openrouter_core.testing.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the emulator with its automatic replies until Ctrl-C")
    serve.add_argument("--port", type=int, default=0,
                       help="port to listen on (default 0: any free port, printed)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--strict-models", action="store_true",
                       help="answer chat requests for model ids missing from the bundled "
                            "catalog with OpenRouter's 400 'is not a valid model ID'")
    return parser


def announce(emulator: Emulator, out: TextIO) -> None:
    """Print the base URL and the ``export`` lines for ``emulator``."""
    strict = " (strict model ids)" if emulator.strict_models else ""
    out.write(f"OpenRouter emulator serving at {emulator.base_url}{strict}\n"
              f"export {environment.VARIABLES['api_key']}={DUMMY_API_KEY}\n"
              f"export {environment.VARIABLES['base_url']}={emulator.base_url}\n"
              "Press Ctrl-C to stop.\n")
    out.flush()


def serve(host: str, port: int, *, strict_models: bool = False,
          out: TextIO = sys.stdout) -> None:
    """Run an emulator on ``host``:``port`` until Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    emulator = Emulator(host=host, port=port, strict_models=strict_models).start()
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        announce(emulator, out)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        signal.signal(signal.SIGTERM, previous)
        served = len(emulator.requests)
        out.write(f"Stopped after {served} request{'' if served == 1 else 's'}.\n")
        out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        try:
            serve(args.host, args.port, strict_models=args.strict_models)
        except RuntimeError as exc:  # could not bind: say why, without a traceback
            reason = exc.__cause__ or exc
            print(f"could not start the emulator on {args.host}:{args.port}: {reason}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
