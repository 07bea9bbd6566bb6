#!/usr/bin/env bash
# Builds (once) the virtualenv with Ray that the Ray executor's tests and benchmark use (the
# driver, the local test cluster and its workers all run it), keyed by the pins in
# tests/ray/requirements.txt and the interpreter, and prints the path of its python
# (scripts/cached-venv.sh: the cache folder, the key; exits 3 when Ray cannot be installed here).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/cached-venv.sh ray tests/ray/requirements.txt
