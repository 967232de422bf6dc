"""Per-call keyword arguments + settings → one request: body, headers, endpoint (pure).

The LlamaIndex adapter's ``calls.py`` does the same job for ``OpenRouter``; both end in the
core's ``build_body``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr, ValidationError

from langchain_openrouter.config import rename_fields, settings_error
from openrouter_core.request import REQUEST_OPTIONS, BodyTemplate, build_headers, prepare
from openrouter_core.settings import Attribution, RequestSettings
from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

JSONDict = dict[str, Any]

# Per-call keyword arguments that shape the request but are not body settings.
# ``stream`` is langchain-core's switch between _generate and _stream (``invoke(...,
# stream=True)``); the path taken sets the body's own flag, so it is consumed, never sent.
_CALL_KEYS = REQUEST_OPTIONS | {"model", "stream", "stream_usage", "stream_options",
                                 "ls_structured_output_format", "structured_output_format"}



def apply_overrides(settings: RequestSettings, overrides: Mapping[str, Any]) -> RequestSettings:
    """Per-call overrides validated onto ``settings`` (unknown keys go to ``extra_body``)."""
    renamed = rename_fields(overrides)
    if not renamed:
        return settings
    try:
        return settings.merged(renamed)
    except ValidationError as exc:
        raise settings_error(exc) from None


@dataclass(frozen=True, slots=True)
class Connection:
    """Where requests go and which headers they carry (no secret is ever in ``headers``)."""

    base_url: str | None
    api_key: SecretStr | None
    timeout: float | None
    max_retries: int
    attribution: Attribution
    default_headers: Mapping[str, str] | None
    total_timeout: float | None = None

    def endpoint(self) -> Endpoint:
        """The transport endpoint (clients are created lazily by the transport, per key)."""
        return Endpoint(base_url=self.base_url or DEFAULT_BASE_URL, api_key=self.api_key,
                        timeout=self.timeout, max_retries=self.max_retries,
                        total_timeout=self.total_timeout)

    def headers(self) -> dict[str, str]:
        """Per-request headers: user defaults plus app attribution."""
        return build_headers(self.attribution.headers(), self.default_headers)


@dataclass(frozen=True, slots=True)
class CallSpec:
    """One fully built request."""

    model: str
    body: JSONDict
    headers: dict[str, str]
    endpoint: Endpoint
    stream_usage: bool


def _stream_usage(call: Mapping[str, Any], default: bool) -> bool:
    if isinstance(call.get("stream_usage"), bool):
        return bool(call["stream_usage"])
    options = call.get("stream_options")
    if isinstance(options, Mapping) and isinstance(options.get("include_usage"), bool):
        return bool(options["include_usage"])
    return default


def build_call(
    *,
    model: str,
    messages: Sequence[Mapping[str, Any]],
    settings: RequestSettings,
    connection: Connection,
    kwargs: Mapping[str, Any],
    stop: list[str] | None,
    stream: bool,
    stream_usage: bool,
) -> CallSpec:
    """Split per-call ``kwargs`` into request options and setting overrides; build the body."""
    call = {k: v for k, v in kwargs.items() if k in _CALL_KEYS}
    overrides = {k: v for k, v in kwargs.items() if k not in _CALL_KEYS}
    if stop:
        overrides["stop"] = stop
    settings = apply_overrides(settings, overrides)
    model_name = call.get("model") or model
    usage = _stream_usage(call, stream_usage)
    endpoint = connection.endpoint()
    body, headers = prepare(
        model_name, messages, settings, options=call, stream=stream, stream_usage=usage,
        endpoint=endpoint, attribution=connection.attribution.headers(),
        default_headers=connection.default_headers)
    return CallSpec(model=model_name, body=body, headers=headers, endpoint=endpoint,
                    stream_usage=usage)


@dataclass(frozen=True, slots=True)
class CallTemplate:
    """What :func:`build_call` builds for a call without keywords or ``stop``, but the body's
    messages: the endpoint, the headers and the body's settings part, built once while the
    model's settings and connection stay the same (see
    :class:`~openrouter_core.request.BodyTemplate`)."""

    model: str
    body: BodyTemplate
    headers: dict[str, str]
    endpoint: Endpoint
    stream_usage: bool

    def call(self, messages: Sequence[Mapping[str, Any]]) -> CallSpec:
        """The call for ``messages``, equal to ``build_call``'s (headers: a copy each)."""
        return CallSpec(model=self.model, body=self.body.body(messages, self.endpoint),
                        headers=dict(self.headers), endpoint=self.endpoint,
                        stream_usage=self.stream_usage)


def call_template(inputs: tuple[RequestSettings, Connection, str, bool, bool]) -> CallTemplate:
    """The :class:`CallTemplate` of ``(settings, connection, model, stream, stream_usage)``,
    checked in ``build_call``'s order (endpoint, attribution, then the model slug)."""
    settings, connection, model, stream, stream_usage = inputs
    endpoint = connection.endpoint()
    attribution = connection.attribution.headers()
    body = BodyTemplate(model, settings, stream=stream, stream_usage=stream_usage)
    return CallTemplate(model=model, body=body,
                        headers=build_headers(attribution, connection.default_headers),
                        endpoint=endpoint, stream_usage=stream_usage)
