"""Benchmark results → text or Markdown tables, and the issue's targets as met/missed ratios."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

LABELS: dict[str, str] = {
    "floor-httpx": "floor: raw httpx2 + json.loads",
    "openai-sdk": "openai SDK (chat.completions.create)",
    "core": "openrouter_core.transport (ours, no framework)",
    "ours-langchain": "ChatOpenRouter (ours)",
    "ours-langchain-inherited": "ChatOpenRouter, langchain-core's stream (no override)",
    "langchain-openai": "ChatOpenAI (langchain-openai, base_url)",
    "old-langchain-openrouter": "ChatOpenRouter (PyPI langchain-openrouter 0.2)",
    "ours-llamaindex": "OpenRouter (ours, LlamaIndex)",
    "llamaindex-openrouter": "OpenRouter (PyPI llama-index-llms-openrouter)",
    "fw-langchain-core": "framework: langchain-core BaseChatModel",
    "fw-llama-index-core": "framework: llama_index.core",
}

UNITS: dict[str, str] = {
    "stream-500": "chunks/s", "stream-2000": "chunks/s", "tool-200": "fragments/s",
    "complete-500": "ms/call", "async-200x200": "chunks/s (all streams)",
    "construct": "ms/instance", "import": "ms", "memory-100k": "peak RSS growth, KiB",
}


class WorkloadLike(Protocol):
    """What the report needs from ``run.Workload`` (read-only: that dataclass is frozen)."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def integrations(self) -> list[str]: ...


