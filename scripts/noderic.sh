#!/usr/bin/env bash
# Installs AWS's Runtime Interface Client for Node.js (npm aws-lambda-ric,
# pinned by scripts/noderic/package-lock.json) into .tools/noderic: the
# local runner runs Node.js functions with it, as Lambda's managed runtimes
# do. Runs `npm ci` once, and again when the lockfile changes.
#
# The package ships its native part prebuilt for Linux x86-64. Elsewhere it
# builds it with node-gyp, which needs cmake, autoconf, automake, libtool and
# a C++ compiler; this script says so when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/npm-pinned.sh
DEST="${TOOLS:-$PWD/.tools}/noderic"
if pinned_installed scripts/noderic "$DEST"; then
  exit 0
fi
echo "noderic: installing aws-lambda-ric (pinned) into $DEST" >&2
pinned_ci scripts/noderic "$DEST"
ric="$DEST/node_modules/aws-lambda-ric"
# The package's rapid-client.node is built for Linux x86-64 (it aborts the
# process when loaded outside a runtime, so it cannot be probed).
if [ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]; then
  if [ "$(uname -s)" = Darwin ]; then
    echo "noderic: aws-lambda-ric's native part does not build on macOS (its own scripts say so): sgdev lists Node.js functions as not run there" >&2
    exit 0
  fi
  missing=""
  for tool in cmake autoconf automake libtoolize g++ make python3; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  if [ -n "$missing" ]; then
    echo "noderic: aws-lambda-ric ships its native part for Linux x86-64 only; building it for $(uname -s)/$(uname -m) needs:$missing" >&2
    echo "noderic: install them (Debian: apt-get install cmake autoconf automake libtool g++), then run scripts/noderic.sh again" >&2
    exit 1
  fi
  # npm 11 does not run a dependency's install scripts unless allowed: run
  # the package's own build (curl and aws-lambda-cpp, then the addon).
  echo "noderic: building aws-lambda-ric's native part for $(uname -s)/$(uname -m) (a few minutes; log in $DEST/build.log)" >&2
  if ! (cd "$ric" && sh scripts/preinstall.sh && sh scripts/postinstall.sh) > "$DEST/build.log" 2>&1; then
    tail -20 "$DEST/build.log" >&2
    exit 1
  fi
fi
pinned_done scripts/noderic "$DEST"
