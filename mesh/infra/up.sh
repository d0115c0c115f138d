#!/usr/bin/env bash
# Installs (when missing) and starts the project's real servers on loopback, without Docker:
#   MariaDB 127.0.0.1:3306, Redis 127.0.0.1:6379, Kafka 127.0.0.1:9092 (KRaft),
#   FerretDB 127.0.0.1:27017 (MongoDB wire, SQLite storage),
#   Mailpit SMTP 127.0.0.1:1025 + HTTP API 127.0.0.1:8025 (catches every email; tests read them back).
# Data in .infra/<server>/, logs in .infra/logs/, pid files in .infra/run/, connection
# settings in .infra/env. A server that already runs and answers is reused, not restarted.
# `make infra-up`; docs/infrastructure.md.
#   SHOPMESH_INFRA_TIMEOUT=90   seconds each server gets to answer after its start
#   SHOPMESH_INFRA_SMOKE=auto   run mesh/infra/smoke.mjs (real client round trips) after a server
#                               was started: auto (when node_modules is there), 1, 0
set -euo pipefail
# shellcheck source=mesh/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

umask 077
mkdir -p "$LOGS" "$RUN" "$INFRA/mariadb" "$INFRA/redis" "$INFRA/kafka" "$INFRA/ferretdb" "$INFRA/mailpit"
exec 9>"$RUN/up.lock"
flock -w 900 9 || die "another mesh/infra/up.sh holds $RUN/up.lock"

if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi
T0=$SECONDS
STARTED="$RUN/started.list" # servers this run had to start (for the smoke check)
: >"$STARTED"

# ---------------------------------------------------------------------------------------------
# failure with the end of the server's log
fail_start() {
  local name="$1" why="$2" log
  log="$(log_of "$name")"
  {
    echo "infra: ERROR: $name $why"
    echo "infra: ---- last lines of $log ----"
    tail -n 25 "$log" 2>/dev/null | sed 's/^/  | /'
    echo "infra: ---- full log: $log"
  } >&2
  exit 1
}

# Shared start logic. ensure_server NAME START_FUNCTION
#  - alive and answering: reuse
#  - alive, not answering yet (e.g. still starting): wait for it
#  - not alive: refuse when another process holds the port, else start and wait
ensure_server() {
  local name="$1" starter="$2" pid port
  if pid="$(server_pid "$name")"; then
    if answers "$name"; then
      echo "$name reused" >>"$RUN/up.report"
      return 0
    fi
    say "$name: pid $pid is alive but does not answer yet; waiting up to ${START_TIMEOUT}s"
  else
    rm -f "$(pidfile_of "$name")"
    for port in $(ports_of "$name"); do
      if port_taken "$port"; then
        die "$name: port $HOST:$port is held by a process these scripts did not start ($(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:.*' || echo '?')); stop it, then run mesh/infra/up.sh again"
      fi
    done
    "$starter"
    echo "$name" >>"$STARTED"
  fi
  if ! wait_until "$START_TIMEOUT" "$name" answers "$name"; then
    if ! server_pid "$name" >/dev/null; then
      fail_start "$name" "exited during start-up"
    fi
    fail_start "$name" "did not answer on $(addr_of "$name") within ${START_TIMEOUT}s"
  fi
  echo "$name started" >>"$RUN/up.report"
}

ports_of() {
  case "$1" in
    mariadb) echo "$MARIADB_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
    ferretdb) echo "$FERRETDB_PORT" ;;
    mailpit) echo "$MAILPIT_SMTP_PORT $MAILPIT_HTTP_PORT" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# installs

