#!/usr/bin/env bash
# The whole test suite from a fresh Debian/Ubuntu machine: sets up what it needs, then runs
# the linters, the build and every test. Arguments go to pytest (e.g. `-k page`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

# Playwright cannot download its own browser everywhere; Debian's Chromium does the same job.
if ! .venv/bin/python -c "import sys; from tests.conftest import chromium_executable as c; sys.exit(0 if c() or c() is None else 1)" 2>/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
python3 build.py
.venv/bin/python -m pytest "$@"
