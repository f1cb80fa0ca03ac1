#!/usr/bin/env bash
# MinIO by hand, on 127.0.0.1 only. scripts/s3server.sh builds it (and
# SeaweedFS, the default server of the tests and make dev); this script
# keeps its old commands, and starts and stops one by hand.
#
#   scripts/minio.sh install        build it once into .tools/bin (scripts/s3server.sh install minio)
#   scripts/minio.sh install-background
#   scripts/minio.sh wait           as scripts/s3server.sh install-background|wait minio
#   scripts/minio.sh start [PORT]   start it (default port 9100) with data in .tools/minio-data
#   scripts/minio.sh stop           stop it and remove its data
#
# The tests start and stop their own instance on a free port (test/uploads).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TOOLS:-$PWD/.tools}"
BIN="$TOOLS/bin/minio"
export MINIO_ROOT_USER="${MINIO_ROOT_USER:-streamgate}"
export MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-streamgate-local-secret}"

wait_built() { scripts/s3server.sh wait minio; }

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
  install) exec scripts/s3server.sh install minio ;;
  install-background) exec scripts/s3server.sh install-background minio ;;
  wait) wait_built ;;
  start) start "${2:-9100}" ;;
  stop) stop ;;
  *) echo "usage: $0 install|install-background|wait|start [PORT]|stop" >&2; exit 2 ;;
esac
