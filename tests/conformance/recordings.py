"""Load real recorded OpenRouter HTTP exchanges from the formats other projects record them in.

The folder named by ``OPENROUTER_REAL_TRAFFIC_DIR`` holds recordings from public projects (see
its ``INDEX.md``). They belong to those projects and are read here at run time, never copied
into this repository. Every recording, whatever its format, becomes a list of :class:`Exchange`
values holding the response exactly as the server sent it (bodies decompressed, JSON that a
recorder re-emitted as YAML serialised back to JSON bytes).

Formats understood:

* VCR.py YAML (``interactions``; bodies as ``body.string`` or pydantic-ai's ``parsed_body``,
  ``!!binary`` bodies, gzip payloads);
* Ruby VCR YAML (``http_interactions``; ``!binary`` base64 bodies);
* go-vcr v2 YAML (``version: 2``; ``url``/``code`` keys);
* rig's normalised ``when``/``then`` YAML (one exchange per YAML document);
* httprr raw HTTP dumps (``httprr trace v1`` with length-prefixed records);
* Polly HAR JSON (``log.entries``);
* bare ``.sse``/``.json`` response bodies with no request (prism-php fixtures).

Typical use::

    root = traffic_root()
    if root is not None:
        for exchange in load_exchanges(root):
            if is_chat_completion(exchange):
                ...
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the test environment

from openrouter_core.testing import Emulator, Reply

__all__ = [
    "ENV_VAR",
    "Exchange",
    "chat_exchanges",
    "is_chat_completion",
    "load_exchanges",
    "load_file",
    "replay_headers",
    "source_ids",
    "traffic_root",
]

ENV_VAR = "OPENROUTER_REAL_TRAFFIC_DIR"
"""Environment variable naming the folder of real recordings."""

# Headers that describe the recorded transfer, not the payload: the replay server frames the
# (already decompressed) body itself.
_TRANSFER_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"}
)
_RECORDING_SUFFIXES = (".yaml", ".yml", ".har", ".httprr", ".sse", ".json")
_INDEX_ROW = re.compile(r"^\|\s*([A-Z]{3}-\d{2})\s*\|\s*`([^`]*/[^`]*)`")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One recorded HTTP request and the response the live service sent back.

    ``source_id`` is the recording's ID from ``INDEX.md`` (e.g. ``"PAI-01"``), or the file name
    when the index does not list the file. ``file`` is the path relative to the traffic root and
    ``index`` the exchange's position inside that file. ``method``/``url`` are empty strings and
    ``request_json`` is ``None`` when no request was recorded; ``request_json`` is also ``None``
    when the request body is absent or not JSON. ``headers`` has lower-case names (repeated
    headers joined with ``", "``); ``body`` is the decoded payload (never gzip).
    """

    source_id: str
    file: str
    index: int
    method: str
    url: str
    request_json: Any | None
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def test_id(self) -> str:
        """A readable identifier, ``"<source_id>#<index>"``."""
        return f"{self.source_id}#{self.index}"

    @property
    def content_type(self) -> str:
        """The response ``Content-Type`` (lower case, parameters kept), or ``""``."""
        return self.headers.get("content-type", "").lower()

    @property
    def is_sse(self) -> bool:
        """Whether the response is a server-sent-events stream."""
        if self.content_type:
            return self.content_type.startswith("text/event-stream")
        return self.body.lstrip().startswith((b"data:", b":"))

    @property
    def streamed_request(self) -> bool:
        """Whether the request asked for a stream: its ``"stream"`` flag, else the reply's type."""
        if isinstance(self.request_json, dict) and "stream" in self.request_json:
            return bool(self.request_json["stream"])
        return self.is_sse

    def body_json(self) -> Any | None:
        """The body parsed as JSON (leading keep-alive whitespace allowed), or ``None``."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


# --- public API ------------------------------------------------------------------------------


def traffic_root() -> Path | None:
    """The folder named by ``OPENROUTER_REAL_TRAFFIC_DIR``, or ``None`` when unset or missing."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None


def source_ids(root: Path) -> dict[str, str]:
    """Map each saved file (relative path) to its ID in ``root/INDEX.md`` (empty when absent)."""
    index = root / "INDEX.md"
    if not index.is_file():
        return {}
    ids: dict[str, str] = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        match = _INDEX_ROW.match(line)
        if match:
            ids[match.group(2)] = match.group(1)
    return ids


def load_exchanges(root: Path) -> list[Exchange]:
    """Every exchange of every recording under ``root``, ordered by file then position.

    Parsed once per process (the largest recordings are megabytes of YAML); each call returns
    a new list of the same immutable :class:`Exchange` values.
    """
    return list(_load_all(Path(root).resolve()))


