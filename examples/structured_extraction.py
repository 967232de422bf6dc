"""Structured extraction: turn a free-text email into a validated pydantic object.

    python examples/structured_extraction.py [model]

Live with ``OPENROUTER_API_KEY`` set; otherwise against the offline emulator with a canned
reply (see ``_offline.py``).
"""

from __future__ import annotations

import json
import sys

from _offline import run_example

from openrouter_core.testing import Reply

# isort: split
# --8<-- [start:example]
from pydantic import BaseModel, Field

from langchain_openrouter import ChatOpenRouter


class ActionItem(BaseModel):
    """One thing someone agreed to do."""

    owner: str = Field(description="Who does it")
    task: str = Field(description="What they will do")


class Meeting(BaseModel):
    """A meeting described in an email."""

    title: str
    date: str = Field(description="ISO date, YYYY-MM-DD")
    attendees: list[str]
    action_items: list[ActionItem]


EMAIL = """Hi all, thanks for joining the launch review on 3 March 2026 (Ana, Ben, Chloé).
Ben will update the pricing page; Chloé books the venue for the party. -- Ana"""


def extract(model_name: str = "openai/gpt-4o-mini") -> Meeting:
    """Ask for a ``Meeting``; the reply is validated against the schema."""
    model = ChatOpenRouter(model=model_name, temperature=0)
    # json_schema (the default method) sends the schema as response_format; OpenRouter's
    # response-healing plugin repairs JSON that a model got slightly wrong.
    extractor = model.with_structured_output(Meeting, strict=True, response_healing=True)
    meeting: Meeting = extractor.invoke(f"Extract the meeting from this email:\n\n{EMAIL}")
    print(f"{meeting.title} on {meeting.date} with {', '.join(meeting.attendees)}")
    for item in meeting.action_items:
        print(f"  - {item.owner}: {item.task}")
    return meeting
# --8<-- [end:example]


CANNED = Reply.text(json.dumps({
    "title": "Launch review", "date": "2026-03-03", "attendees": ["Ana", "Ben", "Chloé"],
    "action_items": [{"owner": "Ben", "task": "Update the pricing page"},
                     {"owner": "Chloé", "task": "Book the venue for the launch party"}],
}, ensure_ascii=False))

if __name__ == "__main__":
    sys.exit(run_example(lambda: print(extract(*sys.argv[1:2]).model_dump_json()), CANNED))
