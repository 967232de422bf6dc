"""``python -m openrouter_core.testing serve``: a real process, read as a user would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from langchain_openrouter import ChatOpenRouter
from openrouter_core import errors

# Ctrl-C as a terminal delivers it: SIGINT at its default disposition in the emulator, even
# when this test process ignores it (a worker of the test runner may, for instance after a
# library installed its own handlers), which a child would otherwise inherit and keep.
_AS_FROM_A_TERMINAL = ("import runpy, signal, sys; signal.signal(signal.SIGINT, "
                       "signal.default_int_handler); sys.argv[0] = 'openrouter_core.testing'; "
                       "runpy.run_module('openrouter_core.testing', run_name='__main__')")


def _start(*options: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    return subprocess.Popen(
        [sys.executable, "-c", _AS_FROM_A_TERMINAL, "serve", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _exports(process: subprocess.Popen[str]) -> tuple[str, dict[str, str]]:
    """The first line and the ``export NAME=value`` lines, read up to "Press Ctrl-C"."""
    assert process.stdout is not None
    first, exports = "", {}
    for line in process.stdout:  # ends if the process dies, so this cannot hang on a crash
        if not first:
            first = line
        if line.startswith("export "):
            name, value = line.removeprefix("export ").strip().split("=", 1)
            exports[name] = value
        if line.startswith("Press Ctrl-C"):
            break
    return first, exports


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str]]]:
    process = _start("--port", "0")
    try:
        first, exports = _exports(process)
        yield process, first, exports
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_serve_prints_the_url_and_the_variables_then_answers(
        served: tuple[subprocess.Popen[str], str, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    process, first, exports = served
    assert set(exports) == {"OPENROUTER_API_KEY", "OPENROUTER_API_BASE"}
    base = exports["OPENROUTER_API_BASE"]
    assert base.startswith("http://127.0.0.1:") and base.endswith("/api/v1")
    assert base in first
    for name, value in exports.items():  # exactly what the user is told to export
        monkeypatch.setenv(name, value)
    reply = ChatOpenRouter(model="openai/gpt-4o-mini").invoke("Name a primary colour.")
    assert isinstance(reply.content, str) and reply.content
    assert httpx.get(f"{base}/models").json()["data"]
    process.send_signal(signal.SIGINT)  # Ctrl-C
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Stopped after 2 requests." in out


# The typo is the point: the strict emulator must answer it.
@pytest.mark.filterwarnings("ignore::openrouter_core.catalog.slugs.UnknownModelWarning")
def test_serve_on_a_given_port_with_strict_models() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = _start("--port", str(port), "--host", "127.0.0.1", "--strict-models")
    try:
        first, exports = _exports(process)
        assert exports["OPENROUTER_API_BASE"] == f"http://127.0.0.1:{port}/api/v1"
        assert "strict" in first
        model = ChatOpenRouter(model="openai/gpt4o-mini", api_key=exports["OPENROUTER_API_KEY"],
                               base_url=exports["OPENROUTER_API_BASE"], max_retries=0)
        with pytest.raises(errors.BadRequestError, match="is not a valid model ID"):
            model.invoke("hi")
        process.terminate()  # SIGTERM stops it cleanly too
        out, _ = process.communicate(timeout=10)
        assert process.returncode == 0
        assert "Stopped after 1 request." in out
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_serve_reports_a_port_in_use() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        process = _start("--port", str(sock.getsockname()[1]))
        out, err = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "could not start the emulator" in err
    assert "Traceback" not in err and "export" not in out
