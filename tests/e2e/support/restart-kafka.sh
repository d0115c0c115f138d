#!/usr/bin/env bash
# Restarts ONLY the local Kafka broker of mesh/infra (SIGTERM, wait until gone, then up.sh, which
# reuses every server still running and starts Kafka again, waiting until it answers).
# Used by tests/e2e/checkout-failures.test.ts when SHOPMESH_E2E_RESTART_KAFKA=1: every other
# user of the broker sees it go away, so it is opt-in.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../mesh/infra/lib.sh"
pid="$(server_pid kafka)" || die "kafka is not running"
kill -TERM "$pid"
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until "${SHOPMESH_INFRA_STOP_TIMEOUT:-60}" kafka gone "$pid" || { kill -KILL "$pid" 2>/dev/null || true; }
rm -f "$(pidfile_of kafka)"
SHOPMESH_INFRA_SMOKE=0 "$(dirname "${BASH_SOURCE[0]}")/../../../mesh/infra/up.sh" >/dev/null
