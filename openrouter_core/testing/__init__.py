"""A loopback OpenRouter emulator for tests: a real HTTP server with scripted replies and faults.

Typical use, with the pytest plugin (fixture ``openrouter_emulator``)::

    from openrouter_core.testing import Reply

    def test_my_chain(openrouter_emulator):
        openrouter_emulator.enqueue(Reply.text("Paris."))
        answer = my_chain(base_url=openrouter_emulator.base_url).invoke("Capital of France?")
        assert answer == "Paris."
        assert openrouter_emulator.chat_requests[0].json["messages"][-1]["role"] == "user"

Without pytest: ``with Emulator() as emu: ...``. When nothing is queued, the
:func:`auto_respond` responder answers plausibly (a short answer naming the topic, tool calls,
structured output).
"""

from openrouter_core.testing.auto import (
    DEFAULT_RULES,
    Rule,
    answer,
    answer_text,
    answer_tool_result,
    auto_respond,
    call_tool,
    echo,
    first_of,
    structured_output,
)
from openrouter_core.testing.chat import COMPLETION_PRICE, PROMPT_PRICE, generation_id
from openrouter_core.testing.limits import RateLimiter, rate_limited
from openrouter_core.testing.records import RecordedRequest
from openrouter_core.testing.render import Abort, ResponsePlan, Send, Stall, render_reply
from openrouter_core.testing.replies import (
    FaultKind,
    RawBody,
    Reply,
    ReplySource,
    Responder,
    ToolCallSpec,
)
from openrouter_core.testing.samples import sample_from_schema
from openrouter_core.testing.server import Emulator

__all__ = [
    "COMPLETION_PRICE",
    "DEFAULT_RULES",
    "PROMPT_PRICE",
    "Abort",
    "Emulator",
    "FaultKind",
    "RateLimiter",
    "RawBody",
    "RecordedRequest",
    "Reply",
    "ReplySource",
    "Responder",
    "ResponsePlan",
    "Rule",
    "Send",
    "Stall",
    "ToolCallSpec",
    "answer",
    "answer_text",
    "answer_tool_result",
    "auto_respond",
    "call_tool",
    "echo",
    "first_of",
    "generation_id",
    "rate_limited",
    "render_reply",
    "sample_from_schema",
    "structured_output",
]
