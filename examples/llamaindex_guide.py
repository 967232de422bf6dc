"""The topics of the LlamaIndex guide (docs/llama-index.md), runnable in one go.

    python examples/llamaindex_guide.py

The guide shows them as whole programs (the ``--8<--`` markers are kept).
Live with ``OPENROUTER_API_KEY`` set;
otherwise against the offline emulator with canned replies (see ``_offline.py``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:imports]
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock, ThinkingBlock
from pydantic import BaseModel

from llama_index_openrouter import OpenRouter, OpenRouterMultiModal

# --8<-- [end:imports]

# A 1x1 PNG, so the multimodal samples need no file and no network.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def settings() -> None:
    """Constructor settings, provider routing and fallbacks."""
    # --8<-- [start:settings]
    llm = OpenRouter(
        model="meta-llama/llama-3.3-70b-instruct",
        temperature=0.2,
        max_tokens=256,
        provider={"sort": "throughput", "data_collection": "deny"},  # provider routing
        models=["mistralai/mistral-small-3.2-24b-instruct"],  # fallback models
    )
    response = llm.complete("One sentence on why fallbacks matter.")
    info = response.additional_kwargs
    print(f"{response.text}\n  ({info.get('model')} via {info.get('provider')}, "
          f"${info.get('cost', 0):.6f})")
    # --8<-- [end:settings]


# --8<-- [start:agent]
def convert_celsius(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return celsius * 9 / 5 + 32


async def agent() -> None:
    """A FunctionAgent whose events are streamed as they happen."""
    from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult

    agent = FunctionAgent(tools=[convert_celsius], llm=OpenRouter(model="openai/gpt-4o-mini"),
                          system_prompt="You are a precise assistant.")
    handler = agent.run(user_msg="What is 21 °C in Fahrenheit?")
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            print(f"[{event.tool_name}({event.tool_kwargs}) = {event.tool_output}]")
        elif isinstance(event, AgentStream):
            print(event.delta, end="", flush=True)
    print(f"\nfinal: {await handler}")
# --8<-- [end:agent]


def structured() -> None:
    """Structured output into a pydantic class."""
    # --8<-- [start:structured]
    from llama_index.core.prompts import PromptTemplate

    class City(BaseModel):
        name: str
        country: str
        population_millions: float

    llm = OpenRouter(model="openai/gpt-4o-mini")
    city = llm.structured_predict(City, PromptTemplate("Facts about {name}."), name="Lisbon")
    print(repr(city))
    # --8<-- [end:structured]


def reasoning() -> None:
    """Reasoning as ThinkingBlocks, kept across turns."""
    # --8<-- [start:reasoning]
    llm = OpenRouter(model="anthropic/claude-sonnet-4.5", reasoning={"effort": "low"})
    history = [ChatMessage(role="user", content="Is 1001 a prime number?")]
    reply = llm.chat(history)
    for block in reply.message.blocks:
        if isinstance(block, ThinkingBlock):
            print(f"(thinking) {block.content}")
    print(reply.message.content)
    # The ThinkingBlock keeps reasoning_details; sending the message back preserves them.
    history += [reply.message, ChatMessage(role="user", content="What are its factors?")]
    print(llm.chat(history).message.content)
    # --8<-- [end:reasoning]


def multimodal() -> None:
    """Images in, with the chat API and with the MultiModalLLM interface."""
    # --8<-- [start:multimodal]
    llm = OpenRouter(model="openai/gpt-4o-mini")
    message = ChatMessage(role="user", blocks=[
        TextBlock(text="What colour is this image?"),
        ImageBlock(image=PIXEL, image_mimetype="image/png"),  # or ImageBlock(url=...)
    ])
    print(llm.chat([message]).message.content)

    # Code written against MultiModalLLM keeps its complete(prompt, image_documents) call.
    vision = OpenRouterMultiModal(model="openai/gpt-4o-mini", max_tokens=100)
    answer = vision.complete("Describe the image.",
                             image_documents=[ImageBlock(image=PIXEL, image_mimetype="image/png")])
    print(answer.text)
    # --8<-- [end:multimodal]


def main() -> None:
    """Run every section in order."""
    for section in (settings, agent, structured, reasoning, multimodal):
        print(f"\n== {section.__name__} ==")
        result = section()
        if asyncio.iscoroutine(result):
            asyncio.run(result)


CANNED = (
    # settings
    Reply.text("If one model is down, another answers and your users never notice.",
               model="meta-llama/llama-3.3-70b-instruct", provider="Groq"),
    # agent
    Reply.tool_calls(("convert_celsius", {"celsius": 21})),
    Reply.text("21 °C is 69.8 °F."),
    # structured
    Reply.text(json.dumps({"name": "Lisbon", "country": "Portugal",
                           "population_millions": 0.55})),
    # reasoning
    Reply.text("No: 1001 = 7 x 11 x 13.", reasoning="Try small primes: 1001 / 7 = 143 = 11 x 13.",
               reasoning_format="anthropic-claude-v1", signature="EpMBCkYIBxgC...",
               provider="Anthropic"),
    Reply.text("Its prime factors are 7, 11 and 13.", provider="Anthropic"),
    # multimodal
    Reply.text("It is a single red pixel."),
    Reply.text("A tiny image made of one red pixel."),
)

if __name__ == "__main__":
    sys.exit(run_example(main, *CANNED))
