"""LangChain features that read the model profile and token counts, end to end on the emulator."""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import SummarizationMiddleware
from langchain_core.messages import AIMessage, HumanMessage

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-e2e-catalog-0000"
SMALL_WINDOW = "openai/gpt-4"  # 8,191 tokens in the bundled catalog


def _history(model: ChatOpenRouter, total: int) -> list[HumanMessage | AIMessage]:
    """Four messages whose count, by the model's own counter, is exactly ``total``."""
    history: list[HumanMessage | AIMessage] = [
        HumanMessage("Summarise our plans."), AIMessage("Sure."), HumanMessage("")]
    history.append(HumanMessage("Go on."))
    base = model.get_num_tokens_from_messages(history)
    history[2] = HumanMessage("note" + " plan" * (total - base - 1))  # " plan" is one token
    assert model.get_num_tokens_from_messages(history) == total
    return history


def _agent(model: ChatOpenRouter) -> Any:
    summarize = SummarizationMiddleware(model=model, trigger=("fraction", 0.8),
                                        keep=("messages", 1), trim_tokens_to_summarize=None,
                                        token_counter=model.get_num_tokens_from_messages)
    return create_agent(model, tools=[], middleware=[summarize])


def test_summarization_fraction_trigger_uses_the_catalog_window(
        openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    model = ChatOpenRouter(model=SMALL_WINDOW, api_key=KEY, base_url=emu.base_url,
                           max_retries=0)
    assert model.profile is not None
    threshold = int(model.profile["max_input_tokens"] * 0.8)
    assert threshold == 6552

    emu.enqueue(Reply.text("Here is the plan."))
    below = _agent(model).invoke({"messages": _history(model, threshold - 1)})
    assert len(emu.chat_requests) == 1  # no summary call: the agent's own call only
    assert below["messages"][-1].content == "Here is the plan."

    emu.reset()
    emu.enqueue(Reply.text("They planned a lot."), Reply.text("Here is the plan."))
    above = _agent(model).invoke({"messages": _history(model, threshold)})
    summary_request, agent_request = emu.chat_requests
    assert "plan plan plan" in str(summary_request.json["messages"])  # the old turns summarised
    sent = agent_request.json["messages"]
    assert "They planned a lot." in str(sent[0]["content"])
    assert sent[-1] == {"role": "user", "content": "Go on."}  # kept: the last message
    assert above["messages"][-1].content == "Here is the plan."
