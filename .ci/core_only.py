"""Core-only smoke check: `pip install .` with no extras must import and use openrouter_core.

Run by .ci/run in a fresh virtualenv that has neither framework installed. It sends one streamed
and one plain request through the real transport to the loopback emulator, and checks that an
error status comes back as the typed error (the path that imports the SDK's HTTP library), and
that importing either adapter without its extra raises an ImportError naming the extra.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

from pydantic import SecretStr

from openrouter_core import errors, transport
from openrouter_core.stream import StreamAssembler
from openrouter_core.testing import Emulator, Reply

for framework in ("langchain_core", "llama_index"):
    if importlib.util.find_spec(framework) is not None:
        sys.exit(f"core-only venv unexpectedly has {framework} installed")



def check(ok: bool, what: object) -> None:
    """Fail the CI step with a message (a plain script: `assert` would vanish under -O)."""
    if not ok:
        sys.exit(f"core-only check failed: {what}")


BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}

with Emulator() as emu:
    endpoint = transport.Endpoint(base_url=emu.base_url, api_key=SecretStr("sk-or-test-core"),
                                  max_retries=0)
    emu.enqueue(Reply.text("Hello there."))
    result = transport.complete(endpoint, dict(BODY), {})
    check(result.content == "Hello there.", result)

    emu.enqueue(Reply.error(402, "Insufficient credits"))
    try:
        transport.complete(endpoint, dict(BODY), {})
    except errors.PaymentRequiredError as exc:
        failure = exc
    else:
        sys.exit("a 402 did not raise PaymentRequiredError")
    check(failure.status_code == 402, failure.status_code)
    check("Insufficient credits" in str(failure), failure)
    check("sk-or-test-core" not in repr(failure) + str(failure), "the key leaked into the error")
    http_library = type(failure.response).__module__.partition(".")[0]

    emu.enqueue(Reply.text("streamed", chunks=["str", "eamed"]))
    assembler = StreamAssembler()
    for _ in transport.stream(endpoint, {**BODY, "stream": True}, {}, assembler):
        pass
    check(assembler.result().content == "streamed", assembler.result())

# The wheel ships the catalog snapshot: an installed (non-editable) package answers offline.
from openrouter_core import catalog  # noqa: E402

info = catalog.lookup("anthropic/claude-sonnet-4", mode="offline")
check(info is not None and info.context_length == 200_000, f"bundled catalog: {info}")
check(len(catalog.load_snapshot()) > 400, "the bundled snapshot is missing from the wheel")

# The adapters ship in the wheel; without their extra, importing one names the extra to install.
for adapter, extra in (("langchain_openrouter", "langchain"),
                       ("llama_index_openrouter", "llamaindex")):
    try:
        importlib.import_module(adapter)
    except ModuleNotFoundError as exc:
        sys.exit(f"importing {adapter} without its extra: a bare ModuleNotFoundError ({exc})")
    except ImportError as exc:
        check(f'pip install "openrouter-integrations[{extra}]"' in str(exc), exc)
    else:
        sys.exit(f"{adapter} imported without its framework installed")

import openai  # noqa: E402  (after the checks: importing it early would hide a lazy-import bug)

print(f"core-only: ok (openai {openai.__version__}, HTTP library {http_library})")
