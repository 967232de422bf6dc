"""Pydantic models built by storing fields that are already known to be valid.

Both adapters build a framework object per streamed chunk, and pydantic's validation (or the
generic work of ``model_construct``) costs as much as reading the chunk off the wire. For the
few shapes that stream most, the adapters store the fields directly, as ``model_construct``
does, and compare the result with the validated build once at import
(:func:`matches_validated`): a framework or pydantic release that changes a model falls back
to the validated build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_INSTANCE_DICT = BaseModel.__dict__["__dict__"]
"""The instance-dict descriptor that pydantic's ``BaseModel`` slots declare: reads and writes
through it bypass any ``__dict__`` descriptor a subclass defines."""

# The other slots' setters, bound once: a call through them is what ``object.__setattr__`` ends
# in, without its look-up (about a third of a build, and builds run once per streamed chunk).
_new = object.__new__
_set_dict = _INSTANCE_DICT.__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def stored(cls: type[M], fields: dict[str, Any], fields_set: Set[str], *,
           extra: dict[str, Any] | None = None, private: dict[str, Any] | None = None) -> M:
    """An instance of ``cls`` holding ``fields`` as they are (no validation, no defaults)."""
    model = _new(cls)
    _set_dict(model, fields)
    _set_fields_set(model, set(fields_set))
    _set_extra(model, extra)
    _set_private(model, private)
    return model


def instance_dict(model: BaseModel) -> dict[str, Any]:
    """``model``'s field values as stored (a subclass's ``__dict__`` descriptor not run)."""
    fields: dict[str, Any] = _INSTANCE_DICT.__get__(model)
    return fields


def set_instance_dict(model: BaseModel, fields: dict[str, Any]) -> None:
    """Replace ``model``'s stored field values (a subclass's ``__dict__`` descriptor not run)."""
    _INSTANCE_DICT.__set__(model, fields)


def state(model: BaseModel) -> tuple[Any, ...]:
    """Everything that makes two models the same: type, fields, fields set, extra, private."""
    return (type(model), instance_dict(model), model.__pydantic_fields_set__,
            model.__pydantic_extra__, object.__getattribute__(model, "__pydantic_private__"))


def same_state(built: Any, reference: Any) -> bool:
    """Whether ``built`` has the :func:`state` of ``reference``, and so has every model inside
    it (in fields, and in lists in fields), which a model's ``==`` does not check (it ignores
    the fields marked as set)."""
    if not isinstance(built, BaseModel) or not isinstance(reference, BaseModel):
        if isinstance(built, list) and isinstance(reference, list):
            return len(built) == len(reference) and all(
                same_state(a, b) for a, b in zip(built, reference, strict=True))
        return not isinstance(built, BaseModel) and not isinstance(reference, BaseModel)
    if state(built) != state(reference):
        return False
    fields, others = instance_dict(built), instance_dict(reference)
    return all(same_state(value, others[name]) for name, value in fields.items())


def matches_validated(namespace: dict[str, Any], flag: str, samples: Iterable[Any],
                      build: Callable[[Any], Any]) -> bool:
    """Whether a module's stored builds equal its validated ones: ``build(sample)`` with the
    module's switch ``namespace[flag]`` on, against the same call with it off (the builders
    read the switch), compared with :func:`same_state` and ``==`` for every sample. The
    adapters decide their switches at import with it; the switch is left as it was."""
    before = namespace[flag]
    try:
        for sample in samples:
            namespace[flag] = True
            built = build(sample)
            namespace[flag] = False
            reference = build(sample)
            if not same_state(built, reference) or built != reference:
                return False
        return True
    finally:
        namespace[flag] = before


SAMPLE_REPLIES: tuple[dict[str, Any], ...] = (
    {"id": "gen-1", "model": "openai/gpt-4o-mini", "provider": "OpenAI", "created": 1,
     "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "stop",
                  "logprobs": {"content": [{"token": "Hi", "logprob": -0.1, "bytes": [72]}]},
                  "message": {"role": "assistant", "content": "Hello.", "reasoning": "Think.",
                              "refusal": "no",
                              "reasoning_details": [{"type": "reasoning.text",
                                                     "text": "Think.", "index": 0}],
                              "annotations": [{"type": "url_citation", "url_citation": {
                                  "url": "https://example.com", "title": "Example"}}]}}],
     "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
               "cost": 0.00012, "prompt_tokens_details": {"cached_tokens": 4},
               "completion_tokens_details": {"reasoning_tokens": 2}}},
    {"choices": [{"message": {"role": "assistant", "content": ""}, "finish_reason": "length"}]},
)
"""Non-streamed text replies for the adapters' import-time comparisons of their stored and
validated builds: every optional part present, then none."""
