"""Turn OpenRouter response bodies and stream chunks into plain typed values.

Everything here is pure: a ``dict`` (or bytes) goes in, dataclasses come out. Decoding is
lenient because the live wire varies by era and upstream (see the wire-format notes in
``docs/wire-format.md``): ``finish_reason`` may be missing or an upstream's own word (kept as
sent), ``content`` may
be ``null``, bodies may be padded with whitespace, usage arrives in three shapes. Unknown fields
are never dropped: every value keeps the dict it came from in ``raw``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

JSONDict = dict[str, Any]


@dataclass(slots=True)
class ToolCall:
    """A complete function call requested by the model. ``arguments`` is the raw JSON text."""

    id: str
    name: str
    arguments: str
    index: int = 0
    type: str = "function"

    def parsed_arguments(self) -> Any:
        """The arguments as JSON; ``"{}"``-style empty strings count as no arguments."""
        return json.loads(self.arguments) if self.arguments.strip() else {}


@dataclass(slots=True)
class ToolCallDelta:
    """One streamed fragment of a tool call, keyed by ``index``.

    After the ``stream`` state machine has seen it, ``id``, ``name`` and ``type`` are set only on
    the first fragment of each call, so frameworks that concatenate fragments never produce
    doubled names.
    """

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str | None = None
    type: str | None = None


@dataclass(slots=True)
class Image:
    """A generated image: ``url`` is a ``data:`` URL or a remote URL."""

    url: str
    index: int | None = None
    raw: JSONDict = field(default_factory=dict)

    @property
    def mime_type(self) -> str | None:
        """The MIME type of a ``data:`` URL, else ``None``."""
        if self.url.startswith("data:"):
            return self.url[5:].split(";", 1)[0].split(",", 1)[0] or None
        return None

    @property
    def base64_data(self) -> str | None:
        """The base64 payload of a ``data:...;base64,`` URL, else ``None``."""
        if self.url.startswith("data:") and ";base64," in self.url:
            return self.url.split(";base64,", 1)[1]
        return None


@dataclass(slots=True)
class Usage:
    """Token counts and the charged cost as OpenRouter reports them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: JSONDict | None = None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    image_tokens: int | None = None
    audio_input_tokens: int | None = None
    audio_output_tokens: int | None = None
    video_tokens: int | None = None
    server_tool_use: JSONDict | None = None
    raw: JSONDict = field(default_factory=dict)

    @property
    def server_tool_cost(self) -> float | None:
        """USD the server tools added to ``cost``, when that can be told from the reply.

        OpenRouter does not itemise tool fees: ``cost`` includes them while
        ``cost_details.upstream_inference_cost`` is the model's own cost, so the difference
        is the tools' share (a web search on Exa: about $0.007). ``None`` when no server tool
        ran, for BYOK (``cost`` is then OpenRouter's fee only) or without an upstream cost.
        A native search that the upstream itself bills is inside the upstream cost and so
        reads as 0.
        """
        upstream = (self.cost_details or {}).get("upstream_inference_cost")
        if (not self.server_tool_use or self.is_byok or self.cost is None
                or isinstance(upstream, bool) or not isinstance(upstream, (int, float))):
            return None
        fee = Decimal(repr(self.cost)) - Decimal(repr(float(upstream)))
        return float(max(fee, Decimal(0)))


@dataclass(frozen=True, slots=True)
class Citation:
    """One ``url_citation`` annotation: the source and, when sent, the cited span and excerpt.

    Absent fields stay ``None`` (an empty ``content`` string counts as absent): adapters show
    exactly what the server sent, not a guess.
    """

    url: str
    title: str | None = None
    content: str | None = None
    start_index: int | None = None
    end_index: int | None = None


def decode_citation(annotation: Any) -> Citation | None:
    """A :class:`Citation` from one annotation, or ``None`` when it is not a url citation."""
    if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
        return None
    payload = annotation.get("url_citation")
    if not isinstance(payload, dict) or not isinstance(payload.get("url"), str):
        return None
    return Citation(url=payload["url"], title=_str(payload.get("title")) or None,
                    content=_str(payload.get("content")) or None,
                    start_index=_int(payload.get("start_index")),
                    end_index=_int(payload.get("end_index")))


