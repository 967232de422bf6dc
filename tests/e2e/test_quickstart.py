"""The README's main-job command, run as a new user runs it: a subprocess, offline and 'live'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openrouter_core.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart.py"


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    return subprocess.run([sys.executable, str(QUICKSTART)], env={**clean, **env},
                          capture_output=True, text=True, timeout=120, check=False)


def test_offline_quickstart_streams_calls_a_tool_and_reports_cost() -> None:
    done = run({})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.splitlines()[0].startswith("No OPENROUTER_API_KEY set: using the offline emulator")
    assert "OpenRouter routes one API to hundreds of models" in out
    assert "tool call: get_weather({'city': 'Paris'})" in out
    assert "answer: It is sunny and 22°C in Paris right now." in out
    cost = float(out.rsplit("$", 1)[1].strip())
    assert cost > 0


def test_bad_key_prints_one_actionable_line() -> None:
    with Emulator(require_api_key="sk-or-v1-the-right-one") as emulator:
        done = run({"OPENROUTER_API_KEY": "sk-or-v1-wrong",
                    "OPENROUTER_API_BASE": emulator.base_url})
    assert done.returncode == 1
    assert "Using OpenRouter live" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: OpenRouter rejected the API key (401): check OPENROUTER_API_KEY.")
    assert "sk-or-v1-wrong" not in done.stderr + done.stdout
