"""Installation problems read as their fix: a missing extra, and the clashing distribution.

Each import runs in a fresh interpreter, so what is installed (or hidden) is exactly what the
test sets up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from openrouter_core import installation

ROOT = Path(__file__).resolve().parents[2]

# A finder placed first on sys.meta_path that reports `BLOCKED` (and its submodules) as not
# installed, exactly as the import system does for a package that is absent.
HIDE_AND_IMPORT = """
import sys

BLOCKED = {blocked!r}

class Hide:
    def find_spec(self, name, path=None, target=None):
        if name == BLOCKED or name.startswith(BLOCKED + "."):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Hide())
try:
    import {module}
except ModuleNotFoundError as exc:
    print("ModuleNotFoundError:", exc)
except ImportError as exc:
    print("ImportError:", exc)
else:
    print("imported")
"""


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120, env={**os.environ, **env})


@pytest.mark.parametrize(("module", "blocked", "extra"), [
    ("langchain_openrouter", "langchain_core", "langchain"),
    ("llama_index_openrouter", "llama_index", "llamaindex"),
])
def test_import_without_the_extra_names_the_extra(module: str, blocked: str,
                                                  extra: str) -> None:
    done = run(HIDE_AND_IMPORT.format(module=module, blocked=blocked))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ImportError:"), done.stdout
    assert f'pip install "openrouter-integrations[{extra}]"' in done.stdout
    # The extra named is one pyproject.toml declares.
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert extra in extras


def test_a_broken_framework_is_not_reported_as_a_missing_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "framework_with_a_missing_dependency.py").write_text(
        "import a_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as caught:
        installation.require_extra("adapter", "extra", {
            "framework_with_a_missing_dependency": "framework"})
    assert caught.value.name == "a_dependency_that_is_not_installed"
    assert "pip install" not in str(caught.value)


def fake_official_distribution(where: Path) -> Path:
    """The dist-info folder `pip install langchain-openrouter==0.2.9` leaves in site-packages."""
    dist_info = where / "langchain_openrouter-0.2.9.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: langchain-openrouter\nVersion: 0.2.9\n")
    return where


def test_the_official_distribution_is_named_with_the_fix_at_import(tmp_path: Path) -> None:
    site = fake_official_distribution(tmp_path)
    script = tmp_path / "app.py"
    script.write_text("import langchain_openrouter\nprint('imported')\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
    warning = done.stderr
    # Points at the user's import line, names both distributions and the fix.
    assert f"{script}:1: DistributionConflictWarning" in warning, warning
    assert "langchain-openrouter 0.2.9" in warning
    assert "openrouter-integrations" in warning
    assert "pip uninstall langchain-openrouter" in warning
    assert "reinstall openrouter-integrations" in warning


def test_no_warning_without_the_official_distribution() -> None:
    done = run("import warnings\nwarnings.simplefilter('error')\nimport langchain_openrouter\n"
               "print('imported')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
    assert installation.conflicting_version("langchain_openrouter") is None
