#!/usr/bin/env bash
# Installs the AWS SDK for JavaScript's SigV4 signer (@smithy/signature-v4)
# that internal/devserver's AWS_IAM tests sign with, pinned by
# internal/devserver/testdata/sigv4js/package-lock.json, into that folder's
# node_modules. Runs `npm ci` once, and again when the lockfile changes. Any
# Node.js 18 or later runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/npm-pinned.sh
DIR=internal/devserver/testdata/sigv4js
if pinned_installed "$DIR" "$DIR"; then
  exit 0
fi
echo "sigv4js: installing the pinned npm packages of $DIR" >&2
pinned_ci "$DIR" "$DIR"
pinned_done "$DIR" "$DIR"
