"""Provider routing and model fallbacks, and who actually served each answer.

    python examples/provider_routing.py

Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator, scripted so the
second call is answered by a fallback model (see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
from langchain_core.messages import AIMessage

from langchain_openrouter import ChatOpenRouter


def served(label: str, reply: AIMessage) -> None:
    """Print the answer and what OpenRouter reports about who served it."""
    meta = reply.response_metadata
    print(f"{label}: {reply.text}\n   served model: {meta['model_name']}, "
          f"provider: {meta.get('provider')}, cost: ${meta.get('cost', 0):.6f}")


def route() -> None:
    """Pin providers for one model, then let a fallback list take over."""
    model = ChatOpenRouter(
        model="meta-llama/llama-3.3-70b-instruct",
        openrouter_provider={  # `provider=` is accepted too
            "order": ["DeepInfra", "Together"],  # try these first, in this order
            "allow_fallbacks": True,  # then any other provider of the same model
            "data_collection": "deny",  # only providers that do not store prompts
            "max_price": {"prompt": 1, "completion": 2},  # USD per million tokens
        },
    )
    served("pinned providers", model.invoke("Say hello in Portuguese."))

    # Fallback models: if the first is down, rate limited or refuses, the next one answers.
    resilient = ChatOpenRouter(model="anthropic/claude-sonnet-4.5",
                               models=["openai/gpt-4o", "google/gemini-2.5-flash"])
    served("with fallbacks", resilient.invoke("Say hello in Japanese."))

    # Any setting can change for one call only, e.g. the cheapest provider this time.
    served("cheapest", model.invoke("Say hello in Swahili.",
                                    openrouter_provider={"sort": "price"}))
# --8<-- [end:example]


CANNED = (
    Reply.text("Olá!", provider="DeepInfra"),
    Reply.text("こんにちは!", model="openai/gpt-4o", provider="Azure"),
    Reply.text("Habari!", provider="Novita"),
)

if __name__ == "__main__":
    sys.exit(run_example(route, *CANNED))
