#!/usr/bin/env bash
# Install everything the test suite needs into .venv (Python 3.12) and run the whole suite.
# Used as-is by the README and by CI (.ci/run). Safe to rerun: installs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for cand in "${PYTHON:-}" python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 \
              /usr/local/bin/python3.12 /usr/bin/python3.12; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12' | tail -n1 || true)
    if [ -n "$v" ]; then echo "$(pyenv root)/versions/$v/bin/python3.12"; return 0; fi
  fi
  return 1
}

PY=$(find_python) || { echo "test.sh: Python 3.12+ is required (set PYTHON=/path/to/python3.12)" >&2; exit 2; }
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null; then
  rm -rf .venv
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,dev]"

# System tools some tests drive for real: Chromium for the HTML report, Node.js for the
# Neo4j Cypher linter. Installed here so a fresh machine needs nothing by hand.
if [ -f scripts/test-system-deps.sh ]; then
  bash scripts/test-system-deps.sh
fi

exec .venv/bin/python -m pytest -n "${AISPM_TEST_WORKERS:-2}" "$@"
