"""Fetching, caching, TTL, modes, offline fallback and the refresh command, on the emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from openrouter_core import catalog
from openrouter_core.catalog.__main__ import main
from openrouter_core.catalog.store import snapshot_path
from openrouter_core.testing import Emulator, Reply
from openrouter_core.transport import Endpoint

from .conftest import TEST_KEY, model_requests


def test_live_lookup_fetches_once_and_caches(openrouter_emulator: Emulator,
                                             endpoint: Endpoint) -> None:
    info = catalog.lookup("openai/gpt-4o-mini", endpoint, mode="live")
    assert info is not None and info.context_length == 128000
    assert catalog.lookup("anthropic/claude-4.5-haiku-20251001", endpoint).id == \
        "anthropic/claude-haiku-4.5"
    assert catalog.lookup("no/such-model", endpoint) is None
    assert model_requests(openrouter_emulator) == 1
    request = openrouter_emulator.requests[0]
    assert request.method == "GET" and request.header("authorization") == f"Bearer {TEST_KEY}"
    # /embeddings/models is merged in.
    embed = catalog.lookup("openai/text-embedding-3-small", endpoint)
    assert embed is not None and embed.output_modalities == ("embeddings",)


def test_cache_is_per_base_url(openrouter_emulator: Emulator, endpoint: Endpoint) -> None:
    catalog.lookup("openai/gpt-4o-mini", endpoint)
    other = dataclasses.replace(endpoint, base_url=endpoint.base_url + "/")
    catalog.lookup("openai/gpt-4o-mini", other)  # same URL once normalised
    assert model_requests(openrouter_emulator) == 1


def test_ttl_expiry_refetches(openrouter_emulator: Emulator, endpoint: Endpoint,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_CATALOG_TTL", "0.3")
    catalog.lookup("openai/gpt-4o-mini", endpoint)
    catalog.lookup("openai/gpt-4o-mini", endpoint)
    assert model_requests(openrouter_emulator) == 1
    time.sleep(0.4)
    openrouter_emulator.enqueue(Reply.json({"data": [{"id": "new/model"}]}), route="models")
    assert catalog.lookup("new/model", endpoint) is not None
    assert catalog.lookup("openai/gpt-4o-mini", endpoint) is None  # the new list replaced it
    assert model_requests(openrouter_emulator) == 2


def test_offline_mode_never_fetches(openrouter_emulator: Emulator, endpoint: Endpoint,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_CATALOG", "offline")
    assert catalog.lookup("openai/gpt-4o-mini", endpoint) is None  # no snapshot file
    assert catalog.list_models(endpoint) == []
    assert openrouter_emulator.requests == []


def test_auto_without_key_uses_snapshot(openrouter_emulator: Emulator, endpoint: Endpoint,
                                        tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = tmp_path / "models.json"
    snapshot.write_text(json.dumps({"data": [{"id": "snap/model", "context_length": 7}]}))
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    keyless = dataclasses.replace(endpoint, api_key=None)
    assert catalog.lookup("snap/model:free", keyless).context_length == 7
    assert catalog.lookup("snap/model", keyless, mode="live").context_length == 7
    assert openrouter_emulator.requests == []
    assert catalog.lookup("openai/gpt-4o-mini", endpoint) is not None  # key: live
    assert catalog.lookup("snap/model", endpoint, mode="offline") is not None


def test_environment_endpoint(openrouter_emulator: Emulator,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_BASE", openrouter_emulator.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    assert catalog.lookup("openai/gpt-4o-mini") is not None
    assert model_requests(openrouter_emulator) == 1


@pytest.mark.parametrize("mode", ["live", "auto"])
def test_failed_fetch_falls_back_to_snapshot(openrouter_emulator: Emulator,
                                             endpoint: Endpoint, mode: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    snapshot = tmp_path / "models.json"
    catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/model"}])),
                           snapshot)
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    openrouter_emulator.enqueue(Reply.error(503, "down"), route="models")
    caplog.set_level("INFO", logger="openrouter_core.catalog")
    assert catalog.lookup("snap/model", endpoint, mode=mode) is not None
    assert catalog.lookup("openai/gpt-4o-mini", endpoint, mode=mode) is None
    assert model_requests(openrouter_emulator) == 1  # the failure is cached for a while
    record = next(r for r in caplog.records if "could not fetch" in r.message)
    assert record.levelname == ("WARNING" if mode == "live" else "INFO")


def test_unreachable_server_never_raises(endpoint: Endpoint) -> None:
    dead = dataclasses.replace(endpoint, base_url="http://127.0.0.1:9/api/v1")
    assert catalog.lookup("openai/gpt-4o-mini", dead, mode="live") is None


def test_missing_or_broken_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(catalog.load_snapshot(tmp_path / "absent.json")) == 0
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(broken))
    assert catalog.lookup("anything", mode="offline") is None


def test_bundled_snapshot_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_CATALOG_SNAPSHOT")
    assert snapshot_path() == catalog.SNAPSHOT_PATH
    loaded = catalog.load_snapshot()  # empty until the first live refresh; never raises
    if catalog.SNAPSHOT_PATH.exists():
        assert len(loaded) > 0


def test_concurrent_threads_fetch_once(openrouter_emulator: Emulator,
                                       endpoint: Endpoint) -> None:
    openrouter_emulator.enqueue(Reply.json({"data": [{"id": "a/b"}]}, delay_headers=0.2),
                                route="models")
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(catalog.lookup("a/b", endpoint)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r is not None for r in results)
    assert model_requests(openrouter_emulator) == 1


async def test_concurrent_tasks_fetch_once(openrouter_emulator: Emulator,
                                           endpoint: Endpoint) -> None:
    openrouter_emulator.enqueue(Reply.json({"data": [{"id": "a/b"}]}, delay_headers=0.2),
                                route="models")
    found = await asyncio.gather(*(catalog.alookup("a/b", endpoint) for _ in range(8)))
    assert all(info is not None for info in found)
    assert model_requests(openrouter_emulator) == 1
    assert await catalog.alookup("a/b", endpoint) is not None
    assert model_requests(openrouter_emulator) == 1
    listed = await catalog.alist_models(endpoint)
    assert "a/b" in [m.id for m in listed]


async def test_async_failure_falls_back(openrouter_emulator: Emulator,
                                        endpoint: Endpoint) -> None:
    openrouter_emulator.enqueue(Reply.error(500, "boom"), route="models")
    assert await catalog.alookup("openai/gpt-4o-mini", endpoint) is None


def test_list_models_live(endpoint: Endpoint) -> None:
    chosen = catalog.list_models(endpoint, supports="tools", input_modality="image",
                                 max_prompt_price="0.000002")
    assert [m.id for m in chosen] == ["openai/gpt-4o-mini", "openai/gpt-5-mini",
                                      "anthropic/claude-haiku-4.5"]


def test_refresh_command_writes_a_small_snapshot(openrouter_emulator: Emulator,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    output = tmp_path / "data" / "models.json"
    assert main(["--base-url", openrouter_emulator.base_url, "refresh", "--output",
                 str(output)]) == 0
    assert "wrote 9 models" in capsys.readouterr().out
    document = json.loads(output.read_text())
    assert set(document) == {"source", "data"}
    assert document["source"].startswith(f"{openrouter_emulator.base_url}/models on 20")
    entry = next(e for e in document["data"] if e["id"] == "anthropic/claude-haiku-4.5")
    assert set(entry) == {"id", "canonical_slug", "name", "context_length", "architecture",
                          "top_provider", "supported_parameters", "pricing", "reasoning"}
    assert "description" not in output.read_text()
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(output))
    offline = catalog.lookup("anthropic/claude-4.5-haiku-20251001", mode="offline")
    live = catalog.lookup("anthropic/claude-haiku-4.5", Endpoint(
        base_url=openrouter_emulator.base_url, api_key=SecretStr(TEST_KEY)), mode="live")
    assert offline == live


def test_show_and_list_commands(openrouter_emulator: Emulator,
                                monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    base = ["--base-url", openrouter_emulator.base_url]
    assert main([*base, "show", "openai/gpt-4o-mini:nitro"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "openai/gpt-4o-mini"
    assert main([*base, "show", "no/such"]) == 1
    assert main([*base, "list", "--supports", "reasoning", "--input", "image"]) == 0
    assert capsys.readouterr().out.split() == ["openai/gpt-5-mini", "anthropic/claude-haiku-4.5",
                                               "anthropic/claude-sonnet-4.5"]


def test_invalid_mode_means_auto(caplog: pytest.LogCaptureFixture) -> None:
    assert catalog.catalog_mode("sometimes") == "auto"
    assert "not offline, live or auto" in caplog.text


def test_the_snapshot_file_is_checked_at_most_once_per_interval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request reads the snapshot; its file is checked (a ``stat``) once per interval,
    a rewrite by another process is seen after it, and this process's own at once."""
    from openrouter_core.catalog import store

    snapshot = tmp_path / "models.json"
    snapshot.write_text(json.dumps({"data": [{"id": "snap/one"}]}))
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    clock = [100.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    stats: list[str] = []
    real_stat = os.stat

    def counted(path: Any, **kwargs: Any) -> os.stat_result:
        if str(path) == str(snapshot):
            stats.append(str(path))
        return real_stat(path, **kwargs)

    monkeypatch.setattr(os, "stat", counted)

    first = catalog.load_snapshot()
    assert first.get("snap/one") is not None and stats == [str(snapshot)]
    # Another process rewrites the file (a later mtime): not looked at within the interval.
    snapshot.write_text(json.dumps({"data": [{"id": "snap/two"}]}))
    later = time.time() + 5
    os.utime(snapshot, (later, later))
    clock[0] += store.SNAPSHOT_RECHECK_SECONDS / 2
    assert catalog.load_snapshot() is first and len(stats) == 1
    clock[0] += store.SNAPSHOT_RECHECK_SECONDS
    assert catalog.load_snapshot().get("snap/two") is not None and len(stats) == 2
    # This process's own rewrite is seen at once.
    catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/three"}])),
                           snapshot)
    assert catalog.load_snapshot().get("snap/three") is not None
    # An unchanged file is checked again after the interval, and not parsed again.
    kept = catalog.load_snapshot()
    checked = len(stats)
    clock[0] += store.SNAPSHOT_RECHECK_SECONDS
    assert catalog.load_snapshot() is kept and len(stats) == checked + 1


