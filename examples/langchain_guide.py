"""The topics of the LangChain guide (docs/langchain.md), runnable in one go.

    python examples/langchain_guide.py

The guide shows them as whole programs (the ``--8<--`` markers are kept).
Live with ``OPENROUTER_API_KEY`` set;
otherwise against the offline emulator with canned replies (see ``_offline.py``).
"""

from __future__ import annotations

import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:imports]
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool

from langchain_openrouter import ChatOpenRouter

# --8<-- [end:imports]


def settings() -> None:
    """Constructor settings, per-call overrides, streaming."""
    # --8<-- [start:settings]
    model = ChatOpenRouter(
        model="openai/gpt-4o-mini",  # any slug from openrouter.ai/models
        temperature=0.3,
        max_tokens=300,
        session_id="docs-demo",  # groups requests in OpenRouter's activity view
        app_title="My App",  # optional attribution (sent as X-OpenRouter-Title)
    )
    print(model.invoke("Give me a haiku about routers.").text)

    # Every setting can be overridden for one call.
    short = model.invoke("Now a one-word poem.", temperature=1.0, max_tokens=5)
    print(short.text)

    for chunk in model.stream("Spell 'OpenRouter' with dashes."):
        print(chunk.text, end="", flush=True)
    print()
    # --8<-- [end:settings]


# --8<-- [start:tools]
@tool
def get_stock(sku: str) -> int:
    """Units in stock for a product SKU."""
    return {"LAMP-01": 12}.get(sku, 0)


def tools() -> None:
    """Function tools, a forced tool choice, and an OpenRouter server tool."""
    model = ChatOpenRouter(model="openai/gpt-4o-mini")
    with_tools = model.bind_tools([get_stock], tool_choice="get_stock")
    reply = with_tools.invoke("How many LAMP-01 do we have?")
    for call in reply.tool_calls:
        print(f"tool call: {call['name']}({call['args']}) -> {get_stock.invoke(call).content}")

    # Server tools run on OpenRouter's side: no code of yours is called.
    searcher = model.bind_tools([{"type": "openrouter:web_search",
                                  "parameters": {"max_results": 3}}])
    print(searcher.invoke("What is the latest stable Python release?").text)
# --8<-- [end:tools]


def reasoning() -> None:
    """Reasoning tokens, and multi-turn conversations that keep them."""
    # --8<-- [start:reasoning]
    thinker = ChatOpenRouter(model="anthropic/claude-sonnet-4.5",
                             reasoning={"max_tokens": 2000})  # or {"effort": "low"}
    history: list[HumanMessage | AIMessage] = [
        HumanMessage("A bat and a ball cost $1.10; the bat costs $1 more. Ball price?")]
    first = thinker.invoke(history)
    for block in first.content_blocks:
        if block["type"] == "reasoning":
            print(f"(thinking) {block.get('reasoning', '')}")
    print(first.text)
    details = first.additional_kwargs.get("reasoning_details", [])
    print(f"{len(details)} reasoning_details item(s), "
          f"{first.usage_metadata['output_token_details'].get('reasoning')} reasoning tokens")

    # Keep the AIMessage in the history: its reasoning_details go back unchanged,
    # which Anthropic and Gemini require to continue a signed chain of thought.
    history += [first, HumanMessage("And if the bat cost $2 more?")]
    print(thinker.invoke(history).text)
    # --8<-- [end:reasoning]


def citations() -> None:
    """Web search with citations."""
    # --8<-- [start:citations]
    online = ChatOpenRouter(model="openai/gpt-4o-mini", plugins=[{"id": "web", "max_results": 2}])
    reply = online.invoke("Who maintains the LangChain project?")
    print(reply.text)
    for block in reply.content_blocks:
        for note in block.get("annotations", []) if block["type"] == "text" else []:
            if note["type"] == "citation":
                print(f"  [{note.get('title')}]({note.get('url')})")
    # The raw OpenRouter annotations are kept too.
    print(f"  {len(reply.response_metadata.get('annotations', []))} annotation(s) in metadata")
    # --8<-- [end:citations]


