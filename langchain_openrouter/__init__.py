"""LangChain integration for OpenRouter, built on ``openrouter_core``.

``init_chat_model("openrouter:<model>")`` loads :class:`ChatOpenRouter` from here. Everything
else exported here (embeddings, cost tracking, the error classes) is loaded on first use, and
the ``openai`` SDK itself on the first request.
"""

from typing import TYPE_CHECKING, Any

from openrouter_core import installation as _installation

# Without the extra, say which one to install rather than "No module named 'langchain_core'".
_installation.require_extra("langchain_openrouter", "langchain",
                            {"langchain_core": "langchain-core"})
# The official langchain-openrouter installs this same module: installing both overwrites files.
_installation.warn_on_conflict("langchain_openrouter")

from langchain_openrouter.chat_models import ChatOpenRouter
from langchain_openrouter.translator import register as _register_translator

if TYPE_CHECKING:
    from langchain_openrouter.callbacks import (
        OpenRouterCallbackHandler,
        estimate_cost,
        get_openrouter_callback,
    )
    from langchain_openrouter.embeddings import OpenRouterEmbeddings
    from langchain_openrouter.errors import (
        OpenRouterAPIError,
        OpenRouterAuthenticationError,
        OpenRouterConnectionError,
        OpenRouterContextOverflowError,
        OpenRouterInvalidRequestError,
        OpenRouterMalformedResponseError,
        OpenRouterModerationError,
        OpenRouterNotFoundError,
        OpenRouterPaymentRequiredError,
        OpenRouterPermissionDeniedError,
        OpenRouterRateLimitError,
        OpenRouterRequestTimeoutError,
        OpenRouterStatusError,
        OpenRouterStreamInterruptedError,
        OpenRouterTimeoutError,
    )

# ``AIMessage.content_blocks`` finds our translator through response_metadata["model_provider"].
_register_translator()

__all__ = [
    "ChatOpenRouter",
    "OpenRouterAPIError",
    "OpenRouterAuthenticationError",
    "OpenRouterCallbackHandler",
    "OpenRouterConnectionError",
    "OpenRouterContextOverflowError",
    "OpenRouterEmbeddings",
    "OpenRouterInvalidRequestError",
    "OpenRouterMalformedResponseError",
    "OpenRouterModerationError",
    "OpenRouterNotFoundError",
    "OpenRouterPaymentRequiredError",
    "OpenRouterPermissionDeniedError",
    "OpenRouterRateLimitError",
    "OpenRouterRequestTimeoutError",
    "OpenRouterStatusError",
    "OpenRouterStreamInterruptedError",
    "OpenRouterTimeoutError",
    "estimate_cost",
    "get_openrouter_callback",
]


_LAZY = {
    "OpenRouterEmbeddings": "langchain_openrouter.embeddings",
    "OpenRouterCallbackHandler": "langchain_openrouter.callbacks",
    "get_openrouter_callback": "langchain_openrouter.callbacks",
    "estimate_cost": "langchain_openrouter.callbacks",
}


def __getattr__(name: str) -> Any:
    """Embeddings, cost tracking and error classes, loaded on first use.

    ``import langchain_openrouter`` stays within a few percent of langchain-core's own import
    time; these pull in more (the error classes need the ``openai`` SDK).
    """
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name.startswith("OpenRouter") and name in __all__:
        return getattr(importlib.import_module("langchain_openrouter.errors"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
