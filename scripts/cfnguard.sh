#!/usr/bin/env bash
# Installs AWS Control Tower's proactive controls, the CloudFormation Guard
# rules AWS publishes, with the cfn-guard binaries that run them: the npm
# package @cdklabs/cdk-validator-cfnguard, pinned by
# scripts/cfnguard/package-lock.json, into .tools/cfnguard. Runs `npm ci`
# once, and again when the lockfile changes. Prints nothing on success.
#
# The package carries cfn-guard for Linux and macOS, x86-64 and arm64
# (bin/ubuntu/<arch>, bin/macos/<arch>) and the rules under
# rules/control-tower/cfn-guard/<service>/ct-*.guard. Its peer dependency
# (aws-cdk-lib, for its use as a CDK plugin) is not installed: streamgate
# runs the binary itself.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
DEST="$TOOLS/cfnguard"
STAMP="$DEST/node_modules/.package-lock.json.installed"
if [ -f "$STAMP" ] && cmp -s scripts/cfnguard/package-lock.json "$STAMP"; then
  exit 0
fi
echo "cfnguard: installing @cdklabs/cdk-validator-cfnguard (pinned) into $DEST" >&2
mkdir -p "$DEST"
cp scripts/cfnguard/package.json scripts/cfnguard/package-lock.json "$DEST/"
(cd "$DEST" && npm ci --legacy-peer-deps --no-audit --no-fund --loglevel=error >&2)
cp scripts/cfnguard/package-lock.json "$STAMP"
