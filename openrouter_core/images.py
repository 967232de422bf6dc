"""Saving the images a reply carries: data URLs decoded, remote URLs downloaded.

Image models answer with base64 ``data:`` URLs; ``openrouter:image_generation`` results are
temporary ``https://`` links. :func:`save_image` writes either to a file whose extension
follows the image's type, so both adapters' ``save_images`` helpers share one implementation.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path

from openrouter_core.decode import Image
from openrouter_core.errors import InputError

DOWNLOAD_TIMEOUT = 60.0
"""Seconds to wait for a remote image (the same default as a model call)."""

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
               "image/gif": ".gif", "image/svg+xml": ".svg"}


def extension_for(mime_type: str | None) -> str:
    """The file extension for an image MIME type (``.png`` when unknown)."""
    if mime_type is None:
        return ".png"
    return _EXTENSIONS.get(mime_type) or mimetypes.guess_extension(mime_type) or ".png"


def image_bytes(url: str) -> tuple[bytes, str | None]:
    """The bytes and MIME type of a ``data:`` URL or a remote ``http(s)`` image.

    Raises:
        InputError: The URL is neither, or its data is not valid base64.
    """
    if url.startswith("data:"):
        image = Image(url=url)  # the decoder's reading of data URLs
        if image.base64_data is None:
            raise InputError(f"image data URL is not base64-encoded: {url[:60]!r}")
        try:
            return base64.b64decode(image.base64_data, validate=True), image.mime_type
        except binascii.Error as exc:
            raise InputError(f"image data URL holds invalid base64: {exc}") from exc
    if url.startswith(("https://", "http://")):
        from openrouter_core._sdk_http import http

        response = http.get(url, timeout=DOWNLOAD_TIMEOUT, follow_redirects=True)
        response.raise_for_status()
        mime = response.headers.get("content-type", "").split(";", 1)[0] or None
        return response.content, mime
    raise InputError(f"not an image URL (data: or http(s)://): {url[:60]!r}")


def save_image(url: str, path: str | Path) -> Path:
    """Write the image at ``url`` to ``path``; without a suffix, one matching its type is
    added. Returns the path written."""
    data, mime = image_bytes(url)
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(extension_for(mime))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
