#!/usr/bin/env bash
# The README's first command: set everything up, then run dagtest's main job on the bundled
# example pipeline (examples/tabular).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo
node dist/cli/main.js plan examples/tabular
echo
node dist/cli/main.js run examples/tabular
