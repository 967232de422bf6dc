"""Command line: ``python -m openrouter_core.catalog refresh|show|list``.

``refresh`` fetches ``GET /models`` (+ ``/embeddings/models``) from ``--base-url`` (default
``$OPENROUTER_API_BASE`` or openrouter.ai) with ``$OPENROUTER_API_KEY`` and rewrites the
bundled snapshot (or ``--output``); ``refresh --from-file PATH`` builds it from a saved
``/models`` body the same way. ``show MODEL`` prints one resolved entry; ``list`` prints
ids filtered by ``--supports`` / ``--input`` / ``--max-prompt-price``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from openrouter_core import catalog, errors
from openrouter_core.catalog.store import default_endpoint

PROG = "python -m openrouter_core.catalog"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG)
    parser.add_argument("--base-url", help="API base URL (default: $OPENROUTER_API_BASE)")
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="fetch /models and rewrite the snapshot")
    refresh.add_argument("--output", type=Path, help="snapshot path (default: bundled file)")
    refresh.add_argument("--from-file", type=Path, metavar="PATH",
                         help="build from a saved GET /models body instead of the network")
    show = commands.add_parser("show", help="print one model's catalog entry")
    show.add_argument("model")
    listing = commands.add_parser("list", help="print model ids matching filters")
    listing.add_argument("--supports", action="append")
    listing.add_argument("--input", dest="input_modality", action="append")
    listing.add_argument("--max-prompt-price")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (1, with the reason on standard error,
    for a request OpenRouter refused, a missing key, or a file that cannot be read or is not
    a ``/models`` body)."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (errors.OpenRouterError, OSError, ValueError) as exc:
        print(f"{PROG} {args.command}: {type(exc).__name__}: {errors.redact(str(exc))}",
              file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    endpoint = default_endpoint()
    if args.base_url:
        endpoint = dataclasses.replace(endpoint, base_url=args.base_url)
    if args.command == "refresh":
        if args.from_file is not None:
            models, path = catalog.refresh_from_file(args.from_file, args.output)
        else:
            models, path = catalog.refresh(endpoint, args.output)
        print(f"wrote {len(models)} models to {path}")
        return 0
    if args.command == "show":
        info = catalog.lookup(args.model, endpoint)
        if info is None:
            print(f"{args.model}: not in the catalog", file=sys.stderr)
            return 1
        print(json.dumps(info.to_wire(), indent=2))
        return 0
    for info in catalog.list_models(endpoint, supports=args.supports,
                                    input_modality=args.input_modality,
                                    max_prompt_price=args.max_prompt_price):
        print(info.id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
