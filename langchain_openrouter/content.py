"""LangChain content blocks → OpenRouter content parts.

One function per block family. Three spellings of the same idea reach us: LangChain v1
standard blocks (``{"type": "image", "base64": ..., "mime_type": ...}``), their v0
predecessors (``source_type``/``data``), OpenAI chat-completions parts (``image_url``,
``input_audio``, ``file``) and Anthropic blocks (``image``/``document`` with a ``source``).
All of them become one of OpenRouter's five part types: ``text``, ``image_url``, ``file``,
``input_audio`` or ``video_url``. ``cache_control`` is carried over from any block.

A block we cannot express raises :class:`~openrouter_core.errors.InputError` naming its type
and position, before any request is sent: nothing is dropped silently.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from openrouter_core.errors import InputError

JSONDict = dict[str, Any]

# Audio formats OpenRouter's ``input_audio.format`` names, keyed by the MIME subtype we get.
_AUDIO_FORMATS = {
    "wav": "wav", "x-wav": "wav", "wave": "wav", "vnd.wave": "wav", "mpeg": "mp3", "mp3": "mp3",
    "mp4": "m4a", "m4a": "m4a", "x-m4a": "m4a", "aac": "aac", "ogg": "ogg", "flac": "flac",
    "x-flac": "flac", "aiff": "aiff", "x-aiff": "aiff", "webm": "webm", "pcm": "pcm16",
}
_FILE_EXTENSIONS = {"application/pdf": "pdf", "text/plain": "txt", "text/markdown": "md",
                    "text/csv": "csv", "application/json": "json", "text/html": "html"}


class Source:
    """Where a data block's bytes are: a URL, base64 data, a file id or inline text."""

    __slots__ = ("kind", "mime_type", "value")

    def __init__(self, kind: str, value: str, mime_type: str | None) -> None:
        self.kind = kind
        self.value = value
        self.mime_type = mime_type

    def data_url(self, default_mime: str | None, where: str) -> str:
        """A ``data:`` URL for base64 data, or the URL itself."""
        if self.kind == "url":
            return self.value
        if self.kind == "base64":
            mime = self.mime_type or default_mime
            if not mime:
                raise InputError(f"{where}: base64 data needs a 'mime_type'")
            if self.value.startswith("data:"):
                return self.value
            return f"data:{mime};base64,{self.value}"
        if self.kind == "text":
            encoded = base64.b64encode(self.value.encode("utf-8")).decode("ascii")
            return f"data:{self.mime_type or 'text/plain'};base64,{encoded}"
        raise InputError(f"{where}: a {self.kind!r} source cannot be sent inline")


