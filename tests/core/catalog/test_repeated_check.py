"""``RepeatedCheck`` warns exactly as ``check_request`` on every body of a template, and skips
the check only while the catalogs and the warnings memory stay as they were."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import catalog, spelling
from openrouter_core.catalog import Catalog, RepeatedCheck, capabilities
from openrouter_core.transport import Endpoint

MODEL = "openai/gpt-4o-mini"
# top_k and reasoning: unsupported by the model in both catalogs; frequency_penalty: listed in
# the bundled snapshot but not in the emulator's listing; openai/gpt4o: a typo of a known id;
# openrouter/auto: a router, never warned about.
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "top_k": 4,
        "reasoning": {"effort": "low"}, "frequency_penalty": 0.1,
        "models": ["openai/gpt4o", "openrouter/auto"]}

Step = Callable[[], None]


def _script(endpoint: Endpoint, snapshot: Path) -> list[tuple[str, Step]]:
    bundled = catalog.load_snapshot(catalog.SNAPSHOT_PATH)
    # Without every entry that answers for MODEL (its variants share its canonical slug).
    without_model = Catalog(info for info in bundled if Catalog([info]).get(MODEL) is None)

    def nothing() -> None:
        pass

    def forget_top_k() -> None:
        capabilities._warned.discard((MODEL, "top_k"))

    return [
        ("first body", nothing),
        ("same again", nothing),
        ("top_k forgotten", forget_top_k),
        ("spelling memory reset", spelling.reset_warnings),
        ("same again", nothing),
        ("snapshot rewritten without the model",
         lambda: catalog.write_snapshot(without_model, snapshot)),
        ("cache cleared", catalog.clear_cache),
        ("snapshot restored", lambda: catalog.write_snapshot(bundled, snapshot)),
        ("live catalog fetched",
         lambda: catalog.get_catalog(endpoint, mode="live") and None),
        ("same again", nothing),
        ("capabilities memory reset", capabilities.reset_warnings),
    ]


def _run(check: Callable[[dict[str, Any]], Any], endpoint: Endpoint, snapshot: Path,
         ) -> list[list[tuple[str, str]]]:
    # Each step's change, then one body checked: the warnings it made, per step.
    shutil.copyfile(catalog.SNAPSHOT_PATH, snapshot)
    catalog.clear_cache()
    catalog.reset_warnings()
    spelling.reset_warnings()
    made = []
    for _, change in _script(endpoint, snapshot):
        change()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            check(dict(BODY))
        made.append(sorted((w.category.__name__, str(w.message)) for w in caught))
    return made


@pytest.fixture
def snapshot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A writable copy of the bundled snapshot, in use."""
    path = tmp_path / "models.json"
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(path))
    return path


def test_every_body_warns_as_check_request_does(endpoint: Endpoint, snapshot: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _run(lambda body: catalog.check_request(body, endpoint), endpoint, snapshot)
    full_checks = []
    real = catalog._check

    def counted(body: Any, known: Any) -> Any:
        full_checks.append(1)
        return real(body, known)

    monkeypatch.setattr(catalog, "_check", counted)
    repeated = RepeatedCheck()
    assert _run(lambda body: repeated.check(body, endpoint), endpoint, snapshot) == expected

    steps = [name for name, _ in _script(endpoint, snapshot)]
    pairs = [(name, " / ".join(m for _, m in warned))
             for name, warned in zip(steps, expected, strict=True)]
    said = dict(pairs)
    # The script is not vacuous: each change brings the warnings it should.
    assert "top_k, reasoning" in said["first body"] and "'openai/gpt4o'" in said["first body"]
    assert [text for name, text in pairs if name == "same again"] == ["", "", ""]
    assert "top_k" in said["top_k forgotten"] and "reasoning" not in said["top_k forgotten"]
    assert "'openai/gpt4o'" in said["spelling memory reset"]
    assert f"'{MODEL}' is not a model id" in said["snapshot rewritten without the model"]
    assert "frequency_penalty" in said["live catalog fetched"]
    assert "top_k, reasoning, frequency_penalty" in said["capabilities memory reset"]
    assert "openrouter/auto" not in str(said)
    # And the check was skipped: the three "same again" bodies only.
    assert len(full_checks) == len(steps) - 3


def test_a_warning_turned_error_does_not_count_as_checked(endpoint: Endpoint,
                                                          snapshot: Path) -> None:
    shutil.copyfile(catalog.SNAPSHOT_PATH, snapshot)
    repeated = RepeatedCheck()
    outcomes = {}
    for name, check in (("full", lambda: catalog.check_request(dict(BODY), endpoint)),
                        ("repeated", lambda: repeated.check(dict(BODY), endpoint))):
        catalog.reset_warnings()
        spelling.reset_warnings()
        seen = []
        for _ in range(3):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    check()
                    seen.append("passed")
                except Warning as exc:
                    seen.append(type(exc).__name__)
        outcomes[name] = seen
    # The first warning raises; its id is remembered, so the next check raises at the next
    # one, and so on until each was raised once.
    assert outcomes["repeated"] == outcomes["full"] == [
        "UnknownModelWarning", "UnsupportedParameterWarning", "passed"]


def test_another_endpoints_catalog_is_checked_again(endpoint: Endpoint, snapshot: Path) -> None:
    shutil.copyfile(catalog.SNAPSHOT_PATH, snapshot)
    catalog.get_catalog(endpoint, mode="live")
    repeated = RepeatedCheck()
    elsewhere = Endpoint(base_url="http://127.0.0.1:9/api/v1", api_key=None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        repeated.check(dict(BODY), elsewhere)  # the snapshot: frequency_penalty is listed
        assert not [w for w in caught if "frequency_penalty" in str(w.message)]
        repeated.check(dict(BODY), endpoint)  # the fetched listing: it is not
    assert [w for w in caught if "frequency_penalty" in str(w.message)]