@dataclass(slots=True)
class ChunkDelta:
    """One decoded stream chunk (only choice 0; OpenRouter streams a single choice)."""

    id: str | None = None
    model: str | None = None
    provider: str | None = None
    created: int | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    reasoning_details: list[JSONDict] = field(default_factory=list)
    tool_calls: list[ToolCallDelta] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    annotations: list[JSONDict] = field(default_factory=list)
    refusal: str | None = None
    logprobs: JSONDict | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    usage: Usage | None = None
    error: JSONDict | None = None
    raw: JSONDict = field(default_factory=dict)


@dataclass(slots=True)
class ChatResult:
    """A complete assistant turn, from a non-streaming body or an assembled stream."""

    id: str | None = None
    model: str | None = None
    provider: str | None = None
    created: int | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    content: str = ""
    reasoning: str | None = None
    reasoning_details: list[JSONDict] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    annotations: list[JSONDict] = field(default_factory=list)
    refusal: str | None = None
    logprobs: JSONDict | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    usage: Usage | None = None
    raw: JSONDict = field(default_factory=dict)

    @property
    def citations(self) -> list[Citation]:
        """The ``url_citation`` annotations, decoded once for both adapters."""
        if not self.annotations:  # most replies: no generator to make
            return []
        found = (decode_citation(a) for a in self.annotations)
        return [c for c in found if c is not None]

    @property
    def output_limit(self) -> str | None:
        """The finish reason saying the output limit cut this turn short (see
        :func:`output_limit`), else ``None``."""
        return output_limit(self.finish_reason, self.native_finish_reason)

    def tool_call_problem(self, call: ToolCall) -> str | None:
        """Why ``call`` cannot run as it stands, or ``None`` (see :func:`tool_call_problem`)."""
        return tool_call_problem(call, self.output_limit)


# Upstream finish reasons seen on the wire: before OpenRouter normalised them (2024 recordings
# carry Anthropic's own) and in ``native_finish_reason`` (OpenAI's Responses API words).
_FINISH_ALIASES = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "tool_calls",
                   "max_tokens": "length", "max_output_tokens": "length", "STOP": "stop",
                   "MAX_TOKENS": "length", "completed": "stop"}


def normalize_finish_reason(value: str | None) -> str | None:
    """OpenAI's word for an upstream finish reason (``end_turn`` → ``stop``).

    Responses keep the server's value; this is for code that needs one vocabulary.
    """
    if value is None:
        return None
    return _FINISH_ALIASES.get(value, value)


def output_limit(finish_reason: str | None, native_finish_reason: str | None) -> str | None:
    """The finish reason that says the output limit cut a turn short, else ``None``.

    Both fields are checked: a tool call cut by ``max_tokens`` arrives as ``finish_reason``
    ``"tool_calls"`` with ``native_finish_reason`` ``"max_output_tokens"``.
    """
    for value in (native_finish_reason, finish_reason):
        if value is not None and normalize_finish_reason(value) == "length":
            return value
    return None


def unanswered(refusal: str | None, limit: str | None, *, complete: bool) -> str | None:
    """Why a reply holds no structured answer, as the reply itself says: a ``refusal``, or the
    output limit (``limit``, see :func:`output_limit`) reached before the answer was
    ``complete``. ``None`` when neither holds. Both adapters' structured output name it."""
    if refusal:
        return f"the model refused to answer: {refusal!r}"
    if limit is not None and not complete:
        return (f"the answer was cut off by the output limit (finish reason {limit!r}) before "
                "it was complete; raise max_tokens and retry")
    return None


def tool_call_problem(call: ToolCall, limit: str | None) -> str | None:
    """Why ``call`` cannot be run as it stands (arguments not a JSON object), or ``None``.

    ``limit`` is the turn's :func:`output_limit`. When it is set, the message says the
    arguments were cut off rather than malformed, because the fix differs (a larger
    ``max_tokens``).
    """
    which = f"tool call {call.name!r} ({call.id or 'no id'})"
    try:
        args = call.parsed_arguments()
    except ValueError as exc:
        if limit is not None:  # see cut_off()
            return (f"{which} was cut off by the output limit (finish reason {limit!r}): its "
                    f"arguments end mid-JSON after {len(call.arguments)} characters; raise "
                    "max_tokens and retry")
        return f"{which}: arguments are not valid JSON: {exc}"
    if not isinstance(args, dict):
        return f"{which}: arguments are not a JSON object (got {type(args).__name__})"
    return None


