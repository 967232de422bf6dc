"""Benchmark results → text or Markdown tables, the issue's targets, and the scaling curves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from payloads import payload
from worker import INTEGRATIONS

if TYPE_CHECKING:
    from run import Workload


@dataclass(slots=True)
class Cell:
    """One integration's result for one workload: medians over the trials."""

    seconds: float | None = None
    """Median of the trial medians (seconds per run)."""
    low: float = 0.0
    high: float = 0.0
    trials: int = 0
    note: str | None = None
    """An error, or what the same-result check found wrong."""
    result: dict[str, Any] = field(default_factory=dict)
    """The last trial's result (what the client received, plus op-specific fields)."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Medians over the trials of ``rss_growth`` and ``ttft_p99`` (where the op gives them)."""

    @property
    def ok(self) -> bool:
        """A measurement that passed the same-result check."""
        return self.seconds is not None and self.note is None


Cells = dict[str, dict[str, Cell]]
Values = dict[str, dict[str, float]]


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        return "\n".join(["| " + " | ".join(headers) + " |",
                          "|---" + "|---:" * (len(headers) - 1) + "|",
                          *("| " + " | ".join(row) + " |" for row in rows)])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*headers), fmt.format(*("-" * w for w in widths)),
                      *(fmt.format(*r) for r in rows)])


def _short(note: str, width: int = 60) -> str:
    note = " ".join(note.split())
    return note if len(note) <= width else note[: width - 1] + "…"


# --- the main table -----------------------------------------------------------------------


def _text_bytes(cell: Cell) -> int:
    return payload(cell.result["payload"]).text_bytes


def value(work: Workload, cell: Cell, low: bool | None = None) -> float:
    """The cell's number in the workload's unit (``low``: the trial range's low/high end)."""
    seconds = cell.seconds if low is None else (cell.low if low else cell.high)
    assert seconds is not None
    if work.unit in ("ms", "import"):
        return seconds * 1000
    if work.unit == "memory":
        return cell.metrics["rss_growth"]
    return work.count / seconds  # a rate: the low end comes from the slowest trial


def _row(work: Workload, name: str, cell: Cell, group: dict[str, Cell]) -> list[str]:
    label = INTEGRATIONS[name].label
    if cell.seconds is None:
        return [label, _short(cell.note or "-"), "", "", ""]
    number = value(work, cell)
    verdict = "ok" if cell.note is None else _short(cell.note)
    if work.unit == "memory":  # against the text's own size, not another integration
        chunks = payload(cell.result["payload"]).chunks
        return [label, _fmt(number / 1024), f"{chunks:,} chunks, {cell.seconds:.1f} s",
                f"{cell.metrics['rss_growth'] / _text_bytes(cell):.1f}x text", verdict]
    rate = work.unit not in ("ms", "import")
    spread = (f"{_fmt(value(work, cell, not rate))}-{_fmt(value(work, cell, rate))}"
              if cell.trials > 1 else "")
    ref = work.ref
    if ref == "fw":
        ref = "fw-llama-index-core" if "llama" in name else "fw-langchain-core"
    base = group.get(ref)
    rel = (f"{number / value(work, base):.2f}x"
           if base is not None and base.ok and name != ref else "")
    return [label, _fmt(number), spread, rel, verdict]


LC, CO, OLD, LI, PEER = ("ours-langchain", "langchain-openai", "old-langchain-openrouter",
                         "ours-llamaindex", "llamaindex-openrouter")
