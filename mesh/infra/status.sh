#!/usr/bin/env bash
# Which local servers run and answer, where they listen, their pid and log. `make infra-status`.
#   mesh/infra/status.sh           table; exit 0 whatever the state
#   mesh/infra/status.sh --check   exit 1 unless all five are up and answering
#   mesh/infra/status.sh --smoke   also run real client round trips (mesh/infra/smoke.mjs:
#                                  kafkajs, mongodb, mysql2, ioredis from node_modules); implies --check
set -euo pipefail
# shellcheck source=mesh/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check=0
smoke=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    --smoke) check=1 smoke=1 ;;
    -h | --help)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument $arg (try --help)" ;;
  esac
done

all_up=1
legend=0
printf '%-9s %-9s %-42s %-8s %s\n' SERVER STATE ADDRESS PID LOG
for s in "${SERVERS[@]}"; do
  state=down
  pid=-
  if p="$(server_pid "$s")"; then
    pid="$p"
    if answers "$s"; then state=up; else state=starting; fi
  else
    for port in $(case "$s" in mariadb) echo "$MARIADB_PORT" ;; redis) echo "$REDIS_PORT" ;; kafka) echo "$KAFKA_PORT" ;; ferretdb) echo "$FERRETDB_PORT" ;; mailpit) echo "$MAILPIT_SMTP_PORT $MAILPIT_HTTP_PORT" ;; esac); do
      if port_taken "$port"; then state=foreign; fi
    done
  fi
  [ "$state" = up ] || all_up=0
  case "$state" in foreign | starting) legend=1 ;; esac
  printf '%-9s %-9s %-42s %-8s %s\n' "$s" "$state" "$(addr_of "$s")" "$pid" "${LOGS#"$ROOT"/}/$s.log"
done
if [ -f "$ENV_FILE" ]; then
  echo "env: ${ENV_FILE#"$ROOT"/} (set -a; source .infra/env; set +a); Kafka $KAFKA_VERSION, FerretDB $FERRETDB_VERSION, Mailpit $MAILPIT_VERSION"
else
  echo "env: ${ENV_FILE#"$ROOT"/} missing: run make infra-up"
fi
[ "$legend" = 0 ] || echo "(foreign: the port answers but not a server these scripts started; starting: alive, not answering yet)"

if [ "$smoke" = 1 ] && [ "$all_up" = 1 ]; then
  set -a
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  set +a
  cd "$ROOT"
  "$(node_bin)" --no-warnings "$INFRA_SRC/smoke.mjs" || exit 1
fi
if [ "$check" = 1 ] && [ "$all_up" = 0 ]; then exit 1; fi
exit 0
