"""Fixtures for the langchain-tests standard suites, run offline against the loopback emulator.

* One emulator for the whole session (``STATE.emulator``); its responder is the emulator's
  auto responder wrapped with the few rules the standard tests need specific answers for.
* The suite downloads a PDF, a WAV file and a PNG from the internet; here they are generated
  locally and served by a loopback file server, and the suite's ``httpx.get`` is pointed at it.
* VCR (``test_stream_time``) records once against the emulator into
  ``cassettes/standard/langchain`` and replays afterwards, matching on method and path
  (the emulator's port changes every session).
"""

from __future__ import annotations

import json
import re
import struct
import threading
import wave
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_tests.conftest import base_vcr_config

from openrouter_core.testing import Emulator, RecordedRequest, Reply, auto_respond, first_of

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "standard" / "langchain"


class _State:
    emulator: Emulator | None = None
    files_url: str = ""


STATE = _State()


def emulator_base_url() -> str:
    """Base URL of the session emulator (started on first use)."""
    if STATE.emulator is None:
        STATE.emulator = Emulator().start()
        STATE.emulator.responder = standard_responder
    return STATE.emulator.base_url


# --- responder rules for answers the standard tests check ---------------------------------


def _quoted(text: str) -> str | None:
    match = re.search(r"'([^']+)'", text)
    return match.group(1) if match else None


def unicode_customer(request: RecordedRequest) -> Reply | None:
    """``unicode_customer`` tool: echo the quoted (Chinese/Japanese) name as the argument."""
    tools = request.body_dict.get("tools") or []
    names = [t.get("function", {}).get("name") for t in tools if isinstance(t, dict)]
    text = request.last_user_text or ""
    if "unicode_customer" not in names or request.last_message.get("role") != "user":
        return None
    name = _quoted(text) or text
    return Reply.tool_calls(("unicode_customer", {"customer_name": name,
                                                  "description": "A company"}))


def joke_json(request: RecordedRequest) -> Reply | None:
    """JSON mode asked for a joke with 'setup' and 'punchline' keys."""
    response_format = request.body_dict.get("response_format") or {}
    text = request.last_user_text or ""
    if response_format.get("type") != "json_object" or "punchline" not in text:
        return None
    joke = {"setup": "Why did the cat sit on the computer?",
            "punchline": "To keep an eye on the mouse."}
    return Reply.text(json.dumps(joke))


def magic_function(request: RecordedRequest) -> Reply | None:
    """``magic_function(3)`` in the prompt → call the tool with ``{"input": 3}``."""
    tools = request.body_dict.get("tools") or []
    names = [t.get("function", {}).get("name") for t in tools if isinstance(t, dict)]
    match = re.search(r"magic_function\((\d+)\)", request.last_user_text or "")
    if "magic_function" not in names or match is None or request.last_message.get("role") != "user":
        return None
    return Reply.tool_calls(("magic_function", {"input": int(match.group(1))}))


standard_responder = first_of(unicode_customer, joke_json, magic_function,
                              fallback=auto_respond)


# --- fixture files served from loopback ---------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _wav() -> bytes:
    buffer = BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n")

FILES: dict[str, tuple[str, bytes]] = {
    "dummy.pdf": ("application/pdf", _PDF),
    "audio.wav": ("audio/wav", _wav()),
    "image.png": ("image/png", _png()),
}


def _local_name(url: str) -> str:
    if url.endswith(".pdf"):
        return "dummy.pdf"
    if url.endswith(".wav"):
        return "audio.wav"
    return "image.png"


class _FileHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        kind, data = FILES.get(self.path.lstrip("/"), ("text/plain", b""))
        self.send_response(200 if data else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class _LocalHttpx:
    """Stands in for the suite's ``httpx`` module: fetches fixture files from loopback."""

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(f"{STATE.files_url}/{_local_name(url)}", timeout=5.0)


@pytest.fixture(scope="session")
def _file_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    STATE.files_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield STATE.files_url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _offline_fixture_files(_file_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import langchain_tests.integration_tests.chat_models as suite

    monkeypatch.setattr(suite, "httpx", _LocalHttpx())
    # The suite warns without a user agent for wikimedia; nothing leaves loopback here.
    monkeypatch.setenv("LANGCHAIN_TESTS_USER_AGENT", "openrouter-integrations-tests/0 (loopback)")


@pytest.fixture(scope="session", autouse=True)
def _session_emulator() -> Iterator[None]:
    yield
    if STATE.emulator is not None:
        STATE.emulator.stop()
        STATE.emulator = None


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    """Record once against the emulator, replay after; never store the key."""
    config = base_vcr_config()
    config["match_on"] = ["method", "path"]
    config["cassette_library_dir"] = str(CASSETTES)
    return config


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    """Where pytest-recording keeps this suite's cassettes."""
    return str(CASSETTES)
