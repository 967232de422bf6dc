"""``BodyTemplate`` makes the body ``prepare`` makes for a call without options: the same keys
in the same order, the same values, the same errors first, the same warnings at the caller's
line, and the catalog consulted on every body."""

from __future__ import annotations

import itertools
import json
import warnings
from typing import Any

import pytest

from openrouter_core import spelling
from openrouter_core.catalog import UnsupportedParameterWarning, capabilities
from openrouter_core.errors import InputError
from openrouter_core.request import BodyTemplate, RoutingWarning, prepare
from openrouter_core.settings import RequestSettings
from openrouter_core.transport import Endpoint

USER = [{"role": "user", "content": "hi"}]
ENDPOINT = Endpoint(base_url="http://127.0.0.1:9/api/v1", api_key=None)

SETTINGS: dict[str, dict[str, Any]] = {
    "none": {},
    "typed": {"temperature": 0.2, "max_tokens": 9, "provider": {"order": ["openai"]}},
    # extra_body may name any key, even those build_body sets itself: it wins, in place.
    "extra-model": {"extra_body": {"model": "anthropic/claude-3.5-sonnet"}},
    "extra-messages": {"extra_body": {"messages": [{"role": "user", "content": "other"}]}},
    "extra-stream": {"extra_body": {"stream": False, "stream_options": {"include_usage": 0}}},
    "routing-conflict": {"provider": {"sort": "price", "order": ["groq"]}},
    "unsupported": {"top_k": 4, "reasoning": {"effort": "low"}},
}
MODELS = ["openai/gpt-4o-mini", "openai/gpt-4o-mini:exacto", "someone/unknown-model"]


def _recorded(build: Any) -> tuple[str, list[tuple[type[Warning], str, str]]]:
    # The body as bytes (key order counts) and every warning with where it points, from a
    # fresh warn-once memory.
    spelling.reset_warnings()
    capabilities.reset_warnings()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        body = build()
    return json.dumps(body), [(w.category, str(w.message), w.filename) for w in caught]


@pytest.mark.parametrize(("stream", "usage"), [(False, True), (True, True), (True, False)])
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_template_body_is_prepares_body(name: str, model: str, stream: bool,
                                          usage: bool) -> None:
    settings = RequestSettings(**SETTINGS[name])
    expected = _recorded(lambda: prepare(model, USER, settings, options={}, stream=stream,
                                         stream_usage=usage, endpoint=ENDPOINT)[0])
    template = BodyTemplate(model, settings, stream=stream, stream_usage=usage)
    got = _recorded(lambda: template.body(USER, ENDPOINT))
    assert got == expected
    # Every body again, from the same template: equal, a dict of its own, and with the same
    # checks (the routing warnings and the catalog's) made again: after the warn-once memory
    # is reset, they warn again.
    assert _recorded(lambda: template.body(USER, ENDPOINT)) == expected
    first, second = template.body(USER, ENDPOINT), template.body(USER, ENDPOINT)
    assert first == second and first is not second


def test_the_cases_cover_what_they_claim() -> None:
    bodies = {name: _recorded(lambda name=name: BodyTemplate(
        "openai/gpt-4o-mini:exacto", RequestSettings(**SETTINGS[name]), stream=True,
    ).body(USER, ENDPOINT)) for name in SETTINGS}
    assert json.loads(bodies["extra-model"][0])["model"] == "anthropic/claude-3.5-sonnet"
    assert json.loads(bodies["extra-messages"][0])["messages"][0]["content"] == "other"
    assert json.loads(bodies["extra-stream"][0])["stream"] is True
    assert [category for category, _, _ in bodies["routing-conflict"][1]] == [
        RoutingWarning, RoutingWarning]
    unsupported = [(c, m) for c, m, _ in bodies["unsupported"][1]]
    assert any(c is UnsupportedParameterWarning and "top_k" in m for c, m in unsupported)
    # Warnings point at this file: the caller's line.
    assert {where for _, _, where in bodies["unsupported"][1]} == {__file__}


BAD_MESSAGES = [{"role": "nobody", "content": "x"}]


@pytest.mark.parametrize(("model", "messages"), list(itertools.product(
    ["", "openai/gpt-4o-mini"], [USER, BAD_MESSAGES])))
def test_errors_come_in_prepares_order(model: str, messages: list[dict[str, Any]]) -> None:
    def through_prepare() -> Any:
        return prepare(model, messages, RequestSettings(), options={}, stream=False)

    def through_template() -> Any:
        return BodyTemplate(model, RequestSettings(), stream=False).body(messages)

    outcomes = []
    for build in (through_prepare, through_template):
        try:
            build()
            outcomes.append("built")
        except InputError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] == "built") == (model != "" and messages is USER)