install_debian_packages() {
  local pkgs=()
  if [ ! -x "$MARIADBD" ] || ! command -v mariadb-install-db >/dev/null || ! command -v mariadb >/dev/null ||
    ! command -v mariadb-admin >/dev/null; then
    pkgs+=(mariadb-server mariadb-client)
  fi
  if [ ! -x "$REDIS_SERVER" ] || ! command -v redis-cli >/dev/null; then
    pkgs+=(redis-server redis-tools)
  fi
  [ "${#pkgs[@]}" -eq 0 ] && return 0
  local log="$LOGS/install-apt.log" guard=""
  say "installing ${pkgs[*]} from Debian's packages (log: $log)"
  [ "$(id -u)" -eq 0 ] || die "installing ${pkgs[*]} needs root (apt-get); install them, then run this again"
  # Never let the packages' maintainer scripts start system-wide services (they would take
  # the ports, outside .infra); Docker-style images already ship this guard.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    guard=/usr/sbin/policy-rc.d
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  } >>"$log" 2>&1 || rc=$?
  [ -n "$guard" ] && rm -f "$guard"
  [ "$rc" -eq 0 ] || fail_start install-apt "apt-get failed (exit $rc)"
}

install_kafka() {
  if compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then return 0; fi
  local log="$LOGS/install-kafka.log" profile=()
  case "$KAFKA_VERSION" in 3.*) profile=(-Pkafka3) ;; esac
  say "kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central into ${KAFKA_LIBS#"$ROOT"/} (log: $log)"
  rm -rf "$KAFKA_LIBS.tmp"
  mvn -q -B -Dstyle.color=never -f "$INFRA_SRC/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" "${profile[@]}" \
    dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS.tmp" >>"$log" 2>&1 ||
    fail_start install-kafka "mvn dependency:copy-dependencies failed"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
}

