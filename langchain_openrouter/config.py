"""``ChatOpenRouter``'s fields → the core's validated settings (pure, no I/O).

``ChatOpenRouter`` keeps the older package's field names (``openrouter_provider``,
``model_kwargs``...); this module maps them onto ``openrouter_core.settings.RequestSettings``
so that validation, and the error messages naming a bad parameter, come from one place. The
LlamaIndex adapter's ``config.py`` does the same job for ``OpenRouter``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Set as AbstractSet
from typing import Any

from pydantic import BaseModel, ValidationError

from openrouter_core import spelling
from openrouter_core.errors import InputError
from openrouter_core.settings import (
    RequestSettings,
    merge_objects,
    settings_error as core_settings_error,
)

JSONDict = dict[str, Any]

# Core setting name → the ChatOpenRouter field holding it (only ``provider`` differs, kept
# as ``openrouter_provider`` for users of the older package).
FIELD_FOR_SETTING: dict[str, str] = {
    name: ("openrouter_provider" if name == "provider" else name)
    for name in RequestSettings.model_fields
}
SETTING_FOR_FIELD: dict[str, str] = {field: name for name, field in FIELD_FOR_SETTING.items()}

def settings_error(exc: ValidationError) -> InputError:
    """The core's :func:`~openrouter_core.settings.settings_error`, each bad parameter named by
    its constructor name."""
    return core_settings_error(exc, FIELD_FOR_SETTING)


def plain(value: Any) -> Any:
    """Pydantic objects (e.g. ``ProviderPreferences``) → dicts; lists element-wise."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=True, by_alias=True)
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def collect_extra(values: dict[str, Any], known: AbstractSet[str]) -> list[str]:
    """Move unknown constructor arguments into ``model_kwargs``; returns the names moved.

    Pydantic settings objects (``ProviderPreferences``, ``ReasoningConfig``...) become dicts.
    """
    for key, value in values.items():
        values[key] = plain(value)
    moved = [key for key in values if key not in known]
    if moved:
        extra = dict(values.get("model_kwargs") or {})
        extra.update({key: values.pop(key) for key in moved})
        values["model_kwargs"] = extra
    return moved


def promote_fields(values: dict[str, Any], field_of: Mapping[str, str]) -> list[str]:
    """Move ``model_kwargs`` entries that name a constructor parameter to that parameter.

    ``field_of`` maps every accepted name (field names and aliases) to its field. Objects given
    in both places merge per key (``model_kwargs`` wins); other values that differ are an error
    naming both places. Returns the names moved (the caller warns about each), so that
    ``model_kwargs={"temperature": 0.9}`` is validated like ``temperature=0.9`` and
    ``model_kwargs={"model_name": ...}`` never reaches the request body.
    """
    extra = dict(values.get("model_kwargs") or {})
    # An explicit None is "not given", not a value that could disagree.
    direct = {field_of[key]: (key, value) for key, value in values.items()
              if key in field_of and key != "model_kwargs" and value is not None}
    moved = []
    for key in [k for k in extra if k in field_of]:
        value = plain(extra.pop(key))
        field = field_of[key]
        if field in direct:
            name, given = direct[field]
            if isinstance(given, Mapping) and isinstance(value, Mapping):
                # Objects such as provider preferences merge, model_kwargs winning per key.
                value = merge_objects(given, value, first=name, second="model_kwargs",
                                      path=SETTING_FOR_FIELD.get(field, field))
            elif given != value:
                shown = ((given, value) if field not in SECRET_FIELDS
                         else ("<secret>", "<secret>"))
                raise ValueError(f"{name}={shown[0]!r} and model_kwargs[{key!r}]={shown[1]!r} "
                                 f"disagree; pass {key} once, as a parameter")
        else:
            name = key
        values[name] = value
        direct[field] = (name, value)
        moved.append(key)
    if moved:
        values["model_kwargs"] = extra
    return moved


SECRET_FIELDS = frozenset({"openrouter_api_key"})
"""Fields whose values never appear in a message."""

IGNORED_ARGUMENTS = frozenset({"client", "async_client", "http_client", "http_async_client"})
"""SDK-client arguments of ``langchain-openrouter`` and ``ChatOpenAI``: never request settings,
so they are dropped with a warning instead of reaching the body through ``model_kwargs``."""

MILLISECONDS_HINT = 1000
"""A ``timeout`` this large is most likely milliseconds, the older package's unit."""
_warned_timeout = False


def warn_if_milliseconds(timeout: Any) -> None:
    """Warn once per process when ``timeout`` looks like milliseconds (it is seconds here)."""
    global _warned_timeout
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or timeout < MILLISECONDS_HINT or _warned_timeout):
        return
    _warned_timeout = True
    warnings.warn(
        f"timeout={timeout!r} is read as seconds ({timeout / 3600:.1f} hours); "
        "langchain-openrouter took milliseconds, so for that meaning pass "
        f"timeout={timeout / 1000:g}", UserWarning, stacklevel=spelling.caller_stacklevel())


def rename_fields(overrides: Mapping[str, Any]) -> JSONDict:
    """``ChatOpenRouter`` field names → core setting names, values as plain data."""
    out = {SETTING_FOR_FIELD.get(key, key): plain(value) for key, value in overrides.items()}
    if not out.get("stop"):
        out.pop("stop", None)  # ``stop=[]`` means "no stop sequences", not an empty list
    return out


def build_settings(fields: Mapping[str, Any],
                   model_kwargs: Mapping[str, Any] | None) -> RequestSettings:
    """Validated settings from the model's fields, then its ``model_kwargs``.

    Raises ``ValueError`` naming the offending parameter.
    """
    data = {name: plain(fields[field]) for name, field in FIELD_FOR_SETTING.items()
            if fields.get(field) is not None}
    if not data.get("stop"):
        data.pop("stop", None)
    if data.get("n") == 1:
        data.pop("n")  # the API's default: sending it changes nothing but the bytes
    try:
        settings = RequestSettings.model_validate(data)
        # Named after the class: constructor arguments it does not know end up here too.
        if not model_kwargs:
            return settings
        return settings.merged(rename_fields(model_kwargs), source="ChatOpenRouter")
    except ValidationError as exc:
        raise settings_error(exc) from None
