"""One stream's ``data:`` payloads → decoded chunks, reading the shape they share only once.

A stream's text arrives as events that are the same bytes but for one string: the id, model,
provider, ``created``, fingerprint and the choice around the text repeat in every event, and
only the ``content`` string (or a tool call's ``arguments`` fragment) changes. Parsing and
decoding those repeated bytes is most of a chunk's cost, so :class:`ChunkReader` reads them once:

1. After two fully parsed events that differ only inside one string, it takes the bytes before
   that string (the head) and after it (the tail).
2. It proves that the string's place holds one known field and nothing else: it parses the head
   and tail once more around a probe string, and the result must equal the event's value with
   that one field replaced. JSON is read left to right with no look-back, so every payload made
   of the same head, any complete string, and the same tail parses to that value with the
   string in that field.
3. A later payload that starts with the head and ends with the tail, with exactly one complete
   string between them, is then read by scanning that string alone. Its value is the learnt
   value with fresh containers along the field's path, and its :class:`ChunkDelta` is the learnt
   delta with the string in that field: the same values that ``json.loads`` and
   :func:`decode_chunk` give (a differential test compares them on generated streams).

Anything else (the first events, usage, finish and error chunks, reasoning with its two copies
of each fragment, whitespace or padding) takes the full path. Failed attempts to learn back off,
so a stream with no shared shape pays a few extra parses in total, not one per event.
"""

from __future__ import annotations

from collections.abc import Callable
from json import decoder
from typing import Any

from openrouter_core.decode import ChunkDelta, ToolCallDelta
from openrouter_core.stream import DONE, decode_event, parse_payload, scan_text

Path = tuple[str | int, ...]

scanstring: Callable[[str, int, bool], tuple[str, int]] = (
    decoder.scanstring)  # type: ignore[attr-defined]  # the C string scanner json uses

_CONTENT: Path = ("choices", 0, "delta", "content")
_ARGUMENTS: Path = ("choices", 0, "delta", "tool_calls", 0, "function", "arguments")
_FIELDS: dict[Path, str] = {
    _CONTENT: "content",
    ("choices", 0, "delta", "reasoning"): "reasoning",
    ("choices", 0, "delta", "refusal"): "refusal",
    _ARGUMENTS: "arguments",
}
"""The strings a shape may vary in, and the :class:`ChunkDelta` field each is copied to as it
is (``decode_chunk`` keeps any string in these fields unchanged)."""

_PROBE = "\x00"
_PROBE_LITERAL = '\\u0000"'
"""A string no real text field holds, written as it would follow the head."""

_SCALARS = (str, int, float, bool, type(None))
_JSON_WHITESPACE = " \t\n\r"
_MAX_WAIT = 64


class ChunkReader:
    """Reads one stream's payloads (see the module's description); not thread-safe, one per
    stream, as the :class:`~openrouter_core.stream.StreamAssembler` it feeds."""

    __slots__ = ("_backoff", "_last", "_shape", "_wait")

    def __init__(self) -> None:
        self._shape: _Shape | None = None
        self._last: str | None = None  # the text of the last event read in full
        self._wait = 0  # full reads to skip learning for, after a failed attempt
        self._backoff = 1

    def read(self, payload: bytes) -> Any:
        """``payload`` as :data:`~openrouter_core.stream.DONE` or a decoded
        :class:`ChunkDelta`; raises :class:`SSEFormatError` for one that is not a JSON
        object."""
        if payload == b"[DONE]":
            return DONE
        try:
            text = payload.decode()
        except UnicodeDecodeError:
            return decode_event(parse_payload(payload))  # raises the typed error
        shape = self._shape
        if shape is not None:
            delta = shape.fill(text)
            if delta is not None:
                return delta
        value = scan_text(text)
        if value is None:  # not plain JSON: json.loads decides, and nothing is learnt
            return decode_event(parse_payload(payload))
        delta = decode_event(value)
        self._learn(text, value, delta)
        return delta

    def _learn(self, text: str, value: dict[str, Any], delta: ChunkDelta) -> None:
        last, self._last = self._last, text
        if last is None:
            return
        if self._wait:
            self._wait -= 1
            return
        shape = _Shape.learn(last, text, value, delta)
        if shape is None:
            self._wait = self._backoff
            self._backoff = min(2 * self._backoff, _MAX_WAIT)
        else:
            self._shape = shape
            self._backoff = 1


