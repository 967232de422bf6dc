"""Code written for other OpenRouter integrations, running unchanged (or nearly) on these classes.

    python examples/migration.py

Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator with canned
replies (see ``_offline.py``).
"""

from __future__ import annotations

import os
import sys

from _offline import run_example

from openrouter_core.testing import Reply


def from_langchain_openrouter() -> None:
    """Arguments of the older ``langchain-openrouter`` package."""
    # --8<-- [start:langchain_openrouter]
    from langchain_openrouter import ChatOpenRouter  # same import path as before

    model = ChatOpenRouter(
        model="openai/gpt-4o-mini",
        openrouter_provider={"order": ["OpenAI"], "allow_fallbacks": False},
        reasoning={"effort": "low"},
        app_url="https://example.com", app_title="My App",
        max_retries=3, timeout=60, stream_usage=True,
        top_k=40,  # in model_kwargs it still works: moved here with a warning
    )
    print(model.invoke("Say hi.").text)
    # --8<-- [end:langchain_openrouter]


def from_chat_openai() -> None:
    """``ChatOpenAI(base_url=...)`` pointed at OpenRouter."""
    # --8<-- [start:chat_openai]
    from langchain_openrouter import ChatOpenRouter

    # Before:
    #   ChatOpenAI(model="openai/gpt-4o-mini", base_url="https://openrouter.ai/api/v1",
    #              api_key=os.environ["OPENROUTER_API_KEY"],
    #              extra_body={"provider": {"sort": "price"}, "models": [...]})
    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=os.environ["OPENROUTER_API_KEY"],
                           provider={"sort": "price"}, models=["openai/gpt-4.1-mini"])
    print(model.invoke("Say hi.").text)
    # --8<-- [end:chat_openai]


def from_llama_index_llms_openrouter() -> None:
    """Arguments of ``llama-index-llms-openrouter``."""
    # --8<-- [start:llama_index]
    # Before: from llama_index.llms.openrouter import OpenRouter
    from llama_index_openrouter import OpenRouter

    llm = OpenRouter(
        model="openai/gpt-4o-mini",
        api_key=os.environ["OPENROUTER_API_KEY"],
        max_tokens=256, context_window=128_000,
        order=["OpenAI", "Azure"], allow_fallbacks=True,  # folded into provider={...}
        additional_kwargs={"top_k": 40},
    )
    print(llm.complete("Say hi.").text)
    # --8<-- [end:llama_index]


def differences() -> None:
    """What behaves differently from langchain-openrouter, shown rather than told."""
    # --8<-- [start:differences]
    import warnings

    from pydantic import BaseModel

    from langchain_openrouter import ChatOpenRouter

    model = ChatOpenRouter(model="openai/gpt-4o-mini")
    print("profile:", (model.profile or {}).get("max_input_tokens"))  # from the bundled catalog

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatOpenRouter(model="openai/gpt-4o-mini", timeout=30000)  # milliseconds before
    print(str(caught[0].message).split(";")[0])

    class Answer(BaseModel):
        text: str

    # json_mode is a real JSON mode here (response_format={"type": "json_object"}); the older
    # package warned and used json_schema instead.
    print(model.with_structured_output(Answer, method="json_mode").invoke("Reply in JSON."))

    try:  # a reply without choices: the older package raised ValueError, so does this one
        model.invoke("This reply comes back empty.")
    except ValueError as exc:
        print(type(exc).__name__, "is a ValueError:", str(exc).split(":")[0])
    # --8<-- [end:differences]


def main() -> None:
    """Run the three migrations, then the differences."""
    for section in (from_langchain_openrouter, from_chat_openai,
                    from_llama_index_llms_openrouter, differences):
        print(f"== {section.__name__} ==")
        section()


CANNED = (Reply.text("Hi from langchain-openrouter style arguments!"),
          Reply.text("Hi, no more base_url needed!"),
          Reply.text("Hi from llama-index-llms-openrouter style arguments!"),
          Reply.text('{"text": "hello"}'),
          Reply.json({"id": "gen-empty", "object": "chat.completion",
                      "model": "openai/gpt-4o-mini", "choices": []}))

if __name__ == "__main__":
    sys.exit(run_example(main, *CANNED))
