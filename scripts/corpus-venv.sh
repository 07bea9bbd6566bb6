#!/usr/bin/env bash
# Builds (once) the virtualenv that runs the real ab_lightgbm project's scripts in the tests, keyed
# by the pins in tests/corpus/requirements.txt and the interpreter, and prints the path of its
# python (scripts/cached-venv.sh: the cache folder, the key, exit 3 when pip fails).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/cached-venv.sh corpus tests/corpus/requirements.txt
