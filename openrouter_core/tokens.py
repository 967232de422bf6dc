"""Token counts that never touch the network: tiktoken where its encoding is on disk, else a
documented approximation.

``tiktoken`` downloads an encoding file the first time it is asked for one; on an offline
machine that is a ``ConnectionError`` (or a hang until DNS gives up). So an encoding is used only
when its file is already on disk, in one of :func:`encoding_dirs` (tiktoken's own cache,
``$TIKTOKEN_CACHE_DIR``, and the cache that ``llama-index-core`` ships inside its wheel). Which
encoding fits is decided by model family (:func:`encoding_name`): OpenAI's GPT-4o, 4.1, 5 and
o-series use ``o200k_base``, GPT-4 and 3.5 ``cl100k_base``. Other families have tokenizers that
are not available offline; they are counted with ``o200k_base`` when it is on disk, else with
:func:`approximate_ids`. When an OpenAI model's own encoding is missing, the approximation is
used and a warning says so once per process.

:func:`count_messages` counts OpenRouter-shaped messages the way OpenAI-shaped APIs bill them:
3 tokens per message, 1 per ``name``, 3 to prime the reply, images by their 512-pixel tiles.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import struct
import tempfile
import threading
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

logger = logging.getLogger("openrouter_core.tokens")

JSONDict = dict[str, Any]

TOKENS_PER_MESSAGE = 3
"""Every message costs this much framing (role and separators) on OpenAI-shaped APIs."""
TOKENS_PER_NAME = 1
"""A ``name`` field costs one token more than its text."""
REPLY_PRIMING = 3
"""The assistant reply is primed with this many tokens."""
IMAGE_BASE_TOKENS = 85
"""Every image costs this much; ``detail="low"`` images cost nothing more."""
IMAGE_TILE_TOKENS = 170
"""Each 512x512 tile of a high-detail image."""
UNKNOWN_IMAGE_SIZE = (1024, 1024)
"""Size assumed for an image given by remote URL: it is never fetched to be measured."""

_O_SERIES = re.compile(r"^o\d")
_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
# Pre-tokenisation close to the GPT encoders': letters with one leading space or mark, digits
# in runs of up to three, punctuation runs, newlines, other whitespace.
_PIECES = re.compile(r" ?[^\W\d_]+| ?\d{1,3}| ?[^\w\s]+|\n+|\s+", re.UNICODE)
_LETTERS_PER_TOKEN = 6
_OTHER_PER_TOKEN = 3
_BYTES_PER_TOKEN = 4


def encoding_name(model: str) -> str | None:
    """The tiktoken encoding of ``model``'s family, or ``None`` when it has none.

    Only OpenAI's families have tiktoken encodings; ``:variant`` and ``@preset`` tails and a
    leading ``openai/`` are ignored (``openai/gpt-4o-mini:floor`` → ``o200k_base``).
    """
    from openrouter_core.catalog.models import base_slug

    vendor, _, name = base_slug(model).lower().rpartition("/")
    if vendor not in ("", "openai"):
        return None
    if name.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "chatgpt-4o")) or (
            _O_SERIES.match(name)):
        return "o200k_base"
    if name.startswith(("gpt-4", "gpt-3.5")):
        return "cl100k_base"
    return None


def encoding_dirs() -> list[Path]:
    """Folders where an encoding file may already be, in the order they are tried."""
    dirs = [os.environ.get(name) for name in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")]
    found = [Path(d) for d in dirs if d]
    found.append(Path(tempfile.gettempdir()) / "data-gym-cache")
    # llama-index-core ships both encodings in its wheel; find it without importing it.
    spec = importlib.util.find_spec("llama_index.core") if _has_package("llama_index") else None
    if spec is not None and spec.origin:
        found.append(Path(spec.origin).parent / "_static" / "tiktoken_cache")
    return found


def _has_package(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _cached_file_dir(name: str) -> Path | None:
    key = hashlib.sha1(_BLOB.format(name).encode()).hexdigest()  # tiktoken's cache key
    return next((d for d in encoding_dirs() if (d / key).is_file()), None)


_env_lock = threading.Lock()


def _readable_bpe(path: Path) -> bool:
    """Whether ``path`` holds a tiktoken BPE table (``<base64 token> <rank>`` lines), read
    here so that a damaged file is never handed to tiktoken, which would re-download it."""
    try:
        for line in path.read_bytes().splitlines():
            if line:
                token, rank = line.split()
                base64.b64decode(token, validate=True)
                int(rank)
    except (OSError, ValueError):
        return False
    return True


@cache
def _load_encoding(name: str) -> Any | None:
    """The tiktoken ``Encoding`` ``name`` read from disk, or ``None``; never downloads."""
    if not _has_package("tiktoken"):
        return None
    folder = _cached_file_dir(name)
    if folder is None:
        return None
    import tiktoken

    key = hashlib.sha1(_BLOB.format(name).encode()).hexdigest()
    if not _readable_bpe(folder / key):
        # A damaged file would make tiktoken fetch it again: never let it near the network.
        logger.warning("could not load tiktoken encoding %s from %s: not a BPE file", name,
                       folder)
        return None

    # tiktoken reads its cache folder from the environment only; point it at the folder that
    # holds the file for this one load (the Encoding is cached afterwards).
    with _env_lock:
        previous = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
        try:
            return tiktoken.get_encoding(name)
        except Exception as exc:  # e.g. a readable file whose hash tiktoken rejects
            logger.warning("could not load tiktoken encoding %s from %s: %s", name, folder, exc)
            return None
        finally:
            if previous is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = previous


def _piece_tokens(piece: str) -> int:
    """Estimated tokens of one pre-token piece: letters 6 to a token, other ASCII 3, anything
    else by UTF-8 bytes, 4 to a token; at least one."""
    if piece.isascii():
        per = _LETTERS_PER_TOKEN if piece.strip().isalpha() else _OTHER_PER_TOKEN
        return max(1, math.ceil(len(piece) / per))
    return max(1, math.ceil(len(piece.encode("utf-8")) / _BYTES_PER_TOKEN))


def approximate_ids(text: str) -> list[int]:
    """Stable pseudo token ids for ``text``, one per estimated token.

    The text is split the way GPT encoders pre-tokenise it (:func:`_piece_tokens` says what
    each piece costs). Measured against ``o200k_base`` on this project's docs and code, a
    ``/models`` JSON body, and Japanese, French, Russian and emoji text, the count was never
    below the exact one: 1.26 times it on average, at most 2.1 (Russian). Over-counting is the
    safe side for trimming to a window. Ids are CRC-32s of the pieces: equal text gives equal
    ids, but they are no model's vocabulary.
    """
    ids: list[int] = []
    for match in _PIECES.finditer(text):
        piece = match.group().encode("utf-8")
        ids.extend(zlib.crc32(piece, n) for n in range(_piece_tokens(match.group())))
    return ids


_warned: set[str] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Tokenizer:
    """Counts tokens for one model family.

    ``encoding`` is the tiktoken encoding in use (``None``: the approximation), and ``exact``
    says whether it is the model's own.
    """

    encoding: str | None
    exact: bool
    _encode: Callable[[str], list[int]] = field(repr=False, compare=False)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (pseudo ids under the approximation)."""
        return self._encode(text)

    def count(self, text: str) -> int:
        """How many tokens ``text`` is."""
        return len(self._encode(text)) if text else 0


