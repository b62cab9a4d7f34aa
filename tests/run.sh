#!/usr/bin/env bash
# The whole test suite from a fresh Debian/Ubuntu machine: sets up what it needs, then runs
# the linters, the build and every test. Arguments go to pytest (e.g. `-k page`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

# Browsers come from Debian: Playwright cannot download its own here. Chromium (Playwright's own
# where installed), Firefox ESR, and WebKitGTK's WebDriver, which runs on a virtual X display.
packages=()
if ! .venv/bin/python -c "from tests.conftest import chromium_executable as c; c()" 2>/dev/null; then
  packages+=(chromium)
fi
command -v firefox-esr >/dev/null || command -v firefox >/dev/null || packages+=(firefox-esr)
command -v WebKitWebDriver >/dev/null || packages+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || packages+=(xvfb)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "tests/run.sh: installing ${packages[*]} from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
python3 build.py
.venv/bin/python -m pytest "$@"
