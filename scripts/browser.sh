#!/usr/bin/env bash
# Installs the npm packages the browser tests drive in headless Chromium
# (Uppy's @uppy/core and @uppy/aws-s3, and esbuild to bundle them), pinned
# by test/local/browser/package-lock.json, into that folder's node_modules.
# Runs `npm ci` once, and again when the lockfile changes. Any npm works:
# the packages run in the browser (esbuild ships a binary per platform).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/npm-pinned.sh
DIR=test/local/browser
if pinned_installed "$DIR" "$DIR"; then
  exit 0
fi
echo "browser: installing the pinned npm packages of $DIR" >&2
pinned_ci "$DIR" "$DIR"
pinned_done "$DIR" "$DIR"
