#!/usr/bin/env bash
# Builds (once) the virtualenv that runs the real ab_lightgbm project's scripts in the tests, in a
# cache folder outside the clone, keyed by the pins in tests/corpus/requirements.txt and the
# interpreter, and prints the path of its python. Reused while the pins are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
req=tests/corpus/requirements.txt
py=${DAGTEST_BOOTSTRAP_PYTHON:-$(.venv/bin/python -c 'import sys; print(sys._base_executable)')}
key=$( (cat "$req"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
root=${DAGTEST_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dagtest}
venv=$root/venvs/corpus-$key
if [ ! -f "$venv/.ready" ]; then
  printf '[corpus-venv] installing the real project packages into %s\n' "$venv" >&2
  rm -rf "$venv" && mkdir -p "$root/venvs"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >&2
  touch "$venv/.ready"
fi
"$venv/bin/python" -c 'import sys; print(sys.executable)'
