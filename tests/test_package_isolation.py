"""Importing one adapter never imports the other framework, nor the openai SDK (until a request)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
loaded = sorted({{m.split('.')[0] for m in sys.modules}})
print(','.join(loaded))
"""


@pytest.mark.parametrize(("module", "absent"), [
    ("langchain_openrouter", ("llama_index", "openai")),
    ("llama_index_openrouter", ("langchain", "langchain_core", "openai")),
    ("openrouter_core", ("langchain_core", "llama_index", "openai")),
])
def test_import_loads_only_its_own_framework(module: str, absent: tuple[str, ...]) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK.format(module=module)],
                          capture_output=True, text=True, check=True, timeout=60)
    loaded = set(done.stdout.strip().split(","))
    assert module in loaded
    assert not loaded.intersection(absent), loaded.intersection(absent)
