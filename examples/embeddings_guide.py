"""The topics of the embeddings guide (docs/embeddings.md), runnable in one go.

    python examples/embeddings_guide.py

The guide shows them as whole programs (the ``--8<--`` markers are kept).
Live with ``OPENROUTER_API_KEY`` set;
otherwise against the offline emulator, whose embeddings are deterministic bag-of-words
vectors (see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply


def langchain() -> None:
    """``OpenRouterEmbeddings`` with every common setting."""
    # --8<-- [start:langchain]
    import math

    from langchain_openrouter import OpenRouterEmbeddings

    def cosine(a: list[float], b: list[float]) -> float:
        dot = sum(x * y for x, y in zip(a, b, strict=True))
        return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))

    embeddings = OpenRouterEmbeddings(
        model="openai/text-embedding-3-small",
        dimensions=256,
        batch_size=64,  # inputs per request
        provider={"order": ["OpenAI"]},  # routing preferences
        max_retries=2, timeout=30,
    )
    texts = ["The cat sat on the mat.", "Stock prices fell sharply."]
    vectors = embeddings.embed_documents(texts)
    query = embeddings.embed_query("Where did the cat sit?")  # aembed_* for async
    print(f"{len(vectors)} vectors of {len(vectors[0])} floats")
    print("closest:", max(zip(texts, vectors, strict=True), key=lambda t: cosine(query, t[1]))[0])
    usage = embeddings.last_usage  # the last call (embed_query), summed over its batches
    if usage is not None:
        print(f"last call: {usage.prompt_tokens} tokens, ${usage.cost or 0:.6f}")
    # --8<-- [end:langchain]


def llama_index() -> None:
    """``OpenRouterEmbedding`` in a LlamaIndex vector index."""
    # --8<-- [start:llama_index]
    from llama_index.core import Document, Settings, VectorStoreIndex

    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

    Settings.embed_model = OpenRouterEmbedding(model="openai/text-embedding-3-small",
                                               dimensions=256, embed_batch_size=64)
    Settings.llm = OpenRouter(model="openai/gpt-4o-mini")
    index = VectorStoreIndex.from_documents([
        Document(text="On weekdays the library is open from 9:00 to 18:00."),
        Document(text="Parking is free for library members after 17:00."),
    ])
    answer = index.as_query_engine(similarity_top_k=1).query("When is the library open?")
    print(answer)
    print("  from:", answer.source_nodes[0].node.get_content()[:40], "...")
    usage = Settings.embed_model.last_usage  # the last request (the query's)
    if usage is not None:
        print(f"  query embedding: {usage.prompt_tokens} tokens, ${usage.cost or 0:.6f}")
    # --8<-- [end:llama_index]


def core() -> None:
    """The framework-free core function."""
    # --8<-- [start:core]
    import os

    from pydantic import SecretStr

    from openrouter_core.embeddings import EmbeddingOptions, embed
    from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

    endpoint = Endpoint(base_url=os.environ.get("OPENROUTER_API_BASE", DEFAULT_BASE_URL),
                        api_key=SecretStr(os.environ["OPENROUTER_API_KEY"]))
    result = embed(endpoint, "openai/text-embedding-3-small", ["one", "two", "three"],
                   EmbeddingOptions(dimensions=32, encoding_format="base64"), batch_size=2)
    print(f"{len(result.vectors)} vectors of {len(result.vectors[0])} floats "
          f"in {len(result.ids)} requests, served by {result.provider}, ${result.cost or 0:.6f}")
    # --8<-- [end:core]


def testing() -> None:
    """Embeddings against a self-started emulator (no key, no network)."""
    # --8<-- [start:testing]
    from langchain_openrouter import OpenRouterEmbeddings
    from openrouter_core.testing import Emulator, endpoints

    with Emulator() as emu:
        embeddings = OpenRouterEmbeddings(base_url=emu.base_url, api_key="sk-or-v1-test",
                                          dimensions=64)
        print(len(embeddings.embed_query("hello")), embeddings.last_usage.cost)

        emu.embeddings_responder = endpoints.base64_embeddings  # honour encoding_format
        packed = OpenRouterEmbeddings(base_url=emu.base_url, api_key="sk-or-v1-test",
                                      dimensions=64, encoding_format="base64")
        floats, decoded = embeddings.embed_query("hello"), packed.embed_query("hello")
        print("base64 decodes to the same vector (float32 precision):",
              all(abs(a - b) < 1e-6 for a, b in zip(floats, decoded, strict=True)))
    # --8<-- [end:testing]


def main() -> None:
    """Run every section in order."""
    for section in (langchain, llama_index, core, testing):
        print(f"\n== {section.__name__} ==")
        section()


CANNED = (
    Reply.text("On weekdays the library is open from 9:00 to 18:00."),
)

if __name__ == "__main__":
    sys.exit(run_example(main, *CANNED))
