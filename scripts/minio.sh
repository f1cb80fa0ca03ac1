#!/usr/bin/env bash
# A real S3-compatible server (MinIO, which checks SigV4 signatures and POST
# policies) for the upload tests and local runs, on 127.0.0.1 only.
#
#   scripts/minio.sh install        build it once into .tools/bin (about 2-3 min, cached; only
#                                   Go is needed, so it works the same on macOS and arm64)
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

install() {
  if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$MINIO_VERSION" ]; then
    return
  fi
  echo "minio: building github.com/minio/minio@$MINIO_VERSION into $TOOLS/bin (once; a few minutes)" >&2
  mkdir -p "$TOOLS/bin"
  GOBIN="$TOOLS/bin" CGO_ENABLED=0 go install "github.com/minio/minio@$MINIO_VERSION"
  echo "$MINIO_VERSION" > "$STAMP"
}

start() {
  install
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
  start) start "${2:-9100}" ;;
  stop) stop ;;
  *) echo "usage: $0 install|start [PORT]|stop" >&2; exit 2 ;;
esac