# A plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that
# panics at start ("Invalid build/version/version.txt file content"): that file is generated by
# FerretDB's own build and is not in the module. So: take the module from the Go module proxy,
# add version.txt to a writable copy, and build cmd/ferretdb from it.
install_ferretdb() {
  if [ -x "$FERRETDB_BIN" ]; then return 0; fi
  local log="$LOGS/install-ferretdb.log" src="$TOOLS/go/src/ferretdb-$FERRETDB_VERSION" moddir
  command -v go >/dev/null || die "ferretdb: go is not on PATH (needed once to build FerretDB)"
  say "ferretdb: building FerretDB $FERRETDB_VERSION from the Go module proxy (log: $log)"
  export GOTOOLCHAIN=local CGO_ENABLED=0
  moddir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" 2>>"$log" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" || true
  if [ -z "$moddir" ] || [ ! -d "$moddir" ]; then
    fail_start install-ferretdb "go mod download github.com/FerretDB/FerretDB@$FERRETDB_VERSION failed"
  fi
  rm -rf "$src" "$src.tmp"
  mkdir -p "$(dirname "$src")" "$(dirname "$FERRETDB_BIN")"
  cp -R "$moddir" "$src.tmp"
  chmod -R u+w "$src.tmp"
  echo "$FERRETDB_VERSION" >"$src.tmp/build/version/version.txt"
  mv "$src.tmp" "$src"
  (cd "$src" && go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >>"$log" 2>&1 ||
    fail_start install-ferretdb "go build ./cmd/ferretdb failed"
  "$FERRETDB_BIN.tmp" --version >>"$log" 2>&1 || fail_start install-ferretdb "the built ferretdb does not run"
  mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
}

# Mailpit builds with a plain `go install` (its web UI assets are embedded in the module).
install_mailpit() {
  if [ -x "$MAILPIT_BIN" ]; then return 0; fi
  local log="$LOGS/install-mailpit.log"
  command -v go >/dev/null || die "mailpit: go is not on PATH (needed once to build Mailpit)"
  say "mailpit: building Mailpit $MAILPIT_VERSION from the Go module proxy (log: $log)"
  mkdir -p "$(dirname "$MAILPIT_BIN")"
  rm -rf "$TOOLS/go/mailpit.tmp"
  (GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$TOOLS/go/mailpit.tmp" go install "github.com/axllent/mailpit@$MAILPIT_VERSION") >>"$log" 2>&1 ||
    fail_start install-mailpit "go install github.com/axllent/mailpit@$MAILPIT_VERSION failed"
  "$TOOLS/go/mailpit.tmp/mailpit" version --no-release-check >>"$log" 2>&1 ||
    fail_start install-mailpit "the built mailpit does not run"
  mv -f "$TOOLS/go/mailpit.tmp/mailpit" "$MAILPIT_BIN"
  rm -rf "$TOOLS/go/mailpit.tmp"
}

# ---------------------------------------------------------------------------------------------
# starts (called by ensure_server when the server is not running)

start_redis() {
  # shellcheck disable=SC2094 # redis writes its own log after daemonizing; the shell only appends
  redis-server --port "$REDIS_PORT" --bind "$HOST" --protected-mode yes \
    --save '' --appendonly no --dir "$INFRA/redis" \
    --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$(log_of redis)" \
    </dev/null >>"$(log_of redis)" 2>&1 9>&- ||
    fail_start redis "redis-server refused to start"
}

start_mariadb() {
  local data="$INFRA/mariadb/data" log
  log="$(log_of mariadb)"
  if [ ! -d "$data/mysql" ]; then
    say "mariadb: initialising ${data#"$ROOT"/} (mariadb-install-db)"
    rm -rf "$data.init"
    mariadb-install-db --defaults-file="$INFRA/mariadb/my.cnf" --datadir="$data.init" \
      --auth-root-authentication-method=socket --skip-test-db >>"$log" 2>&1 ||
      fail_start mariadb "mariadb-install-db failed"
    mv "$data.init" "$data"
  fi
  spawn mariadb "$MARIADBD" --defaults-file="$INFRA/mariadb/my.cnf"
}

# The application user (random password, kept only in .infra/) and database. Idempotent.
provision_mariadb() {
  local pwfile="$INFRA/mariadb/password" pw
  if [ ! -s "$pwfile" ]; then
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$pwfile.tmp"
    mv "$pwfile.tmp" "$pwfile"
  fi
  pw="$(cat "$pwfile")"
  mariadb --no-defaults --socket="$RUN/mariadb.sock" --user=root <<SQL || fail_start mariadb "could not create the shopmesh user and database"
CREATE DATABASE IF NOT EXISTS shopmesh CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER IF NOT EXISTS 'shopmesh'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'shopmesh'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'shopmesh'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'shopmesh'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'shopmesh'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'shopmesh'@'localhost' WITH GRANT OPTION;
SQL
}

kafka_log_opts() {
  case "$KAFKA_VERSION" in
    3.*) echo "-Dlog4j.configuration=file:$INFRA_SRC/kafka/log4j.properties" ;;
    *) echo "-Dlog4j2.configurationFile=$INFRA_SRC/kafka/log4j2.properties" ;;
  esac
}

start_kafka() {
  local props="$INFRA/kafka/server.properties" data="$INFRA/kafka/data" log
  log="$(log_of kafka)"
  if [ ! -f "$data/meta.properties" ]; then
    local idfile="$INFRA/kafka/cluster-id"
    if [ ! -s "$idfile" ]; then
      # a Kafka Uuid: 16 random bytes, URL-safe base64 without padding
      head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$idfile"
    fi
    say "kafka: formatting ${data#"$ROOT"/} (cluster id $(cat "$idfile"))"
    # shellcheck disable=SC2046
    java -Xmx256m $(kafka_log_opts) -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format \
      -t "$(cat "$idfile")" -c "$props" --ignore-formatted >>"$log" 2>&1 ||
      fail_start kafka "kafka.tools.StorageTool format failed"
    echo "$KAFKA_VERSION" >"$INFRA/kafka/formatted-by"
  fi
  local formatted_by
  formatted_by="$(cat "$INFRA/kafka/formatted-by" 2>/dev/null || echo "$KAFKA_VERSION")"
  if [ "$formatted_by" != "$KAFKA_VERSION" ]; then
    warn "kafka: ${data#"$ROOT"/} was formatted by Kafka $formatted_by, starting $KAFKA_VERSION on it (upgrades work, downgrades fail; reset: mesh/infra/down.sh && rm -rf .infra/kafka)"
  fi
  # shellcheck disable=SC2046,SC2086
  spawn kafka java $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true $(kafka_log_opts) -cp "$KAFKA_LIBS/*" kafka.Kafka "$props"
}

