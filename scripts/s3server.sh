#!/usr/bin/env bash
# The S3-compatible servers the upload tests and local runs use, built from
# source with Go at pinned versions into .tools/bin, once per version:
#   seaweedfs  SeaweedFS's `weed` (maintained; the default of make test and make dev)
#   minio      MinIO (its repository was archived on 2026-04-25; kept selectable)
# Both check SigV4 signatures; the README's table of S3 servers says what
# else each does (internal/cmd/s3probe measures it).
#
#   scripts/s3server.sh install [KIND...]   build them now (default: every kind), one after
#                                           the other; only Go is needed
#   scripts/s3server.sh install-background [KIND...]
#                                           start those builds and return at once (make test:
#                                           they overlap the Go tests' own compile and run)
#   scripts/s3server.sh wait [KIND...]      wait for a background build, or build now (the
#                                           tests that need a server call this first)
#   scripts/s3server.sh bin KIND            print the binary's path
#
# The tests and sgdev start and stop their own instances on free loopback
# ports (internal/s3server).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lock.sh
. scripts/background.sh
TOOLS="${TOOLS:-$PWD/.tools}"
KINDS=(seaweedfs minio)

# Pinned versions (the Go module proxy serves these).
SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

BGPID="$TOOLS/s3server-build.pid"
BGLOG="$TOOLS/s3server-build.log"

bin() {
  case "$1" in
    seaweedfs) echo "$TOOLS/bin/weed" ;;
    minio) echo "$TOOLS/bin/minio" ;;
    *) echo "s3server: unknown server $1 (allowed: ${KINDS[*]})" >&2; exit 2 ;;
  esac
}

version() {
  case "$1" in
    seaweedfs) echo "$SEAWEEDFS_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
  esac
}

installed() { [ -x "$(bin "$1")" ] && [ "$(cat "$(bin "$1").version" 2>/dev/null)" = "$(version "$1")" ]; }

# Compiled without optimisation (-N -l): a third less build time for
# servers that only ever see loopback tests, where they are as fast (MinIO:
# 205 s against 315 s on 2 cores; 1 GiB at ~200 MB/s either way).
GCFLAGS="-gcflags=all=-N -l"

build() {
  local kind=$1 out
  out="$(bin "$kind")"
  case "$kind" in
    minio)
      GOBIN="$TOOLS/bin" CGO_ENABLED=0 go install "$GCFLAGS" "-ldflags=-s -w" "$MINIO_MODULE@$MINIO_VERSION"
      ;;
    seaweedfs)
      # Its go.mod has a replace directive, which `go install module@version`
      # refuses: build it as the main module, in its (read-only) module
      # cache folder.
      local dir
      # (Asked from outside this module, which it must not touch.)
      dir="$(cd / && GOWORK=off go mod download -json "$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
      (cd "$dir" && GOWORK=off CGO_ENABLED=0 go build "$GCFLAGS" "-ldflags=-s -w" -o "$out" ./weed)
      ;;
  esac
}

install_one() {
  local kind=$1 lock="$TOOLS/s3server-build-$1.lock"
  mkdir -p "$TOOLS/bin"
  # One build of a server at a time: a second caller waits for the first.
  lock "$lock"
  trap 'unlock "$lock"' EXIT
  if ! installed "$kind"; then
    echo "s3server: building $kind $(version "$kind") into $TOOLS/bin (once; a few minutes)" >&2
    local start=$SECONDS
    build "$kind"
    version "$kind" > "$(bin "$kind").version"
    echo "s3server: $kind built in $((SECONDS - start)) s" >&2
  fi
  unlock "$lock"
  trap - EXIT
}

install() {
  local kind
  for kind in "$@"; do
    install_one "$kind"
  done
}

install_background() {
  local missing=() kind
  for kind in "$@"; do
    installed "$kind" || missing+=("$kind")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "s3server: building ${missing[*]} in the background (log: $BGLOG); the tests that need them wait for it" >&2
  # One after the other: two Go builds at once would only share the cores.
  bg_start "$BGPID" "$BGLOG" "$0" install "${missing[@]}"
}

# all_installed KIND... succeeds when every KIND is built.
all_installed() {
  local kind
  for kind in "$@"; do installed "$kind" || return 1; done
}

wait_built() {
  # Only for the servers asked for: the runner's tests need the default
  # one, which is built first, not the whole background build.
  bg_wait s3server "$BGPID" "the background build of $*" all_installed "$@"
  local kind
  for kind in "$@"; do
    if ! installed "$kind"; then
      [ -f "$BGLOG" ] && cat "$BGLOG" >&2
      install_one "$kind"
    fi
  done
}

cmd="${1:-}"
shift || true
if [ $# -eq 0 ]; then
  set -- "${KINDS[@]}"
fi
for kind in "$@"; do bin "$kind" >/dev/null; done
case "$cmd" in
  install) install "$@" ;;
  install-background) install_background "$@" ;;
  wait) wait_built "$@" ;;
  bin) bin "$1" ;;
  *) echo "usage: $0 install|install-background|wait [${KINDS[*]}...] | bin KIND" >&2; exit 2 ;;
esac
