"""Non-streamed calls in one process, taken in turn: where a call's time goes above the floor.

``run.py`` gives each integration its own worker process, which is right for comparing
integrations but puts each row's noise in a different process. This script calls the floor,
the core and the adapters in turn from one process, against the benchmark server running in a
child process, so every row shares the same warm-up, the same interpreter and the same noise.
It also has rows that no framework user runs, which split a call into layers:

- ``lc-generate``: ``ChatOpenRouter._generate`` called directly, without langchain-core's run
  (no config, callbacks, run id or closing steps): the floor of what ``invoke`` could reach
  while it sends the same request through the same code.

Usage (from the repository, with its virtualenv)::

    .venv/bin/python benchmarks/inprocess.py                   # the default rows
    .venv/bin/python benchmarks/inprocess.py floor-httpx,core,lc-generate,ours-langchain
    .venv/bin/python benchmarks/inprocess.py --rounds 100 --per-round 30 --payload json-500

An old-versus-new comparison alternates two checkouts, each on ``PYTHONPATH`` (run from a
directory outside both, so that neither is picked up as the current directory)::

    PYTHONPATH=/tmp/old python /tmp/old/benchmarks/inprocess.py
    PYTHONPATH=$PWD python benchmarks/inprocess.py

Each row's median over every call is printed with its ratio to the first row's. Timings only:
nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from worker import INTEGRATIONS, Tally, prompt  # type: ignore[import-not-found]  # noqa: E402

DEFAULT_ROWS = ("floor-httpx", "core", "lc-generate", "ours-langchain", "ours-llamaindex")
_SERVER = ("import sys, time; sys.path.insert(0, {here!r}); import serve; "
           "server = serve.start(); print(server.base_url, flush=True); time.sleep(10**6)")


class Generate:
    """``ChatOpenRouter._generate`` on one user message, without langchain-core's run."""

    def __init__(self, base_url: str) -> None:
        from langchain_core.messages import HumanMessage

        integration = INTEGRATIONS["ours-langchain"]
        self.model = integration.make(base_url)
        self.human = HumanMessage

    def complete(self, tally: Tally, payload: str) -> None:
        """One non-streamed call."""
        result = self.model._generate([self.human(content=prompt(payload))])
        tally.text(result.generations[0].message.content)


def _row(name: str, base_url: str) -> Any:
    if name == "lc-generate":
        return Generate(base_url)
    integration = INTEGRATIONS[name]
    return integration.api(base_url, integration.make)


def main(argv: list[str] | None = None) -> int:
    """Run the rows in turn and print each one's median and ratio to the first row's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", default=",".join(DEFAULT_ROWS),
                        help="comma-separated rows: worker.INTEGRATIONS names or lc-generate")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--per-round", type=int, default=30)
    parser.add_argument("--payload", default="json-500")
    args = parser.parse_args(argv)
    server = subprocess.Popen([sys.executable, "-c", _SERVER.format(here=str(HERE))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        names = args.rows.split(",")
        rows = {name: _row(name, base_url) for name in names}
        for row in rows.values():  # warm-up: connection pools, lazy imports
            for _ in range(20):
                row.complete(Tally(), args.payload)
        times: dict[str, list[float]] = {name: [] for name in names}
        gc.disable()  # collected between rounds, so no row pays for another's garbage
        try:
            for _ in range(args.rounds):
                for name, row in rows.items():
                    for _ in range(args.per_round):
                        started = time.perf_counter()
                        row.complete(Tally(), args.payload)
                        times[name].append(time.perf_counter() - started)
                    gc.collect()
        finally:
            gc.enable()
    finally:
        server.kill()
        server.wait()
    reference = statistics.median(times[names[0]])
    for name in names:
        median = statistics.median(times[name])
        print(f"{name:28s} {median * 1e6:8.1f} µs  {median / reference:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