start_ferretdb() {
  mkdir -p "$INFRA/ferretdb/data" "$INFRA/ferretdb/state"
  spawn ferretdb "$FERRETDB_BIN" \
    --listen-addr="$HOST:$FERRETDB_PORT" \
    --handler=sqlite --sqlite-url="file:$INFRA/ferretdb/data/" \
    --state-dir="$INFRA/ferretdb/state" \
    --debug-addr=- \
    --telemetry=disable --log-level=info
}

start_mailpit() {
  spawn mailpit "$MAILPIT_BIN" \
    --smtp="$HOST:$MAILPIT_SMTP_PORT" --listen="$HOST:$MAILPIT_HTTP_PORT" \
    --database="$INFRA/mailpit/mailpit.db" --max=5000 \
    --smtp-disable-rdns --disable-version-check --label=shopmesh
}

# ---------------------------------------------------------------------------------------------
# the pipelines, in parallel: Debian packages -> Redis, MariaDB; Kafka; FerretDB; Mailpit

render "$INFRA_SRC/mariadb/my.cnf" "$INFRA/mariadb/my.cnf" "INFRA=$INFRA"
render "$INFRA_SRC/kafka/server.properties" "$INFRA/kafka/server.properties" "DATA_DIR=$INFRA/kafka/data"
mkdir -p "$INFRA/mariadb/tmp"
: >"$RUN/up.report"

pipeline_debian() {
  install_debian_packages
  local r m rc=0
  ensure_server redis start_redis &
  r=$!
  ensure_server_mariadb &
  m=$!
  wait "$r" || rc=1
  wait "$m" || rc=1
  return "$rc"
}
ensure_server_mariadb() {
  # Root reaches the server over the socket (unix_socket auth); the shopmesh user over TCP.
  local pid=""
  if ! pid="$(server_pid mariadb)"; then
    pid=""
    rm -f "$(pidfile_of mariadb)"
    port_taken "$MARIADB_PORT" &&
      die "mariadb: port $HOST:$MARIADB_PORT is held by a process these scripts did not start ($(ss -Hltnp "sport = :$MARIADB_PORT" 2>/dev/null | grep -o 'users:.*' || echo '?')); stop it, then run mesh/infra/up.sh again"
    start_mariadb
    echo mariadb >>"$STARTED"
  fi
  if ! wait_until "$START_TIMEOUT" mariadb mariadb_socket_ping; then
    server_pid mariadb >/dev/null || fail_start mariadb "exited during start-up"
    fail_start mariadb "did not answer on $RUN/mariadb.sock within ${START_TIMEOUT}s"
  fi
  provision_mariadb
  wait_until 10 mariadb answers mariadb || fail_start mariadb "does not accept the shopmesh user on $HOST:$MARIADB_PORT"
  if [ -n "$pid" ]; then
    echo "mariadb reused" >>"$RUN/up.report"
  else
    echo "mariadb started" >>"$RUN/up.report"
  fi
}
pipeline_kafka() {
  install_kafka
  ensure_server kafka start_kafka
}
pipeline_ferretdb() {
  install_ferretdb
  ensure_server ferretdb start_ferretdb
}
pipeline_mailpit() {
  install_mailpit
  ensure_server mailpit start_mailpit
}

