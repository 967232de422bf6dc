"""The LlamaIndex model's offline tokenizer, in the places LlamaIndex takes one."""

from __future__ import annotations

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.memory import ChatMemoryBuffer

from llama_index_openrouter import OpenRouter
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-tokens-test"
# 10 tokens in o200k_base (GPT-4o's encoding), 17 in cl100k_base (LlamaIndex's default
# tokenizer): a count that matches proves which tokenizer was used.
JAPANESE = "こんにちは、世界。今日はいい天気ですね。"


def test_tokenizer_is_the_family_encoding() -> None:
    assert OpenRouter(model="openai/gpt-4o-mini", api_key=KEY).tokenizer("Hello, world!") == [
        13225, 11, 2375, 0]
    claude = OpenRouter(model="anthropic/claude-sonnet-4", api_key=KEY)
    assert len(claude.tokenizer("Hello, world!")) == 4


def test_chat_memory_buffer_trims_with_it() -> None:
    llm = OpenRouter(model="openai/gpt-4", api_key=KEY)  # 8,191-token window in the catalog
    memory = ChatMemoryBuffer.from_defaults(llm=llm, tokenizer_fn=llm.tokenizer, token_limit=3)
    memory.put(ChatMessage(role="user", content="one two three four five six seven"))
    memory.put(ChatMessage(role="assistant", content="eight nine"))
    memory.put(ChatMessage(role="user", content="ten eleven"))
    kept = memory.get()
    assert [m.content for m in kept] == ["ten eleven"]  # 2 tokens; with "eight nine", 4
    default = ChatMemoryBuffer.from_defaults(llm=llm, tokenizer_fn=llm.tokenizer)
    assert default.token_limit == int(8191 * 0.75)
    mini = OpenRouter(model="openai/gpt-4o-mini", api_key=KEY)
    fits = ChatMemoryBuffer.from_defaults(llm=mini, tokenizer_fn=mini.tokenizer, token_limit=10)
    fits.put(ChatMessage(role="user", content=JAPANESE))
    assert [m.content for m in fits.get()] == [JAPANESE]  # cl100k would count 17 and drop it


def test_token_counting_handler_counts_with_it(openrouter_emulator: Emulator) -> None:
    counter = TokenCountingHandler(tokenizer=OpenRouter(model="openai/gpt-4o-mini",
                                                        api_key=KEY).tokenizer)
    llm = OpenRouter(model="openai/gpt-4o-mini", api_key=KEY,
                     api_base=openrouter_emulator.base_url,
                     callback_manager=CallbackManager([counter]))
    # No usage in the reply: otherwise the handler reads the server's counts, not the tokenizer.
    openrouter_emulator.enqueue(Reply.text("Hello, world!", send_usage=False))
    llm.complete("Say hello")
    assert counter.total_llm_token_count > 0
    assert counter.llm_token_counts[-1].completion_token_count == 4
    openrouter_emulator.enqueue(Reply.text(JAPANESE, send_usage=False))
    llm.complete("Say hello in Japanese")
    assert counter.llm_token_counts[-1].completion_token_count == 10
