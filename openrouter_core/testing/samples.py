"""JSON Schema → a sample value that validates against it (for structured output and tools).

Objects get every property (required and optional); arrays get ``minItems`` items (at least
one); ``$ref`` into ``$defs``/``definitions`` is resolved; ``anyOf``/``oneOf`` take the first
non-null branch and ``allOf`` merges its branches; ``const``/``enum``/``examples`` win over
synthesized values (``default`` only when there is no type, since pydantic's ``default: null``
would hide optional fields); strings honour ``format`` and length bounds, numbers their bounds.
Strings named like common tool parameters (``city``, ``name``, ``query``...) get a plausible
value from :data:`PLAUSIBLE_STRINGS`; others read ``"sample <name>"``.
"""

from __future__ import annotations

from typing import Any

from openrouter_core.testing.records import JSONDict

MAX_DEPTH = 8
"""Nesting limit that stops recursive schemas (deeper objects become ``{}``)."""
SHALLOW_DEPTH = 3
"""Below this depth nullable branches become ``null`` and optional arrays ``[]``, so
recursive models (``friend: Person | None``) end with valid values."""

_FORMATS = {
    "date-time": "2025-01-01T12:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "duration": "PT1H",
}


def _resolve(schema: JSONDict, root: JSONDict) -> JSONDict:
    seen = 0
    while isinstance(schema.get("$ref"), str) and seen < MAX_DEPTH:
        target: Any = root
        for part in schema["$ref"].lstrip("#").strip("/").split("/"):
            if not part:
                continue
            key = part.replace("~1", "/").replace("~0", "~")
            target = target.get(key, {}) if isinstance(target, dict) else {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra} if isinstance(target, dict) else extra
        seen += 1
    return schema


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


PLAUSIBLE_STRINGS: dict[str, str] = {
    "city": "Paris", "location": "Paris, France", "place": "Paris, France",
    "country": "France", "region": "Europe", "address": "1 Main Street, Springfield",
    "name": "Ada Lovelace", "firstname": "Ada", "lastname": "Lovelace", "fullname":
    "Ada Lovelace", "username": "ada", "author": "Ada Lovelace", "company": "Example Corp",
    "title": "A short title", "description": "A short description.",
    "summary": "A short summary.", "answer": "A short answer.", "reason": "It fits the request.",
    "query": "latest news", "question": "What is the capital of France?",
    "topic": "travel", "keyword": "travel", "message": "Hello!", "text": "Hello!",
    "content": "Hello!", "language": "English", "currency": "EUR", "timezone": "Europe/Paris",
    "unit": "celsius", "color": "blue", "colour": "blue", "category": "general",
    "status": "active", "tag": "general", "phone": "+1 555 0100", "symbol": "AAPL",
    "ticker": "AAPL", "code": "print('hello')", "expression": "2 + 2", "path": "/tmp/example.txt",
    "filename": "example.txt", "url": "https://example.com", "email": "user@example.com",
}
"""Values for strings whose property name (``_`` and case ignored) says what they are, so
tool arguments read like a model's (``{"city": "Paris"}``) rather than placeholders."""


def _plausible(hint: str) -> str:
    key = hint.replace("_", "").replace("-", "").lower()
    if key in PLAUSIBLE_STRINGS:
        return PLAUSIBLE_STRINGS[key]
    return f"sample {hint}" if hint else "sample"


def _string(schema: JSONDict, hint: str) -> str:
    value = _FORMATS.get(str(schema.get("format")), _plausible(hint))
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        value = value + "x" * (low - len(value))
    if isinstance(high, int) and len(value) > high:
        value = value[:high]
    return value


def _number(schema: JSONDict, integer: bool) -> int | float:
    value: float = 1 if integer else 1.5
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, (int, float)) and value <= low:
        value = low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if isinstance(high, (int, float)) and value >= high:
        value = high - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
        if isinstance(low, (int, float)) and value < low:
            value = (low + high) / 2
    return int(value) if integer else float(value)


def _object(schema: JSONDict, root: JSONDict, depth: int) -> JSONDict:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or depth >= MAX_DEPTH:
        return {}
    return {name: sample_from_schema(sub, root=root, hint=name, _depth=depth + 1)
            for name, sub in properties.items()}


def _array(schema: JSONDict, root: JSONDict, depth: int) -> list[Any]:
    items = schema.get("items")
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        return [sample_from_schema(s, root=root, _depth=depth + 1) for s in prefix]
    min_items = schema.get("minItems")
    if not isinstance(items, dict) or depth >= MAX_DEPTH or (
            depth >= SHALLOW_DEPTH and not min_items):
        return []
    count = max(1, min_items) if isinstance(min_items, int) else 1
    return [sample_from_schema(items, root=root, _depth=depth + 1) for _ in range(count)]


def _branches(schema: JSONDict, root: JSONDict, hint: str, depth: int) -> tuple[bool, Any]:
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            if depth >= SHALLOW_DEPTH and any(_is_null(_resolve(o, root)) for o in options):
                return True, None
            choice = next((o for o in options if not _is_null(_resolve(o, root))), options[0])
            return True, sample_from_schema(choice, root=root, hint=hint, _depth=depth + 1)
    parts = schema.get("allOf")
    if isinstance(parts, list) and parts:
        merged: Any = None
        for part in parts:
            value = sample_from_schema(part, root=root, hint=hint, _depth=depth + 1)
            merged = {**merged, **value} if isinstance(merged, dict) and isinstance(
                value, dict) else value
        return True, merged
    return False, None


def _type_of(schema: JSONDict) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        if "properties" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
    return kind if isinstance(kind, str) else None


def sample_from_schema(schema: Any, *, root: JSONDict | None = None, hint: str = "",
                       _depth: int = 0) -> Any:
    """A value valid for ``schema``; ``hint`` (a property name) flavours sample strings."""
    if not isinstance(schema, dict):
        return "sample" if schema is not False else None
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    for key in ("enum", "examples"):
        if isinstance(schema.get(key), list) and schema[key]:
            return schema[key][0]
    found, value = _branches(schema, root, hint, _depth)
    if found:
        return value
    kind = _type_of(schema)
    if kind is None and "default" in schema:
        return schema["default"]
    if kind == "object":
        return _object(schema, root, _depth)
    if kind == "array":
        return _array(schema, root, _depth)
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, hint)
