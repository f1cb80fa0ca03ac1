#!/usr/bin/env bash
# Builds AWS's Runtime Interface Client for Python (awslambdaric 4.0.1,
# vendored in third_party/awslambdaric: PyPI is out of reach of the build
# machines) into .tools/pyric/runtime, the folder the local runner puts on
# PYTHONPATH for functions on the python3.11 to python3.14 runtimes, as
# Lambda's Python runtimes have theirs (LAMBDA_RUNTIME_DIR): the package,
# its C extension runtime_client, and simplejson, its one requirement the
# runner needs.
#
# runtime_client links aws-lambda-cpp. As the package's setup.py and
# preinstall.sh would, but against the host's libcurl instead of a static
# curl built from source: aws-lambda-cpp from the vendored tarball
# (scripts/lambdacpp.sh), then runtime_client.cpp compiled once for each
# Python the runner may pick (python3.11 to python3.14, and python3, each
# on PATH that runs), named by that Python's extension suffix
# (runtime_client.cpython-311-x86_64-linux-gnu.so), so several Pythons
# share the folder. simplejson is Debian's python3-simplejson, copied in
# (pure Python where its compiled part is for another Python). It needs
# cmake, make, a C and a C++ compiler, libcurl's headers (curl-config),
# python3 and its headers (python3-config): it installs the missing ones
# (Debian's packages, as root; elsewhere it prints the command and fails:
# scripts/hostpkgs.sh). It builds once per vendored release, host and set
# of Pythons.
# On macOS, as in the package's own setup.py, there is no runtime_client
# (aws-lambda-cpp is Linux only): the script says so, records why in
# .tools/pyric/runtime/NOT-BUILT.txt and succeeds; the runner then lists
# the Python functions it cannot run, and the Python tests skip with that
# reason.
#
#   scripts/pyric.sh [install]          build now (make dev)
#   scripts/pyric.sh install-background start that and return at once (make test);
#                                       log in .tools/pyric-build.log
#   scripts/pyric.sh wait               wait for a background build, or build now;
#                                       prints why runtime_client is missing when it
#                                       is (the tests call this)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/hostpkgs.sh
. scripts/background.sh
. scripts/lambdacpp.sh
TOOLS="${TOOLS:-$PWD/.tools}"
VENDOR=third_party/awslambdaric
LAMBDA_CPP="$VENDOR/deps/aws-lambda-cpp-0.2.6.tar.gz"
DEST="$TOOLS/pyric"
RUNTIME="$DEST/runtime"
NOT_BUILT="$RUNTIME/NOT-BUILT.txt"
BGPID="$TOOLS/pyric-build.pid"
LOG="$TOOLS/pyric-build.log"
# What the build of aws-lambda-cpp and of runtime_client run; curl-config
# stands for libcurl's development package, python3-config for Python's.
BUILD_TOOLS=(cmake make gcc g++ curl-config python3 python3-config)
# The Pythons the runner may run a function on, in its order of choice.
PYTHONS=(python3.11 python3.12 python3.13 python3.14 python3)

# pythons prints one line per Python to build for: its executable, its
# extension suffix and its headers' folder. A python3.X counts when it runs
# and is 3.X (pyenv's shim of a version not selected fails); the first
# Python of each suffix is built for. find_pythons keeps them in PYLIST.
pythons() {
  local name want line suffix seen=" "
  for name in "${PYTHONS[@]}"; do
    command -v "$name" >/dev/null 2>&1 || continue
    want="${name#python}"
    [ "$want" = 3 ] && want=""
    line="$("$name" -c 'import sys, sysconfig
want = sys.argv[1]
if want and "%d.%d" % sys.version_info[:2] != want:
    sys.exit(1)
print(sys.executable, sysconfig.get_config_var("EXT_SUFFIX"), sysconfig.get_paths()["include"])' "$want" 2>/dev/null)" || continue
    suffix="${line#* }"
    suffix="${suffix%% *}"
    case "$seen" in *" $suffix "*) continue ;; esac
    seen="$seen$suffix "
    echo "$line"
  done
}

PYLIST=""
find_pythons() { PYLIST="$(pythons)"; }

# executables prints PYLIST's executables, one a line.
executables() {
  local exe rest
  while read -r exe rest; do
    [ -n "$exe" ] && echo "$exe"
  done <<< "$PYLIST"
}

# The build is for one release, host and set of Pythons: a .tools moved to
# another host, or a Python added, is built again.
stamp() {
  # shellcheck disable=SC2086
  echo "$(cat "$VENDOR"/awslambdaric/* "$LAMBDA_CPP" | cksum) $(uname -s) $(uname -m)" $PYLIST
}
installed() {
  [ "$(cat "$DEST/built" 2>/dev/null)" = "$(stamp)" ] &&
    { [ -f "$NOT_BUILT" ] || compgen -G "$RUNTIME/runtime_client.*.so" >/dev/null; }
}

