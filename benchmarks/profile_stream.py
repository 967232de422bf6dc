"""Profile one integration's stream path with cProfile and list the hotspots.

Usage (this repository's interpreter)::

    .venv/bin/python benchmarks/profile_stream.py ours-langchain --runs 20
    .venv/bin/python benchmarks/profile_stream.py core --workload tool:tool-200

The emulator runs in a thread of this process (cProfile only sees the main thread). The report
lists the top functions by own time, then those in this project's packages by cumulative time.
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
from worker import INTEGRATIONS, Runner

OURS = ("openrouter_core", "langchain_openrouter", "llama_index_openrouter")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("integration", choices=sorted(INTEGRATIONS))
    parser.add_argument("--workload", default="stream:text-2000")
    parser.add_argument("--runs", type=int, default=20, help="streams to profile")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    server = start()
    try:
        runner = Runner(INTEGRATIONS[args.integration](server.base_url))
        runner.run(args.workload, 0)  # warm-up (connections, lazy imports)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            answer = runner.run(args.workload, 0)
        profiler.disable()
    finally:
        server.stop()
    print("last run:", answer.get("result") or answer)
    for title, order, restrict in (("own time, all code", "tottime", ()),
                                   ("cumulative, this project", "cumulative", OURS)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        pattern = "|".join(restrict) if restrict else ""
        stats.print_stats(pattern, args.top) if pattern else stats.print_stats(args.top)
        print(f"== {title}\n" + out.getvalue().split("\n", 6)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
