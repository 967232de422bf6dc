"""The README's Python sample runs exactly as written (as a pytest file, with the plugin)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_emulator_example_passes(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert len(blocks) == 1, "every README sample must be covered by this test"
    sample = tmp_path / "test_readme_sample.py"
    sample.write_text(blocks[0])
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(sample)],
        capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