pids=()
names=(redis/mariadb kafka ferretdb mailpit)
pipeline_debian &
pids+=($!)
pipeline_kafka &
pids+=($!)
pipeline_ferretdb &
pids+=($!)
pipeline_mailpit &
pids+=($!)
failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
done
[ "${#failed[@]}" -eq 0 ] || die "not everything came up (${failed[*]}); see the messages above. Servers that did start keep running; mesh/infra/status.sh shows them."

# ---------------------------------------------------------------------------------------------
# connection settings for tests and services: `set -a; source .infra/env; set +a`
pw="$(mariadb_password)"
{
  echo "# written by mesh/infra/up.sh; local secrets, never commit"
  echo "SHOPMESH_MYSQL_URL=mysql://shopmesh:$pw@$HOST:$MARIADB_PORT/shopmesh"
  echo "SHOPMESH_MYSQL_HOST=$HOST"
  echo "SHOPMESH_MYSQL_PORT=$MARIADB_PORT"
  echo "SHOPMESH_MYSQL_USER=shopmesh"
  echo "SHOPMESH_MYSQL_PASSWORD=$pw"
  echo "SHOPMESH_MYSQL_DATABASE=shopmesh"
  echo "SHOPMESH_REDIS_URL=redis://$HOST:$REDIS_PORT"
  echo "SHOPMESH_KAFKA_BROKERS=$HOST:$KAFKA_PORT"
  echo "SHOPMESH_KAFKA_VERSION=$KAFKA_VERSION"
  echo "SHOPMESH_MONGO_URL=mongodb://$HOST:$FERRETDB_PORT/shopmesh"
  echo "SHOPMESH_SMTP_HOST=$HOST"
  echo "SHOPMESH_SMTP_PORT=$MAILPIT_SMTP_PORT"
  echo "SHOPMESH_MAIL_API_URL=http://$HOST:$MAILPIT_HTTP_PORT"
} >"$ENV_FILE.tmp"
mv -f "$ENV_FILE.tmp" "$ENV_FILE"

# Real client round trips after a fresh start (not when everything was reused).
smoke="${SHOPMESH_INFRA_SMOKE:-auto}"
if [ -s "$STARTED" ] && { [ "$smoke" = 1 ] || { [ "$smoke" = auto ] && [ -d "$ROOT/node_modules/kafkajs" ]; }; }; then
  if ! (
    set -a
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    set +a
    # shellcheck disable=SC2046 # one word per server
    cd "$ROOT" && "$(node_bin)" --no-warnings "$INFRA_SRC/smoke.mjs" $(sort -u "$STARTED" | sed 's/ferretdb/mongo/; s/mariadb/mysql/; /^mailpit$/d') >"$LOGS/smoke.log" 2>&1
  ); then
    cat "$LOGS/smoke.log" >&2
    die "smoke check failed after start (log: $LOGS/smoke.log)"
  fi
  say "smoke check passed for $(sort -u "$STARTED" | tr '\n' ' ')(log: ${LOGS#"$ROOT"/}/smoke.log)"
fi

# ---------------------------------------------------------------------------------------------
started="$(grep -c ' started$' "$RUN/up.report" || true)"
if [ "$started" -eq 0 ]; then
  say "all ${#SERVERS[@]} servers already up and answering ($((SECONDS - T0))s); env: ${ENV_FILE#"$ROOT"/}"
else
  say "up in $((SECONDS - T0))s (started: $(grep ' started$' "$RUN/up.report" | cut -d' ' -f1 | tr '\n' ' ')reused: $(grep ' reused$' "$RUN/up.report" | cut -d' ' -f1 | tr '\n' ' '))"
  for s in "${SERVERS[@]}"; do
    printf '  %-9s %-42s log %s\n' "$s" "$(addr_of "$s")" "${LOGS#"$ROOT"/}/$s.log"
  done
  echo "  env       ${ENV_FILE#"$ROOT"/} (set -a; source .infra/env; set +a)"
fi
