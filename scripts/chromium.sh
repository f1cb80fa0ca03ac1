#!/usr/bin/env bash
# Installs Debian's Chromium for the headless browser test of the local
# runner's page (test/local), when it is missing. Needs root (as in CI).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  # macOS or a distribution without apt: the page test needs a `chromium`
  # command on PATH, installed your way.
  echo "chromium: not found, and this host has no apt-get. Install Chromium and put a \`chromium\` command on PATH" >&2
  echo "chromium: (macOS: \`brew install --cask chromium\`, then link /Applications/Chromium.app/Contents/MacOS/Chromium as chromium)." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium: not installed, and installing it needs root: apt-get install chromium" >&2
  exit 1
fi
echo "chromium: installing Debian's chromium (once)" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
