"""Benchmark this project's integrations against the floor, the SDK and the peer packages.

Usage (from the repository root)::

    bash benchmarks/setup_peers.sh             # once: peer virtualenvs in benchmarks/.venvs
    .venv/bin/python benchmarks/run.py         # the main table (~11 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick # smoke run: small payloads, one trial
    .venv/bin/python benchmarks/run.py --scaling --markdown   # the scaling curves only

Nothing is installed here. The emulator serving canned OpenRouter bytes runs in this process;
each integration runs in its own ``worker.py`` process under the interpreter that has it
(``Integration.venv``). Trials are interleaved across integrations (A, B, C, A, B, C, ...), the
report gives the median of the trial medians and their min-max, and every result is checked
against the payload before it counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from payloads import payload  # noqa: E402
from report import Cell, render  # noqa: E402
from worker import INTEGRATIONS, MAIN  # noqa: E402

ASK_TIMEOUT = 150.0
"""Seconds one trial may take before its integration is marked as failed for the workload."""
SLOW_TRIAL = 20.0
"""A trial slower than this (seconds) is not repeated for that integration."""
MEMORY_SECONDS = 60.0
"""Predicted seconds above which the main memory workload streams 10x fewer chunks."""

STREAMERS = ("floor-httpx", "openai-sdk", "core", "ours-langchain", "ours-langchain-inherited",
             "langchain-openai", "old-langchain-openrouter", "ours-llamaindex",
             "llamaindex-openrouter")
MODELS = ("openai-sdk", "ours-langchain", "langchain-openai", "old-langchain-openrouter",
          "ours-llamaindex", "llamaindex-openrouter")
IMPORTERS = (*(s for s in STREAMERS if INTEGRATIONS[s].imports), "fw-langchain-core",
             "fw-llama-index-core")
LANGCHAIN = ("ours-langchain", "ours-langchain-inherited", "langchain-openai",
             "old-langchain-openrouter")
SCALING = ("ours-langchain", "langchain-openai", "ours-llamaindex", "llamaindex-openrouter")
"""The rows of the scaling curves (the issue's: ours, ChatOpenAI and the LlamaIndex peer)."""


@dataclass(frozen=True, slots=True)
class Workload:
    """One row group of the report: an op with its params, and the rows that run it."""

    key: str
    title: str
    op: str
    params: dict[str, Any]
    rows: tuple[str, ...]
    unit: str
    """Main table: ``chunks/s``-like rates (``count`` / time), ``ms``, ``import``, ``memory``.
    Scaling: the unit of ``count`` (``chunk``, ``message``, ``tool``, ``call``)."""
    count: int = 1
    """Units per run (chunks for rates; the size on a scaling axis)."""
    trials: int = 5
    warm: dict[str, Any] | None = None
    """Params of the untimed warm-up, when cheaper ones do (default: the same)."""
    fresh: bool = False
    """One fresh worker process per trial (memory: RSS is per process)."""
    ref: str = "floor-httpx"
    """The row the others are compared with (``fw``: the integration's framework)."""
    axis: str = ""
    """Scaling axis (``""``: the main table)."""
    metrics: tuple[str, ...] = ()
    """Scaling: what the report shows (``report.METRICS``)."""


def main_table(quick: bool) -> list[Workload]:
    """The workloads of the main table (``--quick``: small payloads, one trial)."""
    n500, n2000, frags, words, streams, each, big = (
        (50, 100, 20, 100, 20, 20, 2_000) if quick else (500, 2000, 200, 500, 200, 200, 100_000))
    table = [
        Workload("stream-500", f"Text stream, {n500} chunks (sync)", "stream",
                 {"payload": f"text-{n500}"}, STREAMERS, "chunks/s", n500),
        Workload("stream-2000", f"Text stream, {n2000} chunks (sync)", "stream",
                 {"payload": f"text-{n2000}"}, STREAMERS, "chunks/s", n2000),
        Workload("tool-200", f"Streamed tool call, {frags} argument fragments", "tool",
                 {"payload": f"tool-{frags}"}, STREAMERS, "fragments/s", frags),
        Workload("complete-500", f"Non-streaming reply, {words} tokens", "complete",
                 {"payload": f"json-{words}"}, STREAMERS, "ms"),
        # Without the older langchain-openrouter: it has no target here, and its one trial took
        # 52-75 s in earlier runs and passed the 150 s limit in the 2026-12-06 one.
        Workload("async-200x200", f"{streams} concurrent async streams x {each} chunks",
                 "concurrent", {"payload": f"text-{each}", "streams": streams},
                 tuple(s for s in STREAMERS if s != "old-langchain-openrouter"),
                 "chunks/s (all streams)", streams * each, 3,
                 warm={"payload": "text-5", "streams": streams}),
        Workload("events-500", f"astream_events(version=\"v2\"), {n500}-chunk stream", "events",
                 {"payload": f"text-{n500}"}, LANGCHAIN, "chunks/s", n500,
                 ref="langchain-openai"),
        Workload("langgraph-500", f"LangGraph stream_mode=\"messages\", {n500}-chunk reply",
                 "graph", {"payload": f"text-{n500}"}, ("ours-langchain", "langchain-openai"),
                 "chunks/s", n500, ref="langchain-openai"),
        Workload("construct", "Model construction", "construct", {}, MODELS, "ms", ref=""),
        Workload("import", "Import time, fresh interpreter", "import", {}, IMPORTERS, "import",
                 ref="fw"),
        Workload("memory-100k", f"Peak memory, {big:,}-chunk stream", "memory",
                 {"payload": f"text-{big}"}, STREAMERS, "memory", big, 1, fresh=True, ref=""),
    ]
    return [replace(w, trials=1) for w in table] if quick else table


def scaling(quick: bool) -> list[Workload]:
    """The scaling curves: one workload per size on each axis (``--quick``: smaller sizes)."""
    lengths, chats, tools, crowds = (
        ((50, 500, 2_000), (2, 20, 200), (1, 5, 20), (1, 5, 50)) if quick else
        ((500, 10_000, 100_000), (10, 200, 2_000), (1, 50, 200), (1, 50, 500)))
    trials = 1 if quick else 3
    # The core (under ours), the SDK (under ChatOpenAI and the LlamaIndex peer) and the floor
    # (JSON encoding, the server's parse) say where a per-message or per-tool cost comes from.
    conversation_rows = (*SCALING, "core", "openai-sdk", "floor-httpx")
    out: list[Workload] = []
    for n in lengths:
        out.append(Workload(f"length-{n}", f"{n:,}", "memory", {"payload": f"text-{n}"},
                            SCALING, "chunk", n, 1, fresh=True, axis="Stream length",
                            metrics=("us", "rss")))
    for n in chats:
        out.append(Workload(f"chat-{n}", f"{n:,}", "complete",
                            {"payload": "json-10", "messages": n}, conversation_rows, "message",
                            n, trials, axis="Conversation length", metrics=("ms", "us")))
    for n in tools:
        out += [
            Workload(f"bind-{n}", f"{n:,}", "bind", {"tools": n},
                     ("ours-langchain", "langchain-openai"), "tool", n, trials,
                     axis="Tool count: bind_tools", metrics=("call_us", "us")),
            Workload(f"tools-{n}", f"{n:,}", "complete", {"payload": "json-10", "tools": n},
                     conversation_rows, "tool", n, trials,
                     axis="Tool count: request build + send", metrics=("ms", "us")),
            Workload(f"toolcall-{n}", f"{n:,}", "tool",
                     {"payload": "tool-50", "tools": n, "assemble": True}, SCALING, "tool",
                     n, trials, axis="Tool count: streamed tool call, assembled",
                     metrics=("ms",))]
    for n in crowds:
        out.append(Workload(f"async-{n}", f"{n:,}", "concurrent",
                            {"payload": "text-50", "streams": n}, SCALING, "chunk", 50 * n,
                            trials, warm={"payload": "text-5", "streams": n},
                            axis="Concurrent astream on one event loop (50 chunks each)",
                            metrics=("rate", "ttft")))
    threads = 8 if quick else 32
    out.append(Workload(
        "threads-32", f"{threads}", "threads", {"payload": "text-50", "threads": threads},
        SCALING, "chunk", 50 * 4 * threads, trials,
        warm={"payload": "text-5", "threads": threads},
        axis=f"{threads} threads sharing one instance, 4 sync streams of 50 chunks each",
        metrics=("rate", "ttft")))
    return out


# --- running ------------------------------------------------------------------------------


def interpreter(name: str) -> Path | None:
    """The Python that runs ``name``, or ``None`` when its virtualenv is missing."""
    venv = INTEGRATIONS[name].venv
    python = Path(sys.executable) if venv == MAIN else HERE / ".venvs" / venv / "bin" / "python"
    return python if python.exists() else None


class Process:
    """A ``worker.py`` process for one integration, asked one JSON line at a time.

    Started on the first request, and again after one that died or did not answer in time,
    so that a stuck trial fails alone and later workloads still run.
    """

    def __init__(self, name: str, base_url: str) -> None:
        self.command = [str(interpreter(name)), str(HERE / "worker.py"), name,
                        "--base-url", base_url]
        self.proc: subprocess.Popen[str] | None = None

    def ask(self, request: dict[str, Any], timeout: float = ASK_TIMEOUT) -> dict[str, Any]:
        """Send ``request`` and wait for the answer."""
        if self.proc is None:
            self.proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, bufsize=1, cwd=HERE.parent)
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        with contextlib.suppress(BrokenPipeError):  # it died: reading says so below
            self.proc.stdin.write(json.dumps(request) + "\n")
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if line:
            answer: dict[str, Any] = json.loads(line)
            return answer
        self.close()
        return {"error": "worker exited" if ready else f"no answer after {timeout:.0f} s"}

    def close(self) -> None:
        """Stop the worker (closing stdin ends its loop)."""
        if self.proc is not None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


