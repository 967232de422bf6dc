"""Environment variables: base-URL precedence, near-miss warnings, URLs in connection errors."""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import environment, errors, spelling
from openrouter_core.testing import Emulator, Reply

KEY = "sk-or-v1-environment-test-0123456789"
ALL = ("OPENROUTER_API_KEY", "OPENROUTER_API_BASE", "OPENROUTER_BASE_URL",
       "OPENROUTER_APIKEY", "OPENROUTER_BASEURL", "OPENROUTER_API_URL", "OPENROUTER_MY_APP")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    spelling.reset_warnings()
    yield
    spelling.reset_warnings()


def test_base_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert environment.read("base_url") is None
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://sdk-name.test/api/v1")
    assert environment.read("base_url") == "http://sdk-name.test/api/v1"
    assert ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY).openrouter_api_base == (
        "http://sdk-name.test/api/v1")
    monkeypatch.setenv("OPENROUTER_API_BASE", "http://our-name.test/api/v1")
    assert environment.read("base_url") == "http://our-name.test/api/v1"
    assert OpenRouter(model="openai/gpt-4o-mini", api_key=KEY).api_base == (
        "http://our-name.test/api/v1")
    explicit = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY,
                              base_url="http://explicit.test/api/v1")
    assert explicit.openrouter_api_base == "http://explicit.test/api/v1"
    monkeypatch.setenv("OPENROUTER_API_BASE", "")  # empty counts as unset
    assert environment.read("base_url") == "http://sdk-name.test/api/v1"


def test_openrouter_base_url_reaches_the_server(monkeypatch: pytest.MonkeyPatch,
                                                openrouter_emulator: Emulator) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter_emulator.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    openrouter_emulator.enqueue(Reply.text("via OPENROUTER_BASE_URL"))
    reply = ChatOpenRouter(model="openai/gpt-4o-mini").invoke("hi")
    assert reply.content == "via OPENROUTER_BASE_URL"
    assert len(openrouter_emulator.chat_requests) == 1


@pytest.mark.parametrize(("typo", "meant"), [
    ("OPENROUTER_APIKEY", "OPENROUTER_API_KEY"),
    ("OPENROUTER_BASEURL", "OPENROUTER_BASE_URL"),
    ("OPENROUTER_API_URL", "OPENROUTER_API_BASE"),
])
def test_near_miss_variable_warns_once_at_the_users_line(
        monkeypatch: pytest.MonkeyPatch, typo: str, meant: str) -> None:
    monkeypatch.setenv(typo, "sk-or-v1-should-never-be-printed-0000")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY)
        ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY)
    ours = [w for w in caught if issubclass(w.category, environment.EnvironmentVariableWarning)]
    assert len(ours) == 1
    message = str(ours[0].message)
    assert typo in message
    assert meant in message
    assert "should-never-be-printed" not in message
    assert ours[0].filename == __file__


def test_unrelated_or_known_variables_do_not_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_MY_APP", "x")
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://sdk-name.test/api/v1")
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("error", environment.EnvironmentVariableWarning)
        environment.read("base_url")
        environment.api_key()
    assert environment.near_misses({"OPENROUTER_MY_APP": "x", "OPENROUTER_APIKEY": ""}) == {}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.loopback  # connects to a closed loopback port
def test_connection_error_names_the_url_but_not_the_key() -> None:
    base = f"http://127.0.0.1:{_closed_port()}/api/v1"
    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY, base_url=base,
                           max_retries=0)
    with pytest.raises(Exception) as caught:
        model.invoke([HumanMessage("hi")])
    text = f"{caught.value} {caught.value!r}"
    assert f"{base}/chat/completions" in text
    assert KEY not in text


def test_connection_error_drops_userinfo_and_query() -> None:
    assert errors.tried_url(f"http://user:{KEY}@127.0.0.1:8080/api/v1/models?key={KEY}") == (
        "http://127.0.0.1:8080/api/v1/models")


def test_reset_before_headers_names_the_emulator_url(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.fault("reset_before_headers"))
    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY,
                           base_url=openrouter_emulator.base_url, max_retries=0)
    with pytest.raises(Exception, match="Could not reach OpenRouter") as caught:
        model.invoke("hi")
    assert f"{openrouter_emulator.base_url}/chat/completions" in str(caught.value)
    assert KEY not in str(caught.value)


def test_an_apps_own_variable_is_looked_up_once_not_on_every_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Every read checks the environment for typos. The similarity search costs about a
    # millisecond, and it ran on every read for any OPENROUTER_* variable of the app's own
    # (models took 6.8 ms to construct with two set, instead of 0.13 ms).
    calls: list[str] = []
    real = spelling.closest

    def counted(word: str, choices: Any) -> Any:
        calls.append(word)
        return real(word, choices)

    environment._meant.cache_clear()
    monkeypatch.setattr(spelling, "closest", counted)
    monkeypatch.setenv("OPENROUTER_MY_APPS_OWN_SETTING", "1")
    for _ in range(5):
        environment.read("api_key")
    # Once per name (CI sets variables of its own, e.g. OPENROUTER_REAL_TRAFFIC_DIR).
    assert calls.count("OPENROUTER_MY_APPS_OWN_SETTING") == 1
    assert len(calls) == len(set(calls))
