"""Shared expectations for the matrix: which exception a case must raise in each framework.

The LangChain adapter raises classes inheriting both the ``openrouter_core.errors`` class and a
``langchain_core.exceptions.ModelError`` subclass; the LlamaIndex adapter raises the core class.
"""

from __future__ import annotations

import json

from langchain_core.exceptions import ModelError

from openrouter_core import errors
from tests.faults.drivers import Outcome, Style


def assert_typed(outcome: Outcome, style: Style, core: type[BaseException],
                 langchain: type[BaseException] | None = None) -> BaseException:
    """The outcome failed with ``core`` (and, for LangChain, ``langchain`` and ``ModelError``);
    never with an internal ``KeyError``/``TypeError``/``AttributeError``."""
    error = outcome.error
    assert error is not None, f"{style.id}: expected {core.__name__}, the call succeeded"
    assert not isinstance(error, (KeyError, TypeError, AttributeError, IndexError)), (
        f"{style.id}: internal error leaked: {error!r}")
    assert isinstance(error, core), f"{style.id}: {type(error).__mro__} is not {core}"
    if style.framework == "langchain" and isinstance(error, errors.OpenRouterError) and not (
            isinstance(error, errors.InputError)):
        assert isinstance(error, ModelError), f"{style.id}: {type(error)} is no ModelError"
        if langchain is not None:
            assert isinstance(error, langchain), f"{style.id}: {type(error)} is no {langchain}"
    return error


def upstream_raw(message: str, code: str = "unsupported_country_region_territory") -> str:
    """An upstream error as OpenRouter forwards it in ``metadata.raw``: a JSON *string*."""
    return json.dumps({"error": {"message": message, "type": "request_forbidden", "code": code}})
