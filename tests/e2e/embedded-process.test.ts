import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { AuthService } from "../../gen/shop/auth/v1/auth_pb.ts";
import { TenantService } from "../../gen/shop/auth/v1/tenants_pb.ts";
import { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import { freePort, type ServiceProcess, startServiceProcess } from "./support/service-process.ts";

const root = new URL("../../", import.meta.url).pathname;

// `make run` as a newcomer gets it: one process, SQLite files, no servers, demo accounts.
describe("the embedded process", () => {
  let dataDir: string;
  let embedded: ServiceProcess | undefined;
  const accounts = new Map<string, { tenant: string; password: string }>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "shopmesh-embedded-"));
    embedded = await startServiceProcess("embedded", `${root}services/embedded/main.ts`, await freePort(), {
      SHOPMESH_DATA_DIR: dataDir,
    });
    for (const line of (await readFile(join(dataDir, "demo-accounts.txt"), "utf8")).trim().split("\n")) {
      const [tenant = "", email = "", password = ""] = line.split("\t");
      accounts.set(email, { tenant, password });
    }
  }, 60_000);

  afterAll(async () => {
    await embedded?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("when the platform operator logs in over Connect, then they can list the tenants", async () => {
    const transport = createConnectTransport({ baseUrl: embedded!.url, httpVersion: "1.1" });
    const operator = accounts.get("operator@shopmesh.local")!;
    const login = await createClient(AuthService, transport).login(
      { email: "operator@shopmesh.local", password: operator.password },
      { headers: { "x-tenant-id": operator.tenant } },
    );
    const tenants = await createClient(TenantService, transport).listTenants(
      {},
      { headers: { authorization: `Bearer ${login.tokens!.accessToken}` } },
    );
    expect(tenants.tenants.map((t) => t.tenantId)).toEqual(expect.arrayContaining(["demo", "platform"]));
  });

  it("when the demo customer logs in over gRPC, then the profile is theirs and tenant administration is refused", async () => {
    const transport = createGrpcTransport(`127.0.0.1:${embedded!.port}`);
    const customer = accounts.get("customer@demo.shop")!;
    const login = await createClient(AuthService, transport).login(
      { email: "customer@demo.shop", password: customer.password },
      { headers: { "x-tenant-id": "demo" } },
    );
    const bearer = { headers: { authorization: `Bearer ${login.tokens!.accessToken}` } };
    expect((await createClient(UserService, transport).getProfile({}, bearer)).user?.email).toBe("customer@demo.shop");
    const refused = await createClient(TenantService, transport)
      .listTenants({}, bearer)
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(refused?.code).toBe(Code.PermissionDenied);
  });
});