# simplejson_dir prints the folder of a simplejson package one of the
# Pythons (or Debian's own python3) imports.
simplejson_dir() {
  local py
  for py in "$@" /usr/bin/python3; do
    [ -x "$py" ] || continue
    "$py" -c 'import os, simplejson; print(os.path.dirname(simplejson.__file__))' 2>/dev/null && return 0
  done
  return 1
}

# build compiles runtime_client for each Python and fills RUNTIME.
build() {
  local cpp="$DEST/aws-lambda-cpp" exe suffix include built=0 json
  local cpp_stamp
  cpp_stamp="$(cksum < "$LAMBDA_CPP") $(uname -s) $(uname -m)"
  if [ "$(cat "$cpp/built" 2>/dev/null)" != "$cpp_stamp" ]; then
    # -DENABLE_LTO=OFF: the package's preinstall.sh passes its ENABLE_LTO,
    # unset by default.
    build_lambda_cpp "$LAMBDA_CPP" "$DEST/aws-lambda-cpp-src" "$cpp" -DENABLE_LTO=OFF
    echo "$cpp_stamp" > "$cpp/built"
  fi
  rm -rf "$RUNTIME"
  mkdir -p "$RUNTIME"
  while read -r exe suffix include; do
    [ -n "$exe" ] || continue
    if [ ! -f "$include/Python.h" ]; then
      echo "pyric: $exe has no headers (no $include/Python.h; Debian: its python3.X-dev package): no runtime_client for it" >&2
      continue
    fi
    # setup.py's extension: runtime_client.cpp, C++11, aws-lambda-runtime
    # and curl; -DNDEBUG -O2 as Python builds its extensions.
    g++ -shared -fPIC -O2 -DNDEBUG -std=c++11 -I"$include" -I"$cpp/include" \
      "$VENDOR/awslambdaric/runtime_client.cpp" -o "$RUNTIME/runtime_client$suffix" \
      -L"$cpp/lib" -L"$cpp/lib64" -laws-lambda-runtime -lcurl
    echo "pyric: runtime_client$suffix for $exe" >&2
    built=$((built + 1))
  done <<< "$PYLIST"
  if [ "$built" = 0 ]; then
    echo "pyric: no Python with headers to build runtime_client for" >&2
    return 1
  fi
  mkdir -p "$RUNTIME/awslambdaric"
  cp "$VENDOR"/awslambdaric/*.py "$RUNTIME/awslambdaric/"
  # shellcheck disable=SC2046
  json="$(simplejson_dir $(executables))"
  cp -R "$json" "$RUNTIME/simplejson"
  # Each Python loads its runtime_client and the package: a build that
  # links but cannot load (a missing symbol) fails here, not in a test.
  while read -r exe suffix include; do
    [ -f "$RUNTIME/runtime_client$suffix" ] || continue
    PYTHONPATH="$RUNTIME" "$exe" -c 'import runtime_client, simplejson, awslambdaric.bootstrap' >&2
  done <<< "$PYLIST"
}

install() {
  lock "$TOOLS/pyric.lock"
  if installed; then
    unlock "$TOOLS/pyric.lock"
    return
  fi
  mkdir -p "$RUNTIME"
  rm -f "$NOT_BUILT"
  case "$(uname -s)" in
    Linux) ;;
    Darwin)
      echo "AWS's Runtime Interface Client for Python has no runtime_client on macOS (the package's setup.py builds it on Linux only: aws-lambda-cpp is Linux only); Python functions run on Linux (x86-64 or arm64)" > "$NOT_BUILT" ;;
    *)
      echo "AWS's Runtime Interface Client for Python builds its runtime_client on Linux only (aws-lambda-cpp); this host is $(uname -s)" > "$NOT_BUILT" ;;
  esac
  if [ -f "$NOT_BUILT" ]; then
    echo "pyric: $(cat "$NOT_BUILT")" >&2
  else
    host_install pyric "${BUILD_TOOLS[@]}"
    find_pythons # python3 may be new
    # shellcheck disable=SC2046
    if ! simplejson_dir $(executables) >/dev/null; then
      host_install_package pyric python3-simplejson python3-simplejson
    fi
    echo "pyric: building awslambdaric's runtime_client (aws-lambda-cpp against the host's libcurl, then one per Python) for $(uname -s)/$(uname -m); log in $DEST/build.log" >&2
    local start=$SECONDS
    if ! build > "$DEST/build.log" 2>&1; then
      tail -20 "$DEST/build.log" >&2
      echo "pyric: the build failed; the whole log is $DEST/build.log" >&2
      unlock "$TOOLS/pyric.lock"
      exit 1
    fi
    grep '^pyric: runtime_client' "$DEST/build.log" >&2 || true
    echo "pyric: built in $((SECONDS - start)) s" >&2
  fi
  stamp > "$DEST/built"
  unlock "$TOOLS/pyric.lock"
}

install_background() { ric_install_background pyric building; }
wait_installed() { ric_wait pyric "the background build" "Python functions"; }

find_pythons
case "${1:-install}" in
  install) install ;;
  install-background) install_background ;;
  wait) wait_installed ;;
  *) echo "usage: $0 [install|install-background|wait]" >&2; exit 2 ;;
esac