IMPORT_RUNS = 3
"""Fresh interpreters per trial of the import workload."""
IMPORT_PADS = tuple(136 * i for i in range(15))
"""Extra frame-stack slots (8 bytes each) under the timed import, one per fresh interpreter.

CPython 3.11 and 3.12 keep Python frames in per-thread 16 KiB chunks (2,048 slots) and free a
chunk as soon as the frame that opened it returns (python/cpython#142183): a call repeated at a
chunk boundary maps and unmaps 16 KiB every time, and where the boundaries fall depends only on
the depth the import starts at (the identical langchain-core import took 0.76 s at one depth and
0.99 s at another). The pads span one chunk; trial ``t`` uses pads ``t``, ``t + 5`` and
``t + 10``, so a 5-trial run gives every integration the same 15 evenly spread depths. See
docs/performance.md, "Import time: bytecode and stack depth".
"""


def import_code(statement: str, pad: int) -> str:
    """``python -c`` source printing the seconds ``statement`` takes, ``pad`` slots deeper."""
    return "\n".join([
        "import time",
        "def timed():",
        "    t = time.perf_counter()",
        f"    {statement}",
        "    return time.perf_counter() - t",
        "timed.__code__ = timed.__code__.replace("
        f"co_stacksize=timed.__code__.co_stacksize + {pad})",
        "print(timed())",
    ])


