"""openrouter_core: everything about OpenRouter, nothing about a framework.

Modules, one job each: ``settings`` (typed request options), ``request`` (body and headers),
``decode`` (bodies and chunks → typed values), ``stream`` (SSE state machine), ``errors``
(exception hierarchy), ``transport`` (HTTP via the ``openai`` SDK), ``catalog`` (model
metadata) and ``testing`` (a loopback OpenRouter emulator).
"""

from openrouter_core.decode import ChatResult, ChunkDelta, Image, ToolCall, ToolCallDelta, Usage
from openrouter_core.settings import (
    Attribution,
    ImageConfig,
    Plugin,
    ProviderPreferences,
    ReasoningConfig,
    RequestSettings,
)

__all__ = [
    "Attribution",
    "ChatResult",
    "ChunkDelta",
    "Image",
    "ImageConfig",
    "Plugin",
    "ProviderPreferences",
    "ReasoningConfig",
    "RequestSettings",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
]
