"""The topics of the model catalog guide (docs/catalog.md), runnable in one go.

    python examples/catalog_guide.py

The guide shows them as whole programs (the ``--8<--`` markers are kept).
Live with ``OPENROUTER_API_KEY`` set
(the real ``GET /models``); otherwise against the offline emulator, whose ``/models`` lists a
handful of well-known models (see ``_offline.py``). Before any fetch, the bundled snapshot
answers.
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:imports]
import warnings

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import catalog

# --8<-- [end:imports]


def adapters() -> None:
    """What the adapters know about a model before and after the catalog is warmed."""
    # --8<-- [start:adapters]
    # Constructing a model never fetches: it sees a catalog fetched earlier in the process,
    # else the bundled snapshot (a real GET /models; see openrouter_core/data/README.md).
    cold = ChatOpenRouter(model="anthropic/claude-sonnet-4").profile or {}
    print(f"snapshot profile: {cold.get('max_input_tokens')} input tokens, "
          f"{cold.get('max_output_tokens')} output, structured output "
          f"{cold.get('structured_output')}")
    llm = OpenRouter(model="anthropic/claude-sonnet-4")
    print(f"snapshot LlamaIndex metadata: context_window={llm.metadata.context_window}, "
          f"num_output={llm.metadata.num_output}")

    catalog.get_catalog()  # at start-up: one GET /models, cached for OPENROUTER_CATALOG_TTL

    warm = ChatOpenRouter(model="anthropic/claude-sonnet-4.5")
    profile = warm.profile or {}
    print(f"profile after warm-up: {profile.get('max_input_tokens')} input tokens, "
          f"tools {profile.get('tool_calling')}, reasoning {profile.get('reasoning_output')}")
    metadata = OpenRouter(model="anthropic/claude-sonnet-4.5").metadata
    print(f"LlamaIndex metadata: context_window={metadata.context_window}, "
          f"num_output={metadata.num_output}")
    # --8<-- [end:adapters]


def lookups() -> None:
    """Look-ups, dated names and choosing models by capability and price."""
    # --8<-- [start:lookup]
    info = catalog.lookup("anthropic/claude-haiku-4.5:nitro")  # ":nitro" stripped
    if info is not None:
        print(info.id, info.context_length, info.max_completion_tokens)
        print(f"${(info.pricing.prompt * 1_000_000).normalize()} per million prompt tokens")
        print(info.supports_tools, info.supports_structured_output, info.reasoning.efforts)

    # A served, dated name resolves to its family through canonical_slug:
    dated = catalog.lookup("anthropic/claude-4.5-haiku-20251001")
    print("dated name ->", dated.id if dated else None)

    # Pick models by capability and price (cheapest prompt price first):
    for m in catalog.list_models(supports="tools", input_modality="image",
                                 max_prompt_price="0.000001"):  # $1 per million tokens
        print(f"  {m.id:<32} ${(m.pricing.prompt * 1_000_000).normalize()} per million")
    # --8<-- [end:lookup]


def unsupported() -> None:
    """A parameter the model does not list: warned about once, still sent."""
    # --8<-- [start:unsupported]
    model = ChatOpenRouter(model="meta-llama/llama-3.3-70b-instruct:free", seed=7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", catalog.UnsupportedParameterWarning)
        model.invoke("Say hi.")
        model.invoke("Say hi again.")  # same model and parameter: no second warning
    for warning in caught:
        print(f"{warning.category.__name__}: {warning.message}")
    # --8<-- [end:unsupported]


def for_adapters() -> None:
    """The pure functions the adapters are built from."""
    # --8<-- [start:for_adapters]
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.2, "top_k": 40, "provider": {"sort": "price"}}

    info = catalog.lookup_cached(body["model"])  # no fetch: cached live data or the snapshot
    print("tool calling:", info and info.supports_tools,
          "| context window:", info and info.context_length,
          "| native JSON schema:", catalog.native_structured_output(info))

    if info is not None:
        print("not supported:", catalog.unsupported_parameters(info, body))  # routing keys ignored
    # What both adapters call before each request: warns once per model and parameter.
    print("warned about now:", catalog.check_request(body))
    print("warned about again:", catalog.check_request(body))
    # --8<-- [end:for_adapters]


def against_the_emulator() -> None:
    """The catalog of a self-started emulator (works without a key or network)."""
    # --8<-- [start:emulator]
    from pydantic import SecretStr

    from openrouter_core.testing import Emulator
    from openrouter_core.transport import Endpoint

    with Emulator() as emu:
        endpoint = Endpoint(base_url=emu.base_url, api_key=SecretStr("sk-or-v1-test"))
        print(catalog.lookup("anthropic/claude-4.5-haiku-20251001", endpoint))
    # --8<-- [end:emulator]


def token_counts() -> None:
    """Counting tokens offline: LangChain trimming, LlamaIndex memory."""
    # --8<-- [start:tokens]
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
    from llama_index.core.memory import ChatMemoryBuffer

    model = ChatOpenRouter(model="openai/gpt-4o-mini")
    print("tokens in 'Hello, world!':", model.get_num_tokens("Hello, world!"))
    history = [SystemMessage("Be terse."), HumanMessage("Capital of France?"),
               AIMessage("Paris."), HumanMessage("And of Italy?")]
    print("tokens in the history:", model.get_num_tokens_from_messages(history))
    kept = trim_messages(history, max_tokens=25, token_counter=model, include_system=True,
                         strategy="last", start_on="human")
    print("kept:", [m.content for m in kept])

    llm = OpenRouter(model="anthropic/claude-sonnet-4")
    memory = ChatMemoryBuffer.from_defaults(llm=llm, tokenizer_fn=llm.tokenizer)
    print("LlamaIndex memory limit:", memory.token_limit)  # 75% of a 200,000-token window
    # --8<-- [end:tokens]


def main() -> None:
    """Run every section in order (the adapters section first: it starts cold)."""
    for section in (adapters, lookups, unsupported, for_adapters, against_the_emulator,
                    token_counts):
        print(f"\n== {section.__name__} ==")
        section()


CANNED = (
    Reply.text("Hi!"),
    Reply.text("Hi again!"),
)

if __name__ == "__main__":
    sys.exit(run_example(main, *CANNED))
