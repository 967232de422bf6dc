"""``run_start``: a run no handler can observe skips the steps only a handler reads.

``observed`` must agree with ``CallbackManager.configure`` itself, source by source: when it
says no one listens, ``configure`` gives no handler; when ``configure`` gives one (or fails),
``observed`` says so. The calls on the emulator then check, for each source, that the handler
hears the run through ``ChatOpenRouter``'s own lifecycles, and that a run no one observes does
not configure callbacks at all. (That the skipped steps change nothing else is checked by the
unobserved parity tests of ``test_lc_invoke_lifecycle`` and ``test_lc_streaming``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any
from unittest import mock

import pytest
from langchain_core.callbacks import (
    BaseCallbackHandler,
    CallbackManager,
    get_usage_metadata_callback,
)
from langchain_core.globals import set_debug
from langchain_core.language_models import BaseChatModel, _utils as _lcu
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.runnables import RunnableLambda
from langchain_core.tracers import langchain as langchain_tracer
from langchain_core.tracers.context import collect_runs, register_configure_hook
from langsmith import utils as ls_utils
from langsmith.run_helpers import tracing_context

from langchain_openrouter import ChatOpenRouter, run_start
from openrouter_core.settings import RequestSettings
from openrouter_core.testing import Emulator, Reply
from tests.langchain.conftest import MODEL, TEST_KEY


class Heard(BaseCallbackHandler):
    """Counts the chat-model starts it hears."""

    made: list[Heard] = []
    """Every instance, in order (configure makes one for the environment-variable hook)."""

    def __init__(self) -> None:
        self.starts = 0
        Heard.made.append(self)

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.starts += 1


_HOOK_VAR: ContextVar[BaseCallbackHandler | None] = ContextVar("test_run_start_hook",
                                                               default=None)
HOOKED = Heard()
"""The handler the ``hook-var`` source sets in its context variable."""
register_configure_hook(_HOOK_VAR, inheritable=True)
_ENV_HOOK_VAR: ContextVar[Heard | None] = ContextVar("test_run_start_env_hook", default=None)
register_configure_hook(_ENV_HOOK_VAR, inheritable=True, handle_class=Heard,
                        env_var="TEST_RUN_START_HOOK")


PERSISTED: list[str] = []
"""The runs a LangSmith tracer made by a case would have sent (the names of their types)."""


@pytest.fixture(autouse=True)
def _no_tracing_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A tracer made by a case gets a client that sends nothing, and keeps what it would send.
    monkeypatch.setattr(langchain_tracer, "get_client", mock.MagicMock)
    monkeypatch.setattr(langchain_tracer.LangChainTracer, "_persist_run_single",
                        lambda _self, run: PERSISTED.append(run.run_type))
    monkeypatch.setattr(langchain_tracer.LangChainTracer, "_update_run_single",
                        staticmethod(lambda run: None))
    PERSISTED.clear()
    # LangSmith caches what it reads of the environment: cleared around each case.
    for name in ("LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING",
                 "LANGSMITH_TRACING", "LANGCHAIN_HANDLER", "TEST_RUN_START_HOOK"):
        monkeypatch.delenv(name, raising=False)
    ls_utils.get_env_var.cache_clear()
    yield
    ls_utils.get_env_var.cache_clear()
    set_debug(False)


def _env(name: str) -> Callable[[pytest.MonkeyPatch], contextlib.AbstractContextManager[Any]]:
    def setting(monkeypatch: pytest.MonkeyPatch) -> contextlib.AbstractContextManager[Any]:
        monkeypatch.setenv(name, "true")
        ls_utils.get_env_var.cache_clear()
        return contextlib.nullcontext()
    return setting


@contextlib.contextmanager
def _debug() -> Iterator[None]:
    set_debug(True)
    try:
        yield
    finally:
        set_debug(False)


@contextlib.contextmanager
def _var(var: ContextVar[Any], value: Any) -> Iterator[None]:
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


# Each source: (config callbacks, model callbacks, verbose, context set-up).
Source = tuple[Any, Any, bool, Callable[[pytest.MonkeyPatch], Any]]
NONE: Callable[[pytest.MonkeyPatch], Any] = lambda _mp: contextlib.nullcontext()  # noqa: E731
LISTENING: dict[str, Source] = {
    "config-list": ([Heard()], None, False, NONE),
    "config-manager": (CallbackManager(handlers=[Heard()]), None, False, NONE),
    "config-manager-inheritable-only": (
        CallbackManager(handlers=[], inheritable_handlers=[Heard()]), None, False, NONE),
    "model-callbacks": (None, [Heard()], False, NONE),
    "model-manager": (None, CallbackManager(handlers=[Heard()]), False, NONE),
    "verbose": (None, None, True, NONE),
    "debug": (None, None, False, lambda _mp: _debug()),
    "tracing-env-langchain": (None, None, False, _env("LANGCHAIN_TRACING_V2")),
    "tracing-env-langsmith": (None, None, False, _env("LANGSMITH_TRACING")),
    "tracing-context": (None, None, False, lambda _mp: tracing_context(enabled=True)),
    "usage-callback": (None, None, False, lambda _mp: get_usage_metadata_callback()),
    "collect-runs": (None, None, False, lambda _mp: collect_runs()),
    "hook-var": (None, None, False, lambda _mp: _var(_HOOK_VAR, HOOKED)),
    "hook-env": (None, None, False, _env("TEST_RUN_START_HOOK")),
    # With v2 tracing off, configure refuses the retired v1 variables (LANGCHAIN_TRACING itself
    # turns v2 tracing on in LangSmith's reading).
    "v1-tracing-env": (None, None, False, _env("LANGCHAIN_HANDLER")),
}
QUIET: dict[str, Source] = {
    "nothing": (None, None, False, NONE),
    "empty-lists": ([], [], False, NONE),
    "empty-managers": (CallbackManager(handlers=[]), CallbackManager(handlers=[]), False, NONE),
    "tracing-context-disabled": (None, None, False, lambda _mp: tracing_context(enabled=False)),
    "tracing-env-false": (None, None, False, lambda mp: (
        mp.setenv("LANGCHAIN_TRACING_V2", "false"), ls_utils.get_env_var.cache_clear(),
        contextlib.nullcontext())[-1]),
}


def _configured_handlers(callbacks: Any, local: Any, verbose: bool) -> list[Any] | str:
    try:
        return list(CallbackManager.configure(callbacks, local, verbose).handlers)
    except RuntimeError as exc:  # the retired v1 tracing variables
        return f"raises: {exc}"


@pytest.mark.parametrize("name", list(LISTENING) + list(QUIET))
def test_observed_agrees_with_configure(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    callbacks, local, verbose, context = {**LISTENING, **QUIET}[name]
    with context(monkeypatch):
        configured = _configured_handlers(callbacks, local, verbose)
        said = run_start.observed(callbacks, local, verbose=verbose)
    # The inheritable-only manager is a conservative "observed": configure would copy only
    # its handlers; every other source must match configure exactly.
    if name == "config-manager-inheritable-only":
        assert said and configured == []
    else:
        assert said == bool(configured), configured
    assert (name in LISTENING) == said


def _model(emu: Emulator, local: Any = None, *, verbose: bool = False,
           **fields: Any) -> ChatOpenRouter:
    return ChatOpenRouter(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0,
                          callbacks=local, verbose=verbose, **fields)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times each call configured callbacks (the full start)."""
    count: list[int] = []
    for cls in (CallbackManager, run_start.AsyncCallbackManager):
        original = cls.configure.__func__  # type: ignore[attr-defined]

        def counting(klass: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
            count.append(1)
            return _original(klass, *args, **kw)

        monkeypatch.setattr(cls, "configure", classmethod(counting))
    return count


def _call(model: ChatOpenRouter, call: str, config: dict[str, Any] | None = None) -> str:
    if call == "invoke":
        return str(model.invoke("Hello", config))
    if call == "ainvoke":
        return str(asyncio.run(model.ainvoke("Hello", config)))
    if call == "stream":
        return "".join(str(chunk.content) for chunk in model.stream("Hello", config))

    async def drain() -> str:
        return "".join([str(chunk.content) async for chunk in model.astream("Hello", config)])
    return asyncio.run(drain())


CALLS = ["invoke", "ainvoke", "stream", "astream"]


@pytest.mark.parametrize("call", CALLS)
def test_a_run_no_one_observes_configures_nothing(emu: Emulator, call: str,
                                                  configured: list[int]) -> None:
    emu.enqueue(Reply.text("quiet"))
    assert "quiet" in _call(_model(emu), call)
    assert configured == []


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("name", [name for name in LISTENING if name not in (
    "verbose", "v1-tracing-env", "config-manager-inheritable-only")])
def test_every_source_of_handlers_hears_the_run(emu: Emulator, name: str, call: str,
                                                monkeypatch: pytest.MonkeyPatch,
                                                configured: list[int],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    callbacks, local, verbose, context = LISTENING[name]
    heard = [handler for source in (callbacks, local)
             for handler in (source if isinstance(source, list) else
                             getattr(source, "handlers", None) or
                             getattr(source, "inheritable_handlers", None) or [])]
    if name == "hook-var":
        heard.append(HOOKED)
    for handler in heard:  # (the sources are shared by the parametrised cases)
        handler.starts = 0
    made = len(Heard.made)
    emu.enqueue(Reply.text("heard", usage={"prompt_tokens": 2, "completion_tokens": 1,
                                           "total_tokens": 3}))
    with context(monkeypatch) as entered:
        _call(_model(emu, local, verbose=verbose), call,
              {"callbacks": callbacks} if callbacks is not None else None)
    assert configured == [1]
    for handler in heard:
        assert handler.starts == 1
    if name == "usage-callback":
        assert entered.usage_metadata[MODEL]["total_tokens"] == 3
    if name == "collect-runs":
        assert [run.run_type for run in entered.traced_runs] == ["llm"]
    if name.startswith("tracing-"):
        assert PERSISTED == ["llm"]
    if name == "debug":  # langchain-core's console handler prints the run
        assert "[llm/start]" in capsys.readouterr().out
    if name == "hook-env":  # configure made a handler of the hook's class, which heard it
        assert [handler.starts for handler in Heard.made[made:]] == [1]
    # Every case checked a handler of its own source.
    assert heard or name in {"debug", "hook-env", "usage-callback", "collect-runs"} or (
        name.startswith("tracing-"))


def test_verbose_and_v1_tracing_take_the_full_start(emu: Emulator,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    configured: list[int]) -> None:
    emu.enqueue(Reply.text("verbose"))
    _model(emu, verbose=True).invoke("Hello")
    assert configured == [1]
    monkeypatch.setenv("LANGCHAIN_HANDLER", "true")
    ls_utils.get_env_var.cache_clear()
    with pytest.raises(RuntimeError, match="LangChainTracerV1 is no longer supported"):
        _model(emu).invoke("Hello")


def test_handlers_from_an_enclosing_runnable_hear_the_run(emu: Emulator) -> None:
    # Inside a chain, the config (and its callbacks) arrive through the context.
    heard = Heard()
    emu.enqueue(Reply.text("nested"))
    model = _model(emu)
    chain = RunnableLambda(lambda text: model.invoke(text))
    chain.invoke("Hello", {"callbacks": [heard]})
    assert heard.starts == 1


@pytest.mark.parametrize("call", ["invoke", "ainvoke"])
def test_a_quiet_run_names_a_message_without_id_after_its_run(emu: Emulator,
                                                              call: str) -> None:
    body = {"object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "anonymous"}}]}
    run_id = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
    model = _model(emu)
    emu.enqueue(Reply.json(body))
    invoke = model.invoke if call == "invoke" else (
        lambda text, config=None: asyncio.run(model.ainvoke(text, config)))
    assert invoke("Hello", {"run_id": run_id}).id == f"lc_run--{run_id}-0"
    emu.enqueue(Reply.json(body))
    named = invoke("Hello").id
    assert named.startswith("lc_run--") and named.endswith("-0")
    assert uuid.UUID(named.removeprefix("lc_run--").removesuffix("-0")).version == 7


def test_a_quiet_run_checks_its_settings_before_the_rate_limiter(emu: Emulator) -> None:
    # langchain-core works out the invocation parameters (which check the model's settings)
    # when the run starts, before the rate limiter is asked; a quiet run does too.
    asked: list[int] = []
    limiter = InMemoryRateLimiter(requests_per_second=1000)
    original = limiter.acquire
    limiter.acquire = lambda *a, **k: (asked.append(1), original(*a, **k))[1]  # type: ignore[method-assign]
    model = _model(emu, rate_limiter=limiter)
    model.temperature = "hot"  # type: ignore[assignment]  (fields are not re-validated)
    with pytest.raises(ValueError, match="temperature"):
        model.invoke("Hello")
    assert asked == []
    assert emu.requests == []


def test_a_subclass_whose_traced_parameters_fail_fails_as_in_langchain(emu: Emulator) -> None:
    # The traced parameters are worked out for every run, observed or not.
    class Refusing(ChatOpenRouter):
        def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> Any:
            raise RuntimeError("ls params refused")

    model = Refusing(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    for call in (model.invoke, lambda text: list(model.stream(text)),
                 lambda text: BaseChatModel.invoke(model, text)):
        with pytest.raises(RuntimeError, match="ls params refused"):
            call("Hello")
    assert emu.requests == []


def test_a_pinned_run_id_generator_names_quiet_runs_too(emu: Emulator,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Snapshot tests pin langchain-core's run ids by replacing the manager's uuid7.
    from langchain_core.callbacks import manager

    pinned = uuid.UUID("00000000-0000-7000-8000-0000000000ff")
    monkeypatch.setattr(manager, "uuid7", lambda: pinned)
    body = {"object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "anonymous"}}]}
    model = _model(emu)
    for call in (model.invoke, lambda text: BaseChatModel.invoke(model, text)):
        emu.enqueue(Reply.json(body))
        assert call("Hello").id == f"lc_run--{pinned}-0"


def test_the_quiet_start_helpers_are_present_in_this_langchain_core() -> None:
    # Without one, every run takes the full start (correct, slower); this makes that visible
    # in the lowest, pinned and newest runs of CI.
    assert run_start.QUIET_SUPPORTED


class _UnlistableDict(dict[str, Any]):
    def items(self) -> Any:
        raise RuntimeError("no items today")


@pytest.mark.parametrize("params", [[("model", MODEL)], _UnlistableDict(model=MODEL)],
                         ids=["a-list", "a-dict-subclass"])
def test_invocation_parameters_that_cannot_be_filtered_fail_as_in_langchain(
        emu: Emulator, params: Any) -> None:
    # The filter of the traced parameters runs only for observed runs (it cannot fail on a
    # plain dict); anything else is filtered, and fails, at the start of every run, as in
    # langchain-core.
    class Odd(ChatOpenRouter):
        def _get_invocation_params(self, stop: list[str] | None = None,
                                   **kwargs: Any) -> Any:
            return params

    model = Odd(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    with pytest.raises(Exception) as theirs:  # whatever langchain-core raises
        BaseChatModel.invoke(model, "Hello")
    for call in (model.invoke, lambda text: list(model.stream(text))):
        with pytest.raises(type(theirs.value)) as ours:
            call("Hello")
        assert str(ours.value) == str(theirs.value)
    assert emu.requests == []


_STRING_CONTENTS = [SystemMessage(content="be brief"), HumanMessage(content="hi"),
                    AIMessage(content=""), ToolMessage(content="42", tool_call_id="c1"),
                    AIMessage(content="x", tool_calls=[{"name": "f", "args": {}, "id": "c2"}])]


def test_normalizing_string_contents_gives_the_same_messages() -> None:
    # What run_start.normalized takes as read of the installed langchain-core: for messages
    # whose contents are strings, _normalize_messages returns a new list of the very messages.
    reference = _lcu._normalize_messages(_STRING_CONTENTS)
    assert reference is not _STRING_CONTENTS
    assert [id(m) for m in reference] == [id(m) for m in _STRING_CONTENTS]
    ours = run_start.normalized(_STRING_CONTENTS)
    assert ours is not _STRING_CONTENTS
    assert [id(m) for m in ours] == [id(m) for m in _STRING_CONTENTS]


def test_string_contents_are_not_handed_to_the_normaliser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(messages: Any) -> Any:
        raise AssertionError("normalised")

    monkeypatch.setattr(_lcu, "_normalize_messages", refused)
    assert run_start.normalized(_STRING_CONTENTS) == _STRING_CONTENTS


def test_normalizing_list_contents_is_langchain_cores() -> None:
    # A v0 image block among string messages: translated as langchain-core translates it.
    old_style = HumanMessage(content=[{"type": "image", "source_type": "url",
                                       "url": "https://example.test/a.png"}])
    messages = [*_STRING_CONTENTS[:2], old_style]
    ours = run_start.normalized(messages)
    assert ours == _lcu._normalize_messages(messages)
    assert ours[2] is not old_style and ours[2].content != old_style.content


@pytest.mark.parametrize("call", CALLS)
def test_an_observed_run_hands_configure_the_traced_parameters_as_langchain_does(
        emu: Emulator, call: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # What LangSmith inherits from the run (the invocation parameters without the large ones)
    # is made only for observed runs now; it must still reach configure, as from langchain-core.
    given: list[Any] = []
    for cls in (CallbackManager, run_start.AsyncCallbackManager):
        original = cls.configure.__func__  # type: ignore[attr-defined]

        def recording(klass: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
            given.append(kw.get("langsmith_inheritable_metadata"))
            return _original(klass, *args, **kw)

        monkeypatch.setattr(cls, "configure", classmethod(recording))
    model = _model(emu, [Heard()], temperature=0.3, max_tokens=7)
    recorded = []
    for inherited in (False, True):
        given.clear()
        emu.enqueue(Reply.text("traced"))
        if inherited:
            monkeypatch.setattr(ChatOpenRouter, call, getattr(BaseChatModel, call))
        _call(model, call)
        recorded.append(list(given))
    ours, theirs = recorded
    assert ours == theirs
    assert ours and ours[0]["temperature"] == 0.3 and ours[0]["max_tokens"] == 7


_NO_MIME_IMAGE = HumanMessage(content=[{"type": "image", "base64": "aGVsbG8="}])


def _bad_settings(model: ChatOpenRouter) -> None:
    model.temperature = "hot"  # type: ignore[assignment]  (fields are not re-validated)


def _conflicting_body(model: ChatOpenRouter) -> None:
    # Valid settings whose body cannot be made: extra_body's provider is not an object.
    model.openrouter_provider = {"order": ["A"]}  # type: ignore[assignment]
    model.extra_body = {"provider": "x"}


class _NoTruth:
    """A per-call value whose truth cannot be told (as a numpy array's or pandas' NA)."""

    def __bool__(self) -> bool:
        raise ValueError("no truth value here")


# Each input makes one step of a run's start fail: (what is changed on the model, the input,
# the config, the call's keywords).
_FAILING_STARTS: dict[str, tuple[Callable[[ChatOpenRouter], None] | None, Any,
                                 dict[str, Any] | None, dict[str, Any]]] = {
    "settings": (_bad_settings, "Hello", None, {}),
    "structured-format-without-schema": (
        None, "Hello", None, {"ls_structured_output_format": {"kwargs": {}}}),
    "structured-format-not-a-dict": (
        None, "Hello", None, {"ls_structured_output_format": ["schema"]}),
    "metadata-not-a-mapping": (None, "Hello", {"metadata": [("a", 1)]}, {}),
    "image-without-mime-type": (None, [_NO_MIME_IMAGE], None, {}),
    "ls-params-on-the-calls-value": (None, "Hello", None, {"max_tokens": _NoTruth()}),
    # Two failures at once: the first in langchain-core's order wins.
    "settings-body-and-metadata": (_conflicting_body, "Hello", {"metadata": [("a", 1)]}, {}),
    "settings-body-and-image": (_conflicting_body, [_NO_MIME_IMAGE], None, {}),
    "metadata-and-ls-params": (None, "Hello", {"metadata": [("a", 1)]},
                               {"max_tokens": _NoTruth()}),
    "settings-and-metadata": (_bad_settings, "Hello", {"metadata": [("a", 1)]}, {}),
    "structured-format-and-settings": (
        _bad_settings, "Hello", None, {"ls_structured_output_format": {"kwargs": {}}}),
    "settings-and-image": (_bad_settings, [_NO_MIME_IMAGE], None, {}),
}


@pytest.mark.parametrize("name", list(_FAILING_STARTS))
def test_a_quiet_run_fails_where_langchain_core_fails(emu: Emulator, name: str) -> None:
    # A quiet run of ChatOpenRouter does not build the traced parameters; every step that
    # could fail still runs, in langchain-core's order, so the same error comes first.
    change, model_input, config, kwargs = _FAILING_STARTS[name]
    model = _model(emu)
    if change is not None:
        change(model)
    with pytest.raises(Exception) as theirs:  # whatever langchain-core raises
        BaseChatModel.invoke(model, model_input, config, **kwargs)
    calls: list[Callable[[], Any]] = [
        lambda: model.invoke(model_input, config, **kwargs),
        lambda: asyncio.run(model.ainvoke(model_input, config, **kwargs)),
        lambda: list(model.stream(model_input, config, **kwargs)),
    ]
    for call in calls:
        with pytest.raises(type(theirs.value)) as ours:
            call()
        assert str(ours.value) == str(theirs.value)
    assert emu.requests == []


class _Unserializable(ChatOpenRouter):
    @property
    def lc_attributes(self) -> dict[str, Any]:
        raise RuntimeError("cannot be serialised")


def test_a_quiet_run_of_a_model_that_cannot_be_serialised_fails_as_in_langchain(
        emu: Emulator) -> None:
    # on_chat_model_start is handed the model's serialisation, so a model that cannot be
    # serialised fails at the start of every run in langchain-core, observed or not.
    model = _Unserializable(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url,
                            max_retries=0)
    with pytest.raises(RuntimeError, match="cannot be serialised"):
        BaseChatModel.invoke(model, "Hello")
    for call in CALLS:
        with pytest.raises(RuntimeError, match="cannot be serialised"):
            _call(model, call)
    assert emu.requests == []


def test_a_quiet_run_builds_no_invocation_parameters(emu: Emulator,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The invocation parameters dump the settings (to_body) on every run that builds them; a
    # quiet run works the dump out once per settings object, to fail where they would fail.
    dumps: list[int] = []
    original = RequestSettings.to_body
    monkeypatch.setattr(RequestSettings, "to_body",
                        lambda self: (dumps.append(1), original(self))[1])
    for call in CALLS:
        for model, per_run in ((_model(emu), 0), (_model(emu, [Heard()]), 1)):
            for _ in range(2):  # the first run also builds the request template
                emu.enqueue(Reply.text("quiet"))
                _call(model, call)
            dumps.clear()
            emu.enqueue(Reply.text("quiet"))
            assert "quiet" in _call(model, call)
            assert len(dumps) == per_run, (call, per_run)


def test_replaced_invocation_parameters_are_built_for_quiet_runs(
        emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # A subclass's own _get_invocation_params, or one patched on ChatOpenRouter itself (a
    # tracing tool, mock.patch), runs for every run, observed or not, as in langchain-core.
    built: list[str] = []
    original = ChatOpenRouter._get_invocation_params

    def counted(self: ChatOpenRouter, stop: list[str] | None = None, **kw: Any) -> Any:
        built.append(type(self).__name__)
        return original(self, stop=stop, **kw)

    class Own(ChatOpenRouter):
        def _get_invocation_params(self, stop: list[str] | None = None,
                                   **kwargs: Any) -> Any:
            return counted(self, stop=stop, **kwargs)

    own = Own(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    for call in CALLS:
        built.clear()
        emu.enqueue(Reply.text("quiet"))
        _call(own, call)
        assert built == ["Own"], call
    monkeypatch.setattr(ChatOpenRouter, "_get_invocation_params", counted)
    for call in CALLS:
        built.clear()
        emu.enqueue(Reply.text("quiet"))
        _call(_model(emu), call)
        assert built == ["ChatOpenRouter"], call


def test_a_quiet_run_takes_the_configs_run_id_and_leaves_the_config_alone(
        emu: Emulator) -> None:
    run_id = uuid.UUID("00000000-0000-4000-8000-0000000000bb")
    config: dict[str, Any] = {"run_id": run_id, "metadata": {"k": "v"}, "tags": ["t"]}
    body = {"object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "anonymous"}}]}
    emu.enqueue(Reply.json(body))
    assert _model(emu).invoke("Hello", config).id == f"lc_run--{run_id}-0"  # type: ignore[arg-type]
    assert config == {"run_id": run_id, "metadata": {"k": "v"}, "tags": ["t"]}
