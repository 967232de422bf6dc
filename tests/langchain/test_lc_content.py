"""Content blocks in every spelling → OpenRouter parts (pure)."""

from __future__ import annotations

import base64

import pytest

from langchain_openrouter.content import to_part, to_parts
from openrouter_core.errors import InputError

B64 = base64.b64encode(b"bytes").decode()
PDF_URL = "data:application/pdf;base64,AA"


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("hi", {"type": "text", "text": "hi"}),
        ({"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
         {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}),
        # LangChain v1 image: url, base64
        ({"type": "image", "url": "https://x/y.png"},
         {"type": "image_url", "image_url": {"url": "https://x/y.png"}}),
        ({"type": "image", "base64": B64, "mime_type": "image/jpeg"},
         {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{B64}"}}),
        # v0 image
        ({"type": "image", "source_type": "base64", "data": B64, "mime_type": "image/png"},
         {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{B64}"}}),
        ({"type": "image", "source_type": "url", "url": "https://x/y.png"},
         {"type": "image_url", "image_url": {"url": "https://x/y.png"}}),
        # OpenAI image_url, string and dict, detail kept
        ({"type": "image_url", "image_url": "https://x/y.png"},
         {"type": "image_url", "image_url": {"url": "https://x/y.png"}}),
        ({"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}},
         {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}),
        # Anthropic image, cache_control carried
        ({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64},
          "cache_control": {"type": "ephemeral"}},
         {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{B64}"},
          "cache_control": {"type": "ephemeral"}}),
        ({"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
         {"type": "image_url", "image_url": {"url": "https://x/y.png"}}),
        # files: v1 base64 with filename, url, id; OpenAI file; Anthropic document
        ({"type": "file", "base64": B64, "mime_type": "application/pdf", "filename": "a.pdf"},
         {"type": "file", "file": {"filename": "a.pdf",
                                   "file_data": f"data:application/pdf;base64,{B64}"}}),
        ({"type": "file", "base64": B64, "mime_type": "application/pdf"},
         {"type": "file", "file": {"filename": "document.pdf",
                                   "file_data": f"data:application/pdf;base64,{B64}"}}),
        ({"type": "file", "url": "https://x/a.pdf", "extras": {"filename": "a.pdf"}},
         {"type": "file", "file": {"filename": "a.pdf", "file_data": "https://x/a.pdf"}}),
        ({"type": "file", "file_id": "file-1", "mime_type": "application/pdf"},
         {"type": "file", "file": {"filename": "document.pdf", "file_id": "file-1"}}),
        ({"type": "file", "file": {"filename": "a.pdf", "file_data": PDF_URL}},
         {"type": "file", "file": {"filename": "a.pdf", "file_data": PDF_URL}}),
        ({"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                         "data": B64}, "title": "Report"},
         {"type": "file", "file": {"filename": "Report",
                                   "file_data": f"data:application/pdf;base64,{B64}"}}),
        ({"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                         "data": "hello"}},
         {"type": "file", "file": {"filename": "document.txt",
                                   "file_data": "data:text/plain;base64,aGVsbG8="}}),
        # audio: v1 base64 → input_audio with a format; OpenAI input_audio kept
        ({"type": "audio", "base64": B64, "mime_type": "audio/wav"},
         {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}}),
        ({"type": "audio", "base64": B64, "mime_type": "audio/mpeg"},
         {"type": "input_audio", "input_audio": {"data": B64, "format": "mp3"}}),
        ({"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}},
         {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}}),
        # video: url, base64, OpenRouter video_url
        ({"type": "video", "url": "https://x/v.mp4"},
         {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}}),
        ({"type": "video", "base64": B64, "mime_type": "video/webm"},
         {"type": "video_url", "video_url": {"url": f"data:video/webm;base64,{B64}"}}),
        ({"type": "video_url", "video_url": {"url": "https://x/v.mp4"}},
         {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}}),
        # plain text document
        ({"type": "text-plain", "text": "notes", "mime_type": "text/plain", "title": "T"},
         {"type": "text", "text": "T\n\nnotes"}),
    ],
)
def test_block_to_part(block: object, expected: dict[str, object]) -> None:
    assert to_part(block, "messages[0].content[0]") == expected


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"type": "reasoning", "reasoning": "x"}, "'reasoning' is not supported"),
        ({"type": "mystery"}, "'mystery' is not supported"),
        ({"type": "image", "file_id": "f"}, "image file ids are not supported"),
        ({"type": "audio", "url": "https://x/a.wav"}, "audio only as base64"),
        ({"type": "audio", "base64": B64}, "cannot tell the audio format"),
        ({"type": "image", "base64": B64, "mime_type": ""}, "image_url"),
        ({"type": "image"}, "has no 'url', 'base64' or 'file_id'"),
        ({"type": "image", "source": {"type": "weird"}}, "unsupported Anthropic source"),
        ({"type": "text"}, "no 'text' string"),
        (42, "must be a dict or a string"),
    ],
)
def test_unsupported_blocks_raise_naming_the_problem(block: object, message: str) -> None:
    if message == "image_url":  # a base64 image without MIME type defaults to PNG
        assert to_part(block, "w")["type"] == "image_url"
        return
    with pytest.raises(InputError, match=message) as info:
        to_part(block, "messages[2].content[1]")
    assert "messages[2].content[1]" in str(info.value)


def test_to_parts_keeps_strings_and_positions() -> None:
    assert to_parts("plain", "m") == "plain"
    with pytest.raises(InputError, match=r"m\.content\[1\]"):
        to_parts(["ok", {"type": "nope"}], "m")
