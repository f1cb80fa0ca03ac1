#!/usr/bin/env bash
# Installs what the project needs into the project-local tools folder: a
# supported Node.js for jsii (the machine's Node 20 is end-of-life for it and
# ~1.8x slower), picked for this host (scripts/node-package.sh), and the
# pinned cdk CLI (npm's latest cannot read this cloud assembly), then the Go
# modules. Safe to re-run: it skips what is there.
#
#   STREAMGATE_NODE=system   use the Node.js 22+ on PATH instead of npm's
#                            (needed on macOS on Apple silicon)
#   scripts/setup.sh --which-node   print the choice for this host and exit
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
CDK_CLI_VERSION=2.1148.1
SERVICE_SPEC_VERSION=0.1.216
. scripts/node-package.sh

if [ "${STREAMGATE_NODE:-}" = system ]; then
  if ! system_node_ok; then
    echo "setup: STREAMGATE_NODE=system, but the node on PATH is $(node --version 2>/dev/null || echo missing); jsii needs Node.js $MIN_NODE_MAJOR or newer" >&2
    exit 1
  fi
  NODE_PACKAGE=""
else
  NODE_PACKAGE="$(node_package "$(uname -s)" "$(uname -m)")" || exit 1
fi

if [ "${1:-}" = --which-node ]; then
  echo "${NODE_PACKAGE:-system $(node --version)}"
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
  echo "setup: installing ${NODE_PACKAGE:-(Node.js from PATH)}, cdk CLI $CDK_CLI_VERSION and the CloudFormation spec into $TOOLS" >&2
  mkdir -p "$TOOLS"
  if [ -z "$NODE_PACKAGE" ]; then
    rm -rf "$TOOLS/node_modules"
  fi
  npm install --prefix "$TOOLS" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    $NODE_PACKAGE "aws-cdk@$CDK_CLI_VERSION" "@aws-cdk/aws-service-spec@$SERVICE_SPEC_VERSION" >&2
fi
go mod download
