"""Offline token counting: family encodings from disk, the approximation, billing rules."""

from __future__ import annotations

import base64
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from openrouter_core import tokens
from openrouter_core.tokens import (
    approximate_ids,
    count_messages,
    encoding_name,
    image_size,
    image_tokens,
    tokenizer_for,
)

SAMPLES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog. " * 20,
    'def add(a: int, b: int) -> int:\n    return a + b  # {"json": [1, 2, 3]}\n',
    "これは日本語のテキストです。東京は日本の首都です。",
    "Привет, как дела? Это русский текст.",
    "Ceci est un texte en français, avec des accents é à ü.",
    "😀🎉 emoji and 12345678 digits",
]


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    tokens.clear_caches()
    yield
    tokens.clear_caches()


@pytest.mark.parametrize(("model", "expected"), [
    ("openai/gpt-4o-mini", "o200k_base"),
    ("openai/gpt-4o-mini:floor", "o200k_base"),
    ("openai/gpt-4.1-nano@preset/team", "o200k_base"),
    ("openai/gpt-5", "o200k_base"),
    ("openai/o3-mini", "o200k_base"),
    ("openai/gpt-oss-120b", "o200k_base"),
    ("openai/gpt-4", "cl100k_base"),
    ("openai/gpt-3.5-turbo-0613", "cl100k_base"),
    ("anthropic/claude-sonnet-4", None),
    ("google/gemini-2.5-flash", None),
    ("openai/text-embedding-3-small", None),
])
def test_encoding_by_family(model: str, expected: str | None) -> None:
    assert encoding_name(model) == expected


def test_openai_families_are_exact_from_the_encoding_llama_index_ships() -> None:
    # llama-index-core (installed by the [llamaindex] extra) carries both encoding files.
    mini = tokenizer_for("openai/gpt-4o-mini")
    assert (mini.encoding, mini.exact) == ("o200k_base", True)
    assert mini.encode("Hello, world!") == [13225, 11, 2375, 0]
    old = tokenizer_for("openai/gpt-4")
    assert (old.encoding, old.exact) == ("cl100k_base", True)
    assert old.encode("Hello, world!") == [9906, 11, 1917, 0]
    other = tokenizer_for("anthropic/claude-sonnet-4")
    assert (other.encoding, other.exact) == ("o200k_base", False)  # the closest on disk


def test_special_token_text_is_counted_not_rejected() -> None:
    assert tokenizer_for("openai/gpt-4o").count("<|endoftext|>") > 1


@pytest.mark.parametrize("text", SAMPLES)
def test_approximation_never_undercounts_o200k(text: str) -> None:
    exact = tokenizer_for("openai/gpt-4o").count(text)
    approx = len(approximate_ids(text))
    assert exact <= approx <= 2.2 * exact


def test_approximation_ids_are_stable_and_text_sensitive() -> None:
    assert approximate_ids("same text") == approximate_ids("same text")
    assert approximate_ids("same text") != approximate_ids("other text")
    assert approximate_ids("") == []


def test_missing_encoding_file_falls_back_with_one_warning(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tokens, "encoding_dirs", lambda: [tmp_path])
    with pytest.warns(UserWarning, match="o200k_base is not on this machine") as caught:
        first = tokenizer_for("openai/gpt-4o-mini")
    assert len(caught) == 1
    assert (first.encoding, first.exact) == (None, False)
    assert first.encode("Hello, world!") == approximate_ids("Hello, world!")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tokenizer_for("openai/gpt-4.1") is first  # same family: no second warning
        assert tokenizer_for("anthropic/claude-sonnet-4").encoding is None  # documented: quiet


def test_a_damaged_encoding_file_is_never_refetched(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    import hashlib

    key = hashlib.sha1(
        b"https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken").hexdigest()
    (tmp_path / key).write_bytes(b"not an encoding")
    monkeypatch.setattr(tokens, "encoding_dirs", lambda: [tmp_path])
    import tiktoken.registry

    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})  # its own per-process cache
    # tiktoken would try to download a file it cannot read; sockets are disabled in this pure
    # test, and pytest-socket warns about any attempt, so none may appear.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert tokenizer_for("openai/gpt-4o").encoding is None
    said = [str(w.message) for w in caught]
    assert any("approximate" in m for m in said), said
    assert not any("socket" in m for m in said), said


def _png(width: int, height: int) -> str:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width,
                                                                                 height)
    return "data:image/png;base64," + base64.b64encode(header + b"\x08\x02\x00\x00\x00").decode()


def _gif(width: int, height: int) -> str:
    return "data:image/gif;base64," + base64.b64encode(
        b"GIF89a" + struct.pack("<HH", width, height) + b"\x00" * 4).decode()


def _jpeg(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    sof = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, height, width) + b"\x03" + b"\x00" * 9
    return "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8" + app0 + sof).decode()


def test_image_sizes_from_data_urls() -> None:
    assert image_size(_png(640, 480)) == (640, 480)
    assert image_size(_gif(10, 20)) == (10, 20)
    assert image_size(_jpeg(1920, 1080)) == (1920, 1080)
    assert image_size("https://example.com/cat.png") is None
    assert image_size("data:image/png;base64,bm90IGFuIGltYWdl") is None


@pytest.mark.parametrize(("url", "detail", "expected"), [
    (_png(512, 512), None, 85 + 170),
    (_png(1024, 1024), "high", 85 + 170 * 4),
    (_png(2048, 4096), "auto", 85 + 170 * 6),  # → 1024x2048 → 768x1536: 2x3 tiles
    (_jpeg(1920, 1080), None, 85 + 170 * 6),  # short side to 768: 1365x768, 3x2 tiles
    (_png(4000, 3000), "low", 85),
    ("https://example.com/unmeasured.png", None, 765),  # never fetched: counted as 1024x1024
])
def test_image_tokens_follow_the_tile_rule(url: str, detail: str | None, expected: int) -> None:
    assert image_tokens(url, detail) == expected


def test_count_messages_per_message_framing_names_tools_and_images() -> None:
    tk = tokenizer_for("openai/gpt-4o")
    hello = [{"role": "user", "content": "Hello, world!"}]
    # 3 framing + "user" (1) + 4 text + 3 reply priming
    assert count_messages(hello, tk) == 11
    named = [{"role": "user", "name": "ada", "content": "Hello, world!"}]
    assert count_messages(named, tk) == 11 + 1 + tk.count("ada")
    image = [{"role": "user", "content": [
        {"type": "text", "text": "Hello, world!"},
        {"type": "image_url", "image_url": {"url": _png(512, 512), "detail": "high"}}]}]
    assert count_messages(image, tk) == 11 + 255
    call = [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'}}]}]
    assert count_messages(call, tk) > 3 + 1 + 3 + tk.count("get_weather")
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}
    with_tool = count_messages(hello, tk, [tool])
    assert with_tool == 11 + tk.count(
        '[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",'
        '"properties":{"city":{"type":"string"}}}}}]')