def _encoder(encoding: Any) -> Callable[[str], list[int]]:
    def encode(text: str) -> list[int]:
        # Special-token text in user content is counted as text, never rejected.
        return list(encoding.encode(text, disallowed_special=()))

    return encode


def tokenizer_for(model: str) -> Tokenizer:
    """The best offline :class:`Tokenizer` for ``model`` (see the module docs)."""
    wanted = encoding_name(model)
    return _tokenizer(wanted)


@cache
def _tokenizer(wanted: str | None) -> Tokenizer:
    if wanted is not None:
        encoding = _load_encoding(wanted)
        if encoding is not None:
            return Tokenizer(wanted, True, _encoder(encoding))
        _warn_once(wanted)
        return Tokenizer(None, False, approximate_ids)
    proxy = _load_encoding("o200k_base")
    if proxy is not None:
        return Tokenizer("o200k_base", False, _encoder(proxy))
    return Tokenizer(None, False, approximate_ids)


def _warn_once(encoding: str) -> None:
    with _warned_lock:
        if encoding in _warned:
            return
        _warned.add(encoding)
    message = (f"tiktoken encoding {encoding} is not on this machine, so token counts are "
               "approximate (a little over, by design); put the file in TIKTOKEN_CACHE_DIR "
               "(or install llama-index-core, which ships it) for exact counts")
    logger.warning(message)
    warnings.warn(message, UserWarning, stacklevel=4)


