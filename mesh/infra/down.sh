#!/usr/bin/env bash
# Stops the local servers that mesh/infra/up.sh started (SIGTERM: each shuts down cleanly),
# waits until they have exited, and keeps their data in .infra/. `make infra-down`.
#   SHOPMESH_INFRA_STOP_TIMEOUT=60   seconds each server gets before it is killed (SIGKILL)
set -euo pipefail
# shellcheck source=mesh/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

limit="${SHOPMESH_INFRA_STOP_TIMEOUT:-60}"
declare -A pids=()
for s in "${SERVERS[@]}"; do
  if pid="$(server_pid "$s")"; then
    pids[$s]="$pid"
    kill -TERM "$pid" 2>/dev/null || true
  else
    rm -f "$(pidfile_of "$s")"
  fi
done
if [ "${#pids[@]}" -eq 0 ]; then
  say "no server is running (data stays in ${INFRA#"$ROOT"/}/)"
  exit 0
fi
say "stopping ${!pids[*]}"

# shellcheck disable=SC2317 # called through wait_until
gone() { ! kill -0 "$1" 2>/dev/null; }
rc=0
for s in "${!pids[@]}"; do
  pid="${pids[$s]}"
  if wait_until "$limit" "$s" gone "$pid"; then
    say "$s stopped (pid $pid)"
  else
    warn "$s (pid $pid) did not stop within ${limit}s; killing it (see $(log_of "$s"))"
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 10 "$s" gone "$pid" || {
      warn "$s (pid $pid) survived SIGKILL"
      rc=1
    }
  fi
  rm -f "$(pidfile_of "$s")"
done
rm -f "$RUN/mariadb.sock" "$RUN/mariadb.sock.lock"
say "stopped; data stays in ${INFRA#"$ROOT"/}/ (reset: make infra-down && rm -rf .infra)"
exit "$rc"
