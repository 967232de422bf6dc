"""``GET /models`` entries → :class:`ModelInfo`, and the slug resolution of a :class:`Catalog`.

Pure and lenient: unknown fields are ignored, missing or mistyped ones become ``None`` (or an
empty collection), and a malformed entry is skipped rather than failing the whole list. Prices
are :class:`decimal.Decimal` USD per token (per image / per request for those two), parsed
from OpenRouter's decimal strings so that no float rounding creeps into cost estimates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

JSONDict = dict[str, Any]

VARIANT_SUFFIXES = ("free", "nitro", "floor", "exacto", "online", "thinking", "batch", "beta",
                    "extended")
"""Known ``:variant`` suffixes; any other ``:suffix`` is stripped too, as a last resort."""

_DATED = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")

# Price names on the wire → ModelInfo.pricing attribute names.
_PRICE_FIELDS = {
    "prompt": "prompt", "completion": "completion", "image": "image", "request": "request",
    "input_cache_read": "cache_read", "input_cache_write": "cache_write",
    "internal_reasoning": "internal_reasoning", "web_search": "web_search",
    "image_output": "image_output", "audio": "audio",
}


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per token (``image``: per input image, ``request``: per request); ``None`` = unknown.

    ``image_output`` is per generated-image token and ``audio`` per audio input token, where the
    model lists them. OpenRouter's ``-1`` ("price varies", on router entries) reads as ``None``.
    """

    prompt: Decimal | None = None
    completion: Decimal | None = None
    image: Decimal | None = None
    request: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    internal_reasoning: Decimal | None = None
    web_search: Decimal | None = None
    image_output: Decimal | None = None
    audio: Decimal | None = None

    @property
    def is_free(self) -> bool:
        """Whether prompt and completion tokens both cost nothing."""
        return self.prompt == 0 and self.completion == 0


