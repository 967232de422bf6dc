"""``python -m openrouter_core doctor``: what it reports, and that the key never shows whole."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_openrouter import ChatOpenRouter
from openrouter_core import doctor
from openrouter_core.testing import Emulator, Reply
from tests.keys import fake_key

KEY = fake_key("doctor")
MASKED = f"sk-or-v1-…{KEY[-4:]}"
PROXY_PASSWORD = "pr0xy-s3cret"
PROXY = f"http://alice:{PROXY_PASSWORD}@proxy.example:3128"
PROXY_VARS = doctor.PROXY_VARIABLES


def environment(base_url: str, **extra: str) -> dict[str, str]:
    """A clean environment: only the variables a test sets (no proxy leaks in from the host)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OPENROUTER_") and k not in PROXY_VARS}
    return {**env, "OPENROUTER_API_KEY": KEY, "OPENROUTER_API_BASE": base_url,
            "HTTPS_PROXY": PROXY, "NO_PROXY": "127.0.0.1,localhost", **extra}


def assert_no_secret(output: str) -> None:
    assert KEY not in output
    # No long run of the key beyond the masked form's four characters either.
    hidden = KEY[len("sk-or-v1-"):-4]
    assert all(hidden[i:i + 8] not in output for i in range(len(hidden) - 7))
    assert PROXY_PASSWORD not in output


@pytest.mark.parametrize(("key", "shown"), [
    (KEY, MASKED + f" ({len(KEY)} characters)"),
    ("sk-or-v1-short", "sk-or-v1-… (14 characters)"),
    ("not-a-known-kind-of-key-at-all", "…-all (30 characters)"),
])
def test_mask_key_keeps_the_kind_and_at_most_four_characters(key: str, shown: str) -> None:
    assert doctor.mask_key(key) == shown


@pytest.mark.parametrize(("url", "shown"), [
    (PROXY, "http://***@proxy.example:3128"),
    ("http://token@proxy.example", "http://***@proxy.example"),
    ("http://proxy.example:8080", "http://proxy.example:8080"),
])
def test_mask_url_hides_credentials(url: str, shown: str) -> None:
    assert doctor.mask_url(url) == shown


def test_doctor_live_against_the_emulator(capsys: pytest.CaptureFixture[str],
                                          openrouter_emulator: Emulator) -> None:
    openrouter_emulator.require_api_key = KEY  # the live check must send the real key
    # One reply costing $0.75 first: /key must report the spend the emulator served.
    openrouter_emulator.enqueue(Reply.text("ok", cost=0.75))
    ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY,
                   base_url=openrouter_emulator.base_url).invoke("hi")
    status = doctor.main(["--live"], environment(openrouter_emulator.base_url))
    output = capsys.readouterr().out
    assert status == 0, output
    lines = dict(line.split(":", 1) for line in output.splitlines() if ":" in line)
    assert lines["openrouter-integrations"].strip() == importlib.metadata.version(
        "openrouter-integrations")
    assert lines["openai"].strip() == importlib.metadata.version("openai")
    assert lines["pydantic"].strip() == importlib.metadata.version("pydantic")
    assert "langchain-core" in lines and "llama-index-core" in lines
    assert lines["name conflict"].strip().startswith("none")
    assert lines["OPENROUTER_API_KEY"].strip().startswith(MASKED)
    assert lines["catalog snapshot"].strip().startswith("421 models, captured 2026-08-22")
    assert lines["HTTPS_PROXY"].strip() == "http://***@proxy.example:3128"
    assert lines["live GET /key"].strip() == "ok: $9.25 left of $10.00, $0.75 used"
    assert [r.path.rsplit("/", 1)[-1] for r in openrouter_emulator.requests] == [
        "completions", "key"]
    assert "no problems found" in output
    assert_no_secret(output)


def test_doctor_live_reports_a_rejected_key_without_showing_it(
        capsys: pytest.CaptureFixture[str], openrouter_emulator: Emulator) -> None:
    openrouter_emulator.require_api_key = fake_key("a different key")
    status = doctor.main(["--live"], environment(openrouter_emulator.base_url))
    output = capsys.readouterr().out
    assert status == 1
    assert "live GET /key:" in output and "failed: AuthenticationError" in output
    assert "problems: the live check failed" in output
    assert_no_secret(output)


