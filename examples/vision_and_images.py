"""Image generation out, then vision in: draw a picture, save it, ask a model about it.

    python examples/vision_and_images.py [output.png]

The image is saved to the path given, or to a temporary directory. Live with
``OPENROUTER_API_KEY`` set; otherwise against the offline emulator with canned replies (see
``_offline.py``).
"""

from __future__ import annotations

import base64
import struct
import sys
import zlib

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
import tempfile
from pathlib import Path

from langchain_core.messages import HumanMessage

from langchain_openrouter import ChatOpenRouter


def generate_image(path: Path) -> Path:
    """Ask an image model for a picture and save the first image it returns."""
    artist = ChatOpenRouter(model="google/gemini-2.5-flash-image",
                            modalities=["image", "text"],  # ask for image output
                            image_config={"aspect_ratio": "1:1"})
    reply = artist.invoke("A tiny pixel-art sunset over the sea.")
    images = [b for b in reply.content_blocks if b["type"] == "image" and "base64" in b]
    if not images:
        raise SystemExit(f"The model answered without an image: {reply.text}")
    path.write_bytes(base64.b64decode(images[0]["base64"]))
    print(f"Saved {images[0].get('mime_type', 'image')} to {path} "
          f"({path.stat().st_size} bytes, cost ${reply.response_metadata.get('cost', 0):.6f})")
    return path


def describe_image(path: Path) -> str:
    """Send the image to a vision model as a content block and stream its description."""
    viewer = ChatOpenRouter(model="openai/gpt-4o-mini")
    data = base64.b64encode(path.read_bytes()).decode()
    question = HumanMessage(content_blocks=[
        {"type": "text", "text": "Describe this picture in one sentence."},
        {"type": "image", "base64": data, "mime_type": "image/png"},
    ])
    print("Description: ", end="", flush=True)
    text = ""
    for chunk in viewer.stream([question]):
        print(chunk.text, end="", flush=True)
        text += chunk.text
    print()
    return text


def main(output: str | None = None) -> None:
    """Generate, save, describe."""
    path = Path(output) if output else Path(tempfile.mkdtemp()) / "sunset.png"
    describe_image(generate_image(path))
# --8<-- [end:example]


def _canned_png(size: int = 32) -> str:
    """A small orange-to-blue gradient PNG as a data URL (the emulator's 'generated' image)."""
    rows = b"".join(b"\x00" + bytes(
        channel for x in range(size)
        for channel in ((255, 140 - 4 * y, 40) if y < size // 2 else (20, 60 + x, 160 + y)))
        for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


CANNED = (
    Reply.text("Here is your sunset.", images=[_canned_png()], provider="Google"),
    Reply.text("A pixel-art sunset: an orange sky above a calm blue sea."),
)

if __name__ == "__main__":
    sys.exit(run_example(lambda: main(*sys.argv[1:2]), *CANNED))
