#!/usr/bin/env bash
# Installs what the project needs into the project-local tools folder: a
# supported Node.js for jsii (the machine's Node 20 is end-of-life for it and
# ~1.8x slower), picked for this host (scripts/node-package.sh), and the
# pinned cdk CLI (older ones and aws-cdk 3.0.0 cannot read this cloud
# assembly), then the Go modules. Safe to re-run: it skips what is there.
#
# A Node.js 22 or newer already on PATH is used as it is, on every host;
# otherwise npm's Node.js package for this host, where npm has one (not on
# macOS on Apple silicon: then install Node.js 22+ yourself).
#
#   STREAMGATE_NODE=system   insist on the Node.js on PATH (fails if older than 22)
#   STREAMGATE_NODE=npm      use npm's Node.js package even if PATH has a good one
#   scripts/setup.sh --which-node   print the choice for this host and exit
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
CDK_CLI_VERSION=2.1149.0
SERVICE_SPEC_VERSION=0.1.216
. scripts/node-package.sh

# The Makefile puts $TOOLS/node_modules/.bin first on PATH: the Node.js
# installed from npm by an earlier run is not the system's.
SYSTEM_PATH=""
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ "$d" = "$TOOLS/node_modules/.bin" ] || SYSTEM_PATH="${SYSTEM_PATH:+$SYSTEM_PATH:}$d"
done
system_node() { PATH="$SYSTEM_PATH" system_node_ok; }

case "${STREAMGATE_NODE:-}" in
  system)
    if ! system_node; then
      echo "setup: STREAMGATE_NODE=system, but the node on PATH is $(PATH="$SYSTEM_PATH" node --version 2>/dev/null || echo missing); jsii needs Node.js $MIN_NODE_MAJOR or newer" >&2
      exit 1
    fi
    NODE_PACKAGE="" ;;
  npm)
    NODE_PACKAGE="$(node_package "$(uname -s)" "$(uname -m)")" || exit 1 ;;
  *)
    if system_node; then
      NODE_PACKAGE=""
    else
      NODE_PACKAGE="$(node_package "$(uname -s)" "$(uname -m)")" || exit 1
    fi ;;
esac

if [ "${1:-}" = --which-node ]; then
  echo "${NODE_PACKAGE:-system $(PATH="$SYSTEM_PATH" node --version)}"
  exit 0
fi

have() {
  if [ -n "$NODE_PACKAGE" ]; then
    [ -x "$TOOLS/node_modules/.bin/node" ] &&
      [ "$("$TOOLS/node_modules/.bin/node" --version)" = "v${NODE_PACKAGE##*@}" ] || return 1
  elif [ -e "$TOOLS/node_modules/.bin/node" ]; then
    return 1 # an npm Node.js from an earlier run would shadow the system's
  fi
  [ -f "$TOOLS/node_modules/aws-cdk/package.json" ] &&
    grep -q "\"version\": \"$CDK_CLI_VERSION\"" "$TOOLS/node_modules/aws-cdk/package.json" &&
    [ -f "$TOOLS/node_modules/@aws-cdk/aws-service-spec/package.json" ] &&
    grep -q "\"version\": \"$SERVICE_SPEC_VERSION\"" "$TOOLS/node_modules/@aws-cdk/aws-service-spec/package.json"
}

if ! have; then
  echo "setup: installing ${NODE_PACKAGE:-nothing for Node.js (using $(PATH="$SYSTEM_PATH" node --version) from PATH)}, cdk CLI $CDK_CLI_VERSION and the CloudFormation spec into $TOOLS" >&2
  mkdir -p "$TOOLS"
  if [ -z "$NODE_PACKAGE" ]; then
    rm -rf "$TOOLS/node_modules"
  fi
  npm install --prefix "$TOOLS" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    $NODE_PACKAGE "aws-cdk@$CDK_CLI_VERSION" "@aws-cdk/aws-service-spec@$SERVICE_SPEC_VERSION" >&2
fi
go mod download