@dataclass(slots=True)
class Cell:
    """One integration's result for one workload."""

    value: float | None = None
    spread: tuple[float, float] | None = None
    trials: int = 0
    note: str | None = None
    """``n/a``, an error, or what the same-result check found wrong."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """A value that passed the same-result check."""
        return self.value is not None and self.note is None


Cells = dict[str, dict[str, Cell]]


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _ratio(cells: Cells, key: str, ours: str, peer: str, higher_is_better: bool,
           memory_of: str | None = None) -> float | None:
    """``ours`` relative to ``peer`` (as a speed-up when ``higher_is_better``)."""
    a, b = cells.get(key, {}).get(ours), cells.get(key, {}).get(peer)
    if a is None or b is None or not a.ok or not b.ok or not a.value or not b.value:
        return None
    return a.value / b.value


def _memory_ratio(cells: Cells, who: str) -> float | None:
    cell = cells.get("memory-100k", {}).get(who)
    if cell is None or not cell.ok or cell.value is None:
        return None
    text_bytes = int(cell.extra.get("text_bytes", 1))
    return cell.value / max(1, text_bytes)


@dataclass(frozen=True, slots=True)
class Target:
    """One target from the issue: a measured ratio (or value) and its threshold."""

    text: str
    measure: Callable[[Cells], float | None]
    at_least: float | None = None
    at_most: float | None = None
    suffix: str = "x"

    def judge(self, cells: Cells) -> tuple[str, str]:
        """(measured text, verdict)."""
        value = self.measure(cells)
        if value is None:
            return "not measured", "-"
        met = ((self.at_least is None or value >= self.at_least)
               and (self.at_most is None or value <= self.at_most))
        return f"{_fmt(value)}{self.suffix}", "met" if met else "MISSED"


def _value(key: str, who: str) -> Callable[[Cells], float | None]:
    def measure(cells: Cells) -> float | None:
        cell = cells.get(key, {}).get(who)
        return cell.value if cell is not None and cell.ok else None
    return measure


TARGETS: list[Target] = [
    Target("ChatOpenRouter.stream chunks/s ≥ 2x ChatOpenAI (2,000 chunks)",
           lambda c: _ratio(c, "stream-2000", "ours-langchain", "langchain-openai", True), 2),
    Target("ChatOpenRouter.stream chunks/s ≥ 2x ChatOpenAI (500 chunks)",
           lambda c: _ratio(c, "stream-500", "ours-langchain", "langchain-openai", True), 2),
    Target("ChatOpenRouter.stream chunks/s ≥ 10x langchain-openrouter 0.2 (2,000 chunks)",
           lambda c: _ratio(c, "stream-2000", "ours-langchain", "old-langchain-openrouter",
                            True), 10),
    Target("OpenRouter.stream_chat chunks/s ≥ 2x llama-index-llms-openrouter (2,000 chunks)",
           lambda c: _ratio(c, "stream-2000", "ours-llamaindex", "llamaindex-openrouter",
                            True), 2),
    Target("Streamed tool call: ChatOpenRouter ≥ 2x ChatOpenAI fragments/s",
           lambda c: _ratio(c, "tool-200", "ours-langchain", "langchain-openai", True), 2),
    Target("Non-streaming: ChatOpenRouter time ≤ 1x ChatOpenAI's",
           lambda c: _ratio(c, "complete-500", "ours-langchain", "langchain-openai", False),
           at_most=1),
    Target("Non-streaming: ChatOpenRouter time ≤ 0.2x langchain-openrouter 0.2's",
           lambda c: _ratio(c, "complete-500", "ours-langchain", "old-langchain-openrouter",
                            False), at_most=0.2),
    Target("Non-streaming: OpenRouter (LlamaIndex) time ≤ 1x llama-index-llms-openrouter's",
           lambda c: _ratio(c, "complete-500", "ours-llamaindex", "llamaindex-openrouter",
                            False), at_most=1),
    Target("200 concurrent async streams: ChatOpenRouter ≥ 2x ChatOpenAI aggregate chunks/s",
           lambda c: _ratio(c, "async-200x200", "ours-langchain", "langchain-openai", True),
           2),
    Target("Import: langchain_openrouter ≤ langchain-core chat-model import + 15%",
           lambda c: _ratio(c, "import", "ours-langchain", "fw-langchain-core", False),
           at_most=1.15),
    Target("Import: llama_index_openrouter ≤ llama_index.core import + 15%",
           lambda c: _ratio(c, "import", "ours-llamaindex", "fw-llama-index-core", False),
           at_most=1.15),
    Target("Construction: ChatOpenRouter < 1 ms per instance",
           _value("construct", "ours-langchain"), at_most=1, suffix=" ms"),
    Target("Construction: OpenRouter (LlamaIndex) < 1 ms per instance",
           _value("construct", "ours-llamaindex"), at_most=1, suffix=" ms"),
    Target("100k-chunk stream: ChatOpenRouter peak memory ≤ 3x final text size",
           lambda c: _memory_ratio(c, "ours-langchain"), at_most=3),
    Target("100k-chunk stream: OpenRouter (LlamaIndex) peak memory ≤ 3x final text size",
           lambda c: _memory_ratio(c, "ours-llamaindex"), at_most=3),
]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*headers), fmt.format(*("-" * w for w in widths)),
                      *(fmt.format(*r) for r in rows)])


def _reference(key: str) -> str:
    return {"import": "fw", "construct": "", "memory-100k": ""}.get(key, "floor-httpx")


def _row(key: str, unit: str, name: str, cell: Cell, cells: dict[str, Cell]) -> list[str]:
    scale = 1 / 1024 if unit == "bytes" else 1
    if cell.value is None:
        return [LABELS[name], _short(cell.note or "-"), "", "", ""]
    value = _fmt(cell.value * scale)
    spread = f"{_fmt(cell.spread[0] * scale)}-{_fmt(cell.spread[1] * scale)}" \
        if cell.spread and cell.trials > 1 else ""
    rel = ""
    if unit == "bytes":
        text = cell.extra.get("text_bytes")
        rel = f"{cell.value / text:.1f}x text" if text else ""
        count = cell.extra.get("count")
        spread = f"{count:,} chunks, {cell.extra.get('seconds', 0):.1f} s"
    else:
        ref = _reference(key)
        if ref == "fw":
            ref = "fw-llama-index-core" if "llama" in name else "fw-langchain-core"
        base = cells.get(ref)
        if ref and base is not None and base.ok and base.value and name != ref:
            rel = f"{cell.value / base.value:.2f}x"
    return [LABELS[name], value, spread, rel, "ok" if cell.note is None else _short(cell.note)]


def _short(note: str, width: int = 60) -> str:
    note = " ".join(note.split())
    return note if len(note) <= width else note[: width - 1] + "…"


def render(chosen: Sequence[WorkloadLike], cells: Cells, missing: Sequence[str],
           versions: dict[str, dict[str, str]], elapsed: float, *, markdown: bool,
           quick: bool) -> str:
    """The whole report."""
    out: list[str] = []
    head = "#### " if markdown else "== "
    for venv, found in versions.items():
        listed = ", ".join(f"{k} {v}" for k, v in found.items())
        out.append(f"{'- ' if markdown else ''}environment `{venv}`: {listed}")
    if missing:
        out.append(f"{'- ' if markdown else ''}not installed: "
                   + ", ".join(LABELS[m] for m in missing)
                   + " (run `bash benchmarks/setup_peers.sh`)")
    out.append(f"{'- ' if markdown else ''}run took {elapsed:.0f} s"
               + (" (--quick: small payloads, one trial)" if quick else ""))
    for work in chosen:
        group = cells.get(work.key, {})
        if not group:
            continue
        rel = {"import": "vs framework", "memory-100k": "vs text"}.get(
            work.key, "" if work.key == "construct" else "vs floor")
        headers = ["integration", UNITS.get(work.key, work.unit),
                   "stream / runs" if work.unit == "bytes" else "min-max of trials", rel,
                   "same result"]
        rows = [_row(work.key, work.unit, name, group[name], group)
                for name in work.integrations if name in group]
        out += ["", f"{head}{work.title}", "", _table(headers, rows, markdown)]
    rows = [[t.text, *t.judge(cells)] for t in TARGETS]
    out += ["", f"{head}Targets (ratios from this run)", "",
            _table(["target", "measured", "verdict"], rows, markdown)]
    return "\n".join(out)
