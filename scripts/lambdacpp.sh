# Sourced by the scripts that build one of AWS's Runtime Interface Clients
# (noderic.sh for Node.js, pyric.sh for Python): both link aws-lambda-cpp,
# each from the sources its own package ships. The two sources differ (the
# Node.js package's has response streaming, the Python package's is 0.2.6
# with AWS's patches), so each client gets its own build; the steps are
# these, the ones the packages' preinstall.sh scripts take for
# aws-lambda-cpp, against the host's libcurl instead of a curl built from
# source.

# build_lambda_cpp TARBALL SRC PREFIX [CMAKE-ARG...] unpacks TARBALL (.tar.xz
# or .tar.gz; a single top folder is stepped into) into SRC, then builds and
# installs aws-lambda-cpp into PREFIX (PREFIX/lib/libaws-lambda-runtime.a
# and PREFIX/include), position-independent for a shared object, with the
# extra CMAKE-ARGs. It needs cmake, make, g++ and libcurl's headers.
build_lambda_cpp() {
  local tarball="$1" src="$2" prefix="$3" flags="-fPIC" owner="" z=z
  shift 3
  rm -rf "$src" "$prefix"
  mkdir -p "$src" "$prefix"
  tar --version 2>/dev/null | grep -q GNU && owner=--no-same-owner
  case "$tarball" in *.xz) z=J ;; esac
  # 2>/dev/null: macOS tar's extended attributes, which GNU tar warns about
  # for every file.
  tar "x${z}f" "$tarball" $owner -C "$src" 2>/dev/null
  if [ ! -f "$src/CMakeLists.txt" ]; then
    src="$(echo "$src"/*/)"
  fi
  # As the packages' preinstall.sh: no backtraces on musl (Alpine).
  if ldd --version 2>&1 | grep -q musl; then
    flags="$flags -DBACKWARD_HAS_BACKTRACE=0 -DBACKWARD_HAS_BACKTRACE_SYMBOL=0"
  fi
  mkdir -p "$src/build"
  (cd "$src/build" &&
    cmake .. -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_INSTALL_PREFIX="$prefix" "$@" &&
    make -j "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" &&
    make install)
}

# ric_install_background WHO WHAT starts `$0 install` in the background
# (its pid in $BGPID, its output in $LOG) unless the client is installed
# (the caller's `installed`). On Linux, build tools this host lacks and
# cannot install (no apt-get, or not root) stop make test now, with the
# command that installs them (host_install), not in a test minutes later.
ric_install_background() {
  local who="$1" what="$2"
  if installed; then
    return
  fi
  if [ "$(uname -s)" = Linux ] && [ -n "$(host_missing "${BUILD_TOOLS[@]}")" ] &&
    { ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; }; then
    host_install "$who" "${BUILD_TOOLS[@]}"
  fi
  echo "$who: $what in the background (log: $LOG); the tests that need it wait for it" >&2
  bg_start "$BGPID" "$LOG" "$0" install
}

# ric_wait WHO WHAT FUNCTIONS waits for that background job, installs now
# when it did not (showing its log), and says which functions cannot run
# on this host when the client could not be built ($NOT_BUILT).
ric_wait() {
  local who="$1" what="$2" functions="$3"
  bg_wait "$who" "$BGPID" "$what"
  rm -f "$BGPID"
  if ! installed; then
    [ -f "$LOG" ] && cat "$LOG" >&2
    install
  fi
  if [ -f "$NOT_BUILT" ]; then
    echo "$who: $functions cannot run on this host: $(cat "$NOT_BUILT")" >&2
  fi
}
