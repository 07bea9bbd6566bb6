#!/usr/bin/env bash
# usage: scripts/cached-venv.sh <name> <requirements-file>
# Builds (once) a virtualenv with the packages of <requirements-file> in a cache folder outside the
# clone, ${DAGTEST_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dagtest}/venvs/<name>-<key>, where
# <key> hashes the requirements file and the interpreter's version, and prints the path of its
# python. Reused while both are unchanged. Exits 3 when pip cannot install the packages here (the
# half-built venv is removed), 2 on a usage error. The interpreter is DAGTEST_BOOTSTRAP_PYTHON, else
# the one behind the clone's .venv (scripts/setup.sh).
set -euo pipefail
if [ $# -ne 2 ] || [ ! -f "$2" ]; then
  echo "usage: scripts/cached-venv.sh <name> <requirements-file>  (got: $*)" >&2
  exit 2
fi
name=$1
req=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")/.."
py=${DAGTEST_BOOTSTRAP_PYTHON:-$(.venv/bin/python -c 'import sys; print(sys._base_executable)')}
# The key is the same recipe the venvs were first built with: keep it, or every cache is rebuilt.
key=$( (cat "$req"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
root=${DAGTEST_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dagtest}
venv=$root/venvs/$name-$key
if [ ! -f "$venv/.ready" ]; then
  printf '[%s-venv] installing the packages of %s into %s\n' "$name" "$2" "$venv" >&2
  rm -rf "$venv" && mkdir -p "$root/venvs"
  "$py" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >&2; then
    rm -rf "$venv"
    echo "[$name-venv] the packages of $2 could not be installed on this machine" >&2
    exit 3
  fi
  touch "$venv/.ready"
fi
"$venv/bin/python" -c 'import sys; print(sys.executable)'
