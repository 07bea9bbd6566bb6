#!/usr/bin/env bash
# Installs everything dagtest needs to build, test and run its example, idempotently:
# node packages (npm ci), a project-local Python virtualenv (.venv) with the example's
# packages, the compiled CLI (dist/) and the Python wheel (dist/wheel/). Re-running skips what is already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

stamp_ok() { # stamp file, inputs...: true when the stamp is newer than every input
  local stamp=$1; shift
  [ -f "$stamp" ] || return 1
  for f in "$@"; do [ "$f" -nt "$stamp" ] && return 1; done
  return 0
}

if ! stamp_ok node_modules/.dagtest-stamp package.json package-lock.json; then
  log "installing node packages (npm ci: exactly the lock file, never rewriting it)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.dagtest-stamp
fi

PY=${DAGTEST_BOOTSTRAP_PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3.12 python3.11 python3.10 python3.9 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
      PY=$cand; break
    fi
  done
fi
[ -n "$PY" ] || { echo "dagtest setup: no Python 3.9+ found on PATH (hint: install python3 or set DAGTEST_BOOTSTRAP_PYTHON)" >&2; exit 1; }

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'pass' 2>/dev/null; then
  log "creating .venv with $("$PY" -c 'import sys; print(sys.executable)')"
  rm -rf .venv
  "$PY" -m venv .venv
fi
if ! stamp_ok .venv/.dagtest-stamp python/requirements.txt; then
  log "installing Python packages into .venv (pandas, scikit-learn, pyarrow, pytest)"
  .venv/bin/python -m pip install --disable-pip-version-check -q -r python/requirements.txt
  touch .venv/.dagtest-stamp
fi

# Real Chromium for the UI's browser tests (driven by playwright-core, which never downloads a
# browser): Debian's package, installed when missing. DAGTEST_CHROMIUM may name another binary.
if [ -z "${DAGTEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing chromium (apt-get) for the UI's browser tests"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium >&2 \
      || log "warning: could not install chromium; the browser tests will fail until it is installed"
  else
    log "warning: no chromium on PATH; install it (Debian: apt-get install chromium) or set DAGTEST_CHROMIUM"
  fi
fi

log "building dist/ (and the UI bundle, dist/ui)"
npm run --silent build

# The Python package (python/dagtest) as a wheel: the engine bundled into one file + the runner.
log "building the Python wheel (dist/wheel/)"
.venv/bin/python scripts/build_wheel.py dist/wheel >/dev/null