class Importer:
    """Times one integration's import in fresh interpreters of its own Python, from bytecode.

    Users install wheels, which pip byte-compiles, while ``PYTHONDONTWRITEBYTECODE`` would have
    an editable install compiled from source every time. So an untimed first interpreter writes
    ``.pyc`` files for everything the import loads (ours, the peers', the stdlib) into a private
    ``PYTHONPYCACHEPREFIX``, and the timed ones read them from there.
    """

    def __init__(self, name: str) -> None:
        self.python = str(interpreter(name))
        self.statement = INTEGRATIONS[name].imports
        self.prefix = tempfile.TemporaryDirectory(prefix="bench-pycache-")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")}
        self.env["PYTHONPYCACHEPREFIX"] = self.prefix.name
        self.once(0)  # writes the bytecode
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"

    def once(self, pad: int) -> float:
        """Seconds of one import, ``pad`` stack slots deep."""
        # A neutral working directory: from the repository root, ``python -c`` would import
        # this repository's ``langchain_openrouter`` even in the older package's virtualenv.
        done = subprocess.run([self.python, "-c", import_code(self.statement, pad)],
                              capture_output=True, text=True, check=True, env=self.env,
                              cwd=tempfile.gettempdir())
        return float(done.stdout.split()[-1])

    def trial(self, trial: int) -> dict[str, Any]:
        """``IMPORT_RUNS`` imports at the trial's stack depths, as a worker answer."""
        stride = len(IMPORT_PADS) // IMPORT_RUNS
        pads = [IMPORT_PADS[(trial + stride * run) % len(IMPORT_PADS)]
                for run in range(IMPORT_RUNS)]
        return {"times": [self.once(pad) for pad in pads], "result": {"stack_pads": pads}}


