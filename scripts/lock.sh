# Sourced by the scripts that must not run a step twice at once (an S3
# server's build, apt-get): a lock is a directory, which mkdir makes
# atomically, holding the owner's pid.

# lock DIR waits until DIR is this process's lock; a lock whose owner died
# (a killed build) is taken over.
lock() {
  until mkdir "$1" 2>/dev/null; do
    if [ -f "$1/pid" ] && ! kill -0 "$(cat "$1/pid")" 2>/dev/null; then
      rm -rf "$1"
      continue
    fi
    sleep 1
  done
  echo $$ > "$1/pid"
}

# unlock DIR gives the lock up.
unlock() { rm -rf "$1"; }
