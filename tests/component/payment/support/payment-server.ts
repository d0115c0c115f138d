import type { Transport } from "@connectrpc/connect";
import type { PaymentProvider } from "../../../../core/payment/payment-provider.ts";
import { createKafka } from "../../../../adapters/kafka/kafka-client.ts";
import { createKafkaEventPublisher } from "../../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureTopics } from "../../../../adapters/kafka/kafka-topics.ts";
import { createLogger } from "../../../../adapters/observability/logger.ts";
import { createStripeHttpProvider } from "../../../../adapters/payment-provider/stripe-http-provider.ts";
import { PAYMENT_EVENTS_TOPIC } from "../../../../services/payment/payment-event-mapper.ts";
import { PAYMENT_WEBHOOK_PATH, paymentEntities, paymentModule } from "../../../../services/payment/payment-module.ts";
import { requiredEnv } from "../../../support/required-env.ts";
import { openSqlTestDatabase, type SqlTestDatabase } from "../../../support/sql-test-database.ts";
import { uniqueName } from "../../../support/unique-name.ts";
import {
  randomWebhookSecret,
  type SandboxProcess,
  startSandboxProcess,
} from "../../../contract/payment/support/sandbox-process.ts";
import { type TestIdentity, testIdentity } from "../../users/support/identity.ts";
import { startTestProcess } from "../../../support/test-process.ts";

export const PROVIDER_TIMEOUT_MS = 400;

export interface PaymentServer {
  readonly url: string;
  readonly webhookUrl: string;
  readonly db: SqlTestDatabase;
  readonly identity: TestIdentity;
  readonly sandbox: SandboxProcess;
  /** Every log line the payment service wrote. */
  readonly logLines: string[];
  transport(kind: "grpc" | "connect"): Transport;
  stop(): Promise<void>;
}

/**
 * PaymentService on port 0: a MariaDB database of its own, the local Kafka (payment-events),
 * real JWTs (acme, globex), and the sandbox provider as its own process on HTTP, which posts
 * its signed webhooks back. Short deadlines so that the timeout cases run in about a second.
 */
export async function startPaymentServer(): Promise<PaymentServer> {
  const logLines: string[] = [];
  const logger = createLogger("payment-test", "info", { write: (line: string) => void logLines.push(line) });
  const db = await openSqlTestDatabase("mariadb", "payment_component", paymentEntities);
  const identity = await testIdentity();
  const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: uniqueName("payment-test") });
  await ensureTopics(kafka, [PAYMENT_EVENTS_TOPIC]);
  const publisher = createKafkaEventPublisher(kafka);
  // The provider's address is known once the sandbox runs, which needs the webhook address first.
  let inner: PaymentProvider | undefined;
  const provider: PaymentProvider = {
    name: "sandbox",
    createAndConfirm: (request, signal) => (inner as PaymentProvider).createAndConfirm(request, signal),
    retrieve: (lookup, signal) => (inner as PaymentProvider).retrieve(lookup, signal),
    refund: (request, signal) => (inner as PaymentProvider).refund(request, signal),
  };
  const webhookSecret = randomWebhookSecret();
  const module = paymentModule({
    db: { ...db, close: async () => {} }, // the test disposes the database itself
    publisher,
    provider,
    clock: { now: () => new Date() },
    logger,
    resolveIdentity: identity.resolveIdentity,
    webhook: { secret: webhookSecret, toleranceSeconds: 300 },
    policy: { resolveAfterMs: 1_000, resolveLeaseMs: 5_000 },
    resolveIntervalMs: 200,
  });
  const served = await startTestProcess([module], logger);
  const webhookUrl = `${served.url}${PAYMENT_WEBHOOK_PATH}`;
  const sandbox = await startSandboxProcess({ lateMs: 1_200, hangMs: 3_000, webhookUrl, webhookSecret });
  inner = createStripeHttpProvider({
    name: "sandbox",
    baseUrl: sandbox.url,
    secretKey: sandbox.secretKey,
    timeoutMs: PROVIDER_TIMEOUT_MS,
    onProblem: (problem) => logger.warn({ ...problem }, "payment provider call failed"),
  });
  return {
    url: served.url,
    webhookUrl,
    db,
    identity,
    sandbox,
    logLines,
    transport: served.transport,
    async stop() {
      await served.stop();
      await sandbox.stop();
      await publisher.disconnect();
      await db.dispose();
    },
  };
}