def test_doctor_reports_and_checks_the_fallback_base_url_variable(
        capsys: pytest.CaptureFixture[str], openrouter_emulator: Emulator) -> None:
    # The adapters read OPENROUTER_BASE_URL when OPENROUTER_API_BASE is unset: doctor must
    # report, and check live, the URL they would use.
    openrouter_emulator.require_api_key = KEY
    env = {k: v for k, v in environment("").items() if k != "OPENROUTER_API_BASE"}
    env["OPENROUTER_BASE_URL"] = openrouter_emulator.base_url
    assert doctor.main(["--live"], env) == 0
    output = capsys.readouterr().out
    lines = dict(line.split(":", 1) for line in output.splitlines() if ":" in line)
    assert lines["OPENROUTER_BASE_URL"].strip() == doctor.mask_url(openrouter_emulator.base_url)
    assert "OPENROUTER_API_BASE" not in lines
    assert [r.path.rsplit("/", 1)[-1] for r in openrouter_emulator.requests] == ["key"]


def test_doctor_without_a_key_or_proxy(capsys: pytest.CaptureFixture[str]) -> None:
    env = {k: v for k, v in environment("").items()
           if k not in {"OPENROUTER_API_KEY", "OPENROUTER_API_BASE", "HTTPS_PROXY"}}
    assert doctor.main([], env) == 0
    output = capsys.readouterr().out
    assert "OPENROUTER_API_KEY:" in output and "not set" in output
    assert "proxy:" in output and "none set" in output
    assert "live GET /key" not in output


def test_doctor_reports_the_clashing_distribution(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    dist_info = tmp_path / "langchain_openrouter-0.2.9.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: langchain-openrouter\nVersion: 0.2.9\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert doctor.main([], environment("")) == 1
    output = capsys.readouterr().out
    assert "langchain-openrouter 0.2.9 is installed alongside openrouter-integrations" in output
    assert "pip uninstall langchain-openrouter" in output
    assert "problems: langchain-openrouter is installed" in output


def test_python_dash_m_runs_doctor_live(openrouter_emulator: Emulator) -> None:
    done = subprocess.run([sys.executable, "-m", "openrouter_core", "doctor", "--live"],
                          capture_output=True, text=True, check=False, timeout=120,
                          env=environment(openrouter_emulator.base_url))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "live GET /key:" in done.stdout
    assert "ok: $10.00 left of $10.00, $0.00 used" in done.stdout  # nothing served yet
    assert openrouter_emulator.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert_no_secret(done.stdout + done.stderr)


def test_unknown_command_prints_usage() -> None:
    done = subprocess.run([sys.executable, "-m", "openrouter_core", "nonsense"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 2
    assert "doctor" in done.stderr


@pytest.mark.parametrize("proxy", ["foo://alice:{password}@proxy.example:1",
                                   "http://alice:{password}@proxy.example:notaport"],
                         ids=["unknown-scheme", "bad-port"])
@pytest.mark.parametrize("call", ["doctor", "chat", "async chat"])
def test_a_proxy_the_http_client_cannot_use_is_a_named_error(
        call: str, proxy: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, openrouter_emulator: Emulator) -> None:
    # The HTTP client reads the proxy when it is made: a scheme it does not know (or SOCKS
    # without its extra package) failed there with a bare traceback, doctor --live included.
    import asyncio

    from pydantic import SecretStr

    from openrouter_core import transport
    from openrouter_core.errors import InputError

    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", proxy.format(password=PROXY_PASSWORD))
    # A base URL of its own, so that no client made earlier in the session is reused.
    base_url = (openrouter_emulator.base_url.replace("127.0.0.1", "localhost")
                + f"/{call[0]}{len(proxy)}")
    if call == "doctor":
        env = {**environment(base_url), "ALL_PROXY": os.environ["ALL_PROXY"]}
        assert doctor.main(["--live"], env) == 1
        output = capsys.readouterr().out
        assert "failed: InputError: the HTTP client cannot be made with this environment's " \
               "proxy settings" in output
        assert_no_secret(output)
        return
    endpoint = transport.Endpoint(base_url=base_url, api_key=SecretStr(KEY), max_retries=0)
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(InputError, match="proxy settings") as caught:
        if call == "chat":
            transport.complete(endpoint, body, {})
        else:
            asyncio.run(transport.acomplete(endpoint, body, {}))
    assert PROXY_PASSWORD not in str(caught.value)
    assert openrouter_emulator.requests == []
