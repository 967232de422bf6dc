"""Every OpenRouter request option as a typed, validated field.

Known fields are checked when a model is constructed, so a typo'd ``provider.sort`` or an
unknown ``reasoning.effort`` fails fast with a message naming the parameter. Nested objects
(``provider``, ``reasoning``, plugins) allow extra keys, and ``extra_body`` carries anything
else verbatim: a new OpenRouter parameter never needs a release of this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from openrouter_core.errors import InputError, redact
from openrouter_core.spelling import CredentialKeyError, UnknownKeyError, check_keys

JSONDict = dict[str, Any]

ReasoningEffort = Literal["xhigh", "high", "medium", "low", "minimal", "none"]
ProviderSort = Literal["price", "throughput", "latency", "exacto"]
Quantization = Literal["int4", "int8", "fp4", "fp6", "fp8", "fp16", "bf16", "fp32", "unknown"]


class SettingsConflictError(InputError):
    """Two places set the same key to values that cannot be merged (an object and a scalar)."""


def settings_error(exc: ValidationError, field_names: Mapping[str, str] | None = None
                   ) -> InputError:
    """The error to raise for settings that failed validation, naming every bad parameter.

    A misspelt key inside an object (``reasoning={"efort": ...}``) is reported by a validator,
    which pydantic wraps: it comes back as the :class:`~openrouter_core.spelling.UnknownKeyError`
    it was (also a ``TypeError``), as a misspelt top-level key is. ``field_names`` gives the
    caller's name for a setting (``max_tokens`` for ``max_completion_tokens``, say).
    """
    problems = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, (UnknownKeyError, CredentialKeyError)):
            # Its own message, which never holds the value (a credential's least of all).
            return type(cause)(str(cause))
        loc = [str(part) for part in error.get("loc", ())]
        if loc and field_names:
            loc[0] = field_names.get(loc[0], loc[0])
        where = ".".join(loc) or "settings"
        problems.append(f"{where}: {error.get('msg')} (got {error.get('input')!r:.80})")
    # (A value shown is cut short, and anything shaped like a key in it masked.)
    return InputError(redact("Invalid OpenRouter setting: " + "; ".join(problems)))


def merge_objects(base: Mapping[str, Any], update: Mapping[str, Any], *, first: str,
                  second: str, path: str = "") -> JSONDict:
    """``update`` laid over ``base``, objects merged key by key, later (``update``) wins.

    ``provider={"order": [...]}`` from one place and ``{"provider": {"sort": "price"}}`` from
    another give ``{"order": [...], "sort": "price"}``: nested preferences never replace each
    other whole. Lists and scalars are replaced. An object in one place and a non-object in the
    other cannot merge: :class:`SettingsConflictError` names the key and both places.
    """
    out = dict(base)
    for group in ALTERNATIVES.get(path, ()):
        if group & {k for k, v in update.items() if v is not None}:
            for key in group - set(update):  # a later choice of the other kind replaces it
                out.pop(key, None)
    for key, value in update.items():
        where = f"{path}.{key}" if path else str(key)
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = merge_objects(old, value, first=first, second=second, path=where)
        elif (old is not None and value is not None
              and isinstance(old, Mapping) != isinstance(value, Mapping)):
            raise SettingsConflictError(
                f"{where} is {_kind(old)} in {first} but {_kind(value)} in {second}; they "
                "cannot be merged: give it in one place")
        else:
            out[key] = value
    return out


ALTERNATIVES: dict[str, tuple[frozenset[str], ...]] = {
    "reasoning": (frozenset({"effort", "max_tokens"}),),
}
"""Keys of an object that exclude each other (path → groups): merging one of a group drops
the others, so a per-call ``reasoning={"max_tokens": ...}`` replaces a model's ``effort``
instead of producing a pair ``ReasoningConfig`` rejects."""


def _kind(value: Any) -> str:
    return "an object" if isinstance(value, Mapping) else f"a {type(value).__name__}"


class _Open(BaseModel):
    """Validated known fields; unknown keys follow :mod:`openrouter_core.spelling` (a near miss
    of a known key fails with "did you mean", another is sent with a one-time warning)."""

    # defer_build: schemas are built on first use, not at import (import time is a target).
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)
    where: ClassVar[str] = "settings"
    """The setting this object is, as the user writes it (for messages)."""

    @model_validator(mode="before")
    @classmethod
    def _spelling(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = set(cls.model_fields)
            known.update(f.alias for f in cls.model_fields.values() if f.alias)
            check_keys([str(k) for k in data], known, cls.where)
        return data


class MaxPrice(_Open):
    """Highest price (USD per million tokens, or per image/request) a provider may charge."""

    where = "provider.max_price"

    prompt: float | None = Field(default=None, ge=0)
    completion: float | None = Field(default=None, ge=0)
    image: float | None = Field(default=None, ge=0)
    audio: float | None = Field(default=None, ge=0)
    request: float | None = Field(default=None, ge=0)


class ProviderSortSpec(_Open):
    """Advanced ``provider.sort``: sort ``by`` a criterion, optionally per ``partition``."""

    where = "provider.sort"

    by: ProviderSort
    partition: str | None = None


class ProviderPreferences(_Open):
    """OpenRouter provider routing: order, fallbacks, filters, sorting and price caps."""

    where = "provider"

    order: list[str] | None = None
    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: Literal["allow", "deny"] | None = None
    zdr: bool | None = None
    enforce_distillable_text: bool | None = None
    only: list[str] | None = None
    ignore: list[str] | None = None
    quantizations: list[Quantization] | None = None
    sort: ProviderSort | ProviderSortSpec | None = None
    max_price: MaxPrice | None = None
    preferred_min_throughput: float | JSONDict | None = None
    preferred_max_latency: float | JSONDict | None = None


class ReasoningConfig(_Open):
    """Reasoning tokens: an ``effort`` level or a ``max_tokens`` budget, and visibility."""

    where = "reasoning"

    effort: ReasoningEffort | None = None
    max_tokens: int | None = Field(default=None, ge=0)
    exclude: bool | None = None
    enabled: bool | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None

    @model_validator(mode="after")
    def _one_budget(self) -> ReasoningConfig:
        if self.effort is not None and self.max_tokens is not None:
            raise ValueError("reasoning: set either 'effort' or 'max_tokens', not both")
        return self


PLUGIN_KEYS: dict[str, frozenset[str]] = {
    "web": frozenset({"enabled", "max_results", "search_prompt", "engine", "include_domains",
                      "exclude_domains"}),
    "file-parser": frozenset({"enabled", "pdf"}),
    "response-healing": frozenset({"enabled"}),
    "moderation": frozenset({"enabled"}),
}
"""The documented keys of each plugin besides ``id``; other plugins' keys are not checked."""