@dataclass(frozen=True, slots=True)
class ReasoningSupport:
    """Whether a model reasons, whether it always does, and which efforts it accepts."""

    supported: bool = False
    mandatory: bool | None = None
    efforts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the catalog knows about one model.

    ``context_length`` is the window a plain request gets: the top provider's
    (``top_provider.context_length``), which is what OpenRouter routes an ordinary request to.
    ``max_context_length`` is the listing's ``context_length``, the largest window any provider
    offers, which can need a provider-specific opt-in (``anthropic/claude-sonnet-4`` lists
    1,000,000 but serves 200,000 by default). ``max_completion_tokens`` is the top provider's
    output cap, ``None`` when the listing gives none.
    """

    id: str
    canonical_slug: str | None = None
    name: str | None = None
    context_length: int | None = None
    max_context_length: int | None = None
    max_completion_tokens: int | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    supported_parameters: frozenset[str] = frozenset()
    reasoning: ReasoningSupport = field(default_factory=ReasoningSupport)
    pricing: Pricing = field(default_factory=Pricing)

    def supports(self, parameter: str) -> bool:
        """Whether ``parameter`` is in ``supported_parameters``."""
        return parameter in self.supported_parameters

    @property
    def supports_tools(self) -> bool:
        """Tool calling (``tools`` in ``supported_parameters``)."""
        return "tools" in self.supported_parameters

    @property
    def supports_structured_output(self) -> bool:
        """Native JSON-schema output (``structured_outputs``)."""
        return "structured_outputs" in self.supported_parameters

    def to_wire(self) -> JSONDict:
        """This entry in ``/models`` shape, reduced to the fields the catalog reads."""
        reasoning: JSONDict = {}
        if self.reasoning.mandatory is not None:
            reasoning["mandatory"] = self.reasoning.mandatory
        if self.reasoning.efforts:
            reasoning["supported_efforts"] = list(self.reasoning.efforts)
        pricing = {wire: format(value, "f") for wire, attr in _PRICE_FIELDS.items()
                   if (value := getattr(self.pricing, attr)) is not None}
        out: JSONDict = {
            "id": self.id, "canonical_slug": self.canonical_slug, "name": self.name,
            "context_length": self.max_context_length,
            "architecture": {"input_modalities": list(self.input_modalities),
                             "output_modalities": list(self.output_modalities)},
            "top_provider": {"context_length": self.context_length,
                             "max_completion_tokens": self.max_completion_tokens},
            "supported_parameters": sorted(self.supported_parameters),
            "pricing": pricing,
        }
        if reasoning:
            out["reasoning"] = reasoning
        return out


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    # OpenRouter uses "-1" for "price varies" (router models such as openrouter/auto).
    return number if number.is_finite() and number >= 0 else None


def parse_pricing(raw: Any) -> Pricing:
    """``pricing`` decimal strings → :class:`Pricing`."""
    data: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    return Pricing(**{attr: _decimal(data.get(wire)) for wire, attr in _PRICE_FIELDS.items()})


def parse_reasoning(raw: Any, parameters: frozenset[str]) -> ReasoningSupport:
    """Reasoning support from the ``reasoning`` object (2026+) and ``supported_parameters``."""
    data: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    mandatory = data.get("mandatory")
    efforts: tuple[str, ...] = ()
    for key in ("supported_efforts", "efforts", "supported_reasoning_efforts"):
        efforts = efforts or _strings(data.get(key))
    supported = bool(parameters & {"reasoning", "include_reasoning", "reasoning_effort"}
                     or mandatory is True or efforts)
    return ReasoningSupport(supported=supported,
                            mandatory=mandatory if isinstance(mandatory, bool) else None,
                            efforts=efforts)


def parse_model(raw: Any) -> ModelInfo | None:
    """One ``/models`` entry → :class:`ModelInfo`; ``None`` when it has no usable ``id``."""
    if not isinstance(raw, dict) or not _str(raw.get("id")):
        return None
    architecture: JSONDict = raw["architecture"] if isinstance(raw.get("architecture"),
                                                              dict) else {}
    top: JSONDict = raw["top_provider"] if isinstance(raw.get("top_provider"), dict) else {}
    parameters = frozenset(_strings(raw.get("supported_parameters")))
    listed, served = _int(raw.get("context_length")), _int(top.get("context_length"))
    return ModelInfo(
        id=raw["id"],
        canonical_slug=_str(raw.get("canonical_slug")),
        name=_str(raw.get("name")),
        context_length=served or listed,
        max_context_length=max(listed or 0, served or 0) or None,
        max_completion_tokens=_int(top.get("max_completion_tokens")),
        input_modalities=_strings(architecture.get("input_modalities")),
        output_modalities=_strings(architecture.get("output_modalities")),
        supported_parameters=parameters,
        reasoning=parse_reasoning(raw.get("reasoning"), parameters),
        pricing=parse_pricing(raw.get("pricing")),
    )


def parse_models(body: Any) -> list[ModelInfo]:
    """A ``{"data": [...]}`` body (or a bare list) → every parseable entry."""
    entries = body.get("data") if isinstance(body, dict) else body
    if not isinstance(entries, list):
        return []
    return [info for info in map(parse_model, entries) if info is not None]


def base_slug(model: str) -> str:
    """``model`` without ``@preset/...`` and ``:variant`` suffixes (``""`` for a bare preset)."""
    slug = model.strip().split("@", 1)[0]
    return slug.split(":", 1)[0]


class Catalog:
    """An immutable index of :class:`ModelInfo` by id and canonical slug."""

    __slots__ = ("_by_canonical", "_by_id", "models")

    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self.models: tuple[ModelInfo, ...] = tuple(models)
        self._by_id = {m.id: m for m in self.models}
        self._by_canonical: dict[str, ModelInfo] = {}
        # Variants (``x:free``) share their family's canonical slug; the plain id wins.
        for info in sorted(self.models, key=lambda m: ":" in m.id):
            if info.canonical_slug:
                self._by_canonical.setdefault(info.canonical_slug, info)

    def __len__(self) -> int:
        return len(self.models)

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self.models)

    def __contains__(self, model: object) -> bool:
        return isinstance(model, str) and self.get(model) is not None

    def get(self, model: str) -> ModelInfo | None:
        """Resolve a requested or served slug: exact id, variant stripped, then canonical.

        ``"openai/gpt-4o:nitro"`` → ``openai/gpt-4o``; a served dated name such as
        ``"anthropic/claude-4.5-haiku-20251001"`` → the entry whose ``canonical_slug`` it is.
        """
        found = self._by_id.get(model)  # the common case, before any string work
        if found is not None:
            return found
        candidates = [model.strip(), base_slug(model)]
        undated = _DATED.sub("", candidates[-1])
        for slug in candidates:
            found = self._by_id.get(slug) or self._by_canonical.get(slug)
            if found is not None:
                return found
        if undated != candidates[-1]:
            return self._by_id.get(undated)
        return None

    def to_wire(self) -> list[JSONDict]:
        """Every entry in reduced ``/models`` shape (what the snapshot stores)."""
        return [info.to_wire() for info in self.models]
