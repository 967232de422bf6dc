"""The API key never leaves the request's ``Authorization`` header.

A realistic key (``sk-or-v1-`` + 64 hex characters) is used throughout, and the emulator only
accepts that key, so every successful call proves the key was in fact sent. Then every place a
key could leak is scanned: reprs, dumps, LangChain serialisation and callbacks, LlamaIndex
serialisation and instrumentation events, exception messages and formatted tracebacks, DEBUG
logs of the SDK and HTTP stack, and the committed cassettes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from pydantic import SecretStr

from openrouter_core import transport
from openrouter_core.testing import Emulator, Reply
from tests.faults.drivers import KEY, STYLES, Style, call, make_model, run
from tests.faults.report import record

WRONG_KEY = "sk-or-v1-" + "0badc0ffee15dead" * 4
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
SECTION = "Secrets (key = `sk-or-v1-` + 64 hex)"


def assert_no_key(text: str, where: str) -> None:
    """Neither the key nor its 64-hex body appears in ``text``."""
    for secret in (KEY, WRONG_KEY, KEY.removeprefix("sk-or-v1-")):
        assert secret not in text, f"API key leaked in {where}: ...{_around(text, secret)}..."


def _around(text: str, secret: str) -> str:
    at = text.find(secret)
    return text[max(at - 60, 0):at + 20]


def exception_texts(error: BaseException) -> dict[str, str]:
    """Every text form of an exception a user or a tracer would see."""
    return {"str": str(error), "repr": repr(error), "args": repr(error.args),
            "traceback": "".join(traceback.format_exception(error))}


# --- objects --------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_key_absent_from_reprs_and_dumps(request: pytest.FixtureRequest, emu: Emulator,
                                         framework: str) -> None:
    record(request, SECTION, f"repr / str / dumps ({framework})",
           "no key in any representation; serialised key is a secret reference or absent")
    model: Any = make_model(framework, emu)  # type: ignore[arg-type]
    forms: dict[str, str] = {"repr": repr(model), "str": str(model),
                             "model_dump": str(model.model_dump()),
                             "model_dump_json": model.model_dump_json()}
    if framework == "langchain":
        forms["dumpd"] = str(dumpd(model))
        forms["dumps"] = dumps(model)
        forms["identifying_params"] = str(model._identifying_params)
        forms["invocation_params"] = str(model._get_invocation_params())
        forms["ls_params"] = str(model._get_ls_params())
        assert dumpd(model)["kwargs"]["openrouter_api_key"] == {
            "lc": 1, "type": "secret", "id": ["OPENROUTER_API_KEY"]}
    else:
        forms["to_dict"] = str(model.to_dict())
        forms["to_json"] = model.to_json()
        forms["to_payload"] = str(model.to_payload())
        forms["endpoint"] = repr(model.endpoint())
        assert "api_key" not in model.to_dict()
    for where, text in forms.items():
        assert_no_key(text, f"{framework} {where}")
    # The instance still holds a working key: the emulator requires it.
    outcome = call(STYLES[0] if framework == "langchain" else STYLES[4], model)
    assert outcome.error is None, repr(outcome.error)


class _Recorder(BaseCallbackHandler):
    """Keeps the text of every LangChain callback (what a tracer such as LangSmith gets)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _keep(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        self.seen.append(f"{event} {args!r} {kwargs!r}")

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        """Serialized model, messages and invocation params."""
        self._keep("on_chat_model_start", *args, **kwargs)

    def on_llm_new_token(self, *args: Any, **kwargs: Any) -> None:
        """Each streamed token and chunk."""
        self._keep("on_llm_new_token", *args, **kwargs)

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        """The final result."""
        self._keep("on_llm_end", *args, **kwargs)

    def on_llm_error(self, error: BaseException, *args: Any, **kwargs: Any) -> None:
        """The failure, as a tracer would store it (text and traceback)."""
        self._keep("on_llm_error", "".join(traceback.format_exception(error)), *args, **kwargs)


def test_langchain_callbacks_carry_no_key(request: pytest.FixtureRequest,
                                          emu: Emulator) -> None:
    record(request, SECTION, "LangChain callbacks (serialized model, params, errors)",
           "no key in any callback payload")
    recorder = _Recorder()
    model: Any = make_model("langchain", emu)
    model.invoke("hi", config={"callbacks": [recorder]})
    list(model.stream("hi", config={"callbacks": [recorder]}))
    emu.enqueue(Reply.error(429, "slow down"))
    with pytest.raises(Exception, match="slow down"):
        model.invoke("hi", config={"callbacks": [recorder]})
    assert any(s.startswith("on_chat_model_start") for s in recorder.seen)
    assert any(s.startswith("on_llm_error") for s in recorder.seen)
    assert_no_key("\n".join(recorder.seen), "LangChain callbacks")


@pytest.fixture
def llama_events() -> Iterator[list[Any]]:
    """LlamaIndex instrumentation events and spans dispatched while the test runs."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler

    seen: list[Any] = []

    class Handler(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            seen.append(event)

    root = get_dispatcher()
    handler = Handler()
    root.add_event_handler(handler)
    try:
        yield seen
    finally:
        root.event_handlers.remove(handler)


def _event_text(event: Any) -> str:
    try:
        dumped = event.model_dump_json()
    except Exception:  # some events hold objects pydantic cannot serialise
        dumped = str(event.model_dump())
    return f"{event!r}\n{dumped}"


def test_llama_index_events_carry_no_key(request: pytest.FixtureRequest, emu: Emulator,
                                         llama_events: list[Any]) -> None:
    record(request, SECTION, "LlamaIndex instrumentation events",
           "no key in any event (start/end/in-progress/exception)")
    model: Any = make_model("llama_index", emu)
    for style in STYLES[4:]:
        assert call(style, model).error is None
    emu.enqueue(Reply.error(403, "flagged", {"reasons": ["x"], "flagged_input": "y"}))
    assert call(STYLES[4], model).error is not None
    assert len(llama_events) > 8
    assert_no_key("\n".join(_event_text(e) for e in llama_events), "LlamaIndex events")


# --- exceptions ---------------------------------------------------------------------------


FAILURES: dict[str, Any] = {
    "401": lambda emu: (Reply.error(401, "User not found."), {}),
    "403-moderation": lambda emu: (Reply.error(403, "flagged", {
        "reasons": ["violence"], "flagged_input": "...", "provider_name": "OpenAI"}), {}),
    "429-retried": lambda emu: (Reply.error(429, "rate limited",
                                            headers={"Retry-After": "0"}), {"max_retries": 1}),
    "mid-stream": lambda emu: (Reply.text("a b c d e f", error_after=2), {}),
    "reset": lambda emu: (Reply.text("a b c d e f", reset_after=2), {}),
    "malformed": lambda emu: (Reply.text("a b c d e f", malformed_at=2), {}),
    "timeout": lambda emu: (Reply.text("a b c d e f", stall_after=1, stall_seconds=3),
                            {"timeout": 0.3}),
    "wrong-key": lambda emu: (None, {"api_key": WRONG_KEY}),
}


def _failure_params() -> list[Any]:
    return [pytest.param(name, style, id=f"{name}-{style.id}")
            for name in FAILURES for style in STYLES]


@pytest.mark.parametrize(("failure", "style"), _failure_params())
def test_exception_text_and_traceback_carry_no_key(request: pytest.FixtureRequest,
                                                   emu: Emulator, failure: str,
                                                   style: Style) -> None:
    record(request, SECTION, f"exception text + traceback: {failure}",
           "no key in str/repr/args/formatted traceback (whole chain)", style.id)
    reply, settings = FAILURES[failure](emu)
    if reply is not None:
        emu.enqueue(reply, reply)
    if "api_key" in settings:
        model: Any = make_model(style, emu, **{k: v for k, v in settings.items()
                                               if k != "api_key"})
        if style.framework == "langchain":
            model.openrouter_api_key = SecretStr(settings["api_key"])
        else:
            model.api_key = SecretStr(settings["api_key"])
        outcome = call(style, model)
    else:
        outcome = run(style, emu, **settings)
    assert outcome.error is not None
    for where, text in exception_texts(outcome.error).items():
        assert_no_key(text, f"{style.id} {failure} {where}")


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.id)
def test_key_echoed_by_the_server_is_redacted_everywhere(request: pytest.FixtureRequest,
                                                         emu: Emulator, style: Style) -> None:
    record(request, SECTION, "exception text + traceback: server echoes the key in its error",
           "redacted in str/repr/args/formatted traceback (whole chain)", style.id)
    emu.enqueue(Reply.error(401, f"Invalid API key: {KEY}"))
    outcome = run(style, emu)
    assert outcome.error is not None
    assert "sk-or-***" in str(outcome.error)
    texts = {**exception_texts(outcome.error),
             "error_message": outcome.error.error_message}  # type: ignore[attr-defined]
    assert "sk-or-***" in texts["error_message"]
    for where, text in texts.items():
        assert_no_key(text, f"{style.id} {where}")


# --- logs -----------------------------------------------------------------------------------


class _Capture(logging.Handler):
    """Formats every record it sees (message, args, exception text) into one list."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + f" {record.args!r}")


LOGGERS = ("", "openai", "httpx", "httpx2", "httpcore", "httpcore2", "openrouter_core",
           "langchain_openrouter", "llama_index_openrouter")


def test_debug_logs_of_a_whole_run_carry_no_key(request: pytest.FixtureRequest, emu: Emulator,
                                                caplog: pytest.LogCaptureFixture) -> None:
    record(request, SECTION, "DEBUG logs (root, openai, httpx, httpx2, httpcore, ours)",
           "no key in any record of a run of successes, retries and failures")
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    try:
        for style in STYLES:
            assert run(style, emu).error is None
            emu.enqueue(Reply.error(503, "down", headers={"Retry-After": "0"}),
                        Reply.text("after retry"))
            assert run(style, emu, max_retries=1).text == "after retry"
            emu.enqueue(Reply.text("a b c d e f", error_after=2))
            assert run(style, emu).error is not None
            emu.enqueue(Reply.error(400, "bad request"))
            assert run(style, emu).error is not None
        # Chat requests go out on the SDK's HTTP client; the JSON endpoints through the SDK's
        # own request path, which logs its options (headers included) at DEBUG.
        endpoint = transport.Endpoint(base_url=emu.base_url, api_key=SecretStr(KEY))
        assert transport.request_json(endpoint, "GET", "key")
        asyncio.run(transport.aclose())
    finally:
        logging.getLogger().removeHandler(capture)
    text = "\n".join(capture.lines) + "\n" + caplog.text
    assert any(line.startswith("openai.") for line in capture.lines), "no SDK debug logs"
    assert "HTTP Request: POST" in text  # the HTTP client's own log lines were captured
    assert_no_key(text, "DEBUG logs")


# --- cassettes and transport ----------------------------------------------------------------

AUTH_VALUE = re.compile(r"authorization['\"]?\s*[:=]\s*\[?\s*['\"]?(bearer\s+)?[A-Za-z0-9_\-]{8,}",
                        re.IGNORECASE)


def test_no_cassette_holds_an_authorization_value_or_key(request: pytest.FixtureRequest) -> None:
    record(request, SECTION, "cassettes under `cassettes/`",
           "no `Authorization` value and no `sk-or-` key in any file")
    files = [p for p in CASSETTES.rglob("*") if p.is_file()]
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"sk-or-v1-[0-9a-f]{16,}", text), f"key in {path}"
        assert not AUTH_VALUE.search(text), f"Authorization value in {path}"


def test_plaintext_base_url_warns_without_connecting(request: pytest.FixtureRequest,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    record(request, SECTION, "non-TLS base URL other than loopback",
           "one warning naming the URL (never the key); loopback and https stay silent")
    monkeypatch.setattr(transport, "_warned_plain_http", set())
    caplog.set_level(logging.WARNING, logger="openrouter_core")
    remote = transport.Endpoint(base_url="http://10.255.255.1/api/v1",
                                api_key=SecretStr(KEY))
    before = transport.connections_opened
    client = transport.sync_client(remote)  # builds the client; sends nothing
    transport.sync_client(remote)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "http://10.255.255.1/api/v1" in warnings[0].getMessage()
    assert "TLS" in warnings[0].getMessage()
    assert_no_key(caplog.text, "plaintext warning")
    assert transport.connections_opened == before + 1
    client.close()
    transport._sync_clients.pop(remote.cache_key(), None)
    caplog.clear()
    for url in ("http://127.0.0.1:9/api/v1", "http://localhost:9/api/v1",
                "http://[::1]:9/api/v1", "https://openrouter.ai/api/v1"):
        transport._warn_if_plaintext(url)
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []
