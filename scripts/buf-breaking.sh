#!/usr/bin/env bash
# buf breaking: the contracts in the working tree must not break those on main (rule set FILE,
# see buf.yaml). A breaking change needs a new package version (shop.<context>.v2), not an
# edit of v1. Compare against something else with BUF_BREAKING_AGAINST, e.g.
#   BUF_BREAKING_AGAINST='.git#tag=v0.1.0' scripts/buf-breaking.sh
set -euo pipefail
cd "$(dirname "$0")/.."

against="${BUF_BREAKING_AGAINST:-.git#branch=main}"
if [ -z "${BUF_BREAKING_AGAINST:-}" ] &&
  ! { git cat-file -e main:proto 2>/dev/null && git cat-file -e main:buf.yaml 2>/dev/null; }; then
  echo "buf breaking: skipped, main has no proto/ and buf.yaml yet (first contracts commit)"
  exit 0
fi
buf breaking --against "$against"
echo "buf breaking: no breaking change against $against"
