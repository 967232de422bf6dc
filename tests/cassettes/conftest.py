"""Cassette tests: the real adapters against recorded OpenRouter exchanges (vcrpy via
pytest-recording). See ``docs/cassettes.md``.

Three modes, picked from pytest-recording's ``--record-mode`` and two environment variables:

* **replay** (default, CI): ``record_mode`` is ``none``; the model talks to
  ``https://openrouter.ai/api/v1`` with a dummy key and vcrpy answers from the cassette. No
  socket is opened; a request the cassette does not hold (method, URI or JSON body differ)
  fails the test.
* **emulator** (``OPENROUTER_CASSETTE_SOURCE=emulator pytest --record-mode=rewrite
  tests/cassettes``): each test scripts the loopback emulator with the reply shape it needs and
  records the exchange; the emulator's URL is rewritten to ``https://openrouter.ai/api/v1``.
* **live** (``OPENROUTER_API_KEY=... pytest --record-mode=rewrite tests/cassettes``): the same
  tests talk to real OpenRouter (sockets are enabled for them); cassettes whose shape cannot be
  provoked on demand (catalog ``live=False``) are still recorded from the emulator.

Whatever the mode, only an allow-list of request headers is written (never ``Authorization``
or cookies) and ``Set-Cookie`` is dropped from responses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from openrouter_core.testing import Reply
from tests.cassettes.catalog import CATALOG, ROOT, header, spec_for

if TYPE_CHECKING:
    from vcr import VCR  # type: ignore[import-untyped]
    from vcr.cassette import Cassette  # type: ignore[import-untyped]
    from vcr.request import Request  # type: ignore[import-untyped]

    from openrouter_core.testing import Emulator

Mode = Literal["replay", "emulator", "live"]

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
"""The base URL every cassette is recorded under and replayed against."""

SOURCE_ENV = "OPENROUTER_CASSETTE_SOURCE"
"""``emulator`` records from the loopback emulator; unset (or ``live``) records live."""

DUMMY_KEY = "sk-or-v1-cassette-dummy-key"
"""The key used in replay and when recording from the emulator (never written anywhere)."""

KEPT_REQUEST_HEADERS = frozenset({
    "accept", "content-type", "http-referer", "x-openrouter-title", "x-title",
    "x-openrouter-categories",
})
"""Request headers written to cassettes; everything else (auth, cookies, SDK noise) is not."""

SECRET_REQUEST_HEADERS = ("authorization", "cookie", "x-api-key", "api-key")
"""Scrubbed by vcrpy's ``filter_headers`` before the allow-list even runs."""

_LOOPBACK = re.compile(r"^http://(?:127\.0\.0\.1|localhost|\[::1\]):\d+/api/v1")


def cassette_mode(config: pytest.Config) -> Mode:
    """The mode this run records or replays in (see the module docstring)."""
    if (config.getoption("--record-mode", default=None) or "none") == "none":
        return "replay"
    source = os.environ.get(SOURCE_ENV, "").strip().lower()
    if source == "emulator":
        return "emulator"
    if source not in ("", "live"):
        raise pytest.UsageError(f"{SOURCE_ENV} must be 'emulator' or 'live', not {source!r}")
    return "live"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Re-recording live: let the cassette tests open sockets (pytest-socket blocks them)."""
    if cassette_mode(config) != "live":
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.enable_socket)


# --- what gets written -------------------------------------------------------------------


def scrub_request(request: Request) -> Request:
    """Real base URL instead of the emulator's; only allow-listed headers are kept."""
    request.uri = _LOOPBACK.sub(OPENROUTER_BASE_URL, request.uri)
    kept = {k: v for k, v in request.headers.items() if k.lower() in KEPT_REQUEST_HEADERS}
    request.headers = kept
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop ``Set-Cookie`` (and any other cookie header) from a recorded response."""
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items()
                           if k.lower() not in ("set-cookie", "cookie")}
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """vcrpy options: match on method, URI and JSON body; scrub secrets; never replay twice."""
    return {
        "match_on": ["method", "scheme", "host", "port", "path", "query", "body"],
        "filter_headers": list(SECRET_REQUEST_HEADERS),
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<CASSETTE_FOLDER>`` of the test module (``cassettes/`` without one)."""
    folder: str = getattr(request.module, "CASSETTE_FOLDER", "")
    return str(ROOT / folder)


