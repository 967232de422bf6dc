"""Benchmark this project's integrations against the floor, the SDK and the peer packages.

Usage (from the repository root)::

    bash benchmarks/setup_peers.sh             # once: peer virtualenvs in benchmarks/.venvs
    .venv/bin/python benchmarks/run.py         # full run (~11 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick # smoke run, small payloads, one trial
    .venv/bin/python benchmarks/run.py --markdown > table.md

Nothing is installed here. The emulator serving canned OpenRouter bytes runs in this process;
each integration runs in its own worker process (``worker.py --serve``) under the interpreter
that has it: this repository's for ours, the floor, the SDK and ``ChatOpenAI``, and the peer
virtualenvs for the older ``langchain-openrouter`` and ``llama-index-llms-openrouter``.
Trials are interleaved across integrations (A, B, C, A, B, C, ...) and medians are reported.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import select
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from payloads import payload  # noqa: E402
from report import Cell, render  # noqa: E402

VENVS = HERE / ".venvs"
MAIN = "main"
INTERPRETER_OF: dict[str, str] = {
    "floor-httpx": MAIN,
    "openai-sdk": MAIN,
    "core": MAIN,
    "ours-langchain": MAIN,
    "ours-langchain-inherited": MAIN,
    "langchain-openai": MAIN,
    "old-langchain-openrouter": "old-langchain-openrouter",
    "ours-llamaindex": MAIN,
    "llamaindex-openrouter": "llamaindex-openrouter",
    "fw-langchain-core": MAIN,
    "fw-llama-index-core": MAIN,
}
"""Integration → ``main`` (this interpreter) or the name of a peer virtualenv."""

STREAMERS = ["floor-httpx", "openai-sdk", "core", "ours-langchain", "ours-langchain-inherited",
             "langchain-openai", "old-langchain-openrouter", "ours-llamaindex",
             "llamaindex-openrouter"]
MODELS = ["openai-sdk", "ours-langchain", "langchain-openai", "old-langchain-openrouter",
          "ours-llamaindex", "llamaindex-openrouter"]
IMPORTERS = [*(s for s in STREAMERS if s != "ours-langchain-inherited"), "fw-langchain-core",
             "fw-llama-index-core"]
ASK_TIMEOUT = 150.0
"""Seconds one trial may take before its integration is marked as failed for the workload."""
SLOW_TRIAL = 20.0
"""A trial slower than this (seconds) is not repeated for that integration."""
QUICK_SKIPS = ("import", "memory-100k")
"""Workloads a ``--quick`` run leaves out (each costs a fresh interpreter per integration)."""
MEMORY_SECONDS = 60.0
"""Estimated seconds above which the memory workload uses a 10x smaller stream."""


@dataclass(frozen=True, slots=True)
class Workload:
    """One row group of the report."""

    key: str
    title: str
    command: str
    unit: str
    """``rate`` (units/s from ``count / median``), ``ms`` or ``bytes``."""
    integrations: list[str]
    count: int = 0
    trials: int = 5
    budget: float = 0.5
    explain: str = ""


def workloads(quick: bool) -> list[Workload]:
    """The workloads of a full or a ``--quick`` run."""
    n500, n2000, frags, words, streams, each, big = (
        (50, 100, 20, 100, 20, 20, 2_000) if quick else (500, 2000, 200, 500, 200, 200, 100_000))
    trials, budget = (1, 0.02) if quick else (5, 0.5)
    return [
        Workload("stream-500", f"Text stream, {n500} chunks (sync)", f"stream:text-{n500}",
                 "rate", STREAMERS, n500, trials, budget),
        Workload("stream-2000", f"Text stream, {n2000} chunks (sync)", f"stream:text-{n2000}",
                 "rate", STREAMERS, n2000, trials, budget),
        Workload("tool-200", f"Streamed tool call, {frags} argument fragments",
                 f"tool:tool-{frags}", "rate", STREAMERS, frags, trials, budget),
        Workload("complete-500", f"Non-streaming reply, {words} tokens",
                 f"complete:json-{words}", "ms", STREAMERS, 0, trials, budget),
        Workload("async-200x200", f"{streams} concurrent async streams x {each} chunks",
                 f"async:{streams}xtext-{each}", "rate", STREAMERS, streams * each,
                 1 if quick else 3, budget),
        Workload("construct", "Model construction", "construct", "ms", MODELS, 0, trials,
                 budget),
        Workload("import", "Import time, fresh interpreter", "import", "ms", IMPORTERS, 0,
                 1 if quick else 5, budget),
        Workload("memory-100k", f"Peak memory, {big:,}-chunk stream", f"memory:text-{big}",
                 "bytes", STREAMERS, big, 1, budget),
    ]


def interpreter(integration: str) -> Path | None:
    """The Python that runs ``integration``'s worker, or ``None`` when not installed."""
    where = INTERPRETER_OF[integration]
    if where == MAIN:
        return Path(sys.executable)
    python = VENVS / where / "bin" / "python"
    return python if python.exists() else None


