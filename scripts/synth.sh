#!/usr/bin/env bash
# make synth: synthesizes every app under apps/ with the pinned cdk CLI,
# each into its own cloud assembly (the streaming demo, which cdk.json runs,
# into cdk.out; the others into cdk.out.<app>), with CloudFormation
# validation on, and fails on any finding (internal/cmd/checkassembly).
#
# What a cold machine waits for is the compile of aws-cdk-go (four of five
# minutes on 2 cores) and a jsii kernel per synth. So the apps are compiled
# once, into binaries, while scripts/setup.sh installs Node.js and the cdk
# CLI, and the apps are synthesized SYNTH_JOBS at a time (default: the
# number of CPUs, at most 3), each `cdk synth --app <binary>` exactly as
# `cdk synth` runs `go run ./apps/<app>` from cdk.json. Output is printed
# app by app, in order. (Compiling the handlers for Lambda beside the
# apps' compile was tried: on 2 cores it only took CPU from it.)
#
#   scripts/synth.sh [app ...]   default: every app
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
GO="${GO:-go}"
export PATH="$TOOLS/node_modules/.bin:$PATH"
APPS=("$@")
if [ ${#APPS[@]} -eq 0 ]; then
  APPS=(streaming uploads team regulated edge servers)
fi
BIN="$TOOLS/synth"
LOGS="$BIN/logs"
mkdir -p "$LOGS"

cpus() { getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2; }
JOBS="${SYNTH_JOBS:-$(cpus)}"
[ "$JOBS" -gt 3 ] && JOBS=3
[ "$JOBS" -lt 1 ] && JOBS=1

pkgs=()
for app in "${APPS[@]}"; do pkgs+=("./apps/$app"); done
"$GO" build -o "$BIN/" "${pkgs[@]}" ./internal/cmd/checkassembly > "$LOGS/build.log" 2>&1 &
build=$!
./scripts/setup.sh
if ! wait "$build"; then
  cat "$LOGS/build.log" >&2
  echo "synth: building the apps failed" >&2
  exit 1
fi

# synth APP: cdk synth of one app and its check, into $LOGS/APP.log.
synth() {
  local app=$1 out=cdk.out."$1"
  [ "$app" = streaming ] && out=cdk.out
  {
    cdk synth --quiet --app "$BIN/$app" --output "$out" &&
      "$BIN/checkassembly" "$out"
  } > "$LOGS/$app.log" 2>&1
}

pids=() status=()
for i in "${!APPS[@]}"; do
  if [ "$i" -ge "$JOBS" ]; then
    j=$((i - JOBS))
    wait "${pids[$j]}" && status[$j]=0 || status[$j]=$?
  fi
  synth "${APPS[$i]}" &
  pids+=($!)
done
failed=0
for i in "${!APPS[@]}"; do
  if [ -z "${status[$i]:-}" ]; then
    wait "${pids[$i]}" && status[$i]=0 || status[$i]=$?
  fi
  cat "$LOGS/${APPS[$i]}.log"
  if [ "${status[$i]}" != 0 ]; then
    failed=1
    echo "synth: ${APPS[$i]} failed (log: $LOGS/${APPS[$i]}.log)" >&2
  fi
done
exit "$failed"
