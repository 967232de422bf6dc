"""Process-pool worker for the pickling tests (importable by ``spawn`` children)."""

from __future__ import annotations

import os
import pickle
from typing import Any

from openrouter_core import transport


def answer(pickled_model: bytes) -> dict[str, Any]:
    """Unpickle a model, call it once synchronously, report pid, text and pools opened."""
    model: Any = pickle.loads(pickled_model)
    before = transport.connections_opened
    if hasattr(model, "invoke"):
        text = model.invoke("hello from a worker").content
    else:
        from llama_index.core.base.llms.types import ChatMessage, MessageRole

        reply = model.chat([ChatMessage(role=MessageRole.USER, content="hello from a worker")])
        text = reply.message.content
    clients = [key for key in transport._sync_clients if key[0] == os.getpid()]
    return {"pid": os.getpid(), "text": text,
            "opened": transport.connections_opened - before, "own_clients": len(clients)}