def load_file(path: Path, *, root: Path | None = None, source_id: str | None = None
              ) -> list[Exchange]:
    """The exchanges of one recording file, whatever its format.

    ``root`` makes ``Exchange.file`` relative to it; ``source_id`` defaults to the file name.
    Raises ``ValueError`` for a file in no known format.
    """
    path = Path(path)
    relative = path.relative_to(root).as_posix() if root is not None else path.name
    sid = source_id or path.name
    return [
        Exchange(sid, relative, i, *fields) for i, fields in enumerate(_parse_file(path))
    ]


def chat_exchanges(root: Path) -> list[Exchange]:
    """The chat-completions exchanges under ``root`` (see :func:`is_chat_completion`)."""
    return [e for e in load_exchanges(root) if is_chat_completion(e)]


def is_chat_completion(exchange: Exchange) -> bool:
    """Whether ``exchange`` is a chat completion: ``POST …/chat/completions``, or a bare body
    file without a request whose payload is a chat stream or a chat completion (or error)."""
    if exchange.url:
        path = exchange.url.split("?", 1)[0].rstrip("/")
        return exchange.method.upper() == "POST" and path.endswith("/chat/completions")
    if exchange.is_sse:
        return b'"chat.completion.chunk"' in exchange.body or b'"choices"' in exchange.body
    body = exchange.body_json()
    return isinstance(body, dict) and (
        body.get("object") == "chat.completion" or "choices" in body
    )


def replay_headers(exchange: Exchange) -> dict[str, str]:
    """Response headers safe to serve again with the decoded body (transfer framing dropped)."""
    return {k: v for k, v in exchange.headers.items() if k not in _TRANSFER_HEADERS}


def serve(emulator: Emulator, exchange: Exchange) -> None:
    """Queue the recorded response on ``emulator``, byte-exact, for the next chat request."""
    emulator.enqueue(Reply.raw(exchange.status, replay_headers(exchange), exchange.body))


DEFAULT_MODEL = "openrouter/auto"
"""The slug used when a recording has no request (raw body fixtures)."""


def recorded_model(exchange: Exchange) -> str:
    """The model slug the recorded request asked for, else :data:`DEFAULT_MODEL`."""
    request = exchange.request_json if isinstance(exchange.request_json, dict) else {}
    model = request.get("model")
    return model if isinstance(model, str) and model else DEFAULT_MODEL


# --- loading -----------------------------------------------------------------------------------

_Fields = tuple[str, str, Any, int, dict[str, str], bytes]
"""(method, url, request_json, status, headers, body) — an Exchange without its identity."""


@functools.lru_cache(maxsize=4)
def _load_all(root: Path) -> tuple[Exchange, ...]:
    ids = source_ids(root)
    exchanges: list[Exchange] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in _RECORDING_SUFFIXES:
            continue
        relative = path.relative_to(root).as_posix()
        exchanges.extend(load_file(path, root=root, source_id=ids.get(relative)))
    return tuple(exchanges)


def _parse_file(path: Path) -> list[_Fields]:
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".httprr" or data.startswith(b"httprr trace"):
        return _parse_httprr(data)
    if suffix == ".har":
        return _parse_har(json.loads(data))
    if suffix in (".yaml", ".yml"):
        return _parse_yaml(data)
    if suffix == ".sse":
        return [("", "", None, 200, {"content-type": "text/event-stream"}, data)]
    if suffix == ".json":
        return [("", "", None, 200, {"content-type": "application/json"}, data)]
    raise ValueError(f"{path}: not a recording format this loader knows")


# --- body and header helpers -------------------------------------------------------------------


def _to_bytes(value: Any) -> bytes:
    """A recorded body value (text, bytes, parsed JSON or nothing) as bytes."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    # A recorder stored parsed JSON (pydantic-ai ``parsed_body``): serialise it back.
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _decode_body(body: bytes) -> bytes:
    """Undo gzip content encoding; recorders that store it keep the compressed bytes."""
    if body[:2] == b"\x1f\x8b":
        return gzip.decompress(body)
    return body


def _headers(raw: Any) -> dict[str, str]:
    """Headers from a mapping of name → value(s) or a list of ``{name, value}`` pairs."""
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(raw, Mapping):
        pairs = raw.items()
    elif isinstance(raw, list):
        pairs = ((h.get("name"), h.get("value")) for h in raw if isinstance(h, Mapping))
    else:
        return {}
    out: dict[str, str] = {}
    for name, value in pairs:
        if name is None:
            continue
        values = value if isinstance(value, list) else [value]
        text = ", ".join(str(v) for v in values if v is not None)
        key = str(name).lower()
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def _request_json(value: Any) -> Any | None:
    """A request body as JSON: already-parsed values pass, text is parsed, anything else None."""
    if value is None or value == "" or value == b"":
        return None
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(_to_bytes(value))
    except ValueError:
        return None


# --- YAML formats --------------------------------------------------------------------------------


class _Loader(yaml.CSafeLoader):  # type: ignore[misc]
    """Safe YAML loader that also reads Ruby's ``!binary`` tag (base64 bytes)."""


def _construct_ruby_binary(loader: yaml.Loader, node: yaml.Node) -> bytes:
    text = loader.construct_scalar(node)
    return base64.b64decode("".join(str(text).split()))