def test_a_read_that_overlaps_a_rewrite_is_not_kept(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that started before this process rewrote the snapshot may hold the old file; it
    is returned to its caller but not kept, so the next read sees the rewrite."""
    from openrouter_core.catalog import store

    snapshot = tmp_path / "models.json"
    snapshot.write_text(json.dumps({"data": [{"id": "snap/old"}]}))
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    real_read = store._read_snapshot

    def read_then_rewritten(path: Path) -> Any:
        value = real_read(path)  # the old file
        catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/new"}])),
                               snapshot)
        return value

    monkeypatch.setattr(store, "_read_snapshot", read_then_rewritten)
    assert catalog.load_snapshot().get("snap/old") is not None
    monkeypatch.setattr(store, "_read_snapshot", real_read)
    assert catalog.load_snapshot().get("snap/new") is not None


def test_a_rewrite_replaces_the_file_whole_and_keeps_its_permissions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new file is written beside the old and moved over it: a reader sees one file or the
    other, never part of one. Its permissions stay, and nothing is left beside it."""
    snapshot = tmp_path / "models.json"
    snapshot.write_text(json.dumps({"data": [{"id": "snap/old"}]}))
    snapshot.chmod(0o640)
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    old_inode = snapshot.stat().st_ino
    seen: list[str] = []
    real_replace = os.replace

    def replacing(source: Any, target: Any) -> None:
        # Just before the move: the file in place is still the old one, whole.
        seen.append(json.loads(snapshot.read_text())["data"][0]["id"])
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replacing)
    catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/new"}])),
                           snapshot)
    assert seen == ["snap/old"]
    assert snapshot.stat().st_ino != old_inode  # another file, moved into place
    assert snapshot.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models.json"]
    assert catalog.load_snapshot().get("snap/new") is not None