TARGETS: list[tuple[str, str, str, str, str, float]] = [
    # (the target, workload, ours, compared with ("": the value itself), ≥ or ≤, bound)
    ("ChatOpenRouter.stream chunks/s ≥ 2x ChatOpenAI (2,000 chunks)", "stream-2000", LC, CO,
     "≥", 2),
    ("ChatOpenRouter.stream chunks/s ≥ 2x ChatOpenAI (500 chunks)", "stream-500", LC, CO, "≥", 2),
    ("ChatOpenRouter.stream chunks/s ≥ 10x langchain-openrouter 0.2 (2,000 chunks)",
     "stream-2000", LC, OLD, "≥", 10),
    ("OpenRouter.stream_chat chunks/s ≥ 2x llama-index-llms-openrouter (2,000 chunks)",
     "stream-2000", LI, PEER, "≥", 2),
    ("Streamed tool call: ChatOpenRouter ≥ 2x ChatOpenAI fragments/s", "tool-200", LC, CO,
     "≥", 2),
    ("Non-streaming: ChatOpenRouter time ≤ 1x ChatOpenAI's", "complete-500", LC, CO, "≤", 1),
    ("Non-streaming: ChatOpenRouter time ≤ 0.2x langchain-openrouter 0.2's", "complete-500",
     LC, OLD, "≤", 0.2),
    ("Non-streaming: OpenRouter (LlamaIndex) time ≤ 1x llama-index-llms-openrouter's",
     "complete-500", LI, PEER, "≤", 1),
    ("200 concurrent async streams: ChatOpenRouter ≥ 2x ChatOpenAI aggregate chunks/s",
     "async-200x200", LC, CO, "≥", 2),
    ("Import: langchain_openrouter ≤ langchain-core chat-model import + 15%", "import", LC,
     "fw-langchain-core", "≤", 1.15),
    ("Import: llama_index_openrouter ≤ llama_index.core import + 15%", "import", LI,
     "fw-llama-index-core", "≤", 1.15),
    ("Construction: ChatOpenRouter < 1 ms per instance", "construct", LC, "", "≤", 1),
    ("Construction: OpenRouter (LlamaIndex) < 1 ms per instance", "construct", LI, "", "≤", 1),
    ("100k-chunk stream: ChatOpenRouter peak memory ≤ 3x final text size", "memory-100k", LC,
     "", "≤", 3),
    ("100k-chunk stream: OpenRouter (LlamaIndex) peak memory ≤ 3x final text size",
     "memory-100k", LI, "", "≤", 3),
]


def _judge(values: Values, key: str, ours: str, peer: str, sign: str,
           bound: float) -> tuple[str, str]:
    """(measured, verdict) of one target."""
    got = values.get(key, {})
    if ours not in got or (peer and not got.get(peer)):
        return "not measured", "-"
    measured = got[ours] / got[peer] if peer else got[ours]
    met = measured >= bound if sign == "≥" else measured <= bound
    unit = " ms" if key == "construct" else "x"
    return f"{_fmt(measured)}{unit}", "met" if met else "MISSED"


def _values(works: Sequence[Workload], cells: Cells) -> Values:
    """Every passing cell's number, memory as a multiple of the text (what targets read)."""
    return {w.key: {n: (c.metrics["rss_growth"] / _text_bytes(c) if w.unit == "memory"
                        else value(w, c))
                    for n, c in cells.get(w.key, {}).items() if c.ok} for w in works}


# --- the scaling curves ---------------------------------------------------------------------


METRICS: dict[str, tuple[str, Callable[[Workload, Cell], float]]] = {
    "us": ("µs per {unit}", lambda w, c: (c.seconds or 0) / w.count * 1e6),
    "call_us": ("µs per call", lambda w, c: (c.seconds or 0) * 1e6),
    "ms": ("ms per call", lambda w, c: (c.seconds or 0) * 1e3),
    "rss": ("peak RSS growth, bytes per {unit}", lambda w, c: c.metrics["rss_growth"] / w.count),
    "rate": ("chunks/s, all streams", lambda w, c: w.count / (c.seconds or 1)),
    "ttft": ("p99 time to first token, ms", lambda w, c: c.metrics["ttft_p99"] * 1e3),
}
"""Scaling metric → (title, value of a cell)."""
REFERENCE = "langchain-openai"
"""The row every scaling cell is compared with (in brackets)."""


