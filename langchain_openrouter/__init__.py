"""LangChain integration for OpenRouter, built on ``openrouter_core``.

``init_chat_model("openrouter:<model>")`` loads :class:`ChatOpenRouter` from here. The error
classes (``OpenRouterRateLimitError`` ...) are loaded on first use: they subclass ``openai``'s
exceptions, and importing the SDK is deferred to the first request.
"""

from typing import TYPE_CHECKING, Any

from langchain_openrouter.callbacks import OpenRouterCallbackHandler, get_openrouter_callback
from langchain_openrouter.chat_models import ChatOpenRouter
from langchain_openrouter.embeddings import OpenRouterEmbeddings
from langchain_openrouter.translator import register as _register_translator

if TYPE_CHECKING:
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
    "get_openrouter_callback",
]


def __getattr__(name: str) -> Any:
    """Error classes, loaded from :mod:`langchain_openrouter.errors` on first use."""
    if name.startswith("OpenRouter") and name in __all__:
        from langchain_openrouter import errors

        return getattr(errors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
