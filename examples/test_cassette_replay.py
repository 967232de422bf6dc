"""How a cassette test works (docs/cassettes.md): one of the suite's tests, replayed.

    python -m pytest examples/test_cassette_replay.py

It replays ``cassettes/langchain/tool_call_token_split.yaml`` with the cassette suite's own
machinery from ``tests/cassettes/`` (the ``@cassette`` mark, the ``recording`` fixture, the
vcrpy configuration and the ``wire`` oracle): no network, no key. It always replays (the
``tests/cassettes`` suite is where cassettes are recorded).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Reply
from tests.cassettes.catalog import cassette
from tests.cassettes.conftest import Recording
from tests.cassettes.wire import read, request_json

# The suite's fixtures: `recording`, `vcr_config` (matching, scrubbing), `vcr_cassette_dir`.
pytest_plugins = ["tests.cassettes.conftest"]

CASSETTE_FOLDER = "langchain"
"""The cassettes of this module live in ``cassettes/langchain/``."""
MODEL = "openai/gpt-4o-mini"


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str = Field(description="City name, e.g. Paris")


# --8<-- [start:test]
@cassette("langchain", "tool_call_token_split", replay_only=True)
def test_streamed_tool_call_token_split(recording: Recording) -> None:
    # The reply shape to record from the emulator (a no-op in replay and live mode).
    recording.script(Reply.tool_calls(("GetWeather", {"city": "Paris"}), tool_split="tokens"))
    model = ChatOpenRouter(model=MODEL, api_key=SecretStr(recording.api_key),
                           base_url=recording.base_url, max_retries=0)
    tools = model.bind_tools([GetWeather], tool_choice="GetWeather")
    chunks = list(tools.stream("What's the weather in Paris?"))
    full = chunks[0]
    for chunk in chunks[1:]:
        full += chunk

    # Literals the prompt pins down...
    call = full.tool_calls[0]
    assert (call["name"], call["args"]) == ("GetWeather", {"city": "Paris"})
    # ... and the independent reading of the recorded bytes (tests/cassettes/wire.py).
    reply = read(recording.responses()[0])
    assert call["id"] == reply.calls[0]["id"]
    assert call["args"] == reply.arguments(0)
    # The request the package really sent (vcrpy already matched it on the JSON body).
    sent = request_json(recording.requests()[0])
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "GetWeather"}}
# --8<-- [end:test]
