#!/usr/bin/env bash
# A real S3-compatible server (MinIO, which checks SigV4 signatures and POST
# policies) for the upload tests and local runs, on 127.0.0.1 only.
#
#   scripts/minio.sh install        build it once into .tools/bin (about 3 min here, cached; only
#                                   Go is needed, so it works the same on macOS and arm64)
#   scripts/minio.sh install-background
#                                   start that build and return at once (make test: it
#                                   overlaps the Go tests' own compile and run)
#   scripts/minio.sh wait           wait for a background build, or build now (the tests
#                                   that need MinIO call this first)
#   scripts/minio.sh start [PORT]   start it (default port 9100) with data in .tools/minio-data
#   scripts/minio.sh stop           stop it and remove its data
#
# The tests start and stop their own instance on a free port (test/uploads).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
BIN="$TOOLS/bin/minio"
STAMP="$TOOLS/bin/minio.version"
export MINIO_ROOT_USER="${MINIO_ROOT_USER:-streamgate}"
export MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-streamgate-local-secret}"

LOCK="$TOOLS/minio-build.lock"
BGPID="$TOOLS/minio-build.pid"

installed() { [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$MINIO_VERSION" ]; }

install() {
  mkdir -p "$TOOLS/bin"
  # One build at a time: a second caller waits for the first.
  until mkdir "$LOCK" 2>/dev/null; do
    if [ -f "$LOCK/pid" ] && ! kill -0 "$(cat "$LOCK/pid")" 2>/dev/null; then
      rm -rf "$LOCK" # left by a build that was killed
      continue
    fi
    sleep 1
  done
  echo $$ > "$LOCK/pid"
  trap 'rm -rf "$LOCK"' EXIT
  if installed; then
    return
  fi
  echo "minio: building github.com/minio/minio@$MINIO_VERSION into $TOOLS/bin (once; a few minutes)" >&2
  # Compiled without optimisation (-N -l): a third less build time (205 s
  # against 315 s on 2 cores) for a server that only ever sees loopback
  # tests, where it is as fast (its disk is the limit: 1 GiB at ~200 MB/s
  # either way).
  GOBIN="$TOOLS/bin" CGO_ENABLED=0 go install "-gcflags=all=-N -l" "-ldflags=-s -w" "github.com/minio/minio@$MINIO_VERSION"
  echo "$MINIO_VERSION" > "$STAMP"
}

install_background() {
  if installed; then
    return
  fi
  mkdir -p "$TOOLS"
  echo "minio: building in the background (log: $TOOLS/minio-build.log); the tests that need it wait for it" >&2
  "$0" install > "$TOOLS/minio-build.log" 2>&1 &
  echo $! > "$BGPID"
}

wait_built() {
  if [ -f "$BGPID" ] && kill -0 "$(cat "$BGPID")" 2>/dev/null; then
    echo "minio: waiting for the background build" >&2
    while kill -0 "$(cat "$BGPID")" 2>/dev/null; do sleep 1; done
  fi
  rm -f "$BGPID"
  if ! installed; then
    [ -f "$TOOLS/minio-build.log" ] && cat "$TOOLS/minio-build.log" >&2
    install
  fi
}

start() {
  wait_built
  local port="${1:-9100}" data="$TOOLS/minio-data"
  mkdir -p "$data"
  "$BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$((port + 1))" "$data" \
    > "$TOOLS/minio.log" 2>&1 &
  echo $! > "$TOOLS/minio.pid"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/minio/health/live" >/dev/null 2>&1; then
      echo "minio: http://127.0.0.1:$port (user $MINIO_ROOT_USER, pid $(cat "$TOOLS/minio.pid"))"
      return
    fi
    sleep 0.1
  done
  echo "minio: did not start; see $TOOLS/minio.log" >&2
  exit 1
}

stop() {
  if [ -f "$TOOLS/minio.pid" ]; then
    kill "$(cat "$TOOLS/minio.pid")" 2>/dev/null || true
    rm -f "$TOOLS/minio.pid"
  fi
  rm -rf "$TOOLS/minio-data"
}

case "${1:-}" in
  install) install ;;
  install-background) install_background ;;
  wait) wait_built ;;
  start) start "${2:-9100}" ;;
  stop) stop ;;
  *) echo "usage: $0 install|install-background|wait|start [PORT]|stop" >&2; exit 2 ;;
esac
