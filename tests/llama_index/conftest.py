"""Fixtures for the LlamaIndex adapter tests: tiny real media files and an emulator-backed LLM."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from llama_index_openrouter import OpenRouter, OpenRouterMultiModal
from openrouter_core.testing import Emulator

TEST_KEY = "sk-or-v1-test-key-0123-abcdef"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00D\xac\x00\x00\x88X\x01\x00" \
      b"\x02\x00\x10\x00data\x00\x00\x00\x00"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    """The reset session emulator."""
    return openrouter_emulator


def make_llm(emu: Emulator, **kwargs: Any) -> OpenRouter:
    """An ``OpenRouter`` talking to ``emu`` (no retries unless asked)."""
    kwargs.setdefault("model", "openai/gpt-4o-mini")
    kwargs.setdefault("max_retries", 0)
    return OpenRouter(api_key=TEST_KEY, api_base=emu.base_url, **kwargs)


@pytest.fixture
def llm(emu: Emulator) -> OpenRouter:
    """An ``OpenRouter`` (``openai/gpt-4o-mini``) talking to the emulator."""
    return make_llm(emu)


@pytest.fixture
def mm_llm(emu: Emulator) -> OpenRouterMultiModal:
    """An ``OpenRouterMultiModal`` talking to the emulator."""
    return OpenRouterMultiModal(model="openai/gpt-4o-mini", api_key=TEST_KEY,
                                api_base=emu.base_url, max_retries=0)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OpenRouter environment variables."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_API_BASE", raising=False)


class Collected:
    """Instrumentation events and spans seen during one test."""

    def __init__(self) -> None:
        from llama_index.core.instrumentation.span_handlers import SimpleSpanHandler

        self.events: list[Any] = []
        self.spans = SimpleSpanHandler()

    def of(self, kind: type) -> list[Any]:
        """The events of one type."""
        return [e for e in self.events if isinstance(e, kind)]

    def span_names(self) -> list[str]:
        """Ids of the completed spans (``<Class.method>-<uuid>``)."""
        return [s.id_ for s in self.spans.completed_spans]


@pytest.fixture
def instrumentation() -> Iterator[Collected]:
    """Events and spans dispatched to the root dispatcher while the test runs."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler

    collected = Collected()

    class Handler(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            collected.events.append(event)

    root = get_dispatcher()
    handler = Handler()
    root.add_event_handler(handler)
    root.add_span_handler(collected.spans)
    try:
        yield collected
    finally:
        root.event_handlers.remove(handler)
        root.span_handlers.remove(collected.spans)
