"""RAG with OpenRouter on both sides: embeddings for retrieval, the chat model for answers.

The emulator's auto embeddings are hashed bag-of-words vectors, so retrieval really ranks
documents by shared words; the answer echoes the prompt, which lets us check which document
the framework put in front of the model.
"""

from __future__ import annotations

import pytest

from openrouter_core.testing import Emulator

TEST_KEY = "sk-or-v1-rag-test-0123-abcdef"
DOCS = [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.",
    "Photosynthesis lets green plants turn sunlight, water and carbon dioxide into sugar.",
    "The Great Barrier Reef off Queensland, Australia is the largest coral reef system.",
]
QUESTION = "Which coral reef system is the largest?"


def prompt_of(emu: Emulator) -> str:
    return emu.chat_requests[-1].prompt_text


def test_llama_index_vector_store_index(openrouter_emulator: Emulator) -> None:
    llama_index_openrouter = pytest.importorskip("llama_index_openrouter")
    if not hasattr(llama_index_openrouter, "OpenRouter"):
        pytest.skip("llama_index_openrouter.OpenRouter is not available yet")
    from llama_index.core import Document, VectorStoreIndex

    from llama_index_openrouter.callbacks import get_openrouter_callback
    from llama_index_openrouter.embeddings import OpenRouterEmbedding

    emu = openrouter_emulator
    embed = OpenRouterEmbedding(api_key=TEST_KEY, api_base=emu.base_url, dimensions=256)
    llm = llama_index_openrouter.OpenRouter(model="openai/gpt-4o-mini", api_key=TEST_KEY,
                                            api_base=emu.base_url)
    with get_openrouter_callback() as costs:
        index = VectorStoreIndex.from_documents([Document(text=d) for d in DOCS],
                                                embed_model=embed)
        engine = index.as_query_engine(llm=llm, similarity_top_k=1)
        response = engine.query(QUESTION)
    assert [n.node.get_content() for n in response.source_nodes] == [DOCS[2]]
    assert DOCS[2] in prompt_of(emu) and DOCS[0] not in prompt_of(emu)
    assert "Here is a short answer about" in str(response)
    assert costs.total.embedding_requests == 2 and costs.requests == 3
    assert costs.total_cost > 0


async def test_llama_index_async_query(openrouter_emulator: Emulator) -> None:
    llama_index_openrouter = pytest.importorskip("llama_index_openrouter")
    from llama_index.core import Document, VectorStoreIndex

    from llama_index_openrouter.embeddings import OpenRouterEmbedding

    emu = openrouter_emulator
    embed = OpenRouterEmbedding(api_key=TEST_KEY, api_base=emu.base_url, dimensions=256)
    llm = llama_index_openrouter.OpenRouter(model="openai/gpt-4o-mini", api_key=TEST_KEY,
                                            api_base=emu.base_url)
    index = VectorStoreIndex.from_documents([Document(text=d) for d in DOCS],
                                            embed_model=embed)
    retriever = index.as_retriever(similarity_top_k=1)
    nodes = await retriever.aretrieve("How do plants use sunlight?")
    assert nodes[0].node.get_content() == DOCS[1]
    response = await index.as_query_engine(llm=llm).aquery("Where is the Eiffel Tower?")
    assert response.source_nodes[0].node.get_content() == DOCS[0]


def test_langchain_retriever_chain(openrouter_emulator: Emulator) -> None:
    langchain_openrouter = pytest.importorskip("langchain_openrouter")
    if not hasattr(langchain_openrouter, "ChatOpenRouter"):
        pytest.skip("langchain_openrouter.ChatOpenRouter is not available yet")
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_openrouter.callbacks import get_openrouter_callback
    from langchain_openrouter.embeddings import OpenRouterEmbeddings

    emu = openrouter_emulator
    embeddings = OpenRouterEmbeddings(api_key=TEST_KEY, base_url=emu.base_url, dimensions=256)
    store = InMemoryVectorStore(embedding=embeddings)
    store.add_texts(DOCS)
    retriever = store.as_retriever(search_kwargs={"k": 1})
    prompt = ChatPromptTemplate.from_messages(
        [("user", "Answer from the context.\nContext: {context}\nQuestion: {question}")])
    model = langchain_openrouter.ChatOpenRouter(model="openai/gpt-4o-mini", api_key=TEST_KEY,
                                                base_url=emu.base_url)
    chain = ({"context": retriever | (lambda docs: "\n".join(d.page_content for d in docs)),
              "question": RunnablePassthrough()} | prompt | model | StrOutputParser())
    with get_openrouter_callback() as cb:
        answer = chain.invoke(QUESTION)
    assert DOCS[2] in answer and DOCS[0] not in answer
    assert [d.page_content for d in retriever.invoke("Tell me about the Eiffel Tower")] == \
        [DOCS[0]]
    assert cb.total.embedding_requests == 1 and cb.requests == 2  # the query, then the answer
    assert cb.total_cost > 0


async def test_langchain_async_retrieval(openrouter_emulator: Emulator) -> None:
    pytest.importorskip("langchain_openrouter")
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_openrouter.embeddings import OpenRouterEmbeddings

    emu = openrouter_emulator
    embeddings = OpenRouterEmbeddings(api_key=TEST_KEY, base_url=emu.base_url, dimensions=256)
    store = InMemoryVectorStore(embedding=embeddings)
    await store.aadd_texts(DOCS)
    found = await store.asimilarity_search("sunlight water plants sugar", k=1)
    assert found[0].page_content == DOCS[1]
