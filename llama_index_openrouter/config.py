"""The constructor arguments shared by ``OpenRouter`` and ``OpenRouterMultiModal``.

Each OpenRouter request option of :class:`openrouter_core.settings.RequestSettings` is a field
here, so it can be passed to the constructor, read back, serialised with ``to_dict()`` and
changed on the instance. Validation is the core's: :meth:`OpenRouterConfig.request_settings`
builds a ``RequestSettings`` (also once at construction, so a bad value fails fast with the
parameter's name). The API key is a ``SecretStr`` excluded from every dump and repr.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    model_validator,
)

from openrouter_core import environment, spelling
from openrouter_core.memo import LastBuilt, LastFrom, held
from openrouter_core.request import BodyTemplate
from openrouter_core.settings import (
    SETTING_NAMES,
    UNTYPED_BODY_KEYS,
    Attribution,
    ImageConfig,
    Plugin,
    ProviderPreferences,
    ReasoningConfig,
    RequestSettings,
    settings_error,
)
from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

JSONDict = dict[str, Any]

API_KEY_ENV = "OPENROUTER_API_KEY"
API_BASE_ENV = "OPENROUTER_API_BASE"
DEFAULT_MODEL = "openai/gpt-4o-mini"

ACCEPTED_AND_IGNORED = frozenset({"is_chat_model", "reuse_client", "http_client",
                                  "async_http_client", "class_name", "api_version",
                                  "strict", "should_use_structured_outputs", "tokenizer"})
"""Arguments of ``llama-index-llms-openrouter`` (an ``OpenAILike``) that have no meaning here.
Each is accepted with a warning saying why, except the serialization marker ``class_name``
and ``is_chat_model=True``, which say nothing new."""

_WHY_IGNORED = {
    "reuse_client": "clients are pooled and shared by openrouter_core",
    "http_client": "clients are pooled and shared by openrouter_core",
    "async_http_client": "clients are pooled and shared by openrouter_core",
    "api_version": "OpenRouter's API has no versions (an Azure OpenAI setting)",
    "strict": "pass strict to structured output or tools per call",
    "should_use_structured_outputs": (
        "native structured output is chosen from the model catalog (structured_outputs)"),
    "tokenizer": "llm.tokenizer is this model family's offline tokenizer",
    "is_chat_model": "every OpenRouter model is used as a chat model",
}


def check_agrees(given: Any, key: str, value: Any, *, given_as: str, inside: str) -> None:
    """A shorthand argument's ``value`` against ``given`` at ``inside.key``: a different value
    is an error naming both places (never a silent pick)."""
    if given not in (None, value):
        raise ValueError(f"{given_as}={value!r} and {inside}.{key}={given!r} disagree; "
                         f"give {key} in one place")


def fold(target: dict[str, Any], key: str, value: Any, *, given_as: str, inside: str) -> None:
    """Put a shorthand argument's ``value`` at ``target[key]`` (see :func:`check_agrees`)."""
    check_agrees(target.get(key), key, value, given_as=given_as, inside=inside)
    target[key] = value


def translate_official_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """Arguments written for ``llama-index-llms-openrouter`` → ours, never silently.

    ``reasoning_effort`` becomes ``reasoning={"effort": ...}`` and ``audio_config`` the body's
    ``audio`` (in ``additional_kwargs``), each with a warning naming the new spelling; the
    arguments in :data:`ACCEPTED_AND_IGNORED` are dropped with a warning saying why.
    """
    out = dict(data)
    effort = out.pop("reasoning_effort", None)
    if effort is not None:
        out["reasoning"] = dict(out.get("reasoning") or {})
        fold(out["reasoning"], "effort", effort, given_as="reasoning_effort", inside="reasoning")
        warnings.warn(f"reasoning_effort={effort!r} is sent as reasoning={{'effort': "
                      f"{effort!r}}}; pass reasoning= directly", UserWarning,
                      stacklevel=spelling.caller_stacklevel())
    audio = out.pop("audio_config", None)
    if audio is not None:
        out["additional_kwargs"] = dict(out.get("additional_kwargs") or {})
        fold(out["additional_kwargs"], "audio", audio, given_as="audio_config",
             inside="additional_kwargs")
        warnings.warn("audio_config is sent as the request's 'audio' parameter; pass "
                      "additional_kwargs={'audio': ...} directly", UserWarning,
                      stacklevel=spelling.caller_stacklevel())
    for name in sorted(ACCEPTED_AND_IGNORED & set(out)):
        value = out.pop(name)
        if name == "class_name" or (name == "is_chat_model" and value is True) or value is None:
            continue
        warnings.warn(f"{name} is accepted for compatibility and not used: "
                      f"{_WHY_IGNORED[name]}", UserWarning,
                      stacklevel=spelling.caller_stacklevel())
    return out