def cut_off(call: ToolCall, limit: str | None) -> bool:
    """Whether the output limit (``limit``, see :func:`output_limit`) cut ``call`` off: the
    turn hit the limit and its arguments are not complete JSON."""
    if limit is None:
        return False
    try:
        call.parsed_arguments()
    except ValueError:
        return True
    return False


def body_error(body: Any) -> JSONDict | None:
    """The ``error`` object of a body that is an error (even with HTTP 200), else ``None``."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and not body.get("choices"):
            return err
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: adjacent UTF-16 surrogate halves (``"\\ud83d\\ude00"`` from
    JSON escapes) become one code point, and a lone half becomes U+FFFD.

    A lone surrogate cannot be encoded to UTF-8, so it would break ``print``, JSON dumps and
    databases downstream.
    """
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _text(value: Any) -> str | None:
    return valid_text(value) if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class DecodeError(ValueError):
    """A field OpenRouter sent cannot be read as what it must be (e.g. a token count of 5.5).

    The reading layer turns it into a ``MalformedResponseError`` carrying the body."""


def _tokens(value: Any, name: str) -> int | None:
    """A token count: ints as they are, integral floats (``585.0``, sent by some providers) as
    ints, ``None`` when absent; anything else is a :class:`DecodeError`, never a zero."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    raise DecodeError(f"usage {name} is {value!r}, which is not a number of tokens")


def _server_tool_use(raw: JSONDict) -> JSONDict | None:
    # Recordings carry ``server_tool_use_details``; OpenRouter's guides show ``server_tool_use``.
    for key in ("server_tool_use_details", "server_tool_use"):
        value = raw.get(key)
        if isinstance(value, dict):
            return value
    return None


def decode_usage(raw: Any) -> Usage | None:
    """Decode a ``usage`` object; ``None`` when absent or empty."""
    if not isinstance(raw, dict) or not raw:
        return None
    prompt = _dict(raw.get("prompt_tokens_details"))
    completion = _dict(raw.get("completion_tokens_details"))
    cost = raw.get("cost")
    return Usage(
        prompt_tokens=_tokens(raw.get("prompt_tokens"), "prompt_tokens") or 0,
        completion_tokens=_tokens(raw.get("completion_tokens"), "completion_tokens") or 0,
        total_tokens=_tokens(raw.get("total_tokens"), "total_tokens") or 0,
        cost=float(cost) if isinstance(cost, (int, float)) and not isinstance(cost, bool) else None,
        is_byok=raw.get("is_byok") if isinstance(raw.get("is_byok"), bool) else None,
        cost_details=raw.get("cost_details") if isinstance(raw.get("cost_details"), dict) else None,
        cached_tokens=_tokens(prompt.get("cached_tokens"), "cached_tokens"),
        cache_write_tokens=_tokens(prompt.get("cache_write_tokens"), "cache_write_tokens"),
        reasoning_tokens=_tokens(completion.get("reasoning_tokens"), "reasoning_tokens"),
        image_tokens=_tokens(completion.get("image_tokens"), "image_tokens"),
        audio_input_tokens=_tokens(prompt.get("audio_tokens"), "audio_tokens"),
        audio_output_tokens=_tokens(completion.get("audio_tokens"), "audio_tokens"),
        video_tokens=_tokens(prompt.get("video_tokens"), "video_tokens"),
        server_tool_use=_server_tool_use(raw),
        raw=raw,
    )


def decode_images(raw: Any) -> list[Image]:
    """Decode ``images`` entries (``{"type": "image_url", "image_url": {"url": ...}}``)."""
    if not isinstance(raw, list):
        return []
    images = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        inner = item.get("image_url")
        url = inner.get("url") if isinstance(inner, dict) else inner
        if isinstance(url, str):
            images.append(Image(url=url, index=_int(item.get("index")), raw=item))
    return images


def _dict(raw: Any) -> JSONDict:
    return raw if isinstance(raw, dict) else {}


def _dict_list(raw: Any) -> list[JSONDict]:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def decode_tool_call_deltas(raw: Any) -> list[ToolCallDelta]:
    """Decode streamed ``tool_calls`` fragments; a missing ``index`` means position order."""
    deltas = []
    for position, item in enumerate(_dict_list(raw)):
        function = _dict(item.get("function"))
        index = _int(item.get("index"))
        deltas.append(ToolCallDelta(
            index=position if index is None else index,
            id=_str(item.get("id")) or None,
            name=_str(function.get("name")) or None,
            arguments=_str(function.get("arguments")),
            type=_str(item.get("type")),
        ))
    return deltas


def decode_tool_calls(raw: Any) -> list[ToolCall]:
    """Decode a non-streaming message's complete ``tool_calls``."""
    calls = []
    for position, delta in enumerate(decode_tool_call_deltas(raw)):
        calls.append(ToolCall(id=delta.id or "", name=delta.name or "",
                              arguments=valid_text(delta.arguments or ""), index=position,
                              type=delta.type or "function"))
    return calls


