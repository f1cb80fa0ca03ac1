#!/usr/bin/env bash
# Installs AWS's Runtime Interface Client for Node.js (npm aws-lambda-ric,
# pinned by scripts/noderic/package-lock.json) into .tools/noderic: the
# local runner runs Node.js functions with it, as Lambda's managed runtimes
# do.
#
# aws-lambda-ric 4.0.2 ships no prebuilt native part for any platform: its
# own install scripts build a minimal static curl and aws-lambda-cpp from
# the tarballs in its deps/ folder, then the addon rapid-client.node with
# node-gyp. curl's configure and build are nine tenths of that (about 90 s
# of CPU on x86-64), for a client that only ever talks HTTP/1.1 to the
# runner's Runtime API on 127.0.0.1; so this script builds aws-lambda-cpp
# from the package's own tarball against the host's libcurl (its
# development package) and links the addon to libcurl.so, with the
# package's own postinstall.sh (about 15 s). It needs cmake, make, a C and
# a C++ compiler, python3, xz and libcurl's headers (curl-config): it
# installs the missing ones (Debian's packages, as root; elsewhere it prints
# the command and fails: scripts/hostpkgs.sh) and builds the addon once per
# lockfile and host.
# On macOS the package's own scripts skip the build (aws-lambda-cpp is
# Linux only), so there is no addon: the script says so, records why in
# node_modules/aws-lambda-ric/NOT-BUILT.txt, and succeeds; the runner then
# lists the Node.js functions it cannot run, and the Node.js tests skip with
# that reason.
#
#   scripts/noderic.sh [install]        install and build now (make dev)
#   scripts/noderic.sh install-background
#                                       start that and return at once (make test: it
#                                       overlaps the Go tests' compile); log in .tools/noderic-build.log
#   scripts/noderic.sh wait             wait for a background install, or install now; prints
#                                       why the addon is missing when it is (the tests call this)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/npm-pinned.sh
. scripts/hostpkgs.sh
. scripts/background.sh
. scripts/lambdacpp.sh
TOOLS="${TOOLS:-$PWD/.tools}"
DEST="$TOOLS/noderic"
RIC="$DEST/node_modules/aws-lambda-ric"
NOT_BUILT="$RIC/NOT-BUILT.txt"
BGPID="$TOOLS/noderic-build.pid"
LOG="$TOOLS/noderic-build.log"
# What the build of aws-lambda-cpp and the package's scripts/postinstall.sh
# run; curl-config stands for libcurl's development package.
BUILD_TOOLS=(cmake make gcc g++ python3 xz curl-config)

# The addon is built for one host; a .tools moved to another is rebuilt.
stamp() { echo "$(cksum < scripts/noderic/package-lock.json) $(uname -s) $(uname -m)"; }
installed() {
  pinned_installed scripts/noderic "$DEST" &&
    [ "$(cat "$DEST/built" 2>/dev/null)" = "$(stamp)" ] &&
    { [ -f "$RIC/rapid-client.node" ] || [ -f "$NOT_BUILT" ]; }
}

# nodedir is the headers folder of the node that will run the addon, when
# it has one (npm's Node.js packages and the official builds do), so that
# node-gyp does not download headers.
nodedir() {
  local prefix
  prefix="$(cd "$(dirname "$(readlink -f "$(command -v node)")")/.." && pwd)"
  [ -f "$prefix/include/node/node_api.h" ] && echo "$prefix"
}

# build_runtime_cpp does what the package's scripts/preinstall.sh does, in
# the package's folder, but for curl: aws-lambda-cpp is built from
# deps/aws-lambda-cpp.tar.xz into deps/artifacts, against the host's
# libcurl (scripts/lambdacpp.sh), and deps/artifacts/lib/libcurl.a, which
# binding.gyp links, is a linker script that names the host's shared
# libcurl.
build_runtime_cpp() {
  local art="$PWD/deps/artifacts"
  build_lambda_cpp deps/aws-lambda-cpp.tar.xz "$PWD/deps/aws-lambda-cpp-src" "$art"
  mkdir -p "$art/lib"
  echo 'INPUT(-lcurl)' > "$art/lib/libcurl.a"
}

install() {
  if installed; then
    return
  fi
  echo "noderic: installing aws-lambda-ric (pinned) into $DEST" >&2
  # npm would run the package's build scripts as part of the install, before
  # this script could install what they need: they run below instead.
  pinned_ci scripts/noderic "$DEST" --ignore-scripts
  rm -f "$NOT_BUILT" "$RIC/rapid-client.node"
  case "$(uname -s)" in
    Linux) ;;
    Darwin)
      echo "aws-lambda-ric's native part does not build on macOS (the package's scripts/preinstall.sh skips Darwin: aws-lambda-cpp is Linux only); Node.js functions run on Linux (x86-64 or arm64)" > "$NOT_BUILT" ;;
    *)
      echo "aws-lambda-ric's native part builds on Linux only (aws-lambda-cpp); this host is $(uname -s)" > "$NOT_BUILT" ;;
  esac
  if [ -f "$NOT_BUILT" ]; then
    echo "noderic: $(cat "$NOT_BUILT")" >&2
  else
    host_install noderic "${BUILD_TOOLS[@]}"
    echo "noderic: building aws-lambda-ric's native part (aws-lambda-cpp against the host's libcurl, then rapid-client.node) for $(uname -s)/$(uname -m); log in $DEST/build.log" >&2
    local dir start=$SECONDS
    dir="$(nodedir || true)"
    if ! (cd "$RIC" && build_runtime_cpp && npm_config_nodedir="$dir" sh scripts/postinstall.sh) > "$DEST/build.log" 2>&1; then
      tail -20 "$DEST/build.log" >&2
      echo "noderic: the build failed; the whole log is $DEST/build.log" >&2
      exit 1
    fi
    echo "noderic: built in $((SECONDS - start)) s" >&2
  fi
  stamp > "$DEST/built"
  pinned_done scripts/noderic "$DEST"
}

install_background() { ric_install_background noderic installing; }
wait_installed() { ric_wait noderic "the background install" "Node.js functions"; }

case "${1:-install}" in
  install) install ;;
  install-background) install_background ;;
  wait) wait_installed ;;
  *) echo "usage: $0 [install|install-background|wait]" >&2; exit 2 ;;
esac
