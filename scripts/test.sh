#!/usr/bin/env bash
# The one test command (`npm test`, and what .ci/run calls): sets everything up, then runs the
# typecheck, the linter, the vitest suite and the pytest suites (the Python runner, and the Python
# package: its wheel in a fresh venv without node, and the example notebook), and ends
# with one plain `N passed, N failed` line counted from the real results of both suites.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

# The real project's packages (lightgbm, pandas, ...) for tests/corpus, built once into a cache
# folder outside the clone and reused while tests/corpus/requirements.txt is unchanged.
if [ -d ../shared/cursus/projects/ab_lightgbm ]; then
  bash scripts/corpus-venv.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi

# Ray (and the example's packages) for tests/ray and `npm run bench -- ray`, built once into a cache
# folder outside the clone, keyed by tests/ray/requirements.txt; where Ray cannot be installed the
# Ray tests say so and are skipped.
bash scripts/ray-venv.sh >/dev/null || echo "[test] Ray cannot be installed here: tests/ray will be skipped"

# No `dagtest run` of a test leaves a warm server behind (README: the warm server kept between
# commands); the tests of that server turn it on and stop theirs.
export DAGTEST_KEEP_WARM=0

status=0
out=.test-results
rm -rf "$out" && mkdir -p "$out"

echo "== typecheck (tsc --noEmit)"
npx --no-install tsc -p tsconfig.json --noEmit && npx --no-install tsc -p ui/tsconfig.json || status=1
echo "== lint (biome check)"
npx --no-install biome check . || status=1

echo "== vitest"
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json" || status=1

echo "== pytest (python/tests)"
.venv/bin/python -m pytest python/tests -q -p no:cacheprovider --junit-xml="$out/pytest.xml" || status=1

node scripts/test-summary.mjs "$out/vitest.json" "$out/pytest.xml" || status=1
exit $status
