import { randomBytes, randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant } from "../../core/auth/tenant-admin.ts";
import { systemClock } from "../../core/kit/clock.ts";
import { parseTenantId, type RequestContext } from "../../core/kit/request-context.ts";
import { Roles } from "../../core/kit/roles.ts";
import { createKafka } from "../../adapters/kafka/kafka-client.ts";
import { MikroOrmTenantRepository } from "../../adapters/mikro-orm/auth/mikro-orm-tenant-repository.ts";
import { openSqlDatabase } from "../../adapters/mikro-orm/sql-database.ts";
import { createGrpcTransport } from "../../adapters/rpc/grpc-transport.ts";
import { JWKS_PATH } from "../../adapters/rpc/jwks-http-route.ts";
import { AuthService } from "../../gen/shop/auth/v1/auth_pb.ts";
import { CatalogService } from "../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../gen/shop/catalog/v1/products_pb.ts";
import { EmailVerificationRequestedSchema, PasswordResetRequestedSchema } from "../../gen/shop/events/v1/user_events_pb.ts";
import { ModerationDecision, ReviewService, ReviewStatus } from "../../gen/shop/reviews/v1/reviews_pb.ts";
import { UserService } from "../../gen/shop/users/v1/users_pb.ts";
import { authEntities } from "../../services/auth/auth-module.ts";
import { tenantEventMapper } from "../../services/auth/tenant-event-mapper.ts";
import { requiredEnv } from "../support/required-env.ts";
import { uniqueName } from "../support/unique-name.ts";
import { EventTail } from "./support/event-tail.ts";
import { freePort, type ServiceProcess, startServiceProcess } from "./support/service-process.ts";

const root = new URL("../../", import.meta.url).pathname;

