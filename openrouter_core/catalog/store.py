"""Where catalog data comes from: a live ``GET /models``, cached per process, or the snapshot.

``OPENROUTER_CATALOG`` selects the source:

* ``offline`` — only the bundled snapshot (``openrouter_core/data/models.json``);
* ``live`` — ``GET /models`` (and ``/embeddings/models``) on first use, cached for
  ``OPENROUTER_CATALOG_TTL`` seconds (default 3600); a failed fetch is logged as a warning and
  the snapshot answers until the next attempt (60 s later);
* ``auto`` (default) — live when a key is configured, else the snapshot; a failed fetch falls
  back to the snapshot quietly.

When no snapshot file exists the snapshot is an empty catalog, so look-ups return ``None`` and
callers use their documented defaults. Look-ups never raise because of network trouble.

The cache is keyed by base URL. Concurrent first look-ups fetch once: threads share a
``threading.Lock`` per base URL, coroutines an ``asyncio.Lock`` per event loop and base URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from openrouter_core import environment, errors, transport
from openrouter_core.catalog.models import Catalog, parse_models
from openrouter_core.transport import Endpoint

logger = logging.getLogger("openrouter_core.catalog")

Mode = Literal["offline", "live", "auto"]
MODE_ENV = "OPENROUTER_CATALOG"
TTL_ENV = "OPENROUTER_CATALOG_TTL"
SNAPSHOT_ENV = "OPENROUTER_CATALOG_SNAPSHOT"
DEFAULT_TTL = 3600.0
RETRY_AFTER_FAILURE = 60.0
SNAPSHOT_PATH = Path(__file__).resolve().parent.parent / "data" / "models.json"
"""The bundled snapshot, written by ``python -m openrouter_core.catalog refresh``."""



def catalog_mode(value: str | None = None) -> Mode:
    """The effective mode: ``value``, else ``$OPENROUTER_CATALOG``, else ``auto``."""
    raw = (value or os.environ.get(MODE_ENV) or "auto").strip().lower()
    if raw in ("offline", "live", "auto"):
        return raw  # type: ignore[return-value]
    logger.warning("%s=%r is not offline, live or auto; using auto", MODE_ENV, raw)
    return "auto"


def cache_ttl() -> float:
    """Seconds a live catalog stays fresh (``$OPENROUTER_CATALOG_TTL``, default 3600)."""
    try:
        return max(float(os.environ.get(TTL_ENV, DEFAULT_TTL)), 0.0)
    except ValueError:
        return DEFAULT_TTL


def default_endpoint() -> Endpoint:
    """``$OPENROUTER_API_BASE`` / ``$OPENROUTER_API_KEY``, one retry, 10 s timeout."""
    return Endpoint(base_url=environment.read("base_url") or transport.DEFAULT_BASE_URL,
                    api_key=environment.api_key(), timeout=10.0, max_retries=1)


def _has_key(endpoint: Endpoint) -> bool:
    return endpoint.api_key is not None and bool(endpoint.api_key.get_secret_value())


# --- snapshot -----------------------------------------------------------------------------

_snapshots: dict[tuple[str, float], Catalog] = {}
_NO_SNAPSHOT = Catalog(())
"""What a missing snapshot file reads as: one object, so that checks keyed on the catalogs
known (``catalog.RepeatedCheck``) see no change while the file stays missing."""


def snapshot_path() -> Path:
    """The snapshot file in use (``$OPENROUTER_CATALOG_SNAPSHOT`` overrides the bundled one)."""
    return Path(_snapshot_name())


def _snapshot_name() -> str:
    # snapshot_path() as a string: load_snapshot reads it on every request, without a Path.
    return os.environ.get(SNAPSHOT_ENV) or _BUNDLED


SNAPSHOT_RECHECK_SECONDS = 1.0
"""How long a read of the snapshot stands before the file's modification time is checked
again (a rewrite by this process's :func:`write_snapshot` is seen at once)."""
_checked: dict[str, tuple[float, Catalog]] = {}
"""Per snapshot path: when its file was last checked (``time.monotonic``) and what it held."""
_generation = [0]
"""Counts :func:`write_snapshot` calls, so that a read that overlapped one is not kept."""
_BUNDLED = str(SNAPSHOT_PATH)


def load_snapshot(path: Path | None = None) -> Catalog:
    """The snapshot catalog; empty (with a debug log) when the file is missing or unreadable.

    Every request reads it, so the file is checked (a ``stat``) at most once per
    :data:`SNAPSHOT_RECHECK_SECONDS`; a rewrite by another process is seen after that.
    """
    name = str(path) if path is not None else _snapshot_name()
    now = time.monotonic()
    seen = _checked.get(name)
    if seen is not None and now - seen[0] < SNAPSHOT_RECHECK_SECONDS:
        return seen[1]
    generation = _generation[0]
    catalog, parsed = _read_snapshot(path or Path(name))
    with _lock:
        # Kept only when no write_snapshot ran meanwhile: what was read may be the old file,
        # under a modification time the new one can share.
        if generation == _generation[0]:
            _checked[name] = (now, catalog)
            if parsed is not None:
                _snapshots[parsed] = catalog
    return catalog


def _read_snapshot(path: Path) -> tuple[Catalog, tuple[str, float] | None]:
    # The file's catalog, and the (path, modification time) to keep it under when it was
    # parsed now (None: missing, or parsed before).
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        logger.debug("no catalog snapshot at %s; look-ups fall back to defaults", path)
        return _NO_SNAPSHOT, None
    key = (str(path), stamp)
    cached = _snapshots.get(key)
    if cached is not None:
        return cached, None
    try:
        parsed = Catalog(parse_models(json.loads(path.read_text(encoding="utf-8"))))
    except (OSError, ValueError) as exc:
        logger.warning("unreadable catalog snapshot %s: %s", path, exc)
        parsed = Catalog(())
    return parsed, key


def write_snapshot(catalog: Catalog, path: Path | None = None, *, source: str = "") -> Path:
    """Write ``catalog`` (reduced fields only, sorted by id) as the snapshot file.

    The output depends on nothing but ``catalog`` and ``source`` (no timestamp), so the same
    ``/models`` body always gives the same bytes, and a test can prove the bundled file is
    what the command produces.
    """
    path = path or snapshot_path()
    entries = sorted(catalog.to_wire(), key=lambda entry: str(entry["id"]))
    # One model per line: small, and a refresh reads as a per-model diff.
    lines = ",\n".join(json.dumps(entry, sort_keys=True, separators=(",", ":"))
                       for entry in entries)
    text = f'{{"source": {json.dumps(source)},\n"data": [\n{lines}\n]}}\n'
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, text)
    with _lock:  # this process sees its own rewrite at once
        _generation[0] += 1
        _checked.clear()
        for key in [key for key in _snapshots if key[0] == str(path)]:
            del _snapshots[key]  # the rewrite can carry the modification time of a read
    return path


