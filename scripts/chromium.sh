#!/usr/bin/env bash
# Installs Debian's Chromium for the headless browser tests (test/local),
# when it is missing: as root with apt-get (as in CI); elsewhere it prints
# the command that installs it and fails (scripts/hostpkgs.sh).
# On macOS, `brew install --cask chromium` installs the app; put a
# `chromium` command on PATH (a link to
# /Applications/Chromium.app/Contents/MacOS/Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/hostpkgs.sh
host_install chromium chromium