def caching() -> None:
    """Prompt caching with an explicit cache breakpoint."""
    # --8<-- [start:caching]
    policy = "\n".join(f"Rule {i}: refunds over {i * 10} euros need a manager's approval."
                       for i in range(1, 200))  # long enough to be worth caching
    system = SystemMessage(content=[
        {"type": "text", "text": policy, "cache_control": {"type": "ephemeral"}}])
    model = ChatOpenRouter(model="anthropic/claude-haiku-4.5")
    for question in ("Can I refund 45 euros alone?", "And 500 euros?"):
        reply = model.invoke([system, HumanMessage(question)])
        details = (reply.usage_metadata or {}).get("input_token_details", {})
        print(f"{reply.text}  (cache write {details.get('cache_creation', 0)}, "
              f"cache read {details.get('cache_read', 0)} tokens)")
    # --8<-- [end:caching]


def errors_and_retries() -> None:
    """Typed errors, retries and fallbacks."""
    # --8<-- [start:errors]
    from langchain_openrouter import OpenRouterInvalidRequestError, OpenRouterNotFoundError

    broken = ChatOpenRouter(model="no-such/model", max_retries=0)
    try:
        broken.invoke("Hello?")
    except (OpenRouterInvalidRequestError, OpenRouterNotFoundError) as exc:
        print(f"{type(exc).__name__} ({exc.status_code}): {exc.error_message}")

    # Retries (429, 5xx, timeouts; Retry-After honoured) are built in. For a different
    # model when one keeps failing, use OpenRouter's `models=[...]` or LangChain fallbacks:
    safe = broken.with_fallbacks([ChatOpenRouter(model="openai/gpt-4o-mini", timeout=30)])
    print(safe.invoke("Hello?").text)
    # --8<-- [end:errors]


def init_chat_model_demo() -> None:
    """``init_chat_model`` loads ChatOpenRouter."""
    # --8<-- [start:init_chat_model]
    from langchain.chat_models import init_chat_model

    model = init_chat_model("openrouter:openai/gpt-4o-mini", temperature=0)
    print(type(model).__name__, "->", model.invoke("Say OK.").text)
    # --8<-- [end:init_chat_model]


def main() -> None:
    """Run every section in order."""
    for section in (settings, tools, reasoning, citations, caching, errors_and_retries,
                    init_chat_model_demo):
        print(f"\n== {section.__name__} ==")
        section()


NOT_VALID = "no-such/model is not a valid model ID"
CANNED = (
    # settings
    Reply.text("Packets find their way /\nthrough a thousand open doors /\none key opens all."),
    Reply.text("Routed."),
    Reply.text("O-p-e-n-R-o-u-t-e-r"),
    # tools
    Reply.tool_calls(("get_stock", {"sku": "LAMP-01"})),
    Reply.text("The latest stable release is listed on python.org/downloads.",
               annotations=[{"type": "url_citation", "url_citation": {
                   "url": "https://www.python.org/downloads/", "title": "Download Python"}}]),
    # reasoning
    Reply.text("The ball costs $0.05.", reasoning="ball + (ball + 1) = 1.10, so ball = 0.05.",
               reasoning_format="anthropic-claude-v1", signature="EqQBCkYIBxgCKkD...",
               reasoning_tokens=24, provider="Anthropic"),
    Reply.text("Then the ball would cost -$0.45, which is impossible.", provider="Anthropic"),
    # citations
    Reply.text("LangChain is maintained by LangChain, Inc. and its open-source community.",
               annotations=[{"type": "url_citation", "url_citation": {
                   "url": "https://github.com/langchain-ai/langchain", "title": "langchain-ai",
                   "start_index": 0, "end_index": 9}}]),
    # caching
    Reply.text("Yes: under 50 euros needs no approval.", cache_write_tokens=2400,
               provider="Anthropic"),
    Reply.text("No: 500 euros needs a manager's approval.", cached_tokens=2400,
               provider="Anthropic"),
    # errors
    Reply.error(400, NOT_VALID),
    Reply.error(400, NOT_VALID),
    Reply.text("Hello! How can I help?"),
    # init_chat_model
    Reply.text("OK."),
)

if __name__ == "__main__":
    sys.exit(run_example(main, *CANNED))