class _HeaderPersister:
    """Saves like the wrapped persister, then puts the catalog's comment block on top."""

    def __init__(self, inner: Any, source: str) -> None:
        self.inner = inner
        self.source = source

    def load_cassette(self, cassette_path: str, serializer: Any) -> Any:
        return self.inner.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        self.inner.save_cassette(cassette_path, cassette_dict, serializer)
        path = Path(cassette_path)
        if spec_for(path) is None:
            return
        source = self.source
        if source == "live" and not CATALOG[path.parent.name][path.stem].live:
            source = "emulator"
        label = ("the loopback emulator (openrouter_core.testing)" if source == "emulator"
                 else "live OpenRouter")
        path.write_text(header(path.parent.name, path.stem, label) + path.read_text())


@pytest.hookimpl
def pytest_recording_configure(config: pytest.Config, vcr: VCR) -> None:
    """Give every cassette of ours its facts header when it is (re-)recorded."""
    vcr.register_persister(_HeaderPersister(vcr.persister, cassette_mode(config)))


# --- the fixture the tests use -----------------------------------------------------------


@dataclass(slots=True)
class Recording:
    """Where a cassette test sends its requests, and the cassette itself.

    ``script`` queues emulator replies; it does nothing in replay or live mode, so a test reads
    the same in every mode.
    """

    mode: Mode
    base_url: str
    api_key: str
    cassette: Cassette
    emulator: Emulator | None = None

    def script(self, *replies: Reply) -> None:
        """Queue ``replies`` on the emulator when recording from it."""
        if self.emulator is not None:
            self.emulator.enqueue(*replies)

    def responses(self) -> list[dict[str, Any]]:
        """The cassette's responses (recorded or replayed), in order."""
        return list(self.cassette.responses)

    def requests(self) -> list[Any]:
        """The cassette's requests (as written), in order."""
        return list(self.cassette.requests)


@pytest.fixture
def recording(request: pytest.FixtureRequest, vcr: Cassette | None) -> Iterator[Recording]:
    """The mode, base URL and key for this cassette test (see the module docstring)."""
    if vcr is None:
        pytest.fail("cassette tests need the @cassette(...) mark and VCR enabled")
    mode = cassette_mode(request.config)
    marker = request.node.get_closest_marker("default_cassette")
    name = marker.args[0] if marker else request.node.name
    spec = CATALOG[request.module.CASSETTE_FOLDER][name]
    if any(m.kwargs.get("record_mode") == "none" for m in request.node.iter_markers("vcr")):
        mode = "replay"
    if mode == "live" and not spec.live:
        mode = "emulator"
    if mode == "emulator":
        emulator: Emulator = request.getfixturevalue("openrouter_emulator")
        yield Recording(mode, emulator.base_url, DUMMY_KEY, vcr, emulator)
        assert emulator.pending == 0, "scripted replies left unused"
        return
    if mode == "live":
        key = os.environ.get("OPENROUTER_API_KEY", "")
        if not key:
            pytest.fail(f"re-recording live needs OPENROUTER_API_KEY (or {SOURCE_ENV}=emulator)")
        yield Recording(mode, OPENROUTER_BASE_URL, key, vcr)
        return
    yield Recording(mode, OPENROUTER_BASE_URL, DUMMY_KEY, vcr)
    assert vcr.all_played, f"{len(vcr)} recorded interactions, only {vcr.play_count} replayed"
