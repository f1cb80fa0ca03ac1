# Sourced by the scripts that install npm packages pinned by a lockfile
# (noderic.sh, cfnguard.sh, browser.sh): `npm ci` once, and again only when
# the lockfile changes, recorded by a copy of the lockfile in node_modules.

# pinned_installed SRC DEST succeeds when DEST/node_modules holds the
# packages of SRC/package-lock.json.
pinned_installed() {
  local stamp="$2/node_modules/.package-lock.json.installed"
  [ -f "$stamp" ] && cmp -s "$1/package-lock.json" "$stamp"
}

# pinned_ci SRC DEST [NPM-ARGS...] installs SRC's package.json and
# package-lock.json into DEST with `npm ci`.
pinned_ci() {
  local src="$1" dest="$2"
  shift 2
  mkdir -p "$dest"
  if [ "$(cd "$src" && pwd)" != "$(cd "$dest" && pwd)" ]; then
    # -f: the sources may be a module cache's read-only copy (sgdev
    # install), whose modes cp keeps: a second install must replace them.
    cp -f "$src/package.json" "$src/package-lock.json" "$dest/"
  fi
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error "$@" >&2)
}

# pinned_done SRC DEST records that DEST holds SRC's packages.
pinned_done() {
  cp -f "$1/package-lock.json" "$2/node_modules/.package-lock.json.installed"
}
