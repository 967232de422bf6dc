"""Check the built sdist and wheel before anyone installs them: `python .ci/check_dist.py DIST`.

Run by .ci/run after `uv build` (which builds the wheel from the sdist, so a file missing from
the sdist fails the build). Standard library only. It checks what `twine check` checks (the
metadata a registry needs, the README as a markdown long description) and what a user relies on:

- the metadata matches pyproject.toml (name, version, MIT licence with the LICENSE file, the
  README, classifiers, project URLs, keywords, Requires-Python);
- the wheel holds exactly our three packages, the catalog snapshot
  (openrouter_core/data/models.json, a readable catalog), the three py.typed markers, every
  entry point pyproject.toml declares (the pytest plugin), and a RECORD whose hashes match;
- the sdist holds the same snapshot, markers and licence, plus pyproject.toml and PKG-INFO.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("openrouter_core", "langchain_openrouter", "llama_index_openrouter")
SNAPSHOT = "openrouter_core/data/models.json"
REQUIRED_CLASSIFIERS = (
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Typing :: Typed",
)
problems: list[str] = []


def check(ok: bool, what: str) -> None:
    """Collect a failure (a plain script: `assert` would vanish under -O)."""
    if not ok:
        problems.append(what)


def check_metadata(meta: Message, where: str, project: dict[str, object]) -> None:
    """The core metadata (wheel METADATA or sdist PKG-INFO) against pyproject.toml."""
    for field in ("Metadata-Version", "Name", "Version", "Summary", "Requires-Python"):
        check(bool(meta.get(field)), f"{where}: no {field}")
    check(meta.get("Name") == project["name"], f"{where}: Name {meta.get('Name')!r}")
    check(meta.get("Version") == project["version"], f"{where}: Version {meta.get('Version')!r}")
    check(meta.get("License-Expression") == "MIT",
          f"{where}: License-Expression {meta.get('License-Expression')!r}, want MIT")
    check("LICENSE" in meta.get_all("License-File", []), f"{where}: no License-File: LICENSE")
    check(meta.get("Description-Content-Type", "").startswith("text/markdown"),
          f"{where}: Description-Content-Type {meta.get('Description-Content-Type')!r}")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = meta.get_payload()
    check(isinstance(body, str) and body.strip() == readme.strip(),
          f"{where}: the long description is not README.md")
    classifiers = set(meta.get_all("Classifier", []))
    for classifier in REQUIRED_CLASSIFIERS:
        check(classifier in classifiers, f"{where}: no classifier {classifier!r}")
    urls = meta.get_all("Project-URL", [])
    check(any(url.startswith("Homepage, https://") for url in urls), f"{where}: no Homepage")
    check(any(url.startswith("Repository, https://") for url in urls), f"{where}: no Repository")
    check(bool(meta.get("Keywords")), f"{where}: no Keywords")
    check(bool(meta.get_all("Author") or meta.get_all("Author-email")), f"{where}: no Author")


def check_snapshot(data: bytes, where: str) -> None:
    try:
        models = json.loads(data)["data"]
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"{where}: {SNAPSHOT} is not a catalog snapshot ({exc})")
        return
    check(len(models) > 400, f"{where}: {SNAPSHOT} holds {len(models)} models, want > 400")


def check_wheel(path: Path, project: dict[str, object]) -> None:
    where = path.name
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        dist_info = {name.split("/")[0] for name in names if ".dist-info/" in name}
        check(len(dist_info) == 1, f"{where}: dist-info folders {sorted(dist_info)}")
        info = dist_info.pop() if len(dist_info) == 1 else ""
        tops = {name.split("/")[0] for name in names} - {info}
        check(tops == set(PACKAGES), f"{where}: top-level entries {sorted(tops)}")
        check(SNAPSHOT in names, f"{where}: no {SNAPSHOT}")
        if SNAPSHOT in names:
            check_snapshot(wheel.read(SNAPSHOT), where)
        for package in PACKAGES:
            check(f"{package}/py.typed" in names, f"{where}: no {package}/py.typed")
        check(f"{info}/licenses/LICENSE" in names, f"{where}: no licenses/LICENSE")
        meta = Parser().parsestr(wheel.read(f"{info}/METADATA").decode("utf-8"))
        check_metadata(meta, where, project)
        check_entry_points(wheel.read(f"{info}/entry_points.txt").decode("utf-8")
                           if f"{info}/entry_points.txt" in names else "", where, project)
        check_record(wheel, f"{info}/RECORD", names, where)


def check_entry_points(text: str, where: str, project: dict[str, object]) -> None:
    """Every `[project.entry-points.<group>]` entry appears in entry_points.txt as declared."""
    declared = project.get("entry-points")
    declared = declared if isinstance(declared, dict) else {}
    check(bool(declared.get("pytest11")), "pyproject.toml declares no pytest11 entry point")
    group = ""
    found: set[tuple[str, str, str]] = set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
        elif "=" in line:
            name, _, target = line.partition("=")
            found.add((group, name.strip(), target.strip()))
    for group_name, entries in declared.items():
        for name, target in entries.items():
            check((group_name, name, target) in found,
                  f"{where}: entry point [{group_name}] {name} = {target} missing")


def check_record(wheel: zipfile.ZipFile, record: str, names: set[str], where: str) -> None:
    """RECORD lists every file with its sha256 and size, as an installer verifies."""
    if record not in names:
        problems.append(f"{where}: no RECORD")
        return
    listed = set()
    for row in csv.reader(io.StringIO(wheel.read(record).decode("utf-8"))):
        if not row:
            continue
        name, digest, size = row
        listed.add(name)
        if name == record:
            continue
        if name not in names:
            problems.append(f"{where}: RECORD lists {name}, which the wheel does not hold")
            continue
        data = wheel.read(name)
        actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        check(digest == f"sha256={actual}" and size == str(len(data)),
              f"{where}: RECORD entry for {name} does not match the file")
    check(listed == names, f"{where}: RECORD and archive differ: {sorted(listed ^ names)}")


def check_sdist(path: Path, project: dict[str, object]) -> None:
    where = path.name
    with tarfile.open(path) as sdist:
        members = {member.name: member for member in sdist.getmembers() if member.isfile()}
        roots = {name.split("/")[0] for name in members}
        check(len(roots) == 1, f"{where}: several top-level folders {sorted(roots)}")
        root = roots.pop() if len(roots) == 1 else ""

        def read(name: str) -> bytes | None:
            member = members.get(f"{root}/{name}")
            handle = sdist.extractfile(member) if member is not None else None
            return handle.read() if handle is not None else None

        for name in ("PKG-INFO", "pyproject.toml", "LICENSE", "README.md",
                     *(f"{package}/py.typed" for package in PACKAGES)):
            check(read(name) is not None, f"{where}: no {name}")
        snapshot = read(SNAPSHOT)
        check(snapshot is not None, f"{where}: no {SNAPSHOT}")
        if snapshot is not None:
            check_snapshot(snapshot, where)
        pkg_info = read("PKG-INFO")
        if pkg_info is not None:
            check_metadata(Parser().parsestr(pkg_info.decode("utf-8")), where, project)


def main() -> None:
    dist = Path(sys.argv[1])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        sys.exit(f"dist check: want one wheel and one sdist in {dist}, found "
                 f"{[p.name for p in wheels + sdists]}")
    check_wheel(wheels[0], project)
    check_sdist(sdists[0], project)
    if problems:
        sys.exit("dist check failed:\n  " + "\n  ".join(problems))
    print(f"dist check: ok ({wheels[0].name}, {sdists[0].name})")


if __name__ == "__main__":
    main()
