"""Every Python block written out in the docs runs as pasted, like a new user would run it.

Each fenced ``python`` block in ``docs/`` and the README that is written out (not an
``--8<--`` include) is saved to its own file and run with ``python <file>`` in a fresh
subprocess, outside the repository, so it can import only what an installed user has. The only
thing added is environment: the key and base URL of a loopback emulator started for the run, and
``OPENROUTER_CATALOG=offline``. A block that is deliberately partial says so in its fence
(```` ```python title="fragment" ````); the run summary counts both kinds.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from openrouter_core.testing import Emulator

from .conftest import DOCS, ROOT, Run, offline_environment, once_per_session

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<info>.*)$")
FRAGMENT = re.compile(r'title="fragment"')
KEY = "sk-or-v1-docs-emulator-0000000000"
TIMEOUT = 120
RAY_TIMEOUT = 300
STARTS_RAY = re.compile(r"^\s*ray\.init\(", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """One fenced python block: where it is, its code, whether it is marked as a fragment."""

    page: str
    line: int
    code: str
    fragment: bool

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def blocks_in(text: str, page: str) -> list[Block]:
    """The python blocks of a markdown ``text`` (indented ones, e.g. in tabs, included)."""
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match or not match["lang"]:
            index += 1
            continue
        fence, indent, start = match["fence"], match["indent"], index
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            line = lines[index]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            index += 1
        index += 1
        if match["lang"] in {"python", "py", "python3"}:
            found.append(Block(page, start + 1, "\n".join(body) + "\n",
                               FRAGMENT.search(match["info"]) is not None))
    return found


def pages() -> Iterator[Path]:
    """The README and every docs page."""
    yield ROOT / "README.md"
    yield from sorted(DOCS.rglob("*.md"))


def written_out(block: Block) -> bool:
    """Whether ``block`` is code on the page (not a ``--8<--`` include)."""
    return not block.code.lstrip().startswith("--8<--")


def all_blocks() -> list[Block]:
    """Every written-out python block of the docs, fragments included."""
    out: list[Block] = []
    for page in pages():
        relative = str(page.relative_to(ROOT))
        out.extend(b for b in blocks_in(page.read_text(encoding="utf-8"), relative)
                   if written_out(b))
    return out


BLOCKS = all_blocks()
RUNNABLE = [b for b in BLOCKS if not b.fragment]

EXTRAS = {"ray": "ray"}
"""Top-level modules that only an extra of ours installs → that extra. A block importing one
is skipped, naming the extra, where it is not installed (CI installs every extra)."""


def missing_extra(block: Block) -> str | None:
    """The extra ``block`` needs that is not installed here, if any."""
    for module, extra in EXTRAS.items():
        imports = re.search(rf"^(import|from) {module}\b", block.code, re.MULTILINE)
        if imports and importlib.util.find_spec(module) is None:
            return extra
    return None


TEST_FUNCTION = re.compile(r"^(async )?def test_", re.MULTILINE)


def command(block: Block, path: Path) -> tuple[str, ...]:
    """``python file``, or ``python -m pytest file`` for a block that is a test module."""
    if TEST_FUNCTION.search(block.code):
        return (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path.name)
    return (sys.executable, path.name)


def timeout(block: Block) -> int:
    """Seconds ``block`` may run: a block that starts a Ray instance gets more (a local Ray
    and its workers' imports alone take a minute on a busy 2-core machine)."""
    return RAY_TIMEOUT if STARTS_RAY.search(block.code) else TIMEOUT


def run_block(block: Block, folder: Path, env: dict[str, str]) -> Run:
    """Save ``block`` to its own file in ``folder`` and run it there as a user would."""
    name = re.sub(r"\W", "_", block.id)
    path = folder / (f"test_{name}.py" if TEST_FUNCTION.search(block.code) else f"{name}.py")
    path.write_text(block.code, encoding="utf-8")
    try:
        done = subprocess.run(command(block, path), cwd=folder, env=env, capture_output=True,
                              text=True, timeout=timeout(block), check=False)
    except subprocess.TimeoutExpired as exc:  # this block fails; the others still report
        return Run((block.id,), -1, _text(exc.stdout),
                   f"{_text(exc.stderr)}\nkilled after {exc.timeout} s")
    return Run((block.id,), done.returncode, done.stdout, done.stderr)


def _text(output: bytes | str | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def run_all(folder: Path) -> dict[str, Run]:
    """Every runnable block (whose extras are installed) against one emulator, a few at a time."""
    with Emulator() as emulator:
        env = offline_environment(OPENROUTER_API_KEY=KEY, OPENROUTER_API_BASE=emulator.base_url,
                                  OPENROUTER_CATALOG="offline")
        env.pop("PYTHONPATH", None)  # only what an installed user can import
        with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2) + 1)) as pool:
            # Blocks that start a Ray instance take longest: started first, they overlap the
            # rest instead of finishing last.
            order = sorted(RUNNABLE, key=lambda b: not STARTS_RAY.search(b.code))
            futures = {b.id: pool.submit(run_block, b, folder, env) for b in order
                       if missing_extra(b) is None}
            return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def pasted_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every runnable block run once per test session (see :func:`once_per_session`)."""
    folder = tmp_path_factory.mktemp("pasted")
    return once_per_session(tmp_path_factory, "pasted_runs", lambda: run_all(folder))


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.id)
def test_block_runs_as_pasted(block: Block, pasted_runs: dict[str, Run]) -> None:
    extra = missing_extra(block)
    if extra is not None:
        pytest.skip(f"needs the [{extra}] extra: pip install 'openrouter-integrations[{extra}]'")
    run = pasted_runs[block.id]
    assert run.returncode == 0, run.explain()
    assert "Traceback" not in run.stderr, run.explain()


def test_fragments_are_rare() -> None:
    """A fragment is a documented exception: at most one in ten written-out blocks."""
    fragments = [b.id for b in BLOCKS if b.fragment]
    assert len(fragments) * 10 <= max(len(BLOCKS), 10), fragments


def test_the_reader_finds_blocks_and_fragment_marks() -> None:
    sample = ('```python\nprint(1)\n```\n=== "Tab"\n\n    ```python title="fragment"\n'
              '    x = 1\n    ```\n```python\n--8<-- "examples/a.py"\n```\n')
    found = blocks_in(sample, "probe.md")
    assert [(b.line, b.code, b.fragment) for b in found] == [
        (1, "print(1)\n", False), (6, "x = 1\n", True), (9, '--8<-- "examples/a.py"\n', False)]
    assert [written_out(b) for b in found] == [True, True, False]


def summary_line() -> str:
    """The line ``conftest.py`` prints at the end of the run."""
    return (f"docs: {len(RUNNABLE)} written-out python blocks run as pasted, "
            f"{len(BLOCKS) - len(RUNNABLE)} marked as fragments")