class Worker:
    """A ``worker.py --serve`` subprocess answering one JSON command per line."""

    def __init__(self, integration: str, python: Path, base_url: str) -> None:
        self.integration = integration
        self.python = python
        self.base_url = base_url
        self.dead: str | None = None
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [str(self.python), str(HERE / "worker.py"), self.integration, "--serve",
             "--base-url", self.base_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1, cwd=HERE.parent)
        ready = self._read(60)
        if not ready.get("ready"):
            self.close()
            self.dead = ready.get("error", "worker did not start")

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return {"error": f"timeout after {timeout:.0f}s", "timed_out": True}
        line = self.proc.stdout.readline()
        if not line:
            return {"error": f"worker exited ({self.proc.poll()})"}
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str, budget: float, timeout: float = 600) -> dict[str, Any]:
        """Run one workload trial in the worker."""
        if self.dead:
            return {"error": self.dead}
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"workload": command, "budget": budget}) + "\n")
        answer = self._read(timeout)
        if answer.pop("timed_out", False):
            # Stuck mid-trial: replace the worker, so that this trial fails but the later
            # workloads still run (in a fresh process, as every workload could).
            self.close()
            self._start()
        elif "error" in answer and self.proc.poll() is not None:
            self.dead = answer["error"]
        return answer

    def close(self) -> None:
        """Stop the worker (closing stdin ends its loop)."""
        if self.proc.poll() is None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def check(command: str, result: dict[str, Any]) -> str | None:
    """``None`` when a worker's result matches the payload, else what is wrong."""
    kind, _, arg = command.partition(":")
    if kind == "async":
        if result.get("streams_ok") != result.get("streams"):
            return f"{result.get('streams_ok')}/{result.get('streams')} streams correct"
        return None
    if kind in ("construct", "import", "versions"):
        return None
    expected = payload(arg).summary()
    if kind == "tool":
        return None if result.get("args_crc") == expected["args_crc"] else "tool args differ"
    if result.get("text_crc") != expected["text_crc"]:
        return f"text differs ({result.get('text_len')} vs {expected['text_len']} chars)"
    if kind != "complete" and result.get("chunks") != expected["chunks"]:
        return f"{result.get('chunks')} text chunks, expected {expected['chunks']}"
    return None


@dataclass(slots=True)
class Trials:
    """Trial results of one (workload, integration)."""

    medians: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    na: bool = False


def run_workload(work: Workload, workers: dict[str, Worker],
                 log: Any) -> dict[str, Trials]:
    """Interleaved trials of ``work`` over every available integration."""
    out = {name: Trials() for name in work.integrations if name in workers}
    for trial in range(work.trials):
        for name, trials in out.items():
            if trials.problem or trials.na or (trials.medians and trials.medians[-1] > SLOW_TRIAL
                                               and trial > 0):
                continue
            answer = workers[name].ask(work.command, work.budget, ASK_TIMEOUT)
            if answer.get("na"):
                trials.na = True
            elif "error" in answer:
                trials.problem = "error: " + answer["error"]
            else:
                trials.problem = check(work.command, answer["result"])
                trials.medians.append(statistics.median(answer["times"]))
                trials.extra = answer["result"]
            log(f"  {work.key:<14} trial {trial + 1}/{work.trials} {name:<26} "
                f"{trials.medians[-1] if trials.medians else trials.problem}")
    return out