_Loader.add_constructor("!binary", _construct_ruby_binary)


def _parse_yaml(data: bytes) -> list[_Fields]:
    documents = [d for d in yaml.load_all(data, Loader=_Loader) if d is not None]
    if documents and all(isinstance(d, dict) and "when" in d for d in documents):
        return [_rig_exchange(d) for d in documents]
    document = documents[0] if documents else {}
    if "http_interactions" in document:
        return [_ruby_vcr_exchange(i) for i in document["http_interactions"]]
    interactions = document.get("interactions") or []
    if document.get("version") == 2 or any("url" in i.get("request", {}) for i in interactions):
        return [_go_vcr_exchange(i) for i in interactions]
    return [_vcrpy_exchange(i) for i in interactions]


def _body_value(part: Mapping[str, Any]) -> Any:
    """A VCR.py body: ``parsed_body`` (pydantic-ai), ``body.string`` or a bare ``body``."""
    if "parsed_body" in part:
        return part["parsed_body"]
    body = part.get("body")
    if isinstance(body, Mapping):
        if "base64_string" in body:
            return base64.b64decode(body["base64_string"])
        return body.get("string")
    return body


def _vcrpy_exchange(interaction: Mapping[str, Any]) -> _Fields:
    request, response = interaction["request"], interaction["response"]
    return (
        str(request.get("method", "")).upper(),
        str(request.get("uri", "")),
        _request_json(_body_value(request)),
        int(response["status"]["code"]),
        _headers(response.get("headers")),
        _decode_body(_to_bytes(_body_value(response))),
    )


def _ruby_vcr_exchange(interaction: Mapping[str, Any]) -> _Fields:
    # Ruby VCR bodies share VCR.py's ``body: {string: …}`` layout (plus ``encoding``).
    return _vcrpy_exchange(interaction)


def _go_vcr_exchange(interaction: Mapping[str, Any]) -> _Fields:
    request, response = interaction["request"], interaction["response"]
    return (
        str(request.get("method", "")).upper(),
        str(request.get("url", "")),
        _request_json(request.get("body")),
        int(response.get("code") or str(response.get("status", "0")).split()[0]),
        _headers(response.get("headers")),
        _decode_body(_to_bytes(response.get("body"))),
    )


def _rig_exchange(document: Mapping[str, Any]) -> _Fields:
    when, then = document["when"], document["then"]
    path = str(when.get("path", ""))
    # rig records only the path; the host is OpenRouter's.
    url = path if "://" in path else f"https://openrouter.ai{path}"
    return (
        str(when.get("method", "")).upper(),
        url,
        _request_json(when.get("body")),
        int(then.get("status", 200)),
        _headers(then.get("header")),
        _decode_body(_to_bytes(then.get("body"))),
    )


# --- HAR ---------------------------------------------------------------------------------------


def _parse_har(document: Mapping[str, Any]) -> list[_Fields]:
    out: list[_Fields] = []
    for entry in document["log"]["entries"]:
        request, response = entry["request"], entry["response"]
        post = request.get("postData") or {}
        content = response.get("content") or {}
        text = content.get("text")
        body = (base64.b64decode(text) if content.get("encoding") == "base64" and text
                else _to_bytes(text))
        out.append((
            str(request.get("method", "")).upper(),
            str(request.get("url", "")),
            _request_json(post.get("text")),
            int(response["status"]),
            _headers(response.get("headers")),
            _decode_body(body),
        ))
    return out


# --- httprr ------------------------------------------------------------------------------------


def _parse_httprr(data: bytes) -> list[_Fields]:
    """httprr: a header line, then records of ``"<request length> <response length>\\n"``
    followed by the raw request and the raw response bytes."""
    newline = data.index(b"\n")
    if not data[:newline].startswith(b"httprr trace v1"):
        raise ValueError("not an httprr v1 trace")
    position, out = newline + 1, list[_Fields]()
    while position < len(data):
        newline = data.index(b"\n", position)
        request_length, response_length = (int(n) for n in data[position:newline].split())
        start = newline + 1
        request = data[start:start + request_length]
        response = data[start + request_length:start + request_length + response_length]
        position = start + request_length + response_length
        out.append(_httprr_record(request, response))
    return out


def _split_http(message: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = message.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip(), []).append(value.strip())
    return lines[0], _headers(headers), body


def _dechunk(body: bytes) -> bytes:
    out: list[bytes] = []
    position = 0
    while True:
        newline = body.index(b"\r\n", position)
        size = int(body[position:newline].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[newline + 2:newline + 2 + size])
        position = newline + 2 + size + 2


def _httprr_record(request: bytes, response: bytes) -> _Fields:
    request_line, _, request_body = _split_http(request)
    method, url = request_line.split(" ")[:2]
    status_line, headers, body = _split_http(response)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    return (method.upper(), url, _request_json(request_body), int(status_line.split(" ")[1]),
            headers, _decode_body(body))
