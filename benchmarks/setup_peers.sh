#!/usr/bin/env bash
# Create the peer virtualenvs that benchmarks/run.py compares against.
#
# The older PyPI `langchain-openrouter` (0.2.x) has the same import name as this project's
# `langchain_openrouter`, so each peer lives in its own virtualenv and its benchmark worker runs
# there as a subprocess. `langchain-openai` is not in this repository's pinned set, so ChatOpenAI
# lives in a third virtualenv. Workers need only their client library: the emulator serving them runs
# in the parent (run.py) process, so nothing from this repository is installed into the peers.
#
# Usage: bash benchmarks/setup_peers.sh [python-executable]
# The default is the interpreter this repository's .venv was made from (else python3): a peer on
# another Python build would measure the build, not the integration.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
default_python=python3
if [ -x "$here/../.venv/bin/python" ]; then
    default_python="$("$here/../.venv/bin/python" -c 'import sys; print(sys._base_executable)')"
fi
python="${1:-$default_python}"
venvs="$here/.venvs"
mkdir -p "$venvs"

pip_install() {  # quiet pip; on failure show its output (minus index-location noise) and stop
    local dir="$1"; shift
    local out
    if ! out="$("$dir/bin/python" -m pip install --quiet "$@" 2>&1)"; then
        grep -v "^WARNING: Location" <<<"$out" >&2
        exit 1
    fi
}

make_venv() {
    local name="$1"; shift
    local dir="$venvs/$name"
    if [ ! -x "$dir/bin/python" ]; then
        "$python" -m venv "$dir"
    fi
    pip_install "$dir" --upgrade pip
    pip_install "$dir" "$@"
    "$dir/bin/python" -c "import sys; print(sys.argv[1] + ': ready')" "$name"
}

# ChatOpenAI is kept out of this repository's pinned set, so it gets a virtualenv too. The pinned
# set constrains it, so that langchain-core, langgraph, openai and httpx are the versions ours
# runs with and the comparison is of the integrations alone.
make_venv langchain-openai -c "$here/../requirements/pinned.txt" langchain-openai langgraph
make_venv old-langchain-openrouter "langchain-openrouter<0.3"
make_venv llamaindex-openrouter llama-index-llms-openrouter