def clear_caches() -> None:
    """Forget loaded encodings and one-time warnings (for tests)."""
    _load_encoding.cache_clear()
    _tokenizer.cache_clear()
    with _warned_lock:
        _warned.clear()


# --- messages -------------------------------------------------------------------------------


def image_size(url: str) -> tuple[int, int] | None:
    """Width and height of a ``data:`` URL's PNG, GIF, JPEG or WebP image; ``None`` otherwise."""
    if not url.startswith("data:") or "," not in url:
        return None
    try:
        data = base64.b64decode(url.split(",", 1)[1], validate=False)
    except ValueError:
        return None
    return _png_gif_size(data) or _jpeg_size(data) or _webp_size(data)


def _png_gif_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return int(width), int(height)
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30],
                                                                               "little")
    if kind == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    return None


def image_tokens(url: str, detail: str | None = None) -> int:
    """What an image costs, the way OpenAI-shaped APIs bill it.

    ``low`` detail: 85. Otherwise the image is fitted into 2048x2048, its short side scaled down
    to 768, and each 512x512 tile costs 170 on top of the 85. A remote URL is not fetched to be
    measured: it counts as 1024x1024 (765 tokens).
    """
    if detail == "low":
        return IMAGE_BASE_TOKENS
    size = image_size(url) or UNKNOWN_IMAGE_SIZE
    width, height = float(size[0]), float(size[1])
    if max(width, height) > 2048:
        scale = 2048 / max(width, height)
        width, height = width * scale, height * scale
    if min(width, height) > 768:
        scale = 768 / min(width, height)
        width, height = width * scale, height * scale
    tiles = math.ceil(width / 512) * math.ceil(height / 512)
    return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles


def _content_tokens(content: Any, tokenizer: Tokenizer) -> int:
    if isinstance(content, str):
        return tokenizer.count(content)
    if not isinstance(content, list):
        return 0 if content is None else tokenizer.count(_json(content))
    total = 0
    for part in content:
        if not isinstance(part, Mapping):
            total += tokenizer.count(str(part))
        elif part.get("type") == "text":
            total += tokenizer.count(str(part.get("text", "")))
        elif part.get("type") == "image_url":
            image = part.get("image_url")
            image = image if isinstance(image, Mapping) else {"url": str(image)}
            total += image_tokens(str(image.get("url", "")), image.get("detail"))
        # Audio, video and file parts are billed by the provider in ways the request does not
        # show (seconds, pages); they are not counted. See docs/catalog.md.
    return total


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def count_messages(messages: Sequence[Mapping[str, Any]], tokenizer: Tokenizer,
                   tools: Sequence[Mapping[str, Any]] | None = None) -> int:
    """Prompt tokens of OpenRouter-shaped ``messages`` (and tool definitions).

    Per message: 3, plus its text, plus 1 and the name for ``name``; tool calls and other
    structured fields count as their compact JSON; images by tile (:func:`image_tokens`). Tool
    definitions count as their compact JSON (the exact way a provider renders them is not
    public). 3 more prime the reply.
    """
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            if key == "content":
                total += _content_tokens(value, tokenizer)
            elif key == "name":
                total += TOKENS_PER_NAME + tokenizer.count(str(value))
            elif value is None:
                continue
            elif isinstance(value, str):  # role, tool_call_id, refusal...
                total += tokenizer.count(value)
            else:
                total += tokenizer.count(_json(value))
    if tools:
        total += tokenizer.count(_json(list(tools)))
    return total
