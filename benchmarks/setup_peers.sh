#!/usr/bin/env bash
# Create the peer virtualenvs that benchmarks/run.py compares against.
#
# The older PyPI `langchain-openrouter` (0.2.x) has the same import name as this project's
# `langchain_openrouter`, so each peer lives in its own virtualenv and its benchmark worker runs
# there as a subprocess. Workers need only their client library: the emulator serving them runs
# in the parent (run.py) process, so nothing from this repository is installed into the peers.
#
# Usage: bash benchmarks/setup_peers.sh [python-executable]   (default: python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${1:-python3}"
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

make_venv old-langchain-openrouter "langchain-openrouter<0.3"
make_venv llamaindex-openrouter llama-index-llms-openrouter