def _replace(path: Path, text: str) -> None:
    # Written beside the file and moved over it in one step: a reader (another process, or this
    # one after its re-check interval) reads the old file or the new one, never a part of one.
    # A symlink is written through (its target is replaced, the link stays). The file keeps its
    # permission bits; a new one gets what the umask allows, as an ordinary write would.
    target = Path(os.path.realpath(path))
    mode = target.stat().st_mode & 0o777 if target.exists() else None
    name = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if mode is not None:
            os.chmod(name, mode)
        os.replace(name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


# --- live fetch ---------------------------------------------------------------------------


def build_catalog(chat: object, embedding: object = None) -> Catalog:
    """Parsed ``/models`` (and optional ``/embeddings/models``) bodies → one :class:`Catalog`.

    Every way a snapshot is made (live :func:`refresh`, :func:`refresh_from_file`) goes through
    here once the JSON is parsed.
    """
    models = {info.id: info for info in parse_models(embedding)}
    models.update((info.id, info) for info in parse_models(chat))
    return Catalog(models.values())


def fetch(endpoint: Endpoint) -> Catalog:
    """``GET /models`` and ``GET /embeddings/models`` (optional) → a :class:`Catalog`.

    Raises the core's typed errors; use :func:`get_catalog` for the cached, never-raising form.
    """
    chat = transport.request_json(endpoint, "GET", "models")
    try:
        embedding = transport.request_json(endpoint, "GET", "embeddings/models")
    except errors.APIStatusError:
        embedding = None  # older deployments have no embeddings listing
    return build_catalog(chat, embedding)


async def afetch(endpoint: Endpoint) -> Catalog:
    """Async :func:`fetch`."""
    chat = await transport.arequest_json(endpoint, "GET", "models")
    try:
        embedding = await transport.arequest_json(endpoint, "GET", "embeddings/models")
    except errors.APIStatusError:
        embedding = None
    return build_catalog(chat, embedding)


# --- cache --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    catalog: Catalog
    expires_at: float


_lock = threading.Lock()
_entries: dict[str, _Entry] = {}
_thread_locks: dict[str, threading.Lock] = {}
_async_locks: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def clear_cache() -> None:
    """Forget every cached live catalog (the next look-up fetches again)."""
    with _lock:
        _entries.clear()
        _snapshots.clear()
        _generation[0] += 1
        _checked.clear()


def _fresh(key: str) -> Catalog | None:
    entry = _entries.get(key)
    return entry.catalog if entry is not None and entry.expires_at > time.monotonic() else None


def _live_target(endpoint: Endpoint | None, mode: str | None) -> tuple[Endpoint, str, Mode] | None:
    """The endpoint and cache key to fetch from, or ``None`` when the snapshot answers."""
    effective = catalog_mode(mode)
    if effective == "offline":
        return None
    endpoint = endpoint or default_endpoint()
    if not _has_key(endpoint):
        if effective == "live":
            logger.warning("OPENROUTER_CATALOG=live but no API key; using the snapshot")
        return None
    return endpoint, endpoint.base_url.rstrip("/"), effective


def _settle(key: str, mode: Mode, result: Catalog | BaseException) -> Catalog:
    """Cache a fetched catalog, or the snapshot for a short while after a failure."""
    if isinstance(result, BaseException):
        log = logger.warning if mode == "live" else logger.info
        log("could not fetch the OpenRouter model catalog (%s); using the snapshot",
            errors.redact(str(result)))
        catalog, ttl = load_snapshot(), min(RETRY_AFTER_FAILURE, cache_ttl())
    else:
        catalog, ttl = result, cache_ttl()
    with _lock:
        _entries[key] = _Entry(catalog, time.monotonic() + ttl)
    return catalog


def peek_catalog(endpoint: Endpoint | None = None, snapshot: Catalog | None = None) -> Catalog:
    """What is known without any I/O beyond the snapshot file: a fresh live catalog already
    fetched for ``endpoint``'s base URL, else the snapshot.

    Adapters use this where a network call would be wrong (model construction, per-request
    checks); call :func:`get_catalog` once at start-up to make live data available here.
    ``snapshot``, when given, is the :func:`load_snapshot` the caller already holds.
    """
    base = (endpoint.base_url if endpoint is not None else default_endpoint().base_url)
    cached = _fresh(base.rstrip("/"))
    if cached is not None:
        return cached
    return snapshot if snapshot is not None else load_snapshot()


def get_catalog(endpoint: Endpoint | None = None, *, mode: str | None = None) -> Catalog:
    """The catalog for ``endpoint`` per ``mode`` (see the module docs); never raises on I/O."""
    target = _live_target(endpoint, mode)
    if target is None:
        return load_snapshot()
    live, key, effective = target
    cached = _fresh(key)
    if cached is not None:
        return cached
    with _lock:
        fetch_lock = _thread_locks.setdefault(key, threading.Lock())
    with fetch_lock:
        cached = _fresh(key)
        if cached is not None:
            return cached
        try:
            result: Catalog | BaseException = fetch(live)
        except Exception as exc:  # any failure (socket blocked, DNS...) means "use snapshot"
            result = exc
        return _settle(key, effective, result)


async def aget_catalog(endpoint: Endpoint | None = None, *, mode: str | None = None) -> Catalog:
    """Async :func:`get_catalog` (the event loop is never blocked by a fetch)."""
    target = _live_target(endpoint, mode)
    if target is None:
        return load_snapshot()
    live, key, effective = target
    cached = _fresh(key)
    if cached is not None:
        return cached
    loop = asyncio.get_running_loop()
    with _lock:
        fetch_lock = _async_locks.setdefault(loop, {}).setdefault(key, asyncio.Lock())
    async with fetch_lock:
        cached = _fresh(key)
        if cached is not None:
            return cached
        try:
            result: Catalog | BaseException = await afetch(live)
        except Exception as exc:  # any failure means "use snapshot"
            result = exc
        return _settle(key, effective, result)


def refresh(endpoint: Endpoint | None = None, path: Path | None = None) -> tuple[Catalog, Path]:
    """Fetch the live catalog (raising on failure) and rewrite the snapshot file."""
    endpoint = endpoint or default_endpoint()
    today = datetime.now(UTC).date().isoformat()
    return _rewrite(fetch(endpoint), path,
                    source=f"{endpoint.base_url.rstrip('/')}/models on {today}")


def refresh_from_file(source: Path, path: Path | None = None) -> tuple[Catalog, Path]:
    """Rewrite the snapshot from a saved ``GET /models`` body (``{"data": [...]}``).

    After reading the bytes this is :func:`refresh`'s path exactly: :func:`build_catalog`, then
    :func:`write_snapshot`. The snapshot records the file's name as its source.
    """
    try:
        body = json.loads(source.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{source} is not a JSON /models body: {exc}") from exc
    catalog = build_catalog(body)
    if not len(catalog):
        raise ValueError(f"{source} holds no /models entries (expected {{'data': [...]}})")
    return _rewrite(catalog, path, source=source.name)


def _rewrite(catalog: Catalog, path: Path | None, *, source: str) -> tuple[Catalog, Path]:
    written = write_snapshot(catalog, path, source=source)
    clear_cache()
    return catalog, written