class _Shape:
    """The bytes around one string, the value and delta read once, and the field it fills."""

    __slots__ = ("_call", "_envelope", "_field", "_head", "_path", "_replace", "_start",
                 "_tail", "_tail_len", "_texts", "_value")

    def __init__(self, head: str, tail: str, path: Path, value: dict[str, Any],
                 delta: ChunkDelta) -> None:
        self._head = head
        self._start = len(head)
        self._tail = tail
        self._tail_len = len(tail)
        self._path = path
        self._replace = _replace_at_depth_4 if len(path) == 4 else _replace
        self._field = _FIELDS[path]
        # A copy of its own (fresh containers on the path, and only scalars off it): the
        # caller gets ``value`` as that event's raw and may change it.
        self._value = _replace(value, path, _PROBE)
        # Copied now: the assembler rewrites the deltas it is fed (a repeated finish reason,
        # a tool call's id and name after its first fragment).
        d = delta
        self._envelope = (d.id, d.model, d.provider, d.created, d.system_fingerprint,
                          d.service_tier, d.role)
        self._texts = (d.content, d.reasoning, d.refusal, d.finish_reason,
                       d.native_finish_reason)
        call = d.tool_calls[0] if d.tool_calls else None
        self._call = None if call is None else (call.index, call.id, call.name, call.type)

    def fill(self, text: str) -> ChunkDelta | None:
        """The delta of ``text`` if it has this shape, else ``None``."""
        if not (text.startswith(self._head) and text.endswith(self._tail)):
            return None
        try:
            string, end = scanstring(text, self._start, True)
        except ValueError:
            return None
        if end != len(text) - self._tail_len:
            return None  # more than one string between head and tail, or a bad one
        return self._delta(string, self._replace(self._value, self._path, string))

    def _delta(self, string: str, raw: dict[str, Any]) -> ChunkDelta:
        content, reasoning, refusal, finish, native_finish = self._texts
        field = self._field
        calls = []
        if field == "content":
            content = string
        elif field == "arguments":
            index, call_id, name, kind = self._call  # type: ignore[misc]  # set for arguments
            calls.append(ToolCallDelta(index, call_id, name, string, kind))
        elif field == "reasoning":
            reasoning = string
        else:
            refusal = string
        return ChunkDelta(*self._envelope, content, reasoning, [], calls, [], [], refusal, None,
                          finish, native_finish, None, None, raw)

    @classmethod
    def learn(cls, before: str, text: str, value: dict[str, Any],
              delta: ChunkDelta) -> _Shape | None:
        """The shape ``before`` and ``text`` share, if they differ inside one string only and
        the probe proves which field that string is (see the module's description).

        The proof: the string is a value, not a key (a key is followed by a colon, and
        renaming one could uncover an earlier copy of the same key). The probe parse replaces
        that one string and JSON is read left to right, so it can only change the value the
        string gives, or nothing at all if a later copy of its key wins. If the field at a path
        holds the event's string and the probe in the probe's value, that string is the field,
        and nothing else depends on it. (An event whose string is the probe itself could match
        anything, so it is not learnt.)
        """
        # The last quote before the first difference opens the string, if the difference is
        # inside one; when it does not, the checks below fail.
        start = text.rfind('"', 0, _common_prefix(before, text)) + 1
        if not start:
            return None
        try:
            string, end = scanstring(text, start, True)
            _, before_end = scanstring(before, start, True)
        except ValueError:
            return None
        head, tail = text[:start], text[end:]
        if before[before_end:] != tail or string == _PROBE:
            return None  # something after the string differs too
        if tail.lstrip(_JSON_WHITESPACE).startswith(":"):
            return None  # a key: renaming it may uncover an earlier copy of the same key
        probe = scan_text(head + _PROBE_LITERAL + tail)
        for path in _FIELDS:
            if (_get(value, path) == string and _get(probe, path) == _PROBE
                    and _only_scalars_off(value, path)):
                return cls(head, tail, path, value, delta)
        return None


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (binary search over C comparisons)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _get(value: Any, path: Path) -> Any:
    for key in path:
        if isinstance(key, int):
            if not isinstance(value, list) or len(value) <= key:
                return None
        elif not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _replace(value: Any, path: Path, leaf: str) -> Any:
    """``value`` with ``leaf`` at ``path``: fresh containers along the path, the rest shared
    (only scalars are off the path, see :func:`_only_scalars_off`)."""
    top = node = value.copy()
    for key in path[:-1]:
        node[key] = node = node[key].copy()
    node[path[-1]] = leaf
    return top


def _replace_at_depth_4(value: Any, path: Path, leaf: str) -> Any:
    """:func:`_replace` unrolled for the paths of text (``choices/0/delta/content``,
    ``reasoning``, ``refusal``): it runs once per streamed event, and the loop costs a third
    of it."""
    first, second, third, last = path
    top = value.copy()
    top[first] = node = top[first].copy()  # (targets are assigned left to right)
    node[second] = node = node[second].copy()
    node[third] = node = node[third].copy()
    node[last] = leaf
    return top


def _only_scalars_off(value: Any, path: Path) -> bool:
    """Whether every value off ``path`` is a scalar, so that sharing it between events is the
    same as parsing it anew. ``decode_chunk`` reads lists, usage, logprobs and errors only from
    containers, so the learnt delta then has none of them (what :meth:`_Shape._delta` builds)."""
    if not path:
        return True
    items = value.items() if isinstance(value, dict) else enumerate(value)
    return all(_only_scalars_off(item, path[1:]) if key == path[0] else isinstance(item, _SCALARS)
               for key, item in items)


__all__ = ["ChunkReader"]
