"""OpenRouter for LlamaIndex: ``OpenRouter`` (a ``FunctionCallingLLM``) and
``OpenRouterMultiModal`` (the ``MultiModalLLM`` interface), both thin adapters over
``openrouter_core``.
"""

from llama_index_openrouter.base import OpenRouter
from llama_index_openrouter.multi_modal import OpenRouterMultiModal
from llama_index_openrouter.tools import OpenRouterToolSelection

__all__ = ["OpenRouter", "OpenRouterMultiModal", "OpenRouterToolSelection"]
