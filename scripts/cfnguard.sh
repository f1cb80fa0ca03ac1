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
. scripts/npm-pinned.sh
DEST="${TOOLS:-$PWD/.tools}/cfnguard"
if pinned_installed scripts/cfnguard "$DEST"; then
  exit 0
fi
echo "cfnguard: installing @cdklabs/cdk-validator-cfnguard (pinned) into $DEST" >&2
pinned_ci scripts/cfnguard "$DEST" --legacy-peer-deps
pinned_done scripts/cfnguard "$DEST"
