#!/usr/bin/env bash
# Installs Debian's Chromium for the headless browser tests (test/local),
# when it is missing: as root with apt-get (as in CI); elsewhere it prints
# the command that installs it and fails (scripts/hostpkgs.sh).
# On macOS, `brew install --cask chromium` installs the app; put a
# `chromium` command on PATH (a link to
# /Applications/Chromium.app/Contents/MacOS/Chromium).
#
#   scripts/chromium.sh [install]        install now
#   scripts/chromium.sh install-background
#                                        start that and return (make test: the
#                                        download overlaps the Go tests' compile);
#                                        log in .tools/chromium-install.log
#   scripts/chromium.sh wait             wait for a background install, or
#                                        install now (the browser tests call this)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/hostpkgs.sh
. scripts/background.sh
TOOLS="${TOOLS:-$PWD/.tools}"
BGPID="$TOOLS/chromium-install.pid"
LOG="$TOOLS/chromium-install.log"

install() { host_install chromium chromium; }

install_background() {
  # Installed already, or not installable here (then the command that
  # installs it is printed now, and make test stops): nothing to wait for.
  if [ -z "$(host_missing chromium)" ] || ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    install
    return
  fi
  echo "chromium: installing Debian's chromium in the background (log: $LOG); the browser tests wait for it" >&2
  bg_start "$BGPID" "$LOG" "$0" install
}

wait_installed() {
  bg_wait chromium "$BGPID" "the background install"
  rm -f "$BGPID"
  if [ -n "$(host_missing chromium)" ]; then
    [ -f "$LOG" ] && cat "$LOG" >&2
    install
  fi
}

case "${1:-install}" in
  install) install ;;
  install-background) install_background ;;
  wait) wait_installed ;;
  *) echo "usage: $0 [install|install-background|wait]" >&2; exit 2 ;;
esac
