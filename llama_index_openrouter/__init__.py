"""OpenRouter for LlamaIndex, thin adapters over ``openrouter_core``.

``OpenRouter`` (a ``FunctionCallingLLM``), ``OpenRouterMultiModal`` (the ``MultiModalLLM``
interface), ``OpenRouterEmbedding``, and cost tracking with ``get_openrouter_callback()`` or the
process-wide ``OpenRouterCostHandler``. Server tools (``openrouter:image_generation``, …):
:mod:`llama_index_openrouter.server_tools`.
"""

from openrouter_core import installation as _installation

# Without the extra, say which one to install rather than "No module named 'llama_index'".
_installation.require_extra("llama_index_openrouter", "llamaindex",
                            {"llama_index.core": "llama-index-core"})

from llama_index_openrouter.base import OpenRouter
from llama_index_openrouter.callbacks import (
    OpenRouterCostHandler,
    estimate_cost,
    get_openrouter_callback,
)
from llama_index_openrouter.embeddings import OpenRouterEmbedding, OpenRouterEmbeddingUsageEvent
from llama_index_openrouter.multi_modal import OpenRouterMultiModal
from llama_index_openrouter.server_tools import OpenRouterServerTool
from llama_index_openrouter.tools import OpenRouterToolSelection

__all__ = [
    "OpenRouter",
    "OpenRouterCostHandler",
    "OpenRouterEmbedding",
    "OpenRouterEmbeddingUsageEvent",
    "OpenRouterMultiModal",
    "OpenRouterServerTool",
    "OpenRouterToolSelection",
    "estimate_cost",
    "get_openrouter_callback",
]
