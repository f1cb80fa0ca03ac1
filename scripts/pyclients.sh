#!/usr/bin/env bash
# Prints a python3 that has the third-party Python clients the local tests
# drive: requests, and botocore (the AWS SDK for Python's core, whose SigV4
# signer signs for AWS_IAM routes). When no python3 has them: as root with
# apt-get (as in CI), Debian's python3-requests and python3-botocore are
# installed for Debian's /usr/bin/python3; elsewhere the commands that
# install them are printed and the script fails (scripts/hostpkgs.sh), and
# the tests that need them skip, saying so.
#
#   scripts/pyclients.sh        print the interpreter's path (install first if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/hostpkgs.sh
MODULES=(requests botocore)
host_python "${MODULES[@]}" && exit 0
for m in "${MODULES[@]}"; do
  if ! /usr/bin/python3 -c "import $m" >/dev/null 2>&1; then
    host_install_package pyclients "python3-$m" "python3-$m" || {
      echo "pyclients: or, on any host: python3 -m pip install ${MODULES[*]}" >&2
      exit 1
    }
  fi
done
host_python "${MODULES[@]}"