def run_memory(work: Workload, base_url: str, rates: dict[str, float],
               log: Any) -> dict[str, Trials]:
    """The memory workload: one fresh worker process per integration."""
    out: dict[str, Trials] = {}
    for name in work.integrations:
        python = interpreter(name)
        if python is None:
            continue
        count = work.count
        rate = rates.get(name)
        if rate and count / rate > MEMORY_SECONDS:
            count //= 10
        command = f"memory:text-{count}"
        trials = out[name] = Trials()
        try:
            done = subprocess.run(
                [str(python), str(HERE / "worker.py"), name, command, "--base-url", base_url],
                capture_output=True, text=True, timeout=300, cwd=HERE.parent, check=False)
            answer = json.loads(done.stdout.strip().splitlines()[-1])
        except (subprocess.TimeoutExpired, IndexError, ValueError) as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        if "error" in answer:
            trials.problem = "error: " + answer["error"]
        else:
            trials.problem = check(command, answer["result"])
            trials.medians.append(float(answer["result"]["rss_growth_bytes"]))
            trials.extra = answer["result"] | {
                "count": count, "text_bytes": payload(f"text-{count}").text_bytes,
                "seconds": answer["times"][0]}
        log(f"  {work.key:<14} {name:<26} {trials.medians or trials.problem}")
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Benchmark the OpenRouter integrations.")
    parser.add_argument("--quick", action="store_true", help="small payloads, one trial")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--only", help="comma-separated workload keys to run")
    parser.add_argument("--trials", type=int, help="override the number of trials")
    parser.add_argument("--save", type=Path, help="also write raw results as JSON here")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    from serve import start

    chosen = [w for w in workloads(args.quick)
              if w.key in args.only.split(",")] if args.only else [
        w for w in workloads(args.quick) if not (args.quick and w.key in QUICK_SKIPS)]
    if args.trials:
        chosen = [dataclasses.replace(w, trials=args.trials) if w.trials > 1 else w
                  for w in chosen]
    started = time.perf_counter()
    server = start()
    workers: dict[str, Worker] = {}
    missing: list[str] = []
    results: dict[str, dict[str, Trials]] = {}
    versions: dict[str, dict[str, str]] = {}
    try:
        for name in dict.fromkeys([*IMPORTERS, *STREAMERS]):
            python = interpreter(name)
            if python is None:
                missing.append(name)
                continue
            workers[name] = Worker(name, python, server.base_url)
        for name in ("openai-sdk", "old-langchain-openrouter", "llamaindex-openrouter"):
            if name in workers:
                versions[INTERPRETER_OF[name]] = workers[name].ask("versions", 0).get(
                    "result", {})
        for work in chosen:
            log(f"{work.key}: {work.title}")
            if work.unit == "bytes":
                counts = {w.key: w.count for w in workloads(args.quick)}
                rates = {n: c.value for n, c in _cells(results.get("stream-2000", {}),
                                                       counts["stream-2000"]).items()
                         if c.value}
                results[work.key] = run_memory(work, server.base_url, rates, log)
            else:
                results[work.key] = run_workload(work, workers, log)
    finally:
        for worker in workers.values():
            worker.close()
        server.stop()
    elapsed = time.perf_counter() - started
    cells = {w.key: _cells(results[w.key], w.count, w.unit) for w in chosen}
    print(render(chosen, cells, missing, versions, elapsed, markdown=args.markdown,
                 quick=args.quick))
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({
            "versions": versions, "missing": missing, "seconds": elapsed,
            "results": {k: {n: _asdict(t) for n, t in v.items()}
                        for k, v in results.items()}},
            indent=1, default=str))
    return 0


def _asdict(trials: Trials) -> dict[str, Any]:
    return {"medians": trials.medians, "extra": trials.extra, "problem": trials.problem,
            "na": trials.na}


def _cells(results: dict[str, Trials], count: int, unit: str = "rate") -> dict[str, Cell]:
    """Trials → one report cell per integration (median of the trial medians)."""
    cells: dict[str, Cell] = {}
    for name, trials in results.items():
        if trials.na:
            cells[name] = Cell(note="n/a")
            continue
        if not trials.medians:
            cells[name] = Cell(note=trials.problem or "no result")
            continue
        mid = statistics.median(trials.medians)
        low, high = min(trials.medians), max(trials.medians)
        if unit == "rate":
            value, spread = count / mid, (count / high, count / low)
        elif unit == "ms":
            value, spread = mid * 1000, (low * 1000, high * 1000)
        else:
            value, spread = mid, (low, high)
        cells[name] = Cell(value=value, spread=spread, trials=len(trials.medians),
                           note=trials.problem, extra=trials.extra)
    return cells


if __name__ == "__main__":
    sys.exit(main())
