/**
 * The dependency rule, enforced: services -> adapters -> core, and services -> core; never the
 * other way. The core is pure: no adapters, no services, no generated protobuf code, no
 * drivers, no RPC libraries, no node: I/O modules. `make lint` fails on any violation.
 */
const IO_MODULES = "^(node:)?(fs|net|http|http2|https|tls|dgram|dns|child_process|cluster|worker_threads|sqlite)(/|$)";
const DRIVERS_AND_RPC = "node_modules/(@grpc|@connectrpc|@bufbuild|@mikro-orm|mysql2|mongodb|ioredis|kafkajs|pino|zod|jose)/";

module.exports = {
  forbidden: [
    {
      name: "core-imports-outer-layer",
      comment: "core/ must not depend on adapters/, services/ or generated code (gen/).",
      severity: "error",
      from: { path: "^core/" },
      to: { path: "^(adapters|services|gen|mesh)/" },
    },
    {
      name: "core-imports-driver-or-rpc",
      comment: "core/ must not import a database driver, broker client, RPC library or protobuf runtime.",
      severity: "error",
      from: { path: "^core/" },
      to: { path: DRIVERS_AND_RPC },
    },
    {
      name: "core-imports-io",
      comment: "core/ must not do I/O: no node: networking, file system or process modules.",
      severity: "error",
      from: { path: "^core/" },
      to: { dependencyTypes: ["core"], path: IO_MODULES },
    },
    {
      name: "adapters-import-services",
      comment: "adapters/ are wired by services/, never the other way round.",
      severity: "error",
      from: { path: "^adapters/" },
      to: { path: "^services/" },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    moduleSystems: ["es6"],
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js"],
      conditionNames: ["import", "node", "default"],
      exportsFields: ["exports"],
      mainFields: ["module", "main", "types"],
    },
  },
};
