"""Helpers shared by the emulator tests: build requests, decode rendered SSE plans."""

from __future__ import annotations

import json
from typing import Any

from openrouter_core.testing import RecordedRequest, Reply, ResponsePlan, render_reply
from openrouter_core.testing.render import Send


def request(stream: bool = False, **body: Any) -> RecordedRequest:
    """A recorded chat request with a default model and one user message."""
    payload: dict[str, Any] = {"model": "openai/gpt-4o-mini",
                               "messages": [{"role": "user", "content": "Say hello"}], **body}
    if stream:
        payload["stream"] = True
    raw = json.dumps(payload).encode()
    return RecordedRequest("POST", "/api/v1/chat/completions",
                           {"content-type": "application/json"}, raw, payload)


def render(reply: Reply, stream: bool = True, **body: Any) -> ResponsePlan:
    """Render ``reply`` for a (streamed by default) request."""
    return render_reply(reply, request(stream=stream, **body))


def events(plan: ResponsePlan) -> list[bytes]:
    """The SSE events / comment lines of a plan, one per Send step."""
    return [step.data for step in plan.steps if isinstance(step, Send)]


def data_chunks(plan: ResponsePlan) -> list[dict[str, Any]]:
    """The parsed ``data:`` JSON objects of a plan (``[DONE]`` excluded)."""
    out = []
    for event in events(plan):
        if event.startswith(b"data: {") and event != b"data: [DONE]\n\n":
            out.append(json.loads(event[6:]))
    return out


def deltas(plan: ResponsePlan) -> list[dict[str, Any]]:
    """The ``delta`` of every data chunk that has a choice."""
    return [c["choices"][0]["delta"] for c in data_chunks(plan) if c["choices"]]