@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_snapshot_file_gets_what_the_umask_allows(tmp_path: Path, umask: int) -> None:
    before = os.umask(umask)
    try:
        fresh = tmp_path / "new" / "models.json"
        catalog.write_snapshot(catalog.Catalog(()), fresh)
    finally:
        os.umask(before)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_symlinked_snapshot_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "models-real.json"
    target.parent.mkdir()
    target.write_text(json.dumps({"data": [{"id": "snap/old"}]}))
    link = tmp_path / "models.json"
    link.symlink_to(target)
    catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/new"}])), link)
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert json.loads(target.read_text())["data"][0]["id"] == "snap/new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["models-real.json"]


def test_a_failed_rewrite_leaves_the_old_file_and_no_leftovers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = tmp_path / "models.json"
    snapshot.write_text(json.dumps({"data": [{"id": "snap/old"}]}))

    def failing(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        catalog.write_snapshot(catalog.Catalog(()), snapshot)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models.json"]
    assert json.loads(snapshot.read_text())["data"][0]["id"] == "snap/old"


def test_this_process_sees_its_rewrite_even_with_the_same_modification_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsed snapshots are kept per path and modification time; a rewrite in the same clock
    tick as an earlier read (a coarse file system clock) must not bring the earlier one back."""
    snapshot = tmp_path / "models.json"
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/one"}])),
                           snapshot)
    assert catalog.load_snapshot().get("snap/one") is not None
    stamp = snapshot.stat().st_mtime
    catalog.write_snapshot(catalog.Catalog(catalog.parse_models([{"id": "snap/two"}])),
                           snapshot)
    os.utime(snapshot, (stamp, stamp))
    assert catalog.load_snapshot().get("snap/two") is not None


def test_a_missing_snapshot_reads_as_one_object_until_the_file_appears(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks keyed on the catalogs known (a request template's) must see no change while
    the file stays missing, and a change once it appears."""
    from openrouter_core.catalog import store

    snapshot = tmp_path / "models.json"
    monkeypatch.setenv("OPENROUTER_CATALOG_SNAPSHOT", str(snapshot))
    clock = [1000.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    first = catalog.load_snapshot()
    clock[0] += store.SNAPSHOT_RECHECK_SECONDS * 2
    assert catalog.load_snapshot() is first and len(first) == 0
    snapshot.write_text(json.dumps({"data": [{"id": "snap/one"}]}))
    clock[0] += store.SNAPSHOT_RECHECK_SECONDS * 2
    assert catalog.load_snapshot().get("snap/one") is not None


def test_the_command_line_reports_user_errors_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], openrouter_emulator: Emulator) -> None:
    # A missing key, a missing file, a file that is not a /models body, a refused request:
    # each is a line on standard error and status 1, and nothing is written.
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    out = tmp_path / "models.json"
    other = tmp_path / "other.json"
    other.write_text('{"something": 1}')
    cases = [
        (["--base-url", openrouter_emulator.base_url, "refresh", "--output", str(out)],
         "refresh: InputError: No OpenRouter API key"),
        (["refresh", "--from-file", str(tmp_path / "missing.json"), "--output", str(out)],
         "refresh: FileNotFoundError: "),
        (["refresh", "--from-file", str(other), "--output", str(out)],
         "refresh: ValueError: "),
    ]
    for argv, said in cases:
        assert main(argv) == 1
        assert said in capsys.readouterr().err
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    openrouter_emulator.require_api_key = TEST_KEY + "-another"  # the key is refused
    assert main(["--base-url", openrouter_emulator.base_url, "refresh", "--output",
                 str(out)]) == 1
    error = capsys.readouterr().err
    assert "refresh: AuthenticationError" in error and TEST_KEY not in error
    assert not out.exists()