// reviews in a process of its own, with auth (tokens, JWKS), users (accounts, the admin
// invitation) and catalog (the product, its rating copy) each in theirs, over MariaDB, Redis,
// FerretDB and Kafka, as in the mesh: a shopper's review, approved by the tenant's admin, moves
// the catalog product's rating.
describe("review journey across the auth, users, catalog and reviews processes", () => {
  const tenant = uniqueName("e2e-rv").replaceAll("_", "-").toLowerCase();
  const adminEmail = `admin-${randomUUID().slice(0, 8)}@example.com`;
  const databases = {
    auth: uniqueName("shopmesh_e2e_rv_auth"),
    users: uniqueName("shopmesh_e2e_rv_users"),
    catalog: uniqueName("shopmesh_e2e_rv_catalog"),
    reviews: uniqueName("shopmesh_e2e_rv_reviews"),
  };
  const kafka = createKafka({
    brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","),
    clientId: "e2e-reviews",
    log: () => {},
  });
  const userEvents = new EventTail();
  const processes: ServiceProcess[] = [];
  let auth: ServiceProcess;
  let users: ServiceProcess;
  let catalog: ServiceProcess;
  let reviews: ServiceProcess;
  let adminPasswordSet = false;

  beforeAll(async () => {
    // What `tenant-cli create` does, with a first admin (its invitation comes by user-events).
    const authDb = await openSqlDatabase(
      { kind: "mysql", url: requiredEnv("SHOPMESH_MYSQL_URL"), database: databases.auth },
      authEntities,
    );
    const operator: RequestContext = {
      tenantId: parseTenantId("platform"),
      caller: { userId: "e2e", roles: [Roles.platformOperator] },
      correlationId: "e2e-reviews",
      signal: AbortSignal.timeout(30_000),
    };
    try {
      await createTenant({ tenants: new MikroOrmTenantRepository(authDb.em, tenantEventMapper), clock: systemClock }, operator, {
        id: parseTenantId(tenant),
        displayName: "E2E Reviews",
        currency: "EUR",
        defaultLocale: "en",
        firstAdminEmail: adminEmail,
      });
    } finally {
      await authDb.close();
    }
    const [authPort, usersPort, catalogPort, reviewsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    auth = await startServiceProcess("auth", `${root}services/auth/main.ts`, authPort, {
      SHOPMESH_AUTH_DATABASE: databases.auth,
      SHOPMESH_AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SHOPMESH_USERS_ADDRESS: `127.0.0.1:${usersPort}`,
    });
    processes.push(auth);
    const jwks = { SHOPMESH_AUTH_JWKS_URL: `${auth.url}${JWKS_PATH}` };
    [users, catalog] = await Promise.all([
      startServiceProcess("users", `${root}services/users/main.ts`, usersPort, {
        ...jwks,
        SHOPMESH_USERS_DATABASE: databases.users,
        SHOPMESH_AUTH_GRPC_TARGET: `127.0.0.1:${authPort}`,
      }),
      startServiceProcess("catalog", `${root}services/catalog/main.ts`, catalogPort, {
        ...jwks,
        SHOPMESH_CATALOG_DATABASE: databases.catalog,
      }),
    ]);
    processes.push(users, catalog);
    reviews = await startServiceProcess("reviews", `${root}services/reviews/main.ts`, reviewsPort, {
      ...jwks,
      SHOPMESH_REVIEWS_DATABASE: databases.reviews,
      SHOPMESH_CATALOG_GRPC_TARGET: `127.0.0.1:${catalogPort}`,
    });
    processes.push(reviews);
    await userEvents.start(kafka, "user-events");
  }, 180_000);

  afterAll(async () => {
    await userEvents.stop();
    for (const p of processes.reverse()) await p.stop();
    const url = new URL(requiredEnv("SHOPMESH_MYSQL_URL"));
    const { createConnection } = await import("mysql2/promise");
    const connection = await createConnection({
      host: url.hostname,
      port: Number(url.port),
      user: url.username,
      password: decodeURIComponent(url.password),
    });
    for (const name of [databases.auth, databases.users]) await connection.query(`drop database if exists \`${name}\``);
    await connection.end();
    const mongo = await MongoClient.connect(requiredEnv("SHOPMESH_MONGO_URL"));
    for (const name of [databases.catalog, databases.reviews]) await mongo.db(name).dropDatabase();
    await mongo.close();
  }, 60_000);

  it("when a shopper reviews a product and the tenant's admin approves it, then the catalog product's rating follows", async () => {
    const anonymous = { headers: { "x-tenant-id": tenant } };
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const userClient = createClient(UserService, createGrpcTransport(`127.0.0.1:${users.port}`));
    const authClient = createClient(AuthService, createGrpcTransport(`127.0.0.1:${auth.port}`));
    const catalogClient = createClient(CatalogService, createGrpcTransport(`127.0.0.1:${catalog.port}`));
    const reviewClient = createClient(ReviewService, createGrpcTransport(`127.0.0.1:${reviews.port}`));

    // The tenant's first admin: invited by TenantCreated, sets a password with the emailed token
    // (once: a retry of this test logs in again).
    if (!adminPasswordSet) {
      const invitation = await userEvents.next(PasswordResetRequestedSchema, (e) => e.email === adminEmail, 60_000);
      await userClient.resetPassword({ token: invitation.resetToken, newPassword: "admin passphrase 42" }, anonymous);
      adminPasswordSet = true;
    }
    const adminLogin = await retryWhile(Code.NotFound, () =>
      authClient.login({ email: adminEmail, password: "admin passphrase 42" }, anonymous),
    );
    const admin = bearer(adminLogin.tokens!.accessToken);

    // A shopper registers, verifies the email and logs in.
    const email = `shopper-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await retryWhile(Code.NotFound, () =>
      userClient.register(
        { email, password: "shopper passphrase 42", displayName: "Sam", idempotencyKey: randomUUID() },
        anonymous,
      ),
    );
    const shopperId = registered.user!.userId;
    const verification = await userEvents.next(EmailVerificationRequestedSchema, (e) => e.userId === shopperId);
    await userClient.verifyEmail({ token: verification.verificationToken }, anonymous);
    const shopper = bearer((await authClient.login({ email, password: "shopper passphrase 42" }, anonymous)).tokens!.accessToken);

    // The admin puts an active product in the catalog.
    const run = randomUUID().slice(0, 8);
    const category = await retryWhile(Code.NotFound, () =>
      catalogClient.createCategory({ name: "Kettles", slug: `kettles-${run}`, idempotencyKey: `cat-${run}` }, admin),
    );
    const created = await catalogClient.createProduct(
      {
        product: {
          name: "Kettle",
          brand: "Boil",
          description: "Boils water.",
          categoryId: category.category!.categoryId,
          attributes: [],
          variants: [{ sku: `KETTLE-${run}`, price: { amountMinor: 2_500n, currencyCode: "EUR" } }],
          status: ProductStatus.ACTIVE,
        },
        idempotencyKey: `product-${run}`,
      },
      admin,
    );
    const productId = created.product!.productId;

    // The shopper reviews it (reviews asks catalog whether the product may be reviewed) ...
    const { review } = await retryWhile(Code.NotFound, () =>
      reviewClient.submitReview(
        {
          productId,
          rating: 4,
          title: "Quick and quiet",
          body: "Boils a litre in two minutes.",
          idempotencyKey: `review-${run}`,
        },
        shopper,
      ),
    );
    expect(review).toMatchObject({ status: ReviewStatus.PENDING, userId: shopperId, rating: 4 });
    // ... a shopper cannot moderate; the admin approves.
    const refused = await rejection(
      reviewClient.moderateReview({ reviewId: review!.reviewId, decision: ModerationDecision.APPROVE, reason: "" }, shopper),
    );
    expect(refused.code).toBe(Code.PermissionDenied);
    const moderated = await reviewClient.moderateReview(
      { reviewId: review!.reviewId, decision: ModerationDecision.APPROVE, reason: "" },
      admin,
    );
    expect(moderated.review?.status).toBe(ReviewStatus.APPROVED);
    expect((await reviewClient.getProductRating({ productId }, anonymous)).rating).toMatchObject({
      ratingCount: 1n,
      fourStarCount: 1n,
    });

    // The catalog's copy follows ProductRatingChanged from review-events. The catalog's group is
    // one for all catalog processes on the broker: a member left behind by another run (a test
    // process that exited without leaving) holds its partitions until its 30 s session times out,
    // hence the generous bound.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const rating = (await catalogClient.getProduct({ productId }, anonymous)).product?.rating;
      if (rating?.ratingCount === 1n) {
        expect(rating).toMatchObject({ ratingCount: 1n, fourStarCount: 1n, averageRating: 4 });
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`the catalog's rating did not follow within 90 s; catalog said:\n${catalog.output().slice(-4_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 180_000);
});

async function retryWhile<T>(code: Code, call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (ConnectError.from(error).code !== code || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected a rejection");
}
