"""LangChain integration for OpenRouter, built on ``openrouter_core``.

``init_chat_model("openrouter:<model>")`` loads :class:`ChatOpenRouter` from here.
"""

from langchain_openrouter.chat_models import ChatOpenRouter
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
from langchain_openrouter.translator import register as _register_translator

# ``AIMessage.content_blocks`` finds our translator through response_metadata["model_provider"].
_register_translator()

__all__ = [
    "ChatOpenRouter",
    "OpenRouterAPIError",
    "OpenRouterAuthenticationError",
    "OpenRouterConnectionError",
    "OpenRouterContextOverflowError",
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
]
