"""Save the images of a LlamaIndex reply: ``ImageBlock``s with inline bytes (image models) or
a URL (``server_tools.generated_images``), one file each."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ImageBlock

from openrouter_core.images import save_image


def _url(block: ImageBlock) -> str | None:
    if block.image is not None:
        raw = block.resolve_image().read()  # the decoded bytes, whatever form the block keeps
        return f"data:{block.image_mimetype or 'image/png'};base64,{base64.b64encode(raw).decode()}"
    return str(block.url) if block.url is not None else None


def save_images(source: ChatResponse | ChatMessage | Iterable[ImageBlock],
                folder: str | Path = ".", stem: str = "image") -> list[Path]:
    """Write every image of ``source`` (a response, a message or ``ImageBlock``s) to
    ``folder`` as ``<stem>-<n>.<ext>``; returns the paths, in order.

    Remote URLs are downloaded (OpenRouter's generated-image links are temporary).
    """
    if isinstance(source, ChatResponse):
        source = source.message
    blocks = source.blocks if isinstance(source, ChatMessage) else source
    urls = [u for b in blocks if isinstance(b, ImageBlock) and (u := _url(b)) is not None]
    return [save_image(url, Path(folder) / f"{stem}-{n}") for n, url in enumerate(urls)]