def _first_str(block: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = block.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _anthropic_source(source: Mapping[str, Any], where: str) -> Source:
    kind = source.get("type")
    mime = _first_str(source, "media_type", "mime_type")
    if kind == "base64" and isinstance(source.get("data"), str):
        return Source("base64", source["data"], mime)
    if kind == "url" and isinstance(source.get("url"), str):
        return Source("url", source["url"], mime)
    if kind == "text" and isinstance(source.get("data"), str):
        return Source("text", source["data"], mime or "text/plain")
    if kind == "file" and isinstance(source.get("file_id"), str):
        return Source("id", source["file_id"], mime)
    raise InputError(f"{where}: unsupported Anthropic source type {kind!r}")


def block_source(block: Mapping[str, Any], where: str) -> Source:
    """The data source of a v1, v0 or Anthropic-style data block."""
    mime = _first_str(block, "mime_type", "media_type")
    source = block.get("source")
    if isinstance(source, Mapping):
        return _anthropic_source(source, where)
    source_type = block.get("source_type")
    if source_type == "base64" and isinstance(block.get("data"), str):
        return Source("base64", block["data"], mime)
    if source_type == "id" and isinstance(block.get("id"), str):
        return Source("id", block["id"], mime)
    if isinstance(block.get("url"), str):
        return Source("url", block["url"], mime)
    if isinstance(block.get("base64"), str):
        return Source("base64", block["base64"], mime)
    if isinstance(block.get("file_id"), str):
        return Source("id", block["file_id"], mime)
    if isinstance(block.get("text"), str):
        return Source("text", block["text"], mime or "text/plain")
    raise InputError(
        f"{where}: {block.get('type')!r} block has no 'url', 'base64' or 'file_id' data"
    )


def _with_cache(part: JSONDict, block: Mapping[str, Any]) -> JSONDict:
    """Keep ``cache_control`` (Anthropic/Gemini prompt caching) on the converted part."""
    cache = block.get("cache_control")
    if cache is None and isinstance(block.get("extras"), Mapping):
        cache = block["extras"].get("cache_control")
    if cache is not None:
        part["cache_control"] = cache
    return part


def _filename(block: Mapping[str, Any], mime: str | None) -> str:
    for holder in (block, block.get("extras"), block.get("metadata")):
        if isinstance(holder, Mapping):
            name = _first_str(holder, "filename", "name", "title")
            if name:
                return name
    return f"document.{_FILE_EXTENSIONS.get(mime or '', 'bin')}"


def text_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """A text block (LangChain, OpenAI or Anthropic; all spell it the same)."""
    text = block.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: text block has no 'text' string")
    return _with_cache({"type": "text", "text": text}, block)


def image_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """A LangChain or Anthropic ``image`` block → ``image_url``."""
    source = block_source(block, where)
    if source.kind == "id":
        raise InputError(f"{where}: image file ids are not supported by OpenRouter; "
                         "send the image as a URL or base64 data")
    image: JSONDict = {"url": source.data_url("image/png", where)}
    detail = block.get("detail") or (block.get("extras") or {}).get("detail")
    if detail:
        image["detail"] = detail
    return _with_cache({"type": "image_url", "image_url": image}, block)


def image_url_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """An OpenAI ``image_url`` part; a bare string URL is wrapped as OpenRouter expects."""
    image = block.get("image_url")
    if not image:
        raise InputError(f"{where}: image_url part has no 'image_url'")
    payload = {"url": image} if isinstance(image, str) else dict(image)
    return _with_cache({"type": "image_url", "image_url": payload}, block)


def file_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """A LangChain ``file`` or Anthropic ``document`` block (or an OpenAI ``file`` part)."""
    if isinstance(block.get("file"), Mapping):
        return _with_cache({"type": "file", "file": dict(block["file"])}, block)
    source = block_source(block, where)
    file: JSONDict = {"filename": _filename(block, source.mime_type)}
    if source.kind == "id":
        file["file_id"] = source.value
    else:
        file["file_data"] = source.data_url("application/pdf", where)
    return _with_cache({"type": "file", "file": file}, block)


def audio_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """A LangChain ``audio`` block → ``input_audio`` (OpenRouter takes base64 only)."""
    if isinstance(block.get("input_audio"), Mapping):
        return _with_cache({"type": "input_audio", "input_audio": dict(block["input_audio"])},
                           block)
    source = block_source(block, where)
    if source.kind != "base64":
        raise InputError(f"{where}: OpenRouter accepts audio only as base64 data, "
                         f"not as a {source.kind!r} source")
    data = source.value
    mime = source.mime_type
    if data.startswith("data:"):
        header, data = data.split(",", 1)
        mime = mime or header[5:].split(";", 1)[0]
    subtype = (mime or "").rsplit("/", 1)[-1].lower()
    audio_format = _AUDIO_FORMATS.get(subtype) or block.get("format")
    if not audio_format:
        raise InputError(f"{where}: cannot tell the audio format; set 'mime_type' "
                         "(e.g. 'audio/wav')")
    return _with_cache({"type": "input_audio",
                        "input_audio": {"data": data, "format": audio_format}}, block)


def video_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """A LangChain ``video`` block or an OpenRouter ``video_url`` part → ``video_url``."""
    video = block.get("video_url")
    if video is not None:
        payload = {"url": video} if isinstance(video, str) else dict(video)
        return _with_cache({"type": "video_url", "video_url": payload}, block)
    source = block_source(block, where)
    if source.kind == "id":
        raise InputError(f"{where}: video file ids are not supported by OpenRouter")
    return _with_cache(
        {"type": "video_url", "video_url": {"url": source.data_url("video/mp4", where)}}, block)


def plain_text_part(block: Mapping[str, Any], where: str) -> JSONDict:
    """A v1 ``text-plain`` document: inline text is sent as text, anything else as a file."""
    text = block.get("text")
    if isinstance(text, str):
        title = block.get("title")
        body = f"{title}\n\n{text}" if isinstance(title, str) and title else text
        return _with_cache({"type": "text", "text": body}, block)
    return file_part(block, where)


def _text_or_data(block: Mapping[str, Any], where: str) -> JSONDict:
    # A v0 ``{"type": "text", "source_type": ...}`` block is a plain-text document.
    if "source_type" in block:
        return plain_text_part(block, where)
    return text_part(block, where)


PartConverter = Callable[[Mapping[str, Any], str], JSONDict]

PART_CONVERTERS: dict[str, PartConverter] = {
    "text": _text_or_data,
    "image": image_part,
    "image_url": image_url_part,
    "file": file_part,
    "document": file_part,
    "audio": audio_part,
    "input_audio": audio_part,
    "video": video_part,
    "video_url": video_part,
    "text-plain": plain_text_part,
}
"""Block ``type`` → converter; anything else is rejected with a message naming the type."""


def to_part(block: Any, where: str) -> JSONDict:
    """Convert one content block (or a bare string) into an OpenRouter content part."""
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if not isinstance(block, Mapping):
        raise InputError(f"{where}: content block must be a dict or a string, "
                         f"got {type(block).__name__}")
    kind = block.get("type")
    converter = PART_CONVERTERS.get(kind) if isinstance(kind, str) else None
    if converter is None:
        raise InputError(
            f"{where}: content block type {kind!r} is not supported by OpenRouter; "
            f"supported: {', '.join(sorted(PART_CONVERTERS))}"
        )
    return converter(block, where)


def to_parts(content: str | list[Any], where: str) -> str | list[JSONDict]:
    """Convert a message's ``content``: strings stay strings, lists become part lists."""
    if isinstance(content, str):
        return content
    return [to_part(block, f"{where}.content[{index}]") for index, block in enumerate(content)]
