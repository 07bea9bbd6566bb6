#!/usr/bin/env bash
# Builds (once) the virtualenv with Ray that the Ray executor's tests and benchmark use (the
# driver, the local test cluster and its workers all run it), in a cache folder outside the
# clone, keyed by the pins in tests/ray/requirements.txt and the interpreter, and prints the path
# of its python. Reused while the pins are unchanged. Exits 3 when Ray cannot be installed here.
set -euo pipefail
cd "$(dirname "$0")/.."
req=tests/ray/requirements.txt
py=${DAGTEST_BOOTSTRAP_PYTHON:-$(.venv/bin/python -c 'import sys; print(sys._base_executable)')}
key=$( (cat "$req"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
root=${DAGTEST_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dagtest}
venv=$root/venvs/ray-$key
if [ ! -f "$venv/.ready" ]; then
  printf '[ray-venv] installing Ray and the example packages into %s\n' "$venv" >&2
  rm -rf "$venv" && mkdir -p "$root/venvs"
  "$py" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >&2; then
    rm -rf "$venv"
    echo "[ray-venv] Ray could not be installed on this machine" >&2
    exit 3
  fi
  touch "$venv/.ready"
fi
"$venv/bin/python" -c 'import sys; print(sys.executable)'
