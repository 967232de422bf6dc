"""Runs every example once, offline and in parallel, for the tests in this folder to check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs"
TIMEOUT = 120


@dataclass(frozen=True)
class Run:
    """One example run: its command line and what it printed."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        """Everything a failure message needs."""
        return (f"{' '.join(self.args)} exited {self.returncode}\n--- stdout\n{self.stdout}"
                f"\n--- stderr\n{self.stderr}")


def offline_environment(**extra: str) -> dict[str, str]:
    """The environment without any OpenRouter settings (so examples go offline)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_script(args: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ``python <args>`` from the repository root, as a new user would."""
    command = (sys.executable, *args)
    done = subprocess.run(command, cwd=ROOT, env=env or offline_environment(),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


def example_commands(tmp: Path) -> dict[str, tuple[str, ...]]:
    """Example file name → the command line that runs it."""
    return {
        "langgraph_agent.py": ("examples/langgraph_agent.py",),
        "structured_extraction.py": ("examples/structured_extraction.py",),
        "vision_and_images.py": ("examples/vision_and_images.py", str(tmp / "sunset.png")),
        "provider_routing.py": ("examples/provider_routing.py",),
        "cost_report.py": ("examples/cost_report.py",),
        "llamaindex_quickstart.py": ("examples/llamaindex_quickstart.py",),
        "llamaindex_rag.py": ("examples/llamaindex_rag.py",),
        "langchain_guide.py": ("examples/langchain_guide.py",),
        "llamaindex_guide.py": ("examples/llamaindex_guide.py",),
        "migration.py": ("examples/migration.py",),
        "catalog_guide.py": ("examples/catalog_guide.py",),
        "embeddings_guide.py": ("examples/embeddings_guide.py",),
        "cost_guide.py": ("examples/cost_guide.py",),
        "test_with_emulator.py": ("-m", "pytest", "examples/test_with_emulator.py", "-q"),
        "test_cassette_replay.py": ("-m", "pytest", "examples/test_cassette_replay.py", "-q"),
    }


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the image example saves its picture (one folder for all xdist workers, as the
    example runs once per session: see :func:`once_per_session`)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return tmp_path_factory.mktemp("images")
    shared = tmp_path_factory.getbasetemp().parent / "example_images"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def offline_runs(image_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every example run once, offline, several at a time (imports dominate their time)."""
    def run_examples() -> dict[str, Run]:
        commands = example_commands(image_dir)
        with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2) * 2)) as pool:
            futures = {name: pool.submit(run_script, args) for name, args in commands.items()}
            return {name: future.result() for name, future in futures.items()}

    return once_per_session(tmp_path_factory, "example_runs", run_examples)


@contextmanager
def exclusive(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (``True``), or nothing where there is no ``fcntl``."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock, so no sharing
        yield False
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str,
                     compute: Callable[[], dict[str, Run]]) -> dict[str, Run]:
    """``compute()`` once per test session, however many xdist workers ask.

    Each worker would otherwise run every subprocess for its share of the tests, doubling the
    suite's largest costs: the first worker computes and saves the runs where the others
    (waiting on a lock) read them. The folder shared by the workers is per session.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return compute()
    shared = tmp_path_factory.getbasetemp().parent / f"{name}.json"
    with exclusive(shared.with_suffix(".lock")) as locked:
        if not locked:
            return compute()
        if shared.exists():
            saved = json.loads(shared.read_text(encoding="utf-8"))
            return {key: Run(tuple(run["args"]), run["returncode"], run["stdout"],
                             run["stderr"]) for key, run in saved.items()}
        runs = compute()
        shared.write_text(json.dumps({key: asdict(run) for key, run in runs.items()}),
                          encoding="utf-8")
        return runs


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many docs blocks ran as pasted (and how many are marked as fragments)."""
    if any("test_pasted_blocks" in str(r.nodeid) for r in terminalreporter.stats.get("passed", [])):
        from tests.docs.test_pasted_blocks import summary_line

        terminalreporter.write_line(summary_line())
