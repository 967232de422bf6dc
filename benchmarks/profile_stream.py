"""Profile one integration's op with cProfile and list the hotspots.

Usage (this repository's interpreter)::

    .venv/bin/python benchmarks/profile_stream.py ours-langchain --runs 20
    .venv/bin/python benchmarks/profile_stream.py core tool:tool-200
    .venv/bin/python benchmarks/profile_stream.py ours-langchain complete:json-10 messages=2000
    .venv/bin/python benchmarks/profile_stream.py ours-llamaindex concurrent:text-50 streams=500

The op and its params are those of ``worker.py``. The emulator runs in a thread of this process
(cProfile sees only the main thread). The report lists the top functions by own time, then
those in this project's packages by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import start
from worker import INTEGRATIONS, Tally, Worker, parse_op

OURS = ("openrouter_core", "langchain_openrouter", "llama_index_openrouter")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("integration", choices=sorted(INTEGRATIONS))
    parser.add_argument("op", nargs="?", default="stream:text-2000", help="OP[:PAYLOAD]")
    parser.add_argument("params", nargs="*", help="KEY=VALUE (digits are numbers)")
    parser.add_argument("--runs", type=int, default=20, help="runs to profile")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    op, params = parse_op(args.op, args.params)
    server = start()
    try:
        worker = Worker(args.integration, server.base_url)
        # Warm-up (connections, lazy imports) and one timed run, through the worker's checks.
        print("first run:", worker.run({"op": op, "params": params, "budget": 0}))
        assert worker.api is not None
        method = getattr(worker.api, op)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            method(Tally(), **params)
        profiler.disable()
    finally:
        server.stop()
    for title, order, restrict in (("own time, all code", "tottime", ""),
                                   ("cumulative, this project", "cumulative", "|".join(OURS))):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(restrict, args.top) if restrict else stats.print_stats(args.top)
        print(f"== {title}\n" + out.getvalue().split("\n", 6)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
