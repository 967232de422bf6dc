"""Save the images of a LangChain reply: ``image`` blocks from image models (base64) and
``image`` blocks with a URL (``server_tools.generated_images``), one file each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from openrouter_core.images import save_image


def _url(block: Mapping[str, Any]) -> str | None:
    if isinstance(block.get("base64"), str):
        return f"data:{block.get('mime_type') or 'image/png'};base64,{block['base64']}"
    url = block.get("url")
    return url if isinstance(url, str) else None


def save_images(source: BaseMessage | Iterable[Mapping[str, Any]], folder: str | Path = ".",
                stem: str = "image") -> list[Path]:
    """Write every image of ``source`` (a message, or ``image`` blocks) to ``folder`` as
    ``<stem>-<n>.<ext>`` (extension from the image type); returns the paths, in order.

    Remote URLs are downloaded (OpenRouter's generated-image links are temporary).
    """
    blocks = source.content_blocks if isinstance(source, BaseMessage) else source
    urls = [u for b in blocks if b.get("type") == "image" and (u := _url(b)) is not None]
    return [save_image(url, Path(folder) / f"{stem}-{n}") for n, url in enumerate(urls)]