class OpenRouterConfig(BaseModel):
    """Connection, attribution and request options (``None`` = not sent on the wire)."""

    # Validation errors must never echo the constructor input: it holds the API key.
    model_config = ConfigDict(hide_input_in_errors=True)

    model: str = Field(default=DEFAULT_MODEL, description="OpenRouter model slug.")
    api_key: SecretStr | None = Field(
        default=None, exclude=True, repr=False,
        description=f"OpenRouter API key (default: ${API_KEY_ENV}); never serialised.")
    api_base: str = Field(default="", description=f"API base URL (default: ${API_BASE_ENV} "
                                                  f"or {DEFAULT_BASE_URL}).")
    max_retries: int = Field(default=2, ge=0, description="Retries on retryable failures.")
    timeout: float | None = Field(
        default=None, gt=0,
        description="Longest silence allowed, seconds: connecting, and between received bytes "
                    "(a slow but steady stream is never cut).")
    total_timeout: float | None = Field(
        default=None, gt=0,
        description="Optional cap on the whole call, seconds, retries included; off by default.")
    default_headers: dict[str, str] | None = Field(
        default=None, exclude=True, repr=False,
        description="Extra HTTP headers sent with every request; left out of repr and "
                    "serialization, as they may hold secrets (a pickle keeps them).")
    additional_kwargs: JSONDict = Field(
        default_factory=dict,
        description="Extra body parameters for every request (known ones are validated).")
    # Metadata overrides for models the built-in table does not know.
    context_window: int | None = Field(
        default=None, gt=0, description="Override the model's context window (tokens).")
    is_function_calling_model: bool | None = Field(
        default=None, description="Override whether the model supports tool calling.")
    # Attribution headers (off unless set).
    app_url: str | None = Field(default=None, description="Sent as HTTP-Referer.")
    app_title: str | None = Field(default=None, description="Sent as X-OpenRouter-Title.")
    app_categories: list[str] | None = Field(
        default=None, description="Sent as X-OpenRouter-Categories.")
    # Compatibility with llama-index-llms-openrouter: folded into ``provider``.
    order: list[str] | None = Field(default=None, description="provider.order shorthand.")
    allow_fallbacks: bool | None = Field(
        default=None, description="provider.allow_fallbacks shorthand.")
    # Request settings, mirroring openrouter_core.settings.RequestSettings.
    temperature: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    logit_bias: dict[str, float] | None = None
    top_k: int | None = None
    min_p: float | None = None
    top_a: float | None = None
    repetition_penalty: float | None = None
    provider: ProviderPreferences | None = None
    models: list[str] | None = None
    route: Literal["fallback"] | None = None
    transforms: list[str] | None = None
    plugins: list[Plugin] | None = None
    reasoning: ReasoningConfig | None = None
    modalities: list[Literal["text", "image", "audio"]] | None = None
    image_config: ImageConfig | None = None
    verbosity: Literal["low", "medium", "high"] | None = None
    prediction: JSONDict | None = None
    max_tool_calls: int | None = None
    service_tier: str | None = None
    session_id: str | None = None
    trace: JSONDict | None = None
    user: str | None = None
    prompt_cache_key: str | None = None
    debug: JSONDict | None = None
    extra_body: JSONDict | None = None
    """Anything else, merged into the body last and never checked: the escape hatch."""

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_arguments(cls, data: Any) -> Any:
        """A near miss of an argument fails ("did you mean"); another unknown argument is sent
        in the body (via ``additional_kwargs``) with a one-time warning at the caller's line."""
        if not isinstance(data, dict):
            return data
        data = translate_official_arguments(data)
        spelling.collect_unknown(data, spelling.accepted_names(cls), "OpenRouter",
                                 "additional_kwargs", body_keys=UNTYPED_BODY_KEYS.keys())
        return data

    # Built when the instance is made and again whenever an input field changes (in place
    # included): per-request work that does not change the bytes sent (openrouter_core.memo).
    _built_settings: LastBuilt[RequestSettings] = PrivateAttr(default_factory=LastBuilt)
    _built_endpoint: LastBuilt[Endpoint] = PrivateAttr(default_factory=LastBuilt)
    _built_attribution: LastBuilt[dict[str, str]] = PrivateAttr(default_factory=LastBuilt)
    # One body template per stream flag: an LLM both called and streamed keeps both.
    _built_body: LastFrom[BodyTemplate] = PrivateAttr(default_factory=LastFrom)
    _built_stream_body: LastFrom[BodyTemplate] = PrivateAttr(default_factory=LastFrom)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            data = environment.fill(data, {"api_key": "api_key", "app_url": "app_url",
                                           "app_title": "app_title",
                                           "session_id": "session_id"})
            if isinstance(data.get("api_key"), str):
                data["api_key"] = SecretStr(data["api_key"])
            # The openai SDK's and LangChain's name for api_base: sent as a body field, it
            # would leave requests going to the default URL. api_base wins when both are given.
            base_url = data.pop("base_url", None)
            if base_url and not data.get("api_base"):
                data["api_base"] = base_url
            if not data.get("api_base"):
                data["api_base"] = environment.read("base_url") or DEFAULT_BASE_URL
        return data

    @model_validator(mode="after")
    def _check_settings(self) -> OpenRouterConfig:
        if not self.model or not self.model.strip():
            raise ValueError("model: a model slug is required, e.g. 'openai/gpt-4o-mini'")
        self._settings_for_request()
        return self

    def request_settings(self, overrides: JSONDict | None = None) -> RequestSettings:
        """The validated core settings, with ``additional_kwargs`` and ``overrides`` applied
        (a copy of this instance's own: changing it changes no request)."""
        settings = self._settings_for_request(overrides)
        return settings.model_copy(deep=True) if not overrides else settings

    def _settings_for_request(self, overrides: JSONDict | None = None) -> RequestSettings:
        # request_settings for building a request (calls.prepare): the instance's own
        # settings are kept between requests and validated again only when a field changed
        # (in place included; see openrouter_core.memo), so the result must not be changed.
        memo: LastBuilt[RequestSettings] = held(self, "_built_settings")
        # (Empty additional_kwargs build as None does; as None, every input of an instance
        # whose settings are numbers, strings or unset is immutable, checked fastest.)
        settings = memo.get((*_read_inputs(self), self.additional_kwargs or None),
                            _own_settings)
        if not overrides:
            return settings
        try:
            return settings.merged(overrides)
        except ValidationError as exc:
            raise settings_error(exc) from None

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the API key: the unpickling process reads ``OPENROUTER_API_KEY``
        when it sends (see ``openrouter_core.environment.state_without_key``)."""
        return environment.state_without_key(super().__getstate__(), "api_key")

    def endpoint(self) -> Endpoint:
        """Where to send requests (the key stays a ``SecretStr``; no client is created here)."""
        inputs = (self.api_base, self.api_key, self.timeout, self.max_retries,
                  self.total_timeout)
        memo: LastBuilt[Endpoint] = held(self, "_built_endpoint")
        return memo.get(inputs, lambda kept: Endpoint(
            base_url=kept[0], api_key=kept[1], timeout=kept[2], max_retries=kept[3],
            total_timeout=kept[4]))

    def attribution_headers(self) -> dict[str, str]:
        """The attribution headers for the configured app, if any."""
        inputs = (self.app_url, self.app_title, self.app_categories)
        memo: LastBuilt[dict[str, str]] = held(self, "_built_attribution")
        return dict(memo.get(inputs, lambda kept: Attribution(
            app_url=kept[0], app_title=kept[1], app_categories=kept[2]).headers()))

    def config_values(self) -> JSONDict:
        """Every field value, the key included, for building a sibling instance."""
        return {name: getattr(self, name) for name in OpenRouterConfig.model_fields}


_SETTING_FIELDS = (*SETTING_NAMES, "extra_body")
_read_inputs = attrgetter(*_SETTING_FIELDS, "order", "allow_fallbacks")
"""What the instance's own settings are built from (with ``additional_kwargs``), read in one
C call."""


def _providers_in(additional_kwargs: JSONDict | None,
                  extra_body: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """The provider preferences given beside the typed ``provider``: in ``extra_body``, in
    ``additional_kwargs`` and in its ``extra_body``, each with where it was given (all are
    merged after the typed settings, so a shorthand they disagree with would lose)."""
    holders = [("extra_body", extra_body)]
    if additional_kwargs:
        holders += [("additional_kwargs", additional_kwargs),
                    ("additional_kwargs.extra_body", additional_kwargs.get("extra_body"))]
    found: list[tuple[str, Mapping[str, Any]]] = []
    for inside, holder in holders:
        given = holder.get("provider") if isinstance(holder, Mapping) else None
        if isinstance(given, BaseModel):
            given = given.model_dump(exclude_none=True)
        if isinstance(given, Mapping):
            found.append((f"{inside}.provider", given))
    return found


def _own_settings(inputs: tuple[Any, ...]) -> RequestSettings:
    """The settings of an instance whose :data:`_read_inputs`, then ``additional_kwargs``
    (``None`` when empty), are ``inputs``."""
    *values, order, allow_fallbacks, additional_kwargs = inputs
    data: JSONDict = {name: value for name, value in zip(_SETTING_FIELDS, values, strict=True)
                      if value is not None}
    if order is not None or allow_fallbacks is not None:
        provider = dict(data["provider"].model_dump(exclude_none=True)
                        if "provider" in data else {})
        # The shorthands of llama-index-llms-openrouter and provider={...} may both be given;
        # they merge, and a disagreement is an error rather than a silent pick.
        for name, value in (("order", order), ("allow_fallbacks", allow_fallbacks)):
            if value is not None:
                fold(provider, name, value, given_as=name, inside="provider")
                # additional_kwargs come later and would win silently: the older package's
                # users gave provider there, beside the shorthands.
                for inside, given in _providers_in(additional_kwargs, data.get("extra_body")):
                    check_agrees(given.get(name), name, value, given_as=name, inside=inside)
        data["provider"] = provider
    try:
        settings = RequestSettings.model_validate(data)
        # Named after the class: constructor arguments it does not know end up here too.
        return settings.merged(additional_kwargs, source="OpenRouter")
    except ValidationError as exc:
        raise settings_error(exc) from None