def check(params: dict[str, Any], result: dict[str, Any]) -> str | None:
    """``None`` when what the client received is what the payload holds, else what differs."""
    if "distinct" in result:  # many streams: all alike, and all right
        if result["started"] != result["streams"] or len(result["distinct"]) != 1:
            return (f"{result['started']} of {result['streams']} streams ran, with "
                    f"{len(result['distinct'])} different results")
        result = result["distinct"][0]
    if "payload" not in params:
        return None
    expected = payload(params["payload"])
    want = expected.summary()
    if expected.kind == "tool":
        return None if result.get("args_crc") == want["args_crc"] else "tool args differ"
    if result.get("text_crc") != want["text_crc"]:
        return f"text differs ({result.get('text_len')} vs {want['text_len']} chars)"
    if expected.kind == "text" and result.get("chunks") != want["chunks"]:
        return f"{result.get('chunks')} text chunks, expected {want['chunks']}"
    return None


@dataclass(slots=True)
class Trials:
    """The trials of one (workload, integration)."""

    medians: list[float] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None

    def cell(self) -> Cell:
        """The report cell: medians over the trials."""
        if not self.medians:
            return Cell(note=self.problem or "no result")
        metrics = {k: statistics.median(r[k] for r in self.results)
                   for k in ("rss_growth", "ttft_p99") if k in self.results[-1]}
        return Cell(statistics.median(self.medians), min(self.medians), max(self.medians),
                    len(self.medians), self.problem, self.results[-1], metrics)


