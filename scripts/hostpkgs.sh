# Sourced by the scripts that need programs from the host's own packages
# (chromium.sh: Chromium; noderic.sh and pyric.sh: the compilers that build
# AWS's Runtime Interface Clients for Node.js and Python; pyclients.sh:
# Python's requests and botocore). One rule for all of them: as root on a
# host with apt-get, install what is missing; anywhere else, print the exact
# command for this host and fail, so nothing is used that was neither
# installed here nor named in the README's host table.

. scripts/lock.sh

# host_pkg CMD prints the package that provides the command CMD on the
# package manager PM (apt, dnf, brew).
host_pkg() {
  local cmd="$1" pm="$2"
  case "$pm/$cmd" in
    apt/g++) echo g++ ;;
    dnf/g++) echo gcc-c++ ;;
    brew/g++) echo gcc ;;
    */cc) echo gcc ;;
    */xz) [ "$pm" = apt ] && echo xz-utils || echo xz ;;
    apt/curl-config) echo libcurl4-openssl-dev ;;
    dnf/curl-config) echo libcurl-devel ;;
    brew/curl-config) echo curl ;;
    apt/python3-config) echo python3-dev ;;
    dnf/python3-config) echo python3-devel ;;
    brew/python3-config) echo python ;;
    brew/chromium) echo "--cask chromium" ;;
    *) echo "$cmd" ;;
  esac
}

# host_missing CMD... prints the commands that are not on PATH.
host_missing() {
  local c missing=""
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
  done
  echo "${missing# }"
}

# host_install_hint WHO CMD... prints, on stderr, how to install the
# commands CMD on this host, one line per package manager that fits.
host_install_hint() {
  local who="$1" c apt="" dnf="" brew=""
  shift
  for c in "$@"; do
    apt="$apt $(host_pkg "$c" apt)"
    dnf="$dnf $(host_pkg "$c" dnf)"
    brew="$brew $(host_pkg "$c" brew)"
  done
  if [ "$(uname -s)" = Darwin ]; then
    echo "$who: install them: brew install$brew" >&2
    return
  fi
  echo "$who: install them as root, then run the same make command again:" >&2
  echo "$who:   Debian, Ubuntu:  sudo apt-get install -y$apt" >&2
  echo "$who:   Fedora, RHEL:    sudo dnf install -y$dnf" >&2
}

# host_install WHO CMD... makes sure every command CMD is on PATH: the
# missing ones are installed from Debian's packages as root (one apt-get at
# a time, however many scripts ask at once), or named with the command that
# installs them, and the call fails.
host_install() {
  local who="$1"
  shift
  local missing
  missing="$(host_missing "$@")"
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "$who: needs $missing, not found on PATH" >&2
    host_install_hint "$who" $missing
    return 1
  fi
  local pkgs="" c
  for c in $missing; do pkgs="$pkgs $(host_pkg "$c" apt)"; done
  # shellcheck disable=SC2086
  apt_install "$who" "$@" -- $pkgs
}

# host_install_package WHO APT DNF installs a package that brings no command
# (a library, a Python module), which the caller found missing: Debian's
# APT as root, or else the command that installs it (APT, or Fedora's DNF)
# is printed and the call fails.
host_install_package() {
  local who="$1" apt="$2" dnf="$3"
  if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "$who: needs the package $apt (Debian, Ubuntu) or $dnf (Fedora, RHEL)" >&2
    echo "$who: install it as root, then run the same make command again:" >&2
    echo "$who:   Debian, Ubuntu:  sudo apt-get install -y $apt" >&2
    echo "$who:   Fedora, RHEL:    sudo dnf install -y $dnf" >&2
    return 1
  fi
  apt_install "$who" -- "$apt"
}

# apt_install WHO [CMD...] -- PKG... installs Debian's packages PKG, one
# apt-get at a time however many scripts ask at once; when commands CMD are
# given, only if one of them is still missing once it is this script's turn.
apt_install() {
  local who="$1" cmds=() tools="${TOOLS:-$PWD/.tools}"
  shift
  while [ "$1" != -- ]; do
    cmds+=("$1")
    shift
  done
  shift
  mkdir -p "$tools"
  # apt-get refuses to run beside another apt-get: wait for ours.
  lock "$tools/apt.lock"
  # Another script may have installed them meanwhile.
  if [ ${#cmds[@]} -gt 0 ] && [ -z "$(host_missing "${cmds[@]}")" ]; then
    unlock "$tools/apt.lock"
    return 0
  fi
  echo "$who: installing Debian's $* (once)" >&2
  # One package-list update per hour is enough for every script that asks.
  if [ -z "$(find "$tools/apt.updated" -mmin -60 2>/dev/null)" ]; then
    apt-get update -qq && touch "$tools/apt.updated"
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$tools/apt.log" 2>&1; then
    tail -20 "$tools/apt.log" >&2
    unlock "$tools/apt.lock"
    return 1
  fi
  unlock "$tools/apt.lock"
}

# host_python MODULE... prints the first python3 that imports every
# MODULE: the one on PATH, else Debian's own /usr/bin/python3 (where
# Debian's python3-MODULE packages install to); nothing, and fails, when
# neither does.
host_python() {
  local py imports
  imports="$(IFS=,; echo "$*")"
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c "import $imports" >/dev/null 2>&1; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}
