"""OpenRouter server tools for LangChain: pass them to ``bind_tools`` or ``create_agent``.

The helpers are the core's (:mod:`openrouter_core.server_tools`, the one declaration both
adapters share) and return the checked tool dict, which LangChain treats as a provider tool:
``bind_tools`` sends it as is, and ``create_agent``/LangGraph's ``ToolNode`` never try to run
it, because OpenRouter runs it while the model answers. A hand-written
``{"type": "openrouter:...", "parameters": {...}}`` dict is checked the same way.

:func:`generated_images` reads the images a model linked in its answer after using
``openrouter:image_generation`` (Chat Completions returns them only as links in the text).
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage

from openrouter_core.server_tools import (
    SPECS,
    check_server_tool,
    datetime_tool,
    image_generation,
    image_urls_in_text,
    is_server_tool,
    web_fetch,
    web_search,
)

__all__ = ["SPECS", "check_server_tool", "datetime_tool", "generated_images",
           "image_generation", "is_server_tool", "web_fetch", "web_search"]


def generated_images(message: BaseMessage) -> list[dict[str, Any]]:
    """The images the model linked in its text as Markdown images, as LangChain ``image``
    blocks (``{"type": "image", "url": ...}``), in order.

    Images a model outputs itself (``modalities``) are already ``image`` blocks in
    ``message.content``.
    """
    return [{"type": "image", "url": url} for url in image_urls_in_text(message.text)]
