"""No docs sample can rot: every fenced python block is run by the tests.

A block written out on the page is run as pasted by ``test_pasted_blocks.py``. A block that
includes code (``--8<-- "path[:section]"`` lines) must name a file the tests run
(``tests/docs/test_examples.py``, or ``tests/e2e/test_quickstart.py`` for the quickstart) and,
when given, a section marked in it. A block that is deliberately not runnable is preceded by a
``<!-- not-run -->`` comment line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import DOCS, ROOT, example_commands

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
SNIPPET = re.compile(r'^--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$')
NOT_RUN = "<!-- not-run -->"

TESTED_ELSEWHERE = {"examples/quickstart.py": "tests/e2e/test_quickstart.py"}
# Shared helper: imported by every example, so it runs whenever they do.
HELPERS = {"examples/_offline.py"}


def python_blocks(text: str) -> list[tuple[int, list[str], bool]]:
    """``(line number, body lines, marked not-run)`` of each fenced python block."""
    blocks: list[tuple[int, list[str], bool]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, indent = match["fence"], match["indent"]
        start = index
        previous = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][len(indent):] if lines[index].startswith(indent)
                        else lines[index])
            index += 1
        index += 1
        if match["lang"] in {"python", "py", "python3", "pycon"}:
            blocks.append((start + 1, body, previous == NOT_RUN))
    return blocks


def executed_files() -> set[str]:
    """Repository-relative paths of the files the test suite executes."""
    scripts = {f"examples/{name}" for name in example_commands(Path("unused"))}
    return scripts | set(TESTED_ELSEWHERE) | HELPERS


def problems_in(text: str, page: str) -> list[str]:
    """Every untested or broken sample in the markdown ``text`` of ``page``."""
    found: list[str] = []
    tested = executed_files()
    for line, body, not_run in python_blocks(text):
        if not_run:
            continue
        content = [entry.strip() for entry in body if entry.strip()]
        where = f"{page}:{line}"
        if not content:
            found.append(f"{where}: empty python block")
        if content and SNIPPET.match(content[0]) is None:
            continue  # written out: run as pasted by test_pasted_blocks.py
        for entry in content:
            snippet = SNIPPET.match(entry)
            if snippet is None:
                found.append(f"{where}: code mixed with includes ({entry[:40]!r}); write the "
                             f"block out in full or include it all")
                break
            path, section = snippet["path"], snippet["section"]
            if path not in tested:
                found.append(f"{where}: {path} is not run by the tests")
                continue
            source = (ROOT / path).read_text(encoding="utf-8")
            if section and (f"--8<-- [start:{section}]" not in source
                            or f"--8<-- [end:{section}]" not in source):
                found.append(f"{where}: {path} has no section {section!r}")
    return found


def pages() -> list[object]:
    """Every markdown page."""
    return [pytest.param(page, id=str(page.relative_to(DOCS)))
            for page in sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("page", pages())
def test_every_python_block_is_included_from_a_tested_file(page: Path) -> None:
    assert problems_in(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT))) == []


def test_the_checker_catches_inline_code_and_honours_not_run() -> None:
    sample = ('```python\n--8<-- "examples/langchain_guide.py:imports"\nprint("rot")\n```\n\n'
              "<!-- not-run -->\n```python\nfragment(...)\n```\n"
              "```python\nprint('written out: run elsewhere')\n```\n"
              '```python\n--8<-- "examples/migration.py:nope"\n```\n'
              '```python\n--8<-- "examples/nowhere.py"\n```\n'
              '    ```python\n    --8<-- "examples/langchain_guide.py:tools"\n    ```\n')
    assert len(python_blocks(sample)) == 6
    messages = [m.split(": ", 1)[1] for m in problems_in(sample, "probe.md")]
    assert len(messages) == 3
    assert messages[0].startswith("code mixed with includes")
    assert "no section 'nope'" in messages[1]
    assert "examples/nowhere.py is not run by the tests" in messages[2]
