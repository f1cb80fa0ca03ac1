#!/usr/bin/env bash
# make synth: synthesizes every app under apps/ with the pinned cdk CLI, each
# into its own cloud assembly (the streaming demo, which cdk.json runs, into
# cdk.out; the others into cdk.out.<app>), with CloudFormation validation
# on, and fails on any finding (internal/cmd/checkassembly).
#
# Each app is synthesized as `cdk synth` runs it from cdk.json, with the
# app's binary in place of `go run ./apps/<app>`: the binaries come from one
# `go build` of all the apps, which compiles aws-cdk-go once and links the
# apps side by side, while scripts/setup.sh installs Node.js and the cdk
# CLI. Then the apps are synthesized in waves: the apps of a wave side by
# side, a wave after the one before. A synth compiles its Go handlers for
# Lambda, and two synths compiling the same handler at once would each
# compile it (running every app side by side was measured slower, 282 s
# against 272 s, for that reason); so the first wave compiles the handlers
# most apps share (the demo's, with the standard library for linux/arm64),
# the second the upload handler (the AWS SDK) beside the MCP and chi
# examples, and the last reuses them (the team app all of its handlers;
# the regulated app all but its upload-event example, which no other app
# builds). Output is printed app by app.
#
#   scripts/synth.sh              every app
#   scripts/synth.sh APP ...      those apps, one after another
#   SYNTH_JOBS=1 scripts/synth.sh one app at a time (any other value: the waves)
set -euo pipefail
set -f # app names are words, never file patterns
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
GO="${GO:-go}"
export PATH="$TOOLS/node_modules/.bin:$PATH"
BIN="$TOOLS/synth"
LOGS="$BIN/logs"
mkdir -p "$LOGS"

WAVES=("streaming edge" "uploads servers" "team regulated")
if [ $# -gt 0 ]; then
  WAVES=("$@")
elif [ "${SYNTH_JOBS:-}" = 1 ]; then
  WAVES=(streaming edge uploads servers team regulated)
fi
APPS=()
for wave in "${WAVES[@]}"; do
  for app in $wave; do
    if [ ! -f "apps/$app/main.go" ]; then
      echo "synth: apps/$app/main.go does not exist; name an app under apps/ (streaming uploads team regulated edge servers)" >&2
      exit 2
    fi
    APPS+=("$app")
  done
done
if [ ${#APPS[@]} -eq 0 ]; then
  echo "synth: no app named; name an app under apps/ (streaming uploads team regulated edge servers), or none for all" >&2
  exit 2
fi

pkgs=()
for app in "${APPS[@]}"; do pkgs+=("./apps/$app"); done
# -s -w: no symbol table or DWARF, which links each 127 MB app about a third
# faster (panics still name functions and lines).
"$GO" build -ldflags="-s -w" -o "$BIN/" "${pkgs[@]}" ./internal/cmd/checkassembly > "$LOGS/build.log" 2>&1 &
build=$!
# A failed setup stops the script; the build stops with it.
trap 'kill "$build" 2>/dev/null || true' EXIT
./scripts/setup.sh
trap - EXIT
if ! wait "$build"; then
  cat "$LOGS/build.log" >&2
  echo "synth: building the apps failed (go build ${pkgs[*]})" >&2
  exit 1
fi

# synth APP: cdk synth of one app and the check of its assembly, into
# $LOGS/APP.log.
synth() {
  local app=$1 out=cdk.out."$1"
  [ "$app" = streaming ] && out=cdk.out
  {
    cdk synth --quiet --app "$BIN/$app" --output "$out" &&
      "$BIN/checkassembly" "$out"
  } > "$LOGS/$app.log" 2>&1
}

failed=()
for wave in "${WAVES[@]}"; do
  pids=()
  for app in $wave; do
    synth "$app" &
    pids+=($!)
  done
  i=0
  for app in $wave; do
    status=0
    wait "${pids[$i]}" || status=$?
    i=$((i + 1))
    cat "$LOGS/$app.log"
    [ "$status" = 0 ] || failed+=("$app")
  done
done
if [ ${#failed[@]} -gt 0 ]; then
  for app in "${failed[@]}"; do
    echo "synth: $app failed (log: $LOGS/$app.log)" >&2
  done
  exit 1
fi