def _envelope(body: JSONDict) -> dict[str, Any]:
    return {
        "id": _str(body.get("id")),
        "model": _str(body.get("model")),
        "provider": _str(body.get("provider")),
        "created": _int(body.get("created")),
        "system_fingerprint": _str(body.get("system_fingerprint")),
        "service_tier": _str(body.get("service_tier")),
    }


def decode_choices(body: JSONDict) -> list[ChatResult]:
    """Decode every choice of a non-streaming chat completion body (``n`` > 1 keeps them all)."""
    envelope = _envelope(body)
    usage = decode_usage(body.get("usage"))
    results = []
    for choice in _dict_list(body.get("choices")) or [{}]:
        message = _dict(choice.get("message"))
        results.append(ChatResult(
            **envelope,
            content=_text(message.get("content")) or "",
            reasoning=_text(message.get("reasoning")),
            reasoning_details=_dict_list(message.get("reasoning_details")),
            tool_calls=decode_tool_calls(message.get("tool_calls")),
            images=decode_images(message.get("images")),
            annotations=_dict_list(message.get("annotations")),
            refusal=_text(message.get("refusal")) or None,
            logprobs=choice.get("logprobs") if isinstance(choice.get("logprobs"), dict) else None,
            finish_reason=_str(choice.get("finish_reason")),
            native_finish_reason=_str(choice.get("native_finish_reason")),
            usage=usage,
            raw=body,
        ))
    return results


def decode_response(body: JSONDict) -> ChatResult:
    """Decode the first choice of a non-streaming chat completion body."""
    return decode_choices(body)[0]


def decode_chunk(chunk: JSONDict) -> ChunkDelta:
    """Decode one parsed SSE ``data:`` object of a chat completion stream."""
    # The hot path of every stream: one call per chunk, so the envelope is read inline
    # rather than through _envelope()/_str() (same checks, about a third of the time).
    get = chunk.get
    value: Any
    delta = ChunkDelta(
        value if isinstance(value := get("id"), str) else None,
        value if isinstance(value := get("model"), str) else None,
        value if isinstance(value := get("provider"), str) else None,
        _int(get("created")),
        value if isinstance(value := get("system_fingerprint"), str) else None,
        value if isinstance(value := get("service_tier"), str) else None,
        raw=chunk,
    )
    if (usage := get("usage")) is not None:
        delta.usage = decode_usage(usage)
    if isinstance(error := get("error"), dict):
        delta.error = error
    choices = get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return delta
    choice = choices[0]
    message = choice.get("delta")
    if isinstance(message, dict):
        pick = message.get
        delta.role = value if isinstance(value := pick("role"), str) else None
        delta.content = value if isinstance(value := pick("content"), str) else None
        delta.reasoning = value if isinstance(value := pick("reasoning"), str) else None
        delta.refusal = value if isinstance(value := pick("refusal"), str) else None
        if "reasoning_details" in message:
            delta.reasoning_details = _dict_list(message["reasoning_details"])
        if "tool_calls" in message:
            delta.tool_calls = decode_tool_call_deltas(message["tool_calls"])
        if "images" in message:
            delta.images = decode_images(message["images"])
        if "annotations" in message:
            delta.annotations = _dict_list(message["annotations"])
    if isinstance(value := choice.get("logprobs"), dict):
        delta.logprobs = value
    delta.finish_reason = value if isinstance(value := choice.get("finish_reason"), str) else None
    delta.native_finish_reason = (value if isinstance(value := choice.get("native_finish_reason"),
                                                      str) else None)
    return delta
