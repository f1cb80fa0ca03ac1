#!/usr/bin/env bash
# make test's Go tests, in three go test runs side by side:
#   - test/local, the local runner end to end, the longest package (three
#     minutes, most of it waiting on streams, processes and the browser,
#     not on the CPU), which `go test ./...` would start among the last;
#   - test, the one package that synthesizes with CloudFormation validation
#     on (a TestMain that set or unset CDK_VALIDATION was seen not to change
#     whether aws-cdk validates, so the variable is decided here, before
#     the test binaries start);
#   - every other package, with CDK_VALIDATION=false, as unit tests run.
# Their output follows in that order: the others', test's, test/local's.
#
#   scripts/gotest.sh [go test flags]
set -uo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
TOOLS="${TOOLS:-$PWD/.tools}"
mkdir -p "$TOOLS"
LOCAL_LOG="$TOOLS/test-local.log"
VALIDATED_LOG="$TOOLS/test-validated.log"
(unset CDK_VALIDATION && exec "$GO" test "$@" ./test/) > "$VALIDATED_LOG" 2>&1 &
validated_pid=$!
export CDK_VALIDATION=false
"$GO" test "$@" ./test/local/ > "$LOCAL_LOG" 2>&1 &
local_pid=$!
# shellcheck disable=SC2046
"$GO" test "$@" $("$GO" list ./... | grep -v -e '/test$' -e '/test/local$')
rest=$?
wait "$validated_pid"
validated=$?
cat "$VALIDATED_LOG"
wait "$local_pid"
local_rc=$?
cat "$LOCAL_LOG"
[ "$rest" = 0 ] && [ "$validated" = 0 ] && [ "$local_rc" = 0 ]
