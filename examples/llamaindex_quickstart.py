"""LlamaIndex quickstart: complete, stream, chat, and what each call cost.

    python examples/llamaindex_quickstart.py [model]

Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator with canned
replies (see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
from llama_index.core.llms import ChatMessage

from llama_index_openrouter import OpenRouter


def quickstart(model: str = "openai/gpt-4o-mini") -> None:
    """One completion, one streamed completion, one chat turn."""
    llm = OpenRouter(model=model, temperature=0.2, max_tokens=200)

    answer = llm.complete("Name one reason to route LLM calls through a gateway.")
    print(f"complete: {answer.text}")
    facts = answer.additional_kwargs  # usage, cost and routing facts from OpenRouter
    print(f"  served by {facts.get('provider')} as {facts.get('model')}, "
          f"{facts.get('total_tokens')} tokens, ${facts.get('cost', 0):.6f}")

    print("stream: ", end="", flush=True)
    for chunk in llm.stream_complete("Count from one to five in words."):
        print(chunk.delta, end="", flush=True)
    print()

    reply = llm.chat([
        ChatMessage(role="system", content="You answer in exactly one short sentence."),
        ChatMessage(role="user", content="What is LlamaIndex for?"),
    ])
    print(f"chat: {reply.message.content}")
# --8<-- [end:example]


CANNED = (
    Reply.text("A gateway lets you switch models and providers without touching your code."),
    Reply.text("One, two, three, four, five."),
    Reply.text("LlamaIndex connects language models to your own data."),
)

if __name__ == "__main__":
    sys.exit(run_example(lambda: quickstart(*sys.argv[1:2]), *CANNED))
