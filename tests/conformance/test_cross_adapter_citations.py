"""Both adapters report the same citations for the same recorded bytes, streamed or not.

For every recorded reply with annotations, LangChain's ``citation`` annotations (on the text
block of ``content_blocks``) and LlamaIndex's ``CitationBlock``s are reduced to the same tuple
(url, title, cited text, start, end) and compared with each other and with ``expected.py``'s
independent reading of the ``url_citation`` payloads. A field the server did not send is
``None`` on both sides.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CitationBlock

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import transport
from openrouter_core.testing import Emulator
from tests.conformance.expected import expected_reply
from tests.conformance.recordings import Exchange, recorded_model, serve

Cited = tuple[str, str | None, str | None, int | None, int | None]
KEY = "sk-or-v1-conformance"


def _expected(exchange: Exchange) -> list[Cited]:
    out = []
    for annotation in expected_reply(exchange).annotations:
        if annotation.get("type") != "url_citation":
            continue
        c: dict[str, Any] = annotation["url_citation"]
        out.append((c["url"], c.get("title") or None, c.get("content") or None,
                    c.get("start_index"), c.get("end_index")))
    return out


def _langchain(message: AIMessage) -> list[Cited]:
    found = []
    for block in message.content_blocks:
        for a in block.get("annotations", []) if block["type"] == "text" else []:
            if a["type"] == "citation":
                found.append((a.get("url", ""), a.get("title"), a.get("cited_text"),
                              a.get("start_index"), a.get("end_index")))
    return found


def _llama_index(response: ChatResponse) -> list[Cited]:
    found = []
    for block in response.message.blocks:
        if isinstance(block, CitationBlock):
            text = getattr(block.cited_content, "text", None)
            where = block.additional_location_info
            found.append((block.source, block.title or None, text or None,
                          where.get("start_index"), where.get("end_index")))
    return found


def _lc_message(server: Emulator, exchange: Exchange) -> AIMessage:
    serve(server, exchange)
    model = ChatOpenRouter(model=recorded_model(exchange), api_key=KEY,
                           base_url=server.base_url, max_retries=0)
    if not exchange.streamed_request:
        return model.invoke("Hello")
    chunks = list(model.stream("Hello"))
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full, AIMessageChunk)
    return AIMessage(content=full.content, response_metadata=full.response_metadata)


def _li_response(server: Emulator, exchange: Exchange) -> ChatResponse:
    serve(server, exchange)
    llm = OpenRouter(model=recorded_model(exchange), api_key=KEY, api_base=server.base_url,
                     max_retries=0)
    messages = [ChatMessage(role="user", content="Hello")]
    if not exchange.streamed_request:
        return llm.chat(messages)
    return list(llm.stream_chat(messages))[-1]


def test_both_adapters_report_the_recorded_citations(server: Emulator,
                                                     cited_exchange: Exchange) -> None:
    try:
        langchain = _langchain(_lc_message(server, cited_exchange))
        llama_index = _llama_index(_li_response(server, cited_exchange))
    finally:
        transport.close()
    expected = _expected(cited_exchange)
    assert expected, "the parametrisation only picks replies with citations"
    assert langchain == llama_index == expected
