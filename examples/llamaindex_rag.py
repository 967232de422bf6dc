"""Retrieval-augmented generation with LlamaIndex over the text files in ``examples/data``.

    python examples/llamaindex_rag.py ["your question"]

Embeddings and answers both come from OpenRouter (``OpenRouterEmbedding`` and
``OpenRouter``). Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator,
whose embeddings are deterministic bag-of-words vectors, so retrieval really ranks the files
(see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
from pathlib import Path

from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

from llama_index_openrouter import OpenRouter
from llama_index_openrouter.embeddings import OpenRouterEmbedding

DATA = Path(__file__).parent / "data"


def ask(question: str = "When does the library close on Saturdays?") -> None:
    """Index the files, retrieve the most relevant one, stream an answer grounded in it."""
    documents = SimpleDirectoryReader(str(DATA)).load_data()
    embed_model = OpenRouterEmbedding(model="openai/text-embedding-3-small", dimensions=256)
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)

    llm = OpenRouter(model="openai/gpt-4o-mini", temperature=0)
    engine = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
    response = engine.query(question)
    print(f"Q: {question}\nA: ", end="", flush=True)
    for token in response.response_gen:
        print(token, end="", flush=True)
    print()
    for source in response.source_nodes:
        print(f"   source: {source.node.metadata['file_name']} (score {source.score:.2f})")
# --8<-- [end:example]


CANNED = Reply.text("On Saturdays the library closes early, at 16:00.")

if __name__ == "__main__":
    sys.exit(run_example(lambda: ask(*sys.argv[1:2]), CANNED))
