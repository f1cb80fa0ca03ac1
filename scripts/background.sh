# Sourced by the scripts that install something in the background while
# make test compiles, and make the tests that need it wait (s3server.sh,
# noderic.sh, chromium.sh).

# bg_start PIDFILE LOG CMD...: runs CMD in the background, its output in
# LOG, its pid in PIDFILE.
bg_start() {
  local pidfile="$1" log="$2"
  shift 2
  mkdir -p "$(dirname "$pidfile")"
  "$@" > "$log" 2>&1 &
  echo $! > "$pidfile"
}

# bg_running PIDFILE: the background job of PIDFILE still runs.
bg_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# bg_wait WHO PIDFILE WHAT [DONE...]: waits, saying so once, while the
# background job runs and the command DONE (when given) fails.
bg_wait() {
  local who="$1" pidfile="$2" what="$3"
  shift 3
  if bg_running "$pidfile" && ! { [ $# -gt 0 ] && "$@"; }; then
    echo "$who: waiting for $what" >&2
    while bg_running "$pidfile" && ! { [ $# -gt 0 ] && "$@"; }; do sleep 1; done
  fi
}
