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


def _without_messages(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "messages"}


def _said(check: Callable[[], Any]) -> list[str]:
    # The warnings one check makes.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check()
    return sorted(str(w.message) for w in caught)


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
    repeated = RepeatedCheck(_without_messages(BODY))
    assert _run(lambda _: repeated.check(endpoint), endpoint, snapshot) == expected

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
    repeated = RepeatedCheck(_without_messages(BODY))
    outcomes = {}
    for name, check in (("full", lambda: catalog.check_request(dict(BODY), endpoint)),
                        ("repeated", lambda: repeated.check(endpoint))):
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
    repeated = RepeatedCheck(_without_messages(BODY))
    elsewhere = Endpoint(base_url="http://127.0.0.1:9/api/v1", api_key=None)
    # The snapshot lists frequency_penalty for the model; the fetched listing does not.
    assert not [m for m in _said(lambda: repeated.check(elsewhere)) if "frequency_penalty" in m]
    assert [m for m in _said(lambda: repeated.check(endpoint)) if "frequency_penalty" in m]


def test_a_rewritten_snapshot_is_checked_again_while_a_live_catalog_stays(
        endpoint: Endpoint, snapshot: Path) -> None:
    # The live catalog comes first and stays the same object; a fallback id that only the
    # snapshot knew is unknown once the snapshot is rewritten without it.
    shutil.copyfile(catalog.SNAPSHOT_PATH, snapshot)
    bundled = catalog.load_snapshot(catalog.SNAPSHOT_PATH)
    live = catalog.get_catalog(endpoint, mode="live")
    only_in_snapshot = next(info.id for info in bundled
                            if live.get(info.id) is None and ":" not in info.id)
    repeated = RepeatedCheck({"model": MODEL, "models": [only_in_snapshot]})
    assert _said(lambda: repeated.check(endpoint)) == []
    catalog.write_snapshot(Catalog(i for i in bundled if i.id != only_in_snapshot), snapshot)
    assert catalog.get_catalog(endpoint) is live
    assert [m for m in _said(lambda: repeated.check(endpoint)) if only_in_snapshot in m]


def test_a_check_with_nothing_new_to_say_still_depends_on_the_memory(
        endpoint: Endpoint) -> None:
    # Two templates of the same body: the first warns about top_k, the second finds it warned
    # already. When the memory forgets it, the second warns again, as check_request would.
    catalog.get_catalog(endpoint, mode="live")
    first = RepeatedCheck({"model": MODEL, "top_k": 3})
    second = RepeatedCheck({"model": MODEL, "top_k": 3})
    assert _said(lambda: first.check(endpoint))
    assert _said(lambda: second.check(endpoint)) == []
    capabilities._warned.discard((MODEL, "top_k"))
    assert [m for m in _said(lambda: second.check(endpoint)) if "top_k" in m]


def test_a_body_template_checks_the_catalog_once_while_nothing_changes(
        endpoint: Endpoint, snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openrouter_core.request import BodyTemplate
    from openrouter_core.settings import RequestSettings

    # A snapshot file (read once per modification time: the same catalog object throughout).
    shutil.copyfile(catalog.SNAPSHOT_PATH, snapshot)

    full_checks = []
    real = catalog._check

    def counted(body: Any, known: Any) -> Any:
        full_checks.append(dict(body))
        return real(body, known)

    monkeypatch.setattr(catalog, "_check", counted)
    template = BodyTemplate(MODEL, RequestSettings(top_k=3), stream=False)
    said = _said(lambda: [template.body([{"role": "user", "content": text}], endpoint)
                          for text in ("one", "two", "three")])
    assert full_checks == [{"model": MODEL, "top_k": 3}]
    assert len(said) == 1 and "top_k" in said[0]
    catalog.clear_cache()
    assert _said(lambda: template.body([{"role": "user", "content": "four"}], endpoint)) == []
    assert len(full_checks) == 2