class Runner:
    """Runs workloads: interleaved trials, a worker process per integration."""

    def __init__(self, base_url: str, budget: float, log: Callable[[str], None]) -> None:
        self.base_url = base_url
        self.budget = budget
        """Seconds each trial repeats its op for (at least one run)."""
        self.log = log
        self.workers: dict[str, Process] = {}
        self.importers: dict[str, Importer] = {}
        self.rates: dict[str, float] = {}
        """Chunks/s of the 2,000-chunk stream, to size the memory workload."""

    def ask(self, work: Workload, name: str, trial: int) -> tuple[dict[str, Any],
                                                                   dict[str, Any]]:
        """One trial of ``work`` for ``name``: (params used, answer)."""
        params = dict(work.params)
        if work.unit == "import":
            if name not in self.importers:
                self.importers[name] = Importer(name)
            return params, self.importers[name].trial(trial)
        rate = self.rates.get(name)
        if work.key == "memory-100k" and rate and work.count / rate > MEMORY_SECONDS:
            params["payload"] = f"text-{work.count // 10}"
        request = {"op": work.op, "params": params, "warm": work.warm, "budget": self.budget}
        if work.fresh:
            process = Process(name, self.base_url)
            try:
                return params, process.ask(request, ASK_TIMEOUT * 2)
            finally:
                process.close()
        if name not in self.workers:
            self.workers[name] = Process(name, self.base_url)
        return params, self.workers[name].ask(request)

    def run(self, work: Workload, server: Any) -> dict[str, Trials]:
        """Interleaved trials of ``work`` over every installed integration it lists."""
        out = {name: Trials() for name in work.rows if interpreter(name)}
        for trial in range(work.trials):
            for name, got in out.items():
                if got.problem or (got.medians and got.medians[-1] > SLOW_TRIAL):
                    continue
                try:
                    params, answer = self.ask(work, name, trial)
                except (subprocess.SubprocessError, OSError, ValueError) as exc:
                    params, answer = {}, {"error": f"{type(exc).__name__}: {exc}"[:300]}
                if "error" in answer:
                    got.problem = "error: " + answer["error"]
                else:
                    got.problem = check(params, answer["result"])
                    got.medians.append(statistics.median(answer["times"]))
                    got.results.append(answer["result"] | {"payload": params.get("payload")})
                self.log(f"  {work.key:<14} trial {trial + 1}/{work.trials} {name:<26} "
                         f"{got.problem or f'{got.medians[-1]:.4g} s'}")
            server.forget()  # the recorded requests of this round (up to MBs each)
        if work.key == "stream-2000":
            self.rates = {n: work.count / statistics.median(t.medians)
                          for n, t in out.items() if t.medians}
        return out

    def versions(self) -> dict[str, dict[str, str]]:
        """Package versions of every virtualenv in use (from one worker in each)."""
        found: dict[str, dict[str, str]] = {}
        for name, worker in self.workers.items():
            venv = INTEGRATIONS[name].venv
            if venv not in found:
                found[venv] = worker.ask({"op": "versions"}).get("result", {})
        return found

    def close(self) -> None:
        """Stop every worker."""
        for worker in self.workers.values():
            worker.close()


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small payloads, one trial")
    parser.add_argument("--scaling", action="store_true",
                        help="run the scaling curves instead of the main table")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--only", help="comma-separated workload keys (from either set)")
    parser.add_argument("--trials", type=int, help="override the number of trials")
    parser.add_argument("--save", type=Path, help="also write raw results as JSON here")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    from serve import start

    everything = main_table(args.quick) + scaling(args.quick)
    if args.only:
        keys = args.only.split(",")
        chosen = [w for w in everything if w.key in keys]
    else:
        chosen = scaling(args.quick) if args.scaling else main_table(args.quick)
        if args.quick and not args.scaling:  # each costs fresh interpreters per integration
            chosen = [w for w in chosen if w.unit not in ("import", "memory")]
    if args.trials:
        chosen = [replace(w, trials=args.trials) if w.trials > 1 else w for w in chosen]
    started = time.perf_counter()
    server = start()
    runner = Runner(server.base_url, 0.02 if args.quick else 0.5, log)
    results: dict[str, dict[str, Trials]] = {}
    try:
        for work in chosen:
            log(f"{work.key}: {work.axis + ', ' if work.axis else ''}{work.title}")
            results[work.key] = runner.run(work, server)
        versions = runner.versions()
    finally:
        runner.close()
        server.stop()
    elapsed = time.perf_counter() - started
    missing = sorted({n for w in chosen for n in w.rows if interpreter(n) is None})
    cells = {key: {name: t.cell() for name, t in got.items()} for key, got in results.items()}
    print(render(chosen, cells, missing, versions, elapsed, markdown=args.markdown,
                 quick=args.quick))
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({
            "versions": versions, "missing": missing, "seconds": elapsed,
            "results": {k: {n: {"medians": t.medians, "results": t.results,
                                "problem": t.problem} for n, t in v.items()}
                        for k, v in results.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