def _curves(works: Sequence[Workload], cells: Cells, markdown: bool) -> list[str]:
    out: list[str] = []
    axes: dict[str, list[Workload]] = {}
    for work in works:
        axes.setdefault(work.axis, []).append(work)
    head = "#### " if markdown else "== "
    for axis, sizes in axes.items():
        rows = list(dict.fromkeys(n for w in sizes for n in w.rows
                                  if n in cells.get(w.key, {})))
        for metric in sizes[0].metrics:
            title, measure = METRICS[metric]
            per_unit = metric in ("us", "rss") and len(sizes) > 2
            table = []
            for name in rows:
                line, numbers = [INTEGRATIONS[name].label], []
                for work in sizes:
                    cell, ref = cells[work.key].get(name), cells[work.key].get(REFERENCE)
                    if cell is None or not cell.ok:
                        line.append(_short(cell.note or "-", 30) if cell else "")
                        continue
                    number = measure(work, cell)
                    numbers.append(number)
                    line.append(_fmt(number) + (
                        f" ({number / measure(work, ref):.2f}x)"
                        if ref is not None and ref.ok and name != REFERENCE and
                        measure(work, ref) else ""))
                whole = len(numbers) == len(sizes) > 1
                if len(sizes) > 1:
                    line.append(f"{numbers[-1] / numbers[0]:.2f}x"
                                if whole and numbers[0] else "")
                if per_unit:  # a fixed cost fades from the per-unit figure; this does not
                    a, b = sizes[-2].count, sizes[-1].count
                    line.append(_fmt((numbers[-1] * b - numbers[-2] * a) / (b - a))
                                if whole else "")
                table.append(line)
            headers = ["integration", *(w.title for w in sizes)]
            if len(sizes) > 1:
                headers.append(f"{sizes[-1].title} vs {sizes[0].title}")
            if per_unit:
                headers.append(f"marginal, {sizes[-2].title} to {sizes[-1].title}")
            out += ["", f"{head}{axis}: {title.format(unit=sizes[0].unit)}", "",
                    _table(headers, table, markdown)]
    return out


def render(works: Sequence[Workload], cells: Cells, missing: Sequence[str],
           versions: dict[str, dict[str, str]], elapsed: float, *, markdown: bool,
           quick: bool) -> str:
    """The whole report: environments, the main tables and targets, the scaling curves."""
    bullet, head = ("- ", "#### ") if markdown else ("", "== ")
    out = [f"{bullet}environment `{venv}`: " + ", ".join(f"{k} {v}" for k, v in found.items())
           for venv, found in versions.items()]
    if missing:
        out.append(f"{bullet}not installed: " + ", ".join(INTEGRATIONS[m].label for m in missing)
                   + " (run `bash benchmarks/setup_peers.sh`)")
    out.append(f"{bullet}run took {elapsed:.0f} s"
               + (" (--quick: small payloads, one trial)" if quick else ""))
    main = [w for w in works if not w.axis]
    for work in main:
        group = cells.get(work.key, {})
        if not group:
            continue
        rel = ({"fw": "vs framework", "": "", "floor-httpx": "vs floor"}[work.ref]
               if work.ref in ("fw", "", "floor-httpx")
               else "vs " + INTEGRATIONS[work.ref].label.split(" (")[0])
        headers = ["integration", {"import": "ms", "ms": "ms/call" if work.op != "construct"
                                   else "ms/instance", "memory": "peak RSS growth, KiB"}.get(
                                       work.unit, work.unit),
                   "stream / runs" if work.unit == "memory" else "min-max of trials",
                   "vs text" if work.unit == "memory" else rel, "same result"]
        rows = [_row(work, name, group[name], group) for name in work.rows if name in group]
        out += ["", f"{head}{work.title}", "", _table(headers, rows, markdown)]
    if main:
        values = _values(main, cells)
        out += ["", f"{head}Targets (ratios from this run)", "",
                _table(["target", "measured", "verdict"],
                       [[t[0], *_judge(values, *t[1:])] for t in TARGETS], markdown)]
    return "\n".join(out + _curves([w for w in works if w.axis], cells, markdown))
