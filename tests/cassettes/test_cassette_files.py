"""The cassette files themselves: no secrets, every one cataloged with its wire-format facts,
recorded under the real base URL, and small."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from vcr.request import Request  # type: ignore[import-untyped]

from tests.cassettes import test_langchain_cassettes, test_llama_index_cassettes
from tests.cassettes.catalog import CATALOG, FACT_COUNT, ROOT
from tests.cassettes.conftest import (
    OPENROUTER_BASE_URL,
    SECRET_REQUEST_HEADERS,
    scrub_request,
    scrub_response,
)

PLACEHOLDERS = frozenset({"PLACEHOLDER", "REDACTED", "<REDACTED>"})
"""Values a secret header may hold in a cassette (the standard suite's ``PLACEHOLDER``)."""

MAX_BYTES = 32_000
"""Upper bound on one cassette file."""

_KEY = re.compile(r"sk-or-[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
_FACTS_LINE = re.compile(r"^# Wire-format facts \(shared/realtraffic/INDEX\.md\): ([\d, ]+)$",
                         re.MULTILINE)


def every_cassette_file() -> list[Path]:
    """Every YAML file under ``cassettes/`` (the one cassette root; the standard suite's are
    in ``cassettes/standard/``)."""
    return sorted([*ROOT.rglob("*.yaml"), *ROOT.rglob("*.yml")])


def secrets_in(text: str) -> list[str]:
    """Every key-looking string, bearer token or unredacted secret header in cassette text."""
    found = [m.group(0) for m in _KEY.finditer(text)]
    found += [m.group(0) for m in _BEARER.finditer(text)]
    data: Any = yaml.safe_load(text) or {}
    for interaction in data.get("interactions") or []:
        headers = (interaction.get("request") or {}).get("headers") or {}
        for name, values in headers.items():
            if name.lower() in SECRET_REQUEST_HEADERS:
                found += [f"{name}: {v}" for v in values if v not in PLACEHOLDERS]
        response_headers = (interaction.get("response") or {}).get("headers") or {}
        found += [f"response {name}" for name in response_headers
                  if name.lower() == "set-cookie"]
    return found


def interactions(path: Path) -> Iterator[dict[str, Any]]:
    """The interactions of one cassette file."""
    data: Any = yaml.safe_load(path.read_text())
    yield from data["interactions"]


@pytest.mark.parametrize("path", every_cassette_file(),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_cassette_holds_a_key(path: Path) -> None:
    assert secrets_in(path.read_text()) == []


def test_the_secret_scan_finds_what_it_should() -> None:
    leaked = (
        "interactions:\n- request:\n    headers:\n      Authorization:\n"
        "      - Bearer sk-or-v1-0123abcd\n      cookie:\n      - session=1\n"
        "  response:\n    headers:\n      Set-Cookie:\n      - a=b\n"
    )
    found = secrets_in(leaked)
    assert "sk-or-v1-0123abcd" in found
    assert "Bearer sk-or-v1-0123abcd" in found
    assert "cookie: session=1" in found
    assert "response Set-Cookie" in found
    assert secrets_in("interactions:\n- request:\n    headers:\n      authorization:\n"
                      "      - PLACEHOLDER\n") == []


def test_scrubbers_drop_secrets_and_rewrite_the_emulator_url() -> None:
    request = Request("POST", "http://127.0.0.1:40123/api/v1/chat/completions", b"{}",
                      {"Authorization": "Bearer sk-or-v1-secret", "Cookie": "a=b",
                       "Content-Type": "application/json", "User-Agent": "OpenAI/Python",
                       "X-Stainless-Os": "Linux", "Host": "127.0.0.1:40123"})
    scrubbed = scrub_request(request)
    assert scrubbed.uri == f"{OPENROUTER_BASE_URL}/chat/completions"
    assert dict(scrubbed.headers) == {"Content-Type": "application/json"}
    response = {"status": {"code": 200, "message": "OK"}, "body": {"string": b""},
                "headers": {"Set-Cookie": ["__cf_bm=x"], "Content-Type": ["text/plain"]}}
    assert scrub_response(response)["headers"] == {"Content-Type": ["text/plain"]}


@pytest.mark.parametrize("folder", sorted(CATALOG))
def test_every_cassette_is_cataloged_and_names_its_facts(folder: str) -> None:
    files = {p.stem: p for p in (ROOT / folder).glob("*.yaml")}
    assert sorted(files) == sorted(CATALOG[folder]), "cassette files and catalog.py disagree"
    for name, path in files.items():
        text = path.read_text()
        assert text.startswith(f"# Cassette {folder}/{name}: "), path
        match = _FACTS_LINE.search(text.split("interactions:", 1)[0])
        assert match is not None, f"{path} does not name its wire-format facts"
        facts = tuple(int(f) for f in match.group(1).split(","))
        assert facts == CATALOG[folder][name].facts, path
        assert all(1 <= f <= FACT_COUNT for f in facts)


@pytest.mark.parametrize("folder", sorted(CATALOG))
def test_every_cataloged_cassette_has_a_test(folder: str) -> None:
    module = {"langchain": test_langchain_cassettes,
              "llama_index": test_llama_index_cassettes}[folder]
    used = {mark.args[0] for value in vars(module).values()
            for mark in getattr(value, "pytestmark", []) if mark.name == "default_cassette"}
    assert used == set(CATALOG[folder])


@pytest.mark.parametrize("folder", sorted(CATALOG))
def test_cassettes_use_the_real_base_url_and_stay_small(folder: str) -> None:
    for path in sorted((ROOT / folder).glob("*.yaml")):
        assert path.stat().st_size < MAX_BYTES, f"{path} is {path.stat().st_size} bytes"
        for interaction in interactions(path):
            assert interaction["request"]["uri"].startswith(OPENROUTER_BASE_URL + "/"), path
