#!/usr/bin/env bash
# make test's Go tests. test/local, the local runner end to end, is the
# longest package (three minutes, most of it waiting on streams, processes
# and the browser, not on the CPU), and `go test ./...` would start it
# among the last: it runs here beside the other packages instead, from the
# start, and its output follows theirs.
#
#   scripts/gotest.sh [go test flags]
set -uo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
TOOLS="${TOOLS:-$PWD/.tools}"
mkdir -p "$TOOLS"
LOG="$TOOLS/test-local.log"
# CloudFormation validation off in the unit tests, as the CDK test packages'
# TestMain (cdktest.Main) also asks; the test package, whose job it is,
# turns it back on.
export CDK_VALIDATION=false
"$GO" test "$@" ./test/local/ > "$LOG" 2>&1 &
local_pid=$!
# shellcheck disable=SC2046
"$GO" test "$@" $("$GO" list ./... | grep -v '/test/local$')
rest=$?
wait "$local_pid"
local_rc=$?
cat "$LOG"
[ "$rest" = 0 ] && [ "$local_rc" = 0 ]