class Plugin(_Open):
    """An OpenRouter plugin, e.g. ``{"id": "web"}``, ``{"id": "response-healing"}``."""

    where = "plugins"
    id: str

    @model_validator(mode="before")
    @classmethod
    def _spelling(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            keys = PLUGIN_KEYS.get(str(data.get("id")))
            if keys is not None:
                check_keys([str(k) for k in data], keys | {"id"}, f"plugins ({data['id']})")
        return data


class ImageConfig(_Open):
    """Image-generation options such as ``aspect_ratio`` and ``image_size``."""

    where = "image_config"

    aspect_ratio: str | None = None
    image_size: str | None = None


class Attribution(BaseModel):
    """App attribution headers; all off by default (we never claim a user's traffic)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    app_url: str | None = None
    app_title: str | None = None
    app_categories: list[str] | None = None

    def headers(self) -> dict[str, str]:
        """The attribution headers to send (``X-Title`` too, for older OpenRouter routing)."""
        out: dict[str, str] = {}
        if self.app_url:
            out["HTTP-Referer"] = self.app_url
        if self.app_title:
            out["X-OpenRouter-Title"] = self.app_title
            out["X-Title"] = self.app_title
        if self.app_categories:
            out["X-OpenRouter-Categories"] = ",".join(self.app_categories)
        return out


class RequestSettings(BaseModel):
    """Every body parameter of an OpenRouter chat completion, except messages and tools.

    ``None`` means "not sent": no default goes on the wire unless the user set it.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    # Sampling (OpenAI-compatible).
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    top_p: float | None = Field(default=None, ge=0, le=1)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int | None = Field(default=None, ge=1)
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    logit_bias: dict[str, float] | None = None
    # Sampling extras OpenRouter forwards to providers that support them.
    top_k: int | None = Field(default=None, ge=0)
    min_p: float | None = Field(default=None, ge=0, le=1)
    top_a: float | None = Field(default=None, ge=0, le=1)
    repetition_penalty: float | None = Field(default=None, gt=0, le=2)
    # Routing.
    provider: ProviderPreferences | None = None
    models: list[str] | None = None
    route: Literal["fallback"] | None = None
    transforms: list[str] | None = None
    # Features.
    plugins: list[Plugin] | None = None
    reasoning: ReasoningConfig | None = None
    modalities: list[Literal["text", "image", "audio"]] | None = None
    image_config: ImageConfig | None = None
    verbosity: Literal["low", "medium", "high"] | None = None
    prediction: JSONDict | None = None
    max_tool_calls: int | None = Field(default=None, ge=1)
    service_tier: str | None = None
    # Observability and caching.
    session_id: str | None = Field(default=None, max_length=256)
    trace: JSONDict | None = None
    user: str | None = None
    prompt_cache_key: str | None = None
    debug: JSONDict | None = None
    # Anything else, sent verbatim (merged last, so it can override).
    extra_body: JSONDict | None = None

    @field_validator("models")
    @classmethod
    def _models_nonempty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not all(isinstance(m, str) and m for m in value):
            raise ValueError("models: every fallback model must be a non-empty slug")
        return value

    def to_body(self) -> JSONDict:
        """The JSON body fragment for these settings (unset fields omitted).

        ``extra_body`` is merged over the typed settings key by key (see :func:`merge_objects`),
        so ``extra_body={"provider": {"sort": "price"}}`` adds to ``provider``, never replaces it.
        """
        body = self.model_dump(exclude_none=True, exclude={"extra_body"}, by_alias=True)
        if self.extra_body:
            body = merge_objects(body, self.extra_body, first="the typed settings",
                                 second="extra_body")
        return body

    def merged(self, overrides: JSONDict, *, source: str = "the per-call arguments"
               ) -> RequestSettings:
        """A copy with ``overrides`` validated and applied over these settings.

        Precedence is "later wins per key": objects such as ``provider`` or ``reasoning`` merge
        key by key with what is already set; unknown keys go to ``extra_body`` (merged the same
        way). ``source`` names the overrides in a conflict's message.
        """
        if not overrides:
            return self
        fields = type(self).model_fields
        known = {k: _plain(v) for k, v in overrides.items() if k in fields and v is not None}
        unknown = {k: v for k, v in overrides.items() if k not in fields}
        check_untyped(unknown, source)
        data = self.model_dump(exclude_none=True)
        data = merge_objects(data, known, first="the model's settings", second=source)
        if unknown:
            data["extra_body"] = merge_objects(data.get("extra_body") or {}, unknown,
                                               first="extra_body", second=source)
        return type(self).model_validate(data)


UNTYPED_BODY_KEYS: dict[str, frozenset[str] | None] = {
    "usage": frozenset({"include"}),
    "web_search_options": frozenset({"search_context_size", "user_location"}),
    "structured_outputs": None, "include_reasoning": None, "reasoning_effort": None,
    "stream_options": None, "response_format": None, "tools": None, "tool_choice": None,
    "parallel_tool_calls": None, "preset": None, "zdr": None, "metadata": None,
    # Audio output (modalities=["text", "audio"]), as in OpenRouter's audio guide.
    "audio": frozenset({"voice", "format"}),
}
"""Body keys OpenRouter documents that have no typed setting here (sent as given), with the
known keys of those that are objects."""


def check_untyped(values: Mapping[str, Any], source: str) -> None:
    """Apply the spelling rule to keys outside the typed settings (see ``spelling``)."""
    check_keys(list(values), SETTING_NAMES | UNTYPED_BODY_KEYS.keys(), source)
    for key, value in values.items():
        nested = UNTYPED_BODY_KEYS.get(key)
        if nested is not None and isinstance(value, Mapping):
            check_keys([str(k) for k in value], nested, key)


def _plain(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value


SETTING_NAMES: frozenset[str] = frozenset(RequestSettings.model_fields) - {"extra_body"}
"""Names of the typed settings (adapters expose each as a constructor argument)."""
